import { z } from "@hono/zod-openapi";
import { decodeCursor } from "../events/cursor";
import { decodeListingCursor } from "../events/listing-cursor";
import { SCOPES } from "../keys/scopes";
import { STATUSES } from "../reservations/lifecycle";
import { ADJUSTMENT_REASONS, CHANGE_TYPES } from "../stock/ledger";
import { parseTags } from "../stock/precondition";
import { ALERT_TYPES } from "../webhooks/crossing";

/**
 * Every request and response shape of the API, once. Routes validate with these and the
 * OpenAPI document (`GET /v1/openapi.json`) is generated from them.
 */

const MAX_ON_HAND = 1_000_000_000;

export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");

export const ReservationId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "1 to 128 of A-Z a-z 0-9 . _ : -");

const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-26T12:00:00.000Z" });

export const ItemParams = z.object({
  sku: Identifier.openapi({ param: { name: "sku", in: "path" }, example: "TSHIRT-RED-M" }),
  warehouse: Identifier.openapi({ param: { name: "warehouse", in: "path" }, example: "ams-1" }),
});

export const SkuParams = ItemParams.pick({ sku: true });

export const ReservationParams = z.object({
  id: ReservationId.openapi({ param: { name: "id", in: "path" }, example: "order-1042" }),
});

export const SetLevelBody = z
  .object({
    onHand: z.number().int().min(0).max(MAX_ON_HAND),
    lowStockThreshold: z.number().int().min(0).max(MAX_ON_HAND).optional(),
    reorderQuantity: z.number().int().min(0).max(MAX_ON_HAND).optional(),
    shards: z.number().int().min(1).max(64).optional().openapi({
      description: "Pool members that take this item's reservations in parallel (flash sales); kept when omitted, initially 1.",
    }),
  })
  .openapi("SetLevel", { example: { onHand: 10, lowStockThreshold: 3, reorderQuantity: 20 } });

export const AdjustmentReason = z.enum(ADJUSTMENT_REASONS);

export const AdjustmentBody = z
  .object({
    delta: z
      .number()
      .int()
      .min(-MAX_ON_HAND)
      .max(MAX_ON_HAND)
      .refine((delta) => delta !== 0, "must not be 0"),
    reason: AdjustmentReason,
    reference: z.string().min(1).max(256).optional(),
  })
  .openapi("Adjustment", { example: { delta: 5, reason: "receipt", reference: "grn-7781" } });

/** `If-Match`: `"<version>"` (or a list of them), or `*`. */
const IfMatch = z
  .string()
  .refine((value) => parseTags(value) !== null, 'a quoted version such as "7", a list of them, or *')
  .optional()
  .openapi({
    param: { name: "if-match", in: "header" },
    description:
      '`If-Match: "<version>"`: apply only if the level is still at that version (`*`: only if it has been set); otherwise 412 with the current level.',
  });

export const SetLevelHeaders = z.object({
  "if-match": IfMatch,
  "if-none-match": z
    .literal("*", { message: "only * is supported" })
    .optional()
    .openapi({
      param: { name: "if-none-match", in: "header" },
      description: "`If-None-Match: *`: set only if the item has never been set; otherwise 412 with the current level.",
    }),
});

export const AdjustmentHeaders = z.object({
  "if-match": IfMatch,
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "1 to 255 visible ASCII characters")
    .optional()
    // Named as validated: Hono hands headers over lower-cased, and the OpenAPI generator
    // refuses a parameter whose name differs from its key (header names ignore case anyway).
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "`Idempotency-Key`: a repeat with the same key returns the first result and changes nothing.",
    }),
});

export const Level = z
  .object({
    sku: z.string(),
    warehouse: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lowStockThreshold: z.number().int(),
    reorderQuantity: z.number().int(),
    version: z.number().int(),
    updatedAt: Timestamp,
    shards: z.number().int().openapi({ description: "Pool members taking reservations (1: the item alone)" }),
  })
  .openapi("Level");

export const Shards = z
  .object({
    unallocated: z.number().int().openapi({ description: "Units no pool member may hold yet" }),
    shards: z.array(
      z.object({
        shard: z.number().int(),
        allocated: z.number().int(),
        reserved: z.number().int(),
        available: z.number().int(),
        requests: z.number().int().openapi({ description: "Reservation calls this member served since it started" }),
      }),
    ),
  })
  .openapi("Shards");

const Totals = z.object({ onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() });

export const SkuLevels = z.object({ sku: z.string(), warehouses: z.array(Level), totals: Totals }).openapi("SkuLevels");

const Quantity = z.number().int().min(1).max(1_000_000);

/** What one stock item holds for a reservation. */
export const Allocation = z.object({ sku: Identifier, warehouse: Identifier, quantity: Quantity }).openapi("Allocation");

export const ReservationLine = z
  .object({
    sku: Identifier,
    warehouse: Identifier.nullable()
      .optional()
      .openapi({ description: "Omitted or null: the reservation's `channel` sources the line from its warehouses" }),
    quantity: Quantity,
  })
  .openapi("ReservationLine");

/** A line as a Reservation echoes it: `warehouse` null where it was sourced. */
const ReservationLineView = z.object({ sku: z.string(), warehouse: z.string().nullable(), quantity: z.number().int() });

/**
 * Lines of one reservation: one per item, and a sourced SKU in no other line (it could meet
 * itself in a warehouse). `hasChannel` false: a line without a warehouse is refused here; a
 * line change learns whether the reservation has a channel only from its coordinator.
 */
function checkLines(lines: z.infer<typeof ReservationLine>[], hasChannel: boolean, ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  const sourced = new Set(lines.filter((line) => line.warehouse == null).map((line) => line.sku));
  const skus = new Map<string, number>();
  lines.forEach((line, index) => {
    skus.set(line.sku, (skus.get(line.sku) ?? 0) + 1);
    if (line.warehouse == null && !hasChannel) {
      ctx.addIssue({
        code: "custom",
        path: ["lines", index, "warehouse"],
        message: "a line without a warehouse needs the reservation's channel",
      });
    }
    const key = `${line.sku}/${line.warehouse ?? ""}`;
    if (seen.has(key)) {
      ctx.addIssue({
        code: "custom",
        path: ["lines", index],
        message: `duplicate line for ${line.sku} in ${line.warehouse ?? "the channel"}: combine the quantities`,
      });
    } else if (sourced.has(line.sku) && (skus.get(line.sku) ?? 0) > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["lines", index],
        message: `${line.sku} is sourced by the channel in another line: one line per SKU when the channel sources it`,
      });
    }
    seen.add(key);
  });
}

export const CreateReservationBody = z
  .object({
    id: ReservationId.optional(),
    channel: Identifier.optional().openapi({ description: "The sales channel whose warehouses source lines that name none" }),
    lines: z.array(ReservationLine).min(1).max(100),
    ttlSeconds: z.number().int().min(1).max(86_400).default(900),
  })
  .superRefine((body, ctx) => checkLines(body.lines, body.channel !== undefined, ctx))
  .openapi("CreateReservation", {
    example: { id: "order-1042", lines: [{ sku: "TSHIRT-RED-M", warehouse: "ams-1", quantity: 2 }], ttlSeconds: 900 },
  });

export const ChangeLinesBody = z
  .object({
    lines: z
      .array(ReservationLine)
      .min(1)
      .max(100)
      .openapi({ description: "The whole new cart, as on create; lines without a warehouse need the reservation to have a channel" }),
  })
  .superRefine((body, ctx) => checkLines(body.lines, true, ctx))
  .openapi("ChangeLines", { example: { lines: [{ sku: "TSHIRT-RED-M", warehouse: "ams-1", quantity: 3 }] } });

export const Reservation = z
  .object({
    id: z.string(),
    status: z.enum(STATUSES),
    lines: z.array(ReservationLineView).openapi({ description: "As requested; `warehouse` null where sourced" }),
    channel: z.string().nullable(),
    allocations: z.array(Allocation).openapi({ description: "What each stock item holds (a line naming its warehouse is its own)" }),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  })
  .openapi("Reservation");

export const ExtendReservationBody = z
  .object({ ttlSeconds: z.number().int().min(1).max(86_400) })
  .openapi("ExtendReservation", { example: { ttlSeconds: 1800 } });

export const AvailabilityBody = z
  .object({
    items: z
      .array(
        z.object({
          sku: Identifier,
          warehouse: Identifier.nullable()
            .optional()
            .openapi({ description: "Omitted or null: the SKU's availability in `channel`, over its warehouses" }),
        }),
      )
      .min(1)
      .max(100),
    channel: Identifier.optional(),
  })
  .superRefine((body, ctx) => {
    body.items.forEach((item, index) => {
      if (item.warehouse == null && body.channel === undefined) {
        ctx.addIssue({ code: "custom", path: ["items", index, "warehouse"], message: "an item without a warehouse needs `channel`" });
      }
    });
  })
  .openapi("AvailabilityRequest", {
    example: { channel: "web", items: [{ sku: "MUG-BLUE" }, { sku: "TSHIRT-RED-M", warehouse: "ams-1" }] },
  });

const AvailableCounts = { onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() };

export const Availability = z
  .object({
    items: z.array(
      z.object({
        sku: z.string(),
        warehouse: z.string().nullable(),
        ...AvailableCounts,
        warehouses: z
          .array(z.object({ warehouse: z.string(), available: z.number().int() }))
          .optional()
          .openapi({ description: "Channel entries only: what the channel may sell from each warehouse (above its safety stock)" }),
      }),
    ),
  })
  .openapi("Availability");

export const EventType = z.enum(CHANGE_TYPES);

/** `?limit=`: a page's size, 1 to 500 (default 100), shared by the paged routes. */
const PageLimit = z
  .string()
  .regex(/^[0-9]{1,3}$/, "an integer from 1 to 500")
  .transform(Number)
  .pipe(z.number().int().min(1).max(500))
  .optional()
  .openapi({ param: { name: "limit", in: "query" }, type: "integer", minimum: 1, maximum: 500, description: "1 to 500, default 100" });

export const EventsQuery = z.object({
  sku: Identifier.optional().openapi({ param: { name: "sku", in: "query" } }),
  warehouse: Identifier.optional().openapi({ param: { name: "warehouse", in: "query" } }),
  type: EventType.optional().openapi({ param: { name: "type", in: "query" } }),
  actor: z
    .string()
    .regex(/^(root|service|key_[A-Za-z0-9_-]{16})$/, "root, service, or a key id")
    .optional()
    .openapi({
      param: { name: "actor", in: "query" },
      description: "A key id, `root`, or `service` for the service's own changes (expiry)",
    }),
  after: z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== null, "not a cursor this API returned as `next`")
    .optional()
    .openapi({ param: { name: "after", in: "query" }, description: "The `next` of the previous page" }),
  limit: PageLimit,
});

export const StockEvent = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    type: EventType,
    sku: z.string(),
    warehouse: z.string(),
    onHandDelta: z.number().int(),
    reservedDelta: z.number().int(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    reservationId: z.string().optional(),
    reason: z.string().optional(),
    reference: z.string().optional(),
    actor: z.string().nullable().openapi({ description: "Who made the change: a key id, `root`, or null for the service's own (expiry)" }),
    at: Timestamp,
  })
  .openapi("StockEvent");

export const EventPage = z
  .object({
    events: z.array(StockEvent),
    next: z.string().nullable().openapi({ description: "Pass as `after` for the next page; null when there is none yet" }),
  })
  .openapi("EventPage");

const PerDay = z.object({ last7d: z.number(), last30d: z.number() });

export const StockAnalytics = z
  .object({
    sku: z.string(),
    warehouse: z.string(),
    unitsPerDay: PerDay.openapi({ description: "Demand: committed reservations and transfer_out adjustments" }),
    shrinkPerDay: PerDay.openapi({ description: "damage and loss adjustments; not part of unitsPerDay" }),
    available: z.number().int().openapi({ description: "As of the latest event D1 holds" }),
    daysOfCover: z.number().nullable(),
    projectedStockoutAt: Timestamp.nullable(),
  })
  .openapi("StockAnalytics");

export const ReconcileBody = z
  .object({
    items: z
      .array(z.object({ sku: Identifier, warehouse: Identifier }))
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Check only these items, including ones D1 has no record of; default: every item D1 knows" }),
  })
  .openapi("ReconcileRequest", { example: { items: [{ sku: "TSHIRT-RED-M", warehouse: "ams-1" }] } });

const ItemState = z.object({
  sku: z.string(),
  warehouse: z.string(),
  expected: z
    .object({ onHand: z.number().int(), reserved: z.number().int(), version: z.number().int() })
    .nullable()
    .openapi({ description: "The Durable Object's level; null if it has none" }),
  projected: z
    .object({ onHand: z.number().int(), reserved: z.number().int(), lastSeq: z.number().int(), events: z.number().int() })
    .nullable()
    .openapi({ description: "D1's projection and how many of the item's events D1 holds; null if none" }),
});

export const ReconcileReport = z
  .object({
    checked: z.number().int(),
    drifted: z.array(ItemState.extend({ reason: z.enum(["values_differ", "ahead", "unknown_item", "behind", "missing_events"]) })),
    lagging: z.array(ItemState).openapi({ description: "D1 behind an object that changed in the last minute" }),
  })
  .openapi("ReconcileReport");

export const AlertType = z.enum(ALERT_TYPES);

export const CreateWebhookBody = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2048)
      .openapi({ description: "https only (see the URL policy)", example: "https://erp.example.com/hooks/stock" }),
    events: z
      .array(AlertType)
      .min(1)
      .max(3)
      .refine((types) => new Set(types).size === types.length, "must not list a type twice")
      .optional()
      .openapi({ description: "Alert types to receive; default all three" }),
    sku: Identifier.optional().openapi({ description: "Only this sku; default every sku" }),
    warehouse: Identifier.optional().openapi({ description: "Only this warehouse; default every warehouse" }),
  })
  .openapi("CreateWebhook", {
    example: { url: "https://erp.example.com/hooks/stock", events: ["stock.low", "stock.out"], sku: "TSHIRT-RED-M" },
  });

export const WebhookParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "wh_3f1c2a9b8d7e4f60a1b2c3d4e5f60718" }),
});

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(AlertType),
    sku: z.string().nullable(),
    warehouse: z.string().nullable(),
    status: z
      .enum(["active", "disabled"])
      .openapi({ description: "`disabled` after a receiver answered 410 Gone; nothing is sent to it any more" }),
    createdAt: Timestamp,
    disabledAt: Timestamp.nullable(),
  })
  .openapi("Webhook");

export const CreatedWebhook = Webhook.extend({
  secret: z.string().openapi({ description: "`whsec_` + base64 signing key; shown only in this response" }),
}).openapi("CreatedWebhook");

export const WebhookList = z.object({ webhooks: z.array(Webhook) }).openapi("WebhookList");

export const DeliveriesQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, "an integer from 1 to 100")
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional()
    .openapi({ param: { name: "limit", in: "query" }, type: "integer", minimum: 1, maximum: 100, description: "1 to 100, default 100" }),
});

export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: "The alert's id: the `webhook-id` header of every attempt" }),
    type: AlertType,
    attempt: z.number().int().openapi({ description: "1-based" }),
    status: z.enum(["succeeded", "retrying", "failed", "gone"]).openapi({
      description: "`retrying`: failed, another attempt is scheduled; `failed`: the last attempt failed; `gone`: 410",
    }),
    responseStatus: z.number().int().nullable().openapi({ description: "null when no answer came (network, timeout)" }),
    at: Timestamp,
    error: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

export const WebhookDeliveries = z
  .object({ deliveries: z.array(WebhookDelivery).openapi({ description: "Newest first" }) })
  .openapi("WebhookDeliveries");

/** A line the stock cannot cover (409 insufficient_stock). */
export const Shortage = z
  .object({
    sku: z.string(),
    warehouse: z.string().nullable().openapi({ description: "null for a line the channel sources; `available` is then the channel's" }),
    requested: z.number().int(),
    available: z.number().int(),
  })
  .openapi("Shortage");

/**
 * RFC 9457 problem details. The members after `code` are the extensions some codes carry,
 * listed so clients get them typed; RFC 9457 lets a problem carry others, so the object stays open.
 */
export const ProblemDetails = z
  .object({
    type: z.string().openapi({ example: "urn:stockflare:problem:insufficient_stock" }),
    title: z.string(),
    status: z.number().int().openapi({ description: "The HTTP status" }),
    detail: z.string(),
    code: z.string().openapi({ description: "Stable and machine-readable, e.g. `invalid_request`, `insufficient_stock`" }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "invalid_request: what failed, per field (`path` dotted, e.g. `lines.0.quantity`)" }),
    requiredScope: z.enum(SCOPES).optional().openapi({ description: "forbidden: the scope the route needs" }),
    retryAfter: z.number().int().optional().openapi({ description: "rate_limited: seconds to wait, as in `Retry-After`" }),
    shortages: z.array(Shortage).optional().openapi({ description: "insufficient_stock: every line that cannot be covered" }),
    reservationStatus: z.enum(STATUSES).optional().openapi({ description: "invalid_state: the state the reservation is in" }),
    level: Level.nullable().optional().openapi({ description: "precondition_failed: the item's current level (null if it was never set)" }),
    onHand: z.number().int().optional().openapi({ description: "negative_on_hand: the current on-hand quantity" }),
    channel: z.string().optional().openapi({ description: "unknown_channel: the channel named" }),
    allow: z.array(z.string()).optional().openapi({ description: "method_not_allowed: the methods the path allows" }),
  })
  .passthrough()
  .openapi("Problem");

/** 403 forbidden: always names the scope the route needs. */
export const ForbiddenProblem = ProblemDetails.extend({ requiredScope: z.enum(SCOPES) }).openapi("ForbiddenProblem");

/** 429 rate_limited. */
export const RateLimitedProblem = ProblemDetails.extend({ retryAfter: z.number().int() }).openapi("RateLimitedProblem");

/** 412 precondition_failed: always carries the current level. */
export const PreconditionFailedProblem = ProblemDetails.extend({
  level: Level.nullable().openapi({ description: "The item's current level (null if it was never set)" }),
}).openapi("PreconditionFailedProblem");

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");

/** A JSON response entry for route definitions. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A problem+json response entry for route definitions (`schema`: a Problem with required extensions). */
export function problem(description: string, schema: z.ZodType = ProblemDetails) {
  return { description, content: { "application/problem+json": { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

// ---------------------------------------------------------------------------------------
// Stock listing (v1.1): `GET /v1/stock`, read from D1's projection.

export const StockStatus = z.enum(["low", "out"]);

export const StockListQuery = z.object({
  warehouse: Identifier.optional().openapi({ param: { name: "warehouse", in: "query" }, description: "Only this warehouse" }),
  prefix: z
    .string()
    .regex(/^[\x20-\x7e]{1,64}$/, "1 to 64 printable ASCII characters")
    .optional()
    .openapi({ param: { name: "prefix", in: "query" }, description: "Only SKUs starting with this (taken literally: no wildcards)" }),
  status: StockStatus.optional().openapi({
    param: { name: "status", in: "query" },
    description: "`low`: available ≤ lowStockThreshold, threshold > 0 (includes out of stock); `out`: available ≤ 0",
  }),
  limit: PageLimit,
  cursor: z
    .string()
    .refine((cursor) => decodeListingCursor(cursor) !== null, "not a cursor this API returned as `next`")
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "The `next` of the previous page" }),
});

export const StockPage = z
  .object({
    items: z.array(Level),
    next: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page" }),
  })
  .openapi("StockPage");
