import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Scoped API keys. The token is never stored, only its SHA-256 (`token_hash`, unique, what a
 * request is looked up by). Deleting a key marks it (`deleted_at`) rather than removing the
 * row, so the id an event recorded as its `actor` still names a key.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** JSON array of scopes. */
    scopes: text("scopes").notNull(),
    /** JSON array of warehouses `stock:write` is limited to; null: any. */
    warehouses: text("warehouses"),
    tokenHash: text("token_hash").notNull(),
    /** Epoch milliseconds. */
    createdAt: integer("created_at").notNull(),
    /** Epoch milliseconds; null while the key is live. */
    deletedAt: integer("deleted_at"),
  },
  (t) => [uniqueIndex("api_keys_token_hash").on(t.tokenHash)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
