import { z } from "@hono/zod-openapi";
import { decodeCursor } from "../events/cursor";
import { CHANGE_TYPES } from "../stock/ledger";
import { Identifier, PageLimit, Timestamp } from "./common-schemas";

/** Request and response shapes of `/v1/events`, the analytics and reconciliation routes (read from D1). */

export const EventType = z.enum(CHANGE_TYPES);

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
