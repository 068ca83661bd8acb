import { and, count, desc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ALERT_TYPES, type AlertType } from "./crossing";
import { type DeliveryRow, type SubscriptionRow, webhookDeliveries, webhookSubscriptions } from "./schema";
import { encryptedPrefix, KeyRing, KeyRingError, PLAINTEXT_PREFIX, storedForm } from "./secret-box";

/**
 * Every D1 statement about webhooks: the HTTP routes manage subscriptions with these, and the
 * stock items read their targets and record their attempts with these.
 *
 * Signing secrets are stored encrypted (./secret-box.ts) under the key ring from the Worker
 * secret `WEBHOOK_SECRET_KEYS`: `create` encrypts under the current key and refuses to store
 * anything without a usable ring; `targetsFor` decrypts for delivery. Upgrades happen on the
 * delivery path, with no admin step: every `targetsFor` re-encrypts under the current key the
 * matched rows that are stale (plain `whsec_…` from before encryption at rest, or an older key
 * id still in the ring), plus up to UPGRADE_SWEEP rows of any subscription, deleted and disabled
 * ones included. Each upgrade is a compare-and-set on the old value, so items racing to upgrade
 * the same row are harmless. A row that cannot be read (no ring, a key id the ring no longer
 * holds, altered) is logged and handed back without a secret: delivery skips it for this
 * attempt, counts the attempt failed and retries it on the usual schedule.
 */

/** Stale rows of other subscriptions re-encrypted by one `targetsFor` (one alarm). */
export const UPGRADE_SWEEP = 20;
/** D1 takes at most 100 statements per batch. */
const UPGRADE_BATCH = 50;

export type SecretKeys = { ok: true; ring: KeyRing } | { ok: false; reason: string };

let lastKeys: { text: string | undefined; keys: SecretKeys } | null = null;

/**
 * The key ring in `WEBHOOK_SECRET_KEYS`, or why there is none. Parsed once per distinct value
 * in an isolate, so its keys are imported once too.
 */
export function loadSecretKeys(text: string | undefined): SecretKeys {
  if (lastKeys !== null && lastKeys.text === text) return lastKeys.keys;
  let keys: SecretKeys;
  try {
    keys = { ok: true, ring: KeyRing.parse(text) };
  } catch (error) {
    if (!(error instanceof KeyRingError)) throw error;
    keys = { ok: false, reason: error.message };
  }
  lastKeys = { text, keys };
  return keys;
}

/** Thrown by `create` when there is no usable key ring: nothing is stored. */
export class SecretKeysUnavailable extends Error {
  override name = "SecretKeysUnavailable";
}

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

/**
 * What a stock item needs to deliver to a subscription: its plaintext signing secret, or
 * (`secret` null) why that could not be read, in words safe to log and to record.
 */
export type DeliveryTarget = {
  id: string;
  url: string;
  events: AlertType[];
} & ({ secret: string } | { secret: null; unreadable: string });

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
  private readonly keys: SecretKeys;

  /**
   * `secretKeys`: the Worker secret `WEBHOOK_SECRET_KEYS`. Only `create` (to encrypt) and
   * `targetsFor`/`upgradeSecrets` (to decrypt) need it.
   */
  constructor(d1: D1Database, secretKeys?: string) {
    this.db = drizzle(d1);
    this.keys = loadSecretKeys(secretKeys);
  }

  async countVisible(): Promise<number> {
    const rows = await this.db.select({ n: count() }).from(webhookSubscriptions).where(visible);
    return rows[0]?.n ?? 0;
  }

  /** Stores the secret encrypted under the current key; throws SecretKeysUnavailable without a ring. */
  async create(input: NewSubscription): Promise<Subscription> {
    if (!this.keys.ok) throw new SecretKeysUnavailable(this.keys.reason);
    const row: SubscriptionRow = {
      ...input,
      secret: await this.keys.ring.encrypt(input.secret, input.id),
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

  /**
   * The active subscriptions whose sku and warehouse filters match this item, with their
   * secrets decrypted; stale secrets among them, and up to UPGRADE_SWEEP stale ones of any
   * other subscription, are re-encrypted under the current key on the way. Throws only when
   * D1 cannot be read; an unreadable secret is logged and returned as `secret: null`, a failed
   * upgrade is logged and tried again next time.
   */
  async targetsFor(sku: string, warehouse: string): Promise<DeliveryTarget[]> {
    const matching = this.db
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
    const keys = this.keys;
    let rows: { id: string; url: string; events: string; secret: string }[];
    let stale: { id: string; secret: string }[] = [];
    if (keys.ok) {
      [rows, stale] = await this.db.batch([matching, this.staleQuery(keys.ring, UPGRADE_SWEEP)]);
    } else {
      rows = await matching;
      if (rows.length > 0) {
        console.error(
          `webhooks: WEBHOOK_SECRET_KEYS is unusable (${keys.reason}); encrypted signing secrets cannot be read, ` +
            "their deliveries are retried on the usual schedule until it is fixed",
        );
      }
    }
    const upgrades: Upgrade[] = [];
    const targets = await Promise.all(
      rows.map(async (row): Promise<DeliveryTarget> => {
        const base = { id: row.id, url: row.url, events: parseEvents(row.events) };
        const opened = await this.openSecret(row.id, row.secret);
        if (!opened.ok) {
          console.error(`webhooks: subscription ${row.id} skipped: its signing secret ${opened.reason}`);
          return { ...base, secret: null, unreadable: `signing secret ${opened.reason}` };
        }
        if (opened.upgraded !== null) upgrades.push({ id: row.id, from: row.secret, to: opened.upgraded });
        return { ...base, secret: opened.secret };
      }),
    );
    const matched = new Set(rows.map((row) => row.id));
    upgrades.push(...(await this.reencrypt(stale.filter((row) => !matched.has(row.id)))));
    try {
      await this.applyUpgrades(upgrades);
    } catch (error) {
      // The rows stay readable as they are; the next delivery tries again.
      console.error("webhooks: re-encrypting signing secrets in D1 failed; tried again on a later delivery", error);
    }
    return targets;
  }

  /**
   * Re-encrypts under the current key up to `limit` stale secrets (plaintext, or under an
   * older key still in the ring) of any subscription. Returns how many were rewritten. For an
   * operator or a scheduled task that wants rotation done without waiting for alerts;
   * delivery does the same a few rows at a time.
   */
  async upgradeSecrets(limit: number): Promise<number> {
    if (!this.keys.ok) throw new SecretKeysUnavailable(this.keys.reason);
    const stale = await this.staleQuery(this.keys.ring, limit);
    const upgrades = await this.reencrypt(stale);
    return this.applyUpgrades(upgrades);
  }

  /** Rows, whatever their status, whose secret is readable with the ring but not under its current key. */
  private staleQuery(ring: KeyRing, limit: number) {
    const secret = webhookSubscriptions.secret;
    const startsWith = (prefix: string): SQL => sql`substr(${secret}, 1, ${prefix.length}) = ${prefix}`;
    const older = ring.keyIds.filter((id) => id !== ring.currentKeyId);
    const conditions = [startsWith(PLAINTEXT_PREFIX), ...older.map((id) => startsWith(encryptedPrefix(id)))];
    return this.db
      .select({ id: webhookSubscriptions.id, secret })
      .from(webhookSubscriptions)
      .where(or(...conditions))
      .orderBy(webhookSubscriptions.createdAt, webhookSubscriptions.id)
      .limit(limit);
  }

  private async reencrypt(rows: { id: string; secret: string }[]): Promise<Upgrade[]> {
    const upgrades: Upgrade[] = [];
    for (const row of rows) {
      const opened = await this.openSecret(row.id, row.secret);
      if (!opened.ok) console.error(`webhooks: cannot re-encrypt subscription ${row.id}: its signing secret ${opened.reason}`);
      else if (opened.upgraded !== null) upgrades.push({ id: row.id, from: row.secret, to: opened.upgraded });
    }
    return upgrades;
  }

  /**
   * The plaintext of a stored secret, and its re-encryption under the current key when it is
   * stale and the ring is usable. Never throws for a bad value: says why instead.
   */
  private async openSecret(id: string, stored: string): Promise<OpenedSecret> {
    const keys = this.keys;
    const form = storedForm(stored);
    let secret: string;
    if (form.kind === "plaintext") {
      secret = stored;
    } else if (form.kind === "unknown") {
      return { ok: false, reason: "is in no known stored format" };
    } else if (!keys.ok) {
      return { ok: false, reason: `is encrypted under key "${form.keyId}" and WEBHOOK_SECRET_KEYS is unusable (${keys.reason})` };
    } else if (!keys.ring.has(form.keyId)) {
      return { ok: false, reason: `is encrypted under key "${form.keyId}", which WEBHOOK_SECRET_KEYS no longer holds` };
    } else {
      try {
        secret = await keys.ring.decrypt(stored, id);
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    }
    let upgraded: string | null = null;
    if (keys.ok && keys.ring.isStale(stored)) {
      try {
        upgraded = await keys.ring.encrypt(secret, id);
      } catch (error) {
        // Readable as it is: delivery goes on, the upgrade waits for a later read.
        console.error(`webhooks: re-encrypting the signing secret of ${id} failed`, error);
      }
    }
    return { ok: true, secret, upgraded };
  }

  /** Compare-and-set per row, in batches. Returns how many rows were rewritten. */
  private async applyUpgrades(upgrades: Upgrade[]): Promise<number> {
    const statements = upgrades.map((u) =>
      this.db
        .update(webhookSubscriptions)
        .set({ secret: u.to })
        .where(and(eq(webhookSubscriptions.id, u.id), eq(webhookSubscriptions.secret, u.from)))
        .returning({ id: webhookSubscriptions.id }),
    );
    const results: { id: string }[][] = [];
    for (let i = 0; i < statements.length; i += UPGRADE_BATCH) {
      const [first, ...rest] = statements.slice(i, i + UPGRADE_BATCH);
      if (first !== undefined) results.push(...(await this.db.batch([first, ...rest])));
    }
    const rewritten = results.reduce((n, rows) => n + rows.length, 0);
    if (rewritten > 0 && this.keys.ok) {
      console.log(`webhooks: re-encrypted ${rewritten} signing secret(s) under key "${this.keys.ring.currentKeyId}"`);
    }
    return rewritten;
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
    const [first, ...rest] = records.map((record) => this.db.insert(webhookDeliveries).values(record).onConflictDoNothing());
    if (first === undefined) return;
    await this.db.batch([first, ...rest]);
  }
}

interface Upgrade {
  id: string;
  /** The stored value it replaces: the update applies only if the row still holds it. */
  from: string;
  to: string;
}

type OpenedSecret = { ok: true; secret: string; upgraded: string | null } | { ok: false; reason: string };
