import type { StockEvent } from "../events/event";
import type { Alert } from "../webhooks/alert";
import type { AlertState, AlertType } from "../webhooks/crossing";
import type { AlertOutbox, DueDelivery, PendingAlert, PendingAttempt } from "../webhooks/outbox";
import type { AttemptRecord } from "../webhooks/subscriptions";
import type { Hold, HoldStatus } from "./holds";
import type { Level } from "./ledger";
import type { MemberTotals } from "./pool";

/**
 * Every SQL statement of the StockItem object, in one place. The object calls these
 * inside `transactionSync`, so a change, its hold and its event land together or not at all.
 */
export class StockItemStore implements AlertOutbox {
  constructor(private readonly sql: SqlStorage) {}

  /** Idempotent; run under blockConcurrencyWhile before the object serves anything. */
  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS level (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sku TEXT NOT NULL,
        warehouse TEXT NOT NULL,
        on_hand INTEGER NOT NULL,
        reserved INTEGER NOT NULL,
        low_stock_threshold INTEGER NOT NULL,
        reorder_quantity INTEGER NOT NULL,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS holds (
        reservation_id TEXT PRIMARY KEY,
        attempt INTEGER NOT NULL,
        quantity INTEGER NOT NULL,
        status TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS holds_by_status_expiry ON holds (status, expires_at);
      CREATE INDEX IF NOT EXISTS holds_by_updated ON holds (updated_at);
      CREATE TABLE IF NOT EXISTS adjustment_keys (
        key TEXT PRIMARY KEY,
        outcome TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY,
        event TEXT NOT NULL,
        shipped_at INTEGER
      );
    `);
    this.migrateAlerts();
    this.migratePool();
    this.migrateNumbered();
  }

  /**
   * Schema changes after v1.1's first tables, numbered: `schema_version` records the last one
   * applied, and each runs once, in order, under the constructor's blockConcurrencyWhile. An
   * object written by an earlier version gets the ones it lacks on its first start.
   */
  private migrateNumbered(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
    const current = this.sql.exec<{ version: number }>("SELECT version FROM schema_version WHERE id = 1").toArray()[0]?.version ?? 0;
    for (const [i, statements] of NUMBERED_MIGRATIONS.entries()) {
      const version = i + 1;
      if (version <= current) continue;
      for (const statement of statements) this.sql.exec(statement);
      this.sql.exec(
        "INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        version,
      );
    }
  }

  // Flash-sale pools (src/stock/pool.ts). A parent has `pool` and one `pool_members` row per
  // member it ever had; a member has `pool_role`.

  private migratePool(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS pool (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        shards INTEGER NOT NULL,
        unallocated INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS pool_members (
        shard INTEGER PRIMARY KEY,
        granted_total INTEGER NOT NULL DEFAULT 0,
        returned_seen INTEGER NOT NULL DEFAULT 0,
        absorbed_changes INTEGER NOT NULL DEFAULT 0,
        absorbed_on_hand INTEGER NOT NULL DEFAULT 0,
        absorbed_reserved INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS pool_role (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        shard INTEGER NOT NULL,
        received_total INTEGER NOT NULL DEFAULT 0,
        returned_total INTEGER NOT NULL DEFAULT 0,
        retired INTEGER NOT NULL DEFAULT 0,
        frozen INTEGER NOT NULL DEFAULT 0
      );
    `);
  }

  readPool(): PoolState | null {
    const row = this.sql.exec<{ shards: number; unallocated: number }>("SELECT shards, unallocated FROM pool WHERE id = 1").toArray()[0];
    return row === undefined ? null : { shards: row.shards, unallocated: row.unallocated };
  }

  writePool(pool: PoolState): void {
    this.sql.exec(
      "INSERT INTO pool (id, shards, unallocated) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET shards = excluded.shards, unallocated = excluded.unallocated",
      pool.shards,
      pool.unallocated,
    );
  }

  readMembers(): PoolMember[] {
    return this.sql
      .exec<{
        shard: number;
        granted_total: number;
        returned_seen: number;
        absorbed_changes: number;
        absorbed_on_hand: number;
        absorbed_reserved: number;
      }>("SELECT * FROM pool_members ORDER BY shard")
      .toArray()
      .map((row) => ({
        shard: row.shard,
        grantedTotal: row.granted_total,
        returnedSeen: row.returned_seen,
        absorbed: { changes: row.absorbed_changes, onHandDelta: row.absorbed_on_hand, reserved: row.absorbed_reserved },
      }));
  }

  writeMember(member: PoolMember): void {
    this.sql.exec(
      `INSERT INTO pool_members (shard, granted_total, returned_seen, absorbed_changes, absorbed_on_hand, absorbed_reserved)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (shard) DO UPDATE SET granted_total = excluded.granted_total, returned_seen = excluded.returned_seen,
         absorbed_changes = excluded.absorbed_changes, absorbed_on_hand = excluded.absorbed_on_hand,
         absorbed_reserved = excluded.absorbed_reserved`,
      member.shard,
      member.grantedTotal,
      member.returnedSeen,
      member.absorbed.changes,
      member.absorbed.onHandDelta,
      member.absorbed.reserved,
    );
  }

  readRole(): PoolRole | null {
    const row = this.sql
      .exec<{ shard: number; received_total: number; returned_total: number; retired: number; frozen: number }>(
        "SELECT * FROM pool_role WHERE id = 1",
      )
      .toArray()[0];
    return row === undefined
      ? null
      : {
          shard: row.shard,
          receivedTotal: row.received_total,
          returnedTotal: row.returned_total,
          retired: row.retired === 1,
          frozen: row.frozen === 1,
        };
  }

  writeRole(role: PoolRole): void {
    this.sql.exec(
      `INSERT INTO pool_role (id, shard, received_total, returned_total, retired, frozen) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET received_total = excluded.received_total, returned_total = excluded.returned_total,
         retired = excluded.retired, frozen = excluded.frozen`,
      role.shard,
      role.receivedTotal,
      role.returnedTotal,
      role.retired ? 1 : 0,
      role.frozen ? 1 : 0,
    );
  }

  /** A member's events the parent has not confirmed absorbing, oldest first. */
  eventsAfter(seq: number, limit: number): StockEvent[] {
    return this.sql
      .exec<{ event: string }>("SELECT event FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map((row) => JSON.parse(row.event) as StockEvent);
  }

  readLevel(): Level | null {
    const row = this.sql
      .exec<{
        sku: string;
        warehouse: string;
        on_hand: number;
        reserved: number;
        low_stock_threshold: number;
        reorder_quantity: number;
        version: number;
        updated_at: number;
      }>("SELECT * FROM level WHERE id = 1")
      .toArray()[0];
    if (row === undefined) return null;
    return {
      sku: row.sku,
      warehouse: row.warehouse,
      onHand: row.on_hand,
      reserved: row.reserved,
      lowStockThreshold: row.low_stock_threshold,
      reorderQuantity: row.reorder_quantity,
      version: row.version,
      updatedAt: row.updated_at,
    };
  }

  writeLevel(level: Level): void {
    this.sql.exec(
      `INSERT INTO level (id, sku, warehouse, on_hand, reserved, low_stock_threshold, reorder_quantity, version, updated_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         on_hand = excluded.on_hand, reserved = excluded.reserved,
         low_stock_threshold = excluded.low_stock_threshold, reorder_quantity = excluded.reorder_quantity,
         version = excluded.version, updated_at = excluded.updated_at`,
      level.sku,
      level.warehouse,
      level.onHand,
      level.reserved,
      level.lowStockThreshold,
      level.reorderQuantity,
      level.version,
      level.updatedAt,
    );
  }

  readHold(reservationId: string): Hold | null {
    const row = this.sql.exec<HoldRow>("SELECT * FROM holds WHERE reservation_id = ?", reservationId).toArray()[0];
    return row === undefined ? null : holdFromRow(row);
  }

  writeHold(hold: Hold, now: number): void {
    this.sql.exec(
      `INSERT INTO holds (reservation_id, attempt, quantity, status, expires_at, updated_at, change_no, previous_quantity, reverted_change)
       VALUES (?, ?, ?, ?, ?, ?, COALESCE(?, 0), ?, COALESCE(?, 0))
       ON CONFLICT (reservation_id) DO UPDATE SET
         attempt = excluded.attempt, quantity = excluded.quantity, status = excluded.status,
         expires_at = excluded.expires_at, updated_at = excluded.updated_at,
         change_no = COALESCE(?, holds.change_no),
         previous_quantity = CASE WHEN ? THEN excluded.previous_quantity ELSE holds.previous_quantity END,
         reverted_change = COALESCE(?, holds.reverted_change)`,
      hold.reservationId,
      hold.attempt,
      hold.quantity,
      hold.status,
      hold.expiresAt,
      now,
      hold.change ?? null,
      hold.previous ?? null,
      hold.reverted ?? null,
      // A write that does not mention the line-change fields leaves them as they are.
      hold.change ?? null,
      hold.previous === undefined ? 0 : 1,
      hold.reverted ?? null,
    );
  }

  /** Held (not pinned) holds whose time is up, oldest first. */
  expiredHolds(now: number): Hold[] {
    return this.sql
      .exec<HoldRow>("SELECT * FROM holds WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at", now)
      .toArray()
      .map(holdFromRow);
  }

  nextHoldExpiry(): number | null {
    const row = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM holds WHERE status = 'held'").one();
    return row.at;
  }

  /** Finished holds are kept a while so that repeated commits and releases stay idempotent. */
  deleteFinishedHolds(olderThan: number): void {
    this.sql.exec("DELETE FROM holds WHERE status NOT IN ('held', 'pinned') AND updated_at < ?", olderThan);
  }

  readAdjustmentOutcome(key: string): string | null {
    const row = this.sql.exec<{ outcome: string }>("SELECT outcome FROM adjustment_keys WHERE key = ?", key).toArray()[0];
    return row?.outcome ?? null;
  }

  writeAdjustmentOutcome(key: string, outcome: string, now: number): void {
    this.sql.exec("INSERT INTO adjustment_keys (key, outcome, created_at) VALUES (?, ?, ?)", key, outcome, now);
  }

  deleteAdjustmentKeys(olderThan: number): void {
    this.sql.exec("DELETE FROM adjustment_keys WHERE created_at < ?", olderThan);
  }

  appendEvent(event: StockEvent): void {
    this.sql.exec("INSERT INTO outbox (seq, event) VALUES (?, ?)", event.seq, JSON.stringify(event));
  }

  /** Events not yet sent to the Queue (or sent but found missing in D1), oldest first. */
  pendingEvents(limit: number): StockEvent[] {
    return this.sql
      .exec<{ event: string }>("SELECT event FROM outbox WHERE shipped_at IS NULL ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => JSON.parse(row.event) as StockEvent);
  }

  hasPendingEvents(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox WHERE shipped_at IS NULL LIMIT 1").toArray().length > 0;
  }

  /**
   * The Queue accepted these; they stay until D1 is seen to hold them, because a Queue
   * message can still be lost after acceptance (local dev keeps the Queue in memory; in
   * production a message the consumer cannot write goes to the dead-letter queue).
   */
  markEventsShipped(throughSeq: number, now: number): void {
    this.sql.exec("UPDATE outbox SET shipped_at = ? WHERE seq <= ? AND shipped_at IS NULL", now, throughSeq);
  }

  /** Seqs shipped at or before `shippedBy` and not yet confirmed, oldest first. */
  shippedEvents(shippedBy: number, limit: number): number[] {
    return this.sql
      .exec<{ seq: number }>(
        "SELECT seq FROM outbox WHERE shipped_at IS NOT NULL AND shipped_at <= ? ORDER BY seq LIMIT ?",
        shippedBy,
        limit,
      )
      .toArray()
      .map((row) => row.seq);
  }

  oldestShipment(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(shipped_at) AS at FROM outbox").one().at;
  }

  /** The Queue holds them durably (production): they are done with. */
  deleteEventsThrough(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
  }

  /** D1 holds it: the event is done with. */
  deleteEvent(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
  }

  /** D1 does not hold it long after shipping: it is pending again, to be sent once more. */
  unshipEvent(seq: number): void {
    this.sql.exec("UPDATE outbox SET shipped_at = NULL WHERE seq = ?", seq);
  }

  // Low-stock alerts (src/webhooks/outbox.ts). The crossing, its alert and later each
  // attempt's outcome are written in the transaction of what caused them, so a crash loses
  // neither an alert nor the knowledge of what was already sent.

  private migrateAlerts(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS alert_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS alerts (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        fanned_out INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS alert_deliveries (
        alert_id TEXT NOT NULL,
        subscription_id TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_at INTEGER NOT NULL,
        PRIMARY KEY (alert_id, subscription_id)
      );
      CREATE INDEX IF NOT EXISTS alert_deliveries_by_next ON alert_deliveries (next_at);
      CREATE TABLE IF NOT EXISTS alert_attempts (
        id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL
      );
    `);
  }

  readAlertState(): AlertState {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM alert_state WHERE id = 1").toArray()[0];
    return (row?.state ?? "ok") as AlertState;
  }

  writeAlertState(state: AlertState): void {
    this.sql.exec("INSERT INTO alert_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state", state);
  }

  appendAlert(alert: Alert): void {
    this.sql.exec("INSERT OR IGNORE INTO alerts (id, type, body, next_at) VALUES (?, ?, ?, ?)", alert.id, alert.type, alert.body, alert.at);
  }

  dueAlerts(now: number): PendingAlert[] {
    return this.sql
      .exec<{ id: string; type: string; failures: number }>(
        "SELECT id, type, failures FROM alerts WHERE fanned_out = 0 AND next_at <= ? ORDER BY next_at, id",
        now,
      )
      .toArray()
      .map((row) => ({ id: row.id, type: row.type as AlertType, failures: row.failures }));
  }

  postponeAlert(id: string, nextAt: number): void {
    this.sql.exec("UPDATE alerts SET failures = failures + 1, next_at = ? WHERE id = ?", nextAt, id);
  }

  fanOutAlert(alertId: string, subscriptionIds: string[], now: number): void {
    for (const subscriptionId of subscriptionIds) {
      this.sql.exec(
        "INSERT OR IGNORE INTO alert_deliveries (alert_id, subscription_id, attempts, next_at) VALUES (?, ?, 0, ?)",
        alertId,
        subscriptionId,
        now,
      );
    }
    this.sql.exec("UPDATE alerts SET fanned_out = 1 WHERE id = ?", alertId);
  }

  leaseDueDeliveries(now: number, leaseUntil: number): DueDelivery[] {
    const due = this.sql
      .exec<{ alert_id: string; subscription_id: string; attempts: number; type: string; body: string }>(
        `SELECT d.alert_id, d.subscription_id, d.attempts, a.type, a.body
         FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
         WHERE d.next_at <= ? ORDER BY d.next_at`,
        now,
      )
      .toArray();
    for (const row of due) {
      this.sql.exec(
        "UPDATE alert_deliveries SET next_at = ? WHERE alert_id = ? AND subscription_id = ?",
        leaseUntil,
        row.alert_id,
        row.subscription_id,
      );
    }
    return due.map((row) => ({
      alertId: row.alert_id,
      subscriptionId: row.subscription_id,
      type: row.type as AlertType,
      attempts: row.attempts,
      body: row.body,
    }));
  }

  rescheduleDelivery(alertId: string, subscriptionId: string, attempts: number, nextAt: number): void {
    this.sql.exec(
      "UPDATE alert_deliveries SET attempts = ?, next_at = ? WHERE alert_id = ? AND subscription_id = ?",
      attempts,
      nextAt,
      alertId,
      subscriptionId,
    );
  }

  deleteDelivery(alertId: string, subscriptionId: string): void {
    this.sql.exec("DELETE FROM alert_deliveries WHERE alert_id = ? AND subscription_id = ?", alertId, subscriptionId);
  }

  deleteDeliveriesTo(subscriptionId: string): void {
    this.sql.exec("DELETE FROM alert_deliveries WHERE subscription_id = ?", subscriptionId);
  }

  /** An alert goes once it has been fanned out and none of its deliveries is left. */
  deleteDeliveredAlerts(): void {
    this.sql.exec(
      `DELETE FROM alerts WHERE fanned_out = 1
       AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = alerts.id)`,
    );
  }

  appendAttempt(record: AttemptRecord, now: number): void {
    this.sql.exec("INSERT OR REPLACE INTO alert_attempts (id, record, next_at) VALUES (?, ?, ?)", record.id, JSON.stringify(record), now);
  }

  dueAttempts(now: number, limit: number): PendingAttempt[] {
    return this.sql
      .exec<{ id: string; record: string; failures: number }>(
        "SELECT id, record, failures FROM alert_attempts WHERE next_at <= ? ORDER BY next_at, id LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map((row) => ({ id: row.id, record: JSON.parse(row.record) as AttemptRecord, failures: row.failures }));
  }

  deleteAttempt(id: string): void {
    this.sql.exec("DELETE FROM alert_attempts WHERE id = ?", id);
  }

  postponeAttempt(id: string, nextAt: number): void {
    this.sql.exec("UPDATE alert_attempts SET failures = failures + 1, next_at = ? WHERE id = ?", nextAt, id);
  }

  deferAlertWork(until: number): void {
    this.sql.exec("UPDATE alerts SET next_at = ? WHERE fanned_out = 0 AND next_at < ?", until, until);
    this.sql.exec("UPDATE alert_deliveries SET next_at = ? WHERE next_at < ?", until, until);
    this.sql.exec("UPDATE alert_attempts SET next_at = ? WHERE next_at < ?", until, until);
  }

  nextAlertWorkAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(next_at) AS at FROM alerts WHERE fanned_out = 0
           UNION ALL SELECT MIN(next_at) FROM alert_deliveries
           UNION ALL SELECT MIN(next_at) FROM alert_attempts
         )`,
      )
      .one().at;
  }
}

/** Numbered schema changes (see `migrateNumbered`): append, never edit one that shipped. */
const NUMBERED_MIGRATIONS: readonly (readonly string[])[] = [
  // 1: line changes of held reservations (src/reservations/line-change.ts).
  [
    "ALTER TABLE holds ADD COLUMN change_no INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE holds ADD COLUMN previous_quantity INTEGER",
    "ALTER TABLE holds ADD COLUMN reverted_change INTEGER NOT NULL DEFAULT 0",
  ],
];

interface HoldRow {
  reservation_id: string;
  attempt: number;
  quantity: number;
  status: string;
  expires_at: number;
  updated_at: number;
  change_no: number;
  previous_quantity: number | null;
  reverted_change: number;
  [key: string]: SqlStorageValue;
}

function holdFromRow(row: HoldRow): Hold {
  return {
    reservationId: row.reservation_id,
    attempt: row.attempt,
    quantity: row.quantity,
    status: row.status as HoldStatus,
    expiresAt: row.expires_at,
    change: row.change_no,
    previous: row.previous_quantity,
    reverted: row.reverted_change,
  };
}

export interface PoolState {
  shards: number;
  unallocated: number;
}

/** The parent's view of one member. */
export interface PoolMember {
  shard: number;
  grantedTotal: number;
  returnedSeen: number;
  /** The member's totals as of the last of its changes the parent absorbed. */
  absorbed: MemberTotals;
}

/** A member's own record of its place in the pool. */
export interface PoolRole {
  shard: number;
  receivedTotal: number;
  returnedTotal: number;
  /** No longer among the item's `shards`: gets no grant, so it stays frozen. */
  retired: boolean;
  /**
   * The parent reclaimed its free units (the item ran short, was counted, or this member
   * retired): it takes no new hold and gives back whatever frees up until the parent grants it
   * units again. Without this a unit freed here after a count had left the parent in debt
   * could be sold twice.
   */
  frozen: boolean;
}
