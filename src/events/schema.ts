import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Every change event, as the Queue consumer records it. The unique (sku, warehouse, seq) is
 * what makes recording idempotent: a redelivered event is a no-op. The event's `id` is a
 * function of that same triple (src/events/event.ts), so it has no index of its own: a second
 * unique index on it cost every recorded event one more row written (bench/README.md, issue 22).
 */
export const events = sqliteTable(
  "events",
  {
    /**
     * The order D1 recorded events in. Cursors page by it because a later insert always
     * gets a larger value, so a client paging forward never skips an event that arrived late.
     */
    pos: integer("pos").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    sku: text("sku").notNull(),
    warehouse: text("warehouse").notNull(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    onHandDelta: integer("on_hand_delta").notNull(),
    reservedDelta: integer("reserved_delta").notNull(),
    onHand: integer("on_hand").notNull(),
    reserved: integer("reserved").notNull(),
    reservationId: text("reservation_id"),
    reason: text("reason"),
    reference: text("reference"),
    /** Who made the change: an API key's id, `root`, or null for the service's own (expiry). */
    actor: text("actor"),
    /** ISO 8601 UTC, exactly as the event carried it. */
    at: text("at").notNull(),
    /** `at` as epoch milliseconds, for time-window queries (analytics). */
    atMs: integer("at_ms").notNull(),
  },
  (t) => [
    uniqueIndex("events_item_seq_unique").on(t.sku, t.warehouse, t.seq),
    index("events_item_pos").on(t.sku, t.warehouse, t.pos),
    index("events_item_time").on(t.sku, t.warehouse, t.atMs),
    index("events_type_pos").on(t.type, t.pos),
    index("events_actor_pos").on(t.actor, t.pos),
  ],
);

/** The latest state of each item as far as the recorded events tell it. */
export const stockProjection = sqliteTable(
  "stock_projection",
  {
    sku: text("sku").notNull(),
    warehouse: text("warehouse").notNull(),
    onHand: integer("on_hand").notNull(),
    reserved: integer("reserved").notNull(),
    /** The seq of the event this row reflects; only a higher seq may replace it. */
    lastSeq: integer("last_seq").notNull(),
    /** Epoch milliseconds of that event. */
    updatedAt: integer("updated_at").notNull(),
    /**
     * The level's settings as of `lastSeq`, so `GET /v1/stock` can answer whole Levels and
     * filter on `low`. Events written before they were carried leave them as they were.
     */
    lowStockThreshold: integer("low_stock_threshold").notNull().default(0),
    reorderQuantity: integer("reorder_quantity").notNull().default(0),
    /** Pool members taking the item's reservations; 1 when it is not pooled. */
    shards: integer("shards").notNull().default(1),
    /** The regions its pool members are spread over (v1.2), as a JSON array; null: none. */
    regions: text("regions"),
  },
  (t) => [
    primaryKey({ columns: [t.sku, t.warehouse] }),
    // `GET /v1/stock?warehouse=` pages one warehouse in sku order without walking the others.
    index("stock_projection_warehouse_sku").on(t.warehouse, t.sku),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type ProjectionRow = typeof stockProjection.$inferSelect;
