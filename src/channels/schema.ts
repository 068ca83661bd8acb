import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Sales channels (`PUT /v1/channels/{channel}`). Few and small, read by the reserve path
 * through an isolate cache (src/channels/directory.ts), so D1 is off that path while fresh.
 * Deleting one removes the row: nothing else refers to it by key.
 */
export const channels = sqliteTable("channels", {
  id: text("id").primaryKey(),
  /** JSON array of warehouse identifiers, distinct, in priority order. */
  warehouses: text("warehouses").notNull(),
  safetyStock: integer("safety_stock").notNull(),
  /** Epoch milliseconds; kept when the channel is replaced. */
  createdAt: integer("created_at").notNull(),
  /** Epoch milliseconds. */
  updatedAt: integer("updated_at").notNull(),
});

export type ChannelRow = typeof channels.$inferSelect;
