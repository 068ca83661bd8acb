import type { StockEvent } from "../events/event";
import type { Hold, HoldStatus } from "./holds";
import type { Level } from "./ledger";

/**
 * Every SQL statement of the StockItem object, in one place. The object calls these
 * inside `transactionSync`, so a change, its hold and its event land together or not at all.
 */
export class StockItemStore {
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
        event TEXT NOT NULL
      );
    `);
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
    const row = this.sql
      .exec<HoldRow>("SELECT * FROM holds WHERE reservation_id = ?", reservationId)
      .toArray()[0];
    return row === undefined ? null : holdFromRow(row);
  }

  writeHold(hold: Hold, now: number): void {
    this.sql.exec(
      `INSERT INTO holds (reservation_id, attempt, quantity, status, expires_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (reservation_id) DO UPDATE SET
         attempt = excluded.attempt, quantity = excluded.quantity, status = excluded.status,
         expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      hold.reservationId,
      hold.attempt,
      hold.quantity,
      hold.status,
      hold.expiresAt,
      now,
    );
  }

  /** Held (not pinned) holds whose time is up, oldest first. */
  expiredHolds(now: number): Hold[] {
    return this.sql
      .exec<HoldRow>(
        "SELECT * FROM holds WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at",
        now,
      )
      .toArray()
      .map(holdFromRow);
  }

  nextHoldExpiry(): number | null {
    const row = this.sql
      .exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM holds WHERE status = 'held'")
      .one();
    return row.at;
  }

  /** Finished holds are kept a while so that repeated commits and releases stay idempotent. */
  deleteFinishedHolds(olderThan: number): void {
    this.sql.exec(
      "DELETE FROM holds WHERE status NOT IN ('held', 'pinned') AND updated_at < ?",
      olderThan,
    );
  }

  countHolds(status: HoldStatus): number {
    return this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = ?", status)
      .one().n;
  }

  readAdjustmentOutcome(key: string): string | null {
    const row = this.sql
      .exec<{ outcome: string }>("SELECT outcome FROM adjustment_keys WHERE key = ?", key)
      .toArray()[0];
    return row?.outcome ?? null;
  }

  writeAdjustmentOutcome(key: string, outcome: string, now: number): void {
    this.sql.exec(
      "INSERT INTO adjustment_keys (key, outcome, created_at) VALUES (?, ?, ?)",
      key,
      outcome,
      now,
    );
  }

  deleteAdjustmentKeys(olderThan: number): void {
    this.sql.exec("DELETE FROM adjustment_keys WHERE created_at < ?", olderThan);
  }

  appendEvent(event: StockEvent): void {
    this.sql.exec("INSERT INTO outbox (seq, event) VALUES (?, ?)", event.seq, JSON.stringify(event));
  }

  pendingEvents(limit: number): StockEvent[] {
    return this.sql
      .exec<{ event: string }>("SELECT event FROM outbox ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => JSON.parse(row.event) as StockEvent);
  }

  hasPendingEvents(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0;
  }

  /** Shipped rows go: the outbox holds only what the Queue has not yet accepted. */
  deleteEventsThrough(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
  }
}

interface HoldRow {
  reservation_id: string;
  attempt: number;
  quantity: number;
  status: string;
  expires_at: number;
  updated_at: number;
  [key: string]: SqlStorageValue;
}

function holdFromRow(row: HoldRow): Hold {
  return {
    reservationId: row.reservation_id,
    attempt: row.attempt,
    quantity: row.quantity,
    status: row.status as HoldStatus,
    expiresAt: row.expires_at,
  };
}
