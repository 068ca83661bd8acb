import { and, count, desc, eq, isNull, ne, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ALERT_TYPES, type AlertType } from "./crossing";
import { type DeliveryRow, type SubscriptionRow, webhookDeliveries, webhookSubscriptions } from "./schema";

/**
 * Every D1 statement about webhooks: the HTTP routes manage subscriptions with these, and the
 * stock items read their targets and record their attempts with these.
 */

export type SubscriptionStatus = SubscriptionRow["status"];
export type AttemptStatus = DeliveryRow["status"];

export interface Subscription {
  id: string;
  url: string;
  events: AlertType[];
  sku: string | null;
  warehouse: string | null;
  status: SubscriptionStatus;
  createdAt: number;
  disabledAt: number | null;
}

/** What a stock item needs to deliver to a subscription. */
export interface DeliveryTarget {
  id: string;
  url: string;
  events: AlertType[];
  secret: string;
}

export interface NewSubscription {
  id: string;
  url: string;
  events: AlertType[];
  sku: string | null;
  warehouse: string | null;
  secret: string;
  createdAt: number;
}

export interface AttemptRecord {
  id: string;
  subscriptionId: string;
  eventId: string;
  type: AlertType;
  attempt: number;
  status: AttemptStatus;
  responseStatus: number | null;
  at: number;
  error: string | null;
}

/** Stored as JSON text; anything unknown in it (a type added later, then removed) is ignored. */
function parseEvents(text: string): AlertType[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return ALERT_TYPES.filter((type) => parsed.includes(type));
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    url: row.url,
    events: parseEvents(row.events),
    sku: row.sku,
    warehouse: row.warehouse,
    status: row.status,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}

const visible = ne(webhookSubscriptions.status, "deleted");

export class WebhookRepository {
  private readonly db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async countVisible(): Promise<number> {
    const rows = await this.db.select({ n: count() }).from(webhookSubscriptions).where(visible);
    return rows[0]?.n ?? 0;
  }

  async create(input: NewSubscription): Promise<Subscription> {
    const row: SubscriptionRow = {
      ...input,
      events: JSON.stringify(input.events),
      status: "active",
      disabledAt: null,
      deletedAt: null,
    };
    await this.db.insert(webhookSubscriptions).values(row);
    return toSubscription(row);
  }

  async list(): Promise<Subscription[]> {
    const rows = await this.db
      .select()
      .from(webhookSubscriptions)
      .where(visible)
      .orderBy(webhookSubscriptions.createdAt, webhookSubscriptions.id);
    return rows.map(toSubscription);
  }

  async get(id: string): Promise<Subscription | null> {
    const rows = await this.db
      .select()
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.id, id), visible));
    const row = rows[0];
    return row === undefined ? null : toSubscription(row);
  }

  /** True when a visible subscription was deleted by this call. */
  async delete(id: string, now: number): Promise<boolean> {
    const rows = await this.db
      .update(webhookSubscriptions)
      .set({ status: "deleted", deletedAt: now })
      .where(and(eq(webhookSubscriptions.id, id), visible))
      .returning({ id: webhookSubscriptions.id });
    return rows.length > 0;
  }

  /** Newest first. */
  async deliveries(subscriptionId: string, limit: number): Promise<DeliveryRow[]> {
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.subscriptionId, subscriptionId))
      .orderBy(desc(webhookDeliveries.at), desc(webhookDeliveries.attempt), desc(webhookDeliveries.id))
      .limit(limit);
  }

  /** The active subscriptions whose sku and warehouse filters match this item. */
  async targetsFor(sku: string, warehouse: string): Promise<DeliveryTarget[]> {
    const rows = await this.db
      .select({
        id: webhookSubscriptions.id,
        url: webhookSubscriptions.url,
        events: webhookSubscriptions.events,
        secret: webhookSubscriptions.secret,
      })
      .from(webhookSubscriptions)
      .where(
        and(
          eq(webhookSubscriptions.status, "active"),
          or(isNull(webhookSubscriptions.sku), eq(webhookSubscriptions.sku, sku)),
          or(isNull(webhookSubscriptions.warehouse), eq(webhookSubscriptions.warehouse, warehouse)),
        ),
      );
    return rows.map((row) => ({ ...row, events: parseEvents(row.events) }));
  }

  /** After a `410 Gone`: no stock item delivers to it again. */
  async disable(id: string, now: number): Promise<void> {
    await this.db
      .update(webhookSubscriptions)
      .set({ status: "disabled", disabledAt: now })
      .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.status, "active")));
  }

  /** Idempotent: an attempt recorded twice (a retried flush) stays one row. */
  async recordAttempts(records: AttemptRecord[]): Promise<void> {
    const [first, ...rest] = records.map((record) =>
      this.db.insert(webhookDeliveries).values(record).onConflictDoNothing(),
    );
    if (first === undefined) return;
    await this.db.batch([first, ...rest]);
  }
}
