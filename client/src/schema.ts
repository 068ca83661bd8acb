/**
 * Generated from stockflare's OpenAPI document (GET /v1/openapi.json) by openapi-typescript.
 * Do not edit: change the routes' zod schemas, then run `npm run client:generate`.
 * `npm run client:check` (CI) fails when this file no longer matches the document.
 */

export interface paths {
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness; needs no token */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List every item ever set, from D1's projection, in sku then warehouse order
         * @description Eventually consistent: a change shows here once the change events reach D1 (seconds). For exact figures read the item itself or `POST /v1/availability`.
         */
        get: operations["listStockLevels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stock/{sku}/{warehouse}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one stock level: exact, or from a copy at most Cache-Control max-age seconds old */
        get: operations["getStockLevel"];
        /** Set the counted quantity (absolute) */
        put: operations["setStockLevel"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stock/{sku}/{warehouse}/adjustments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Adjust on-hand stock by a delta */
        post: operations["adjustStockLevel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stock/{sku}/{warehouse}/shards": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A pooled item's allocation over its members, and the calls each served */
        get: operations["getStockShards"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stock/{sku}/{warehouse}/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Watch a level live (WebSocket)
         * @description Upgrades to a WebSocket. The server sends `{ "type": "level", "level": Level | null }` on connect (`null` while the item has never been set), then after each change of the item, at most one message per 100 ms (the latest state wins; after a burst the last message carries the final level). The text `ping` is answered `pong`. Browsers, which cannot set headers on a WebSocket, authenticate with the subprotocol list `stockflare.v1, bearer.<token, base64url without padding>`; the server answers `stockflare.v1`.
         */
        get: operations["watchStockLevel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stock/{sku}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a SKU's levels in every warehouse, with totals: exact, or from copies at most Cache-Control max-age seconds old */
        get: operations["getSkuStockLevels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reservations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hold stock for every line, or for none
         * @description Without `id`, the server makes one in the caller's region (`rsv_<region>_…`): the reservation is then coordinated there. A client-chosen `id` is coordinated by its one home coordinator world-wide, which may cost a round trip to another region (docs/regions.md).
         */
        post: operations["createReservation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reservations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a reservation */
        get: operations["getReservation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reservations/{id}/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Commit: on hand and reserved both drop by each line's quantity */
        post: operations["commitReservation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reservations/{id}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Release: the quantities return to available */
        post: operations["releaseReservation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reservations/{id}/lines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Replace a held reservation's lines, all or nothing; expiresAt unchanged
         * @description Items whose quantity grows hold the larger quantity before anything is let go; if any cannot, 409 insufficient_stock (a shortage's `available` is what this reservation could hold of that item: its current hold plus what is available) and the reservation keeps its previous lines and holds exactly.
         */
        put: operations["changeReservationLines"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reservations/{id}/extend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Extend a held reservation: expiresAt becomes the later of itself and now + ttlSeconds, on every line
         * @description A reservation whose expiry falls during the call is expired as a whole (409 invalid_state, reservationStatus expired), never extended on some lines only.
         */
        post: operations["extendReservation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/availability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Availability of up to 100 items, or of SKUs in a channel: exact, or from a copy at most maxAgeSeconds old
         * @description With `maxAgeSeconds` 0 (the default), read from the stock items themselves, one call per distinct item, in parallel: every write acknowledged before the call is reflected. Above 0, each item may come from a copy kept in the caller's region, never older than that, and says when it was read (`asOf`). An item never set answers zeros.
         */
        post: operations["getAvailability"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhooks (without their secrets) */
        get: operations["listWebhooks"];
        put?: never;
        /**
         * Subscribe a URL to low-stock alerts
         * @description Deliveries are signed per Standard Webhooks with the returned `secret`, which is shown only here.
         */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one webhook (without its secret) */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /** Unsubscribe: no attempt is made after the next delivery alarm of any item */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Delivery attempts to this webhook, newest first */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Change events recorded in D1, in the order recorded
         * @description Pages forward in the order D1 recorded the events; an event recorded later always appears after the cursor, so following `next` never skips one. Per item this is `seq` order unless a delivery was retried.
         */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/analytics/stock/{sku}/{warehouse}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Velocity, days of cover and projected stockout of one item */
        get: operations["getStockAnalytics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/reconcile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Compare D1's projection with the Durable Objects */
        post: operations["reconcileEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels/{channel}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one sales channel */
        get: operations["getChannel"];
        /**
         * Create or replace a sales channel
         * @description Replacing keeps `createdAt`. Reservations in other isolates use the previous definition for up to 10 seconds (each isolate caches channels).
         */
        put: operations["putChannel"];
        post?: never;
        /**
         * Delete a sales channel
         * @description Deleting a channel that does not exist answers 404, as for webhooks. Reservations in other isolates use the previous definition for up to 10 seconds (each isolate caches channels).
         */
        delete: operations["deleteChannel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List sales channels */
        get: operations["listChannels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the live keys (never their tokens) */
        get: operations["listApiKeys"];
        put?: never;
        /** Create a scoped API key; its token is shown only in this answer */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read one key (never its token) */
        get: operations["getApiKey"];
        put?: never;
        post?: never;
        /** Delete a key: refused with 401 within 10 s everywhere (at once by the isolate that deleted it) */
        delete: operations["deleteApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        Problem: {
            /** @example urn:stockflare:problem:insufficient_stock */
            type: string;
            title: string;
            /** @description The HTTP status */
            status: number;
            detail: string;
            /** @description Stable and machine-readable, e.g. `invalid_request`, `insufficient_stock` */
            code: string;
            /** @description invalid_request: what failed, per field (`path` dotted, e.g. `lines.0.quantity`) */
            errors?: {
                path: string;
                message: string;
            }[];
            /**
             * @description forbidden: the scope the route needs
             * @enum {string}
             */
            requiredScope?: "stock:read" | "stock:write" | "reservations" | "events:read" | "webhooks" | "admin";
            /** @description rate_limited: seconds to wait, as in `Retry-After` */
            retryAfter?: number;
            /** @description insufficient_stock: every line that cannot be covered */
            shortages?: components["schemas"]["Shortage"][];
            /**
             * @description invalid_state: the state the reservation is in
             * @enum {string}
             */
            reservationStatus?: "held" | "committed" | "released" | "expired";
            /** @description precondition_failed: the item's current level (null if it was never set) */
            level?: {
                sku: string;
                warehouse: string;
                onHand: number;
                reserved: number;
                available: number;
                lowStockThreshold: number;
                reorderQuantity: number;
                version: number;
                /**
                 * Format: date-time
                 * @example 2026-11-26T12:00:00.000Z
                 */
                updatedAt: string;
                /** @description Pool members taking reservations (1: the item alone) */
                shards: number;
                /** @description Regions the pool members are spread over (v1.2), or null */
                regions: ("wnam" | "enam" | "sam" | "weur" | "eeur" | "apac" | "oc" | "afr" | "me")[] | null;
            } | null;
            /** @description negative_on_hand: the current on-hand quantity */
            onHand?: number;
            /** @description unknown_channel: the channel named */
            channel?: string;
            /** @description method_not_allowed: the methods the path allows */
            allow?: string[];
        } & {
            [key: string]: unknown;
        };
        Shortage: {
            sku: string;
            /** @description null for a line the channel sources; `available` is then the channel's */
            warehouse: string | null;
            requested: number;
            available: number;
        };
        StockPage: {
            items: components["schemas"]["Level"][];
            /** @description Pass as `cursor` for the next page; null on the last page */
            next: string | null;
        };
        Level: {
            sku: string;
            warehouse: string;
            onHand: number;
            reserved: number;
            available: number;
            lowStockThreshold: number;
            reorderQuantity: number;
            version: number;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            updatedAt: string;
            /** @description Pool members taking reservations (1: the item alone) */
            shards: number;
            /** @description Regions the pool members are spread over (v1.2), or null */
            regions: ("wnam" | "enam" | "sam" | "weur" | "eeur" | "apac" | "oc" | "afr" | "me")[] | null;
        };
        ForbiddenProblem: components["schemas"]["Problem"] & ({
            /** @enum {string} */
            requiredScope: "stock:read" | "stock:write" | "reservations" | "events:read" | "webhooks" | "admin";
        } & {
            [key: string]: unknown;
        });
        RateLimitedProblem: components["schemas"]["Problem"] & ({
            retryAfter: number;
        } & {
            [key: string]: unknown;
        });
        PreconditionFailedProblem: components["schemas"]["Problem"] & ({
            level: components["schemas"]["Level"] & (Record<string, never> | null);
        } & {
            [key: string]: unknown;
        });
        /**
         * @example {
         *       "onHand": 10,
         *       "lowStockThreshold": 3,
         *       "reorderQuantity": 20
         *     }
         */
        SetLevel: {
            onHand: number;
            lowStockThreshold?: number;
            reorderQuantity?: number;
            /** @description Pool members that take this item's reservations in parallel (flash sales); kept when omitted, initially 1. */
            shards?: number;
            /**
             * @description Regions the pool members are spread over (v1.2; `shards` must be at least their number): member j lives in the j-th region, round robin, and serves its region's buyers (and those of regions not listed, nearest first). Kept when omitted, initially null; null: no regions.
             * @example [
             *       "enam",
             *       "weur",
             *       "apac"
             *     ]
             */
            regions?: ("wnam" | "enam" | "sam" | "weur" | "eeur" | "apac" | "oc" | "afr" | "me")[] | null;
        };
        /**
         * @example {
         *       "delta": 5,
         *       "reason": "receipt",
         *       "reference": "grn-7781"
         *     }
         */
        Adjustment: {
            delta: number;
            /** @enum {string} */
            reason: "receipt" | "return" | "damage" | "loss" | "correction" | "transfer_in" | "transfer_out";
            reference?: string;
        };
        Shards: {
            /** @description Units no pool member may hold yet */
            unallocated: number;
            shards: {
                shard: number;
                /**
                 * @description Where this member lives (v1.2); null when the item has no regions
                 * @enum {string|null}
                 */
                region: "wnam" | "enam" | "sam" | "weur" | "eeur" | "apac" | "oc" | "afr" | "me" | null;
                allocated: number;
                reserved: number;
                available: number;
                /** @description Reservation calls this member served since it started */
                requests: number;
            }[];
        };
        SkuLevels: {
            sku: string;
            warehouses: components["schemas"]["Level"][];
            totals: {
                onHand: number;
                reserved: number;
                available: number;
            };
        };
        Reservation: {
            id: string;
            /** @enum {string} */
            status: "held" | "committed" | "released" | "expired";
            /** @description As requested; `warehouse` null where sourced */
            lines: {
                sku: string;
                warehouse: string | null;
                quantity: number;
            }[];
            channel: string | null;
            /** @description What each stock item holds (a line naming its warehouse is its own) */
            allocations: components["schemas"]["Allocation"][];
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            expiresAt: string;
            /**
             * @description Where the reservation is coordinated (v1.2): the region in a server-made id (`rsv_<region>_…`), else the region of the one coordinator that keeps this client-chosen id world-wide
             * @enum {string}
             */
            region: "wnam" | "enam" | "sam" | "weur" | "eeur" | "apac" | "oc" | "afr" | "me";
        };
        Allocation: {
            sku: string;
            warehouse: string;
            quantity: number;
        };
        /**
         * @example {
         *       "id": "order-1042",
         *       "lines": [
         *         {
         *           "sku": "TSHIRT-RED-M",
         *           "warehouse": "ams-1",
         *           "quantity": 2
         *         }
         *       ],
         *       "ttlSeconds": 900
         *     }
         */
        CreateReservation: {
            id?: string;
            /** @description The sales channel whose warehouses source lines that name none */
            channel?: string;
            lines: components["schemas"]["ReservationLine"][];
            /** @default 900 */
            ttlSeconds?: number;
        };
        ReservationLine: {
            sku: string;
            /** @description Omitted or null: the reservation's `channel` sources the line from its warehouses */
            warehouse?: string | null;
            quantity: number;
        };
        /**
         * @example {
         *       "lines": [
         *         {
         *           "sku": "TSHIRT-RED-M",
         *           "warehouse": "ams-1",
         *           "quantity": 3
         *         }
         *       ]
         *     }
         */
        ChangeLines: {
            /** @description The whole new cart, as on create; lines without a warehouse need the reservation to have a channel */
            lines: components["schemas"]["ReservationLine"][];
        };
        /**
         * @example {
         *       "ttlSeconds": 1800
         *     }
         */
        ExtendReservation: {
            ttlSeconds: number;
        };
        Availability: {
            items: {
                sku: string;
                warehouse: string | null;
                onHand: number;
                reserved: number;
                available: number;
                /** @description Channel entries only: what the channel may sell from each warehouse (above its safety stock) */
                warehouses?: {
                    warehouse: string;
                    available: number;
                }[];
                /**
                 * Format: date-time
                 * @description With `maxAgeSeconds` above 0: when the copy this entry was computed from was read from the stock item (the oldest of them, for a channel entry); every write acknowledged before then is reflected
                 * @example 2026-11-26T12:00:00.000Z
                 */
                asOf?: string;
            }[];
        };
        /**
         * @example {
         *       "channel": "web",
         *       "items": [
         *         {
         *           "sku": "MUG-BLUE"
         *         },
         *         {
         *           "sku": "TSHIRT-RED-M",
         *           "warehouse": "ams-1"
         *         }
         *       ]
         *     }
         */
        AvailabilityRequest: {
            items: {
                sku: string;
                /** @description Omitted or null: the SKU's availability in `channel`, over its warehouses */
                warehouse?: string | null;
            }[];
            channel?: string;
            /**
             * @description 0 (default): the exact read. Above 0: the answer may come from a copy kept in the caller's region, never older than this many seconds; each item then carries `asOf`. Checkout (reservations) is always exact.
             * @example 5
             */
            maxAgeSeconds?: number;
        };
        CreatedWebhook: components["schemas"]["Webhook"] & {
            /** @description `whsec_` + base64 signing key; shown only in this response */
            secret: string;
        };
        Webhook: {
            id: string;
            url: string;
            events: ("stock.low" | "stock.out" | "stock.replenished")[];
            sku: string | null;
            warehouse: string | null;
            /**
             * @description `disabled` after a receiver answered 410 Gone; nothing is sent to it any more
             * @enum {string}
             */
            status: "active" | "disabled";
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            disabledAt: string | null;
        };
        /**
         * @example {
         *       "url": "https://erp.example.com/hooks/stock",
         *       "events": [
         *         "stock.low",
         *         "stock.out"
         *       ],
         *       "sku": "TSHIRT-RED-M"
         *     }
         */
        CreateWebhook: {
            /**
             * @description https only (see the URL policy)
             * @example https://erp.example.com/hooks/stock
             */
            url: string;
            /** @description Alert types to receive; default all three */
            events?: ("stock.low" | "stock.out" | "stock.replenished")[];
            /** @description Only this sku; default every sku */
            sku?: string;
            /** @description Only this warehouse; default every warehouse */
            warehouse?: string;
        };
        WebhookList: {
            webhooks: components["schemas"]["Webhook"][];
        };
        WebhookDeliveries: {
            /** @description Newest first */
            deliveries: components["schemas"]["WebhookDelivery"][];
        };
        WebhookDelivery: {
            id: string;
            /** @description The alert's id: the `webhook-id` header of every attempt */
            eventId: string;
            /** @enum {string} */
            type: "stock.low" | "stock.out" | "stock.replenished";
            /** @description 1-based */
            attempt: number;
            /**
             * @description `retrying`: failed, another attempt is scheduled; `failed`: the last attempt failed; `gone`: 410
             * @enum {string}
             */
            status: "succeeded" | "retrying" | "failed" | "gone";
            /** @description null when no answer came (network, timeout) */
            responseStatus: number | null;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            at: string;
            error: string | null;
        };
        EventPage: {
            events: components["schemas"]["StockEvent"][];
            /** @description Pass as `after` for the next page; null when there is none yet */
            next: string | null;
        };
        StockEvent: {
            id: string;
            seq: number;
            /** @enum {string} */
            type: "stock.set" | "stock.adjusted" | "reservation.held" | "reservation.committed" | "reservation.released" | "reservation.expired";
            sku: string;
            warehouse: string;
            onHandDelta: number;
            reservedDelta: number;
            onHand: number;
            reserved: number;
            reservationId?: string;
            reason?: string;
            reference?: string;
            /** @description Who made the change: a key id, `root`, or null for the service's own (expiry) */
            actor: string | null;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            at: string;
        };
        StockAnalytics: {
            sku: string;
            warehouse: string;
            /** @description Demand: committed reservations and transfer_out adjustments */
            unitsPerDay: {
                last7d: number;
                last30d: number;
            };
            /** @description damage and loss adjustments; not part of unitsPerDay */
            shrinkPerDay: {
                last7d: number;
                last30d: number;
            };
            /** @description As of the latest event D1 holds */
            available: number;
            daysOfCover: number | null;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            projectedStockoutAt: string | null;
        };
        ReconcileReport: {
            checked: number;
            drifted: {
                sku: string;
                warehouse: string;
                /** @description The Durable Object's level; null if it has none */
                expected: {
                    onHand: number;
                    reserved: number;
                    version: number;
                } | null;
                /** @description D1's projection and how many of the item's events D1 holds; null if none */
                projected: {
                    onHand: number;
                    reserved: number;
                    lastSeq: number;
                    events: number;
                } | null;
                /** @enum {string} */
                reason: "values_differ" | "ahead" | "unknown_item" | "behind" | "missing_events";
            }[];
            /** @description D1 behind an object that changed in the last minute */
            lagging: {
                sku: string;
                warehouse: string;
                /** @description The Durable Object's level; null if it has none */
                expected: {
                    onHand: number;
                    reserved: number;
                    version: number;
                } | null;
                /** @description D1's projection and how many of the item's events D1 holds; null if none */
                projected: {
                    onHand: number;
                    reserved: number;
                    lastSeq: number;
                    events: number;
                } | null;
            }[];
        };
        /**
         * @example {
         *       "items": [
         *         {
         *           "sku": "TSHIRT-RED-M",
         *           "warehouse": "ams-1"
         *         }
         *       ]
         *     }
         */
        ReconcileRequest: {
            /** @description Check only these items, including ones D1 has no record of; default: every item D1 knows */
            items?: {
                sku: string;
                warehouse: string;
            }[];
        };
        Channel: {
            id: string;
            warehouses: string[];
            safetyStock: number;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            createdAt: string;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            updatedAt: string;
        };
        /**
         * @example {
         *       "warehouses": [
         *         "ams-1",
         *         "ber-1"
         *       ],
         *       "safetyStock": 2
         *     }
         */
        PutChannel: {
            /**
             * @description Distinct, in priority order: sourcing tries the first one first
             * @example [
             *       "ams-1",
             *       "fra-1"
             *     ]
             */
            warehouses: string[];
            /**
             * @description Units of each item kept back from this channel in every one of its warehouses
             * @default 0
             */
            safetyStock?: number;
        };
        ChannelList: {
            /** @description By id */
            channels: components["schemas"]["Channel"][];
        };
        CreatedKey: components["schemas"]["ApiKey"] & {
            /** @description `sfk_` + 32 random bytes, base64url: shown only here, stored only as a hash */
            token: string;
        };
        ApiKey: {
            id: string;
            name: string;
            scopes: ("stock:read" | "stock:write" | "reservations" | "events:read" | "webhooks" | "admin")[];
            warehouses: string[] | null;
            /**
             * Format: date-time
             * @example 2026-11-26T12:00:00.000Z
             */
            createdAt: string;
        };
        /**
         * @example {
         *       "name": "web shop",
         *       "scopes": [
         *         "stock:read",
         *         "reservations"
         *       ]
         *     }
         */
        CreateKey: {
            /** @example web shop checkout */
            name: string;
            /**
             * @example [
             *       "stock:read",
             *       "reservations"
             *     ]
             */
            scopes: ("stock:read" | "stock:write" | "reservations" | "events:read" | "webhooks" | "admin")[];
            /** @description `stock:write` only in these warehouses; omitted: any */
            warehouses?: string[];
        };
        KeyList: {
            keys: components["schemas"]["ApiKey"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Worker answers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description payload_too_large: a body over 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listStockLevels: {
        parameters: {
            query?: {
                /** @description Only this warehouse */
                warehouse?: string;
                /** @description Only SKUs starting with this (taken literally: no wildcards) */
                prefix?: string;
                /** @description `low`: available ≤ lowStockThreshold, threshold > 0 (includes out of stock); `out`: available ≤ 0 */
                status?: "low" | "out";
                /** @description 1 to 500, default 100 */
                limit?: number;
                /** @description The `next` of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of levels */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StockPage"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getStockLevel: {
        parameters: {
            query?: never;
            header?: {
                /** @description `Cache-Control: max-age=N`: the answer may come from a copy kept in the caller's region, at most N seconds old (N above 60 counts as 60); the answer then carries `Age`. Without it, or with `no-cache` or `max-age=0`, the read is exact. Other directives are ignored. */
                "cache-control"?: string;
            };
            path: {
                sku: string;
                warehouse: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The level */
            200: {
                headers: {
                    /** @description The level's version, quoted (`"7"`): send it back as `If-Match` to write only if nothing changed since */
                    ETag: string;
                    /** @description Only when the request sent `Cache-Control: max-age` and a copy answered: its age in whole seconds */
                    Age?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Level"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description Never set */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    setStockLevel: {
        parameters: {
            query?: never;
            header?: {
                /** @description `If-Match: "<version>"`: apply only if the level is still at that version (`*`: only if it has been set); otherwise 412 with the current level. */
                "if-match"?: string;
                /** @description `If-None-Match: *`: set only if the item has never been set; otherwise 412 with the current level. */
                "if-none-match"?: "*";
            };
            path: {
                sku: string;
                warehouse: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetLevel"];
            };
        };
        responses: {
            /** @description The level after the count */
            200: {
                headers: {
                    /** @description The level's version, quoted (`"7"`): send it back as `If-Match` to write only if nothing changed since */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Level"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field), or malformed_json */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:write`, or may write only in other warehouses; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description precondition_failed: If-Match / If-None-Match did not hold; `level` is the current one */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["PreconditionFailedProblem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adjustStockLevel: {
        parameters: {
            query?: never;
            header?: {
                /** @description `If-Match: "<version>"`: apply only if the level is still at that version (`*`: only if it has been set); otherwise 412 with the current level. */
                "if-match"?: string;
                /** @description `Idempotency-Key`: a repeat with the same key returns the first result and changes nothing. */
                "idempotency-key"?: string;
            };
            path: {
                sku: string;
                warehouse: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Adjustment"];
            };
        };
        responses: {
            /** @description The level after the adjustment (or the first result for a repeated Idempotency-Key) */
            200: {
                headers: {
                    /** @description The level's version, quoted (`"7"`): send it back as `If-Match` to write only if nothing changed since */
                    ETag: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Level"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field), or malformed_json */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:write`, or may write only in other warehouses; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No level set for this item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description negative_on_hand: on hand would drop below 0; `onHand` is the current quantity */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description precondition_failed: If-Match did not hold; `level` is the current one */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["PreconditionFailedProblem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getStockShards: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sku: string;
                warehouse: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unallocated units and each member's allocation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Shards"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description Never set */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    watchStockLevel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sku: string;
                warehouse: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching Protocols: the WebSocket (`Sec-WebSocket-Protocol: stockflare.v1` when offered) */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description upgrade_required: called without `Upgrade: websocket` */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Any answer but the upgrade is a problem */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSkuStockLevels: {
        parameters: {
            query?: never;
            header?: {
                /** @description `Cache-Control: max-age=N`: the answer may come from a copy kept in the caller's region, at most N seconds old (N above 60 counts as 60); the answer then carries `Age`. Without it, or with `no-cache` or `max-age=0`, the read is exact. Other directives are ignored. */
                "cache-control"?: string;
            };
            path: {
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every warehouse's level and their totals */
            200: {
                headers: {
                    /** @description Only when the request sent `Cache-Control: max-age` and a copy answered: its age in whole seconds */
                    Age?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SkuLevels"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description Never set anywhere */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createReservation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateReservation"];
            };
        };
        responses: {
            /** @description The existing reservation with this id and these lines */
            200: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description Held */
            201: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description invalid_request, or unknown_channel */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `reservations`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description insufficient_stock (nothing held; `shortages`) or idempotency_conflict */
            409: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description A stock item could not be reached; nothing held */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReservation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reservation */
            200: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `reservations`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such reservation */
            404: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    commitReservation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reservation after the change (repeats answer unchanged) */
            200: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `reservations`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such reservation */
            404: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description invalid_state: the reservation ended another way; `reservationStatus` says how */
            409: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description A stock item could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    releaseReservation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reservation after the change (repeats answer unchanged) */
            200: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `reservations`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such reservation */
            404: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description invalid_state: the reservation ended another way; `reservationStatus` says how */
            409: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description A stock item could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    changeReservationLines: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangeLines"];
            };
        };
        responses: {
            /** @description The reservation holding exactly the new lines */
            200: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description invalid_request (a line without warehouse on a reservation without channel), or unknown_channel */
            400: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `reservations`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such reservation */
            404: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description insufficient_stock (nothing changed) or invalid_state (not held) */
            409: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description A stock item could not be reached; nothing changed, retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    extendReservation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExtendReservation"];
            };
        };
        responses: {
            /** @description The reservation with its new expiresAt */
            200: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Reservation"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field), or malformed_json */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `reservations`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such reservation */
            404: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description invalid_state: the reservation is not held */
            409: {
                headers: {
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description A stock item could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    /** @description W3C Server-Timing: the caller's region (`region;desc="weur"`), then each object called with its duration in ms: `coordinator;dur=…`, then one `item;dur=…` or `pool;dur=…` per stock object the coordinator called */
                    "Server-Timing"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAvailability: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AvailabilityRequest"];
            };
        };
        responses: {
            /** @description In request order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Availability"];
                };
            };
            /** @description invalid_request, or unknown_channel */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description A stock item could not be reached */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every webhook not deleted, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookList"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `webhooks`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhook"];
            };
        };
        responses: {
            /** @description Subscribed */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedWebhook"];
                };
            };
            /** @description Invalid request, including a URL the policy refuses (errors[].path `url`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `webhooks`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description webhook_limit: at most 100 webhooks */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description webhook_keys_unavailable: the key that encrypts secrets at rest is not configured; nothing stored */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The webhook */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `webhooks`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such webhook */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `webhooks`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such webhook */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                /** @description 1 to 100, default 100 */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Attempts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveries"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `webhooks`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such webhook */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                sku?: string;
                warehouse?: string;
                type?: "stock.set" | "stock.adjusted" | "reservation.held" | "reservation.committed" | "reservation.released" | "reservation.expired";
                /** @description A key id, `root`, or `service` for the service's own changes (expiry) */
                actor?: string;
                /** @description The `next` of the previous page */
                after?: string;
                /** @description 1 to 500, default 100 */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EventPage"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `events:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getStockAnalytics: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sku: string;
                warehouse: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The item's analytics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StockAnalytics"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `events:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No events recorded for this item */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    reconcileEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ReconcileRequest"];
            };
        };
        responses: {
            /** @description What agrees, what drifted and what is still catching up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconcileReport"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field), or malformed_json */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                channel: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The channel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such channel */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                channel: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PutChannel"];
            };
        };
        responses: {
            /** @description The channel as stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            /** @description Invalid request, including a warehouse listed twice (errors[].path `warehouses.<index>`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                channel: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such channel */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listChannels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every channel, by id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelList"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `stock:read`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyList"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateKey"];
            };
        };
        responses: {
            /** @description The key and its token */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedKey"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field), or malformed_json */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description payload_too_large: the body exceeds 65536 bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unsupported_media_type: the body is not `application/json` */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKey"];
                };
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request: the request does not match the schema (`errors` lists each field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s) */
            401: {
                headers: {
                    /** @description `Bearer realm="stockflare"` */
                    "WWW-Authenticate": string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description forbidden: the key lacks the scope `admin`; `requiredScope` names it */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ForbiddenProblem"];
                };
            };
            /** @description No such key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description rate_limited: this key is over its rate limit (the root key never is); nothing changed */
            429: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["RateLimitedProblem"];
                };
            };
            /** @description unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry */
            503: {
                headers: {
                    /** @description Seconds to wait */
                    "Retry-After": number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
