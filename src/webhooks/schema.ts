import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Webhook subscriptions. Rows are never hard-deleted: `DELETE /v1/webhooks/{id}` marks them
 * `deleted`, so a delivery recorded while the delete was in flight still has its parent, and a
 * `410 Gone` answer marks them `disabled` (still listed, so the owner can see why it stopped).
 * Stock items read the `active` rows matching their sku and warehouse when they deliver.
 */
export const webhookSubscriptions = sqliteTable(
  "webhook_subscriptions",
  {
    id: text("id").primaryKey(),
    url: text("url").notNull(),
    /** JSON array of alert types this subscription receives. */
    events: text("events").notNull(),
    /** Null: every sku. */
    sku: text("sku"),
    /** Null: every warehouse. */
    warehouse: text("warehouse"),
    /**
     * The signing key (`whsec_` + base64, returned once at creation), encrypted:
     * `enc:v1:<keyId>:<iv>:<ciphertext>` (./secret-box.ts). Rows from before encryption at rest
     * hold the plain `whsec_…` until a delivery re-encrypts them (./subscriptions.ts).
     */
    secret: text("secret").notNull(),
    status: text("status", { enum: ["active", "disabled", "deleted"] }).notNull(),
    /** Epoch milliseconds. */
    createdAt: integer("created_at").notNull(),
    /** Epoch milliseconds of a `410 Gone` answer that disabled it. */
    disabledAt: integer("disabled_at"),
    /** Epoch milliseconds. */
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("webhook_subscriptions_status").on(t.status, t.sku, t.warehouse)],
);

/** One row per delivery attempt, written by the stock item that made it. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    /** Unique per attempt, chosen by the stock item so re-recording an attempt is a no-op. */
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    /** The alert's id, also its `webhook-id` header. */
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    /** 1-based. */
    attempt: integer("attempt").notNull(),
    status: text("status", { enum: ["succeeded", "retrying", "failed", "gone"] }).notNull(),
    /** HTTP status of the receiver's answer; null when none came (network error, timeout). */
    responseStatus: integer("response_status"),
    /** Epoch milliseconds of the attempt. */
    at: integer("at").notNull(),
    error: text("error"),
  },
  (t) => [index("webhook_deliveries_subscription_at").on(t.subscriptionId, t.at)],
);

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
