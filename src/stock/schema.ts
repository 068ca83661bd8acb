import { AlertStore } from "./alert-store";
import { HoldStore } from "./hold-store";
import { LevelStore } from "./level-store";
import { OutboxStore } from "./outbox-store";
import { PoolStore } from "./pool-store";

/**
 * The StockItem object's SQLite schema, in one place: the tables every protocol of the item
 * keeps (levels and counts, holds, the event outbox, low-stock alerts, pools), created when
 * the object starts, under the constructor's blockConcurrencyWhile.
 *
 * Each protocol's SQL lives beside the protocol (its store class); only the shape of the
 * tables is here. Objects written by an earlier version must keep working: the tables of
 * v1.1 are created with IF NOT EXISTS, and every later change is a numbered migration that
 * runs once, in order, recorded in `schema_version`. Append migrations; never edit one that
 * shipped.
 */

/** Idempotent; run under blockConcurrencyWhile before the object serves anything. */
export function migrateSchema(sql: SqlStorage): void {
  sql.exec(`
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
  migrateAlerts(sql);
  migratePool(sql);
  migrateNumbered(sql);
}

/**
 * Low-stock alerts (src/stock/alerts.ts). The crossing, its alert and later each attempt's
 * outcome are written in the transaction of what caused them, so a crash loses neither an
 * alert nor the knowledge of what was already sent.
 */
function migrateAlerts(sql: SqlStorage): void {
  sql.exec(`
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

/**
 * Flash-sale pools (src/stock/pool.ts). A parent has `pool` and one `pool_members` row per
 * member it ever had; a member has `pool_role`.
 */
function migratePool(sql: SqlStorage): void {
  sql.exec(`
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

/**
 * Schema changes after v1.1's first tables, numbered: `schema_version` records the last one
 * applied, and each runs once, in order, under the constructor's blockConcurrencyWhile. An
 * object written by an earlier version gets the ones it lacks on its first start.
 */
function migrateNumbered(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  const current = sql.exec<{ version: number }>("SELECT version FROM schema_version WHERE id = 1").toArray()[0]?.version ?? 0;
  for (const [i, statements] of NUMBERED_MIGRATIONS.entries()) {
    const version = i + 1;
    if (version <= current) continue;
    for (const statement of statements) sql.exec(statement);
    sql.exec("INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version", version);
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
  // 2: regional pools (src/stock/pool-demand.ts): the item's regions, its active members with
  // their regions (JSON; null: numbered 0..shards-1 as in v1.1), and each member's region.
  [
    "ALTER TABLE pool ADD COLUMN regions TEXT",
    "ALTER TABLE pool ADD COLUMN layout TEXT",
    "ALTER TABLE pool_members ADD COLUMN region TEXT",
  ],
];

/** The item's store classes over these tables, one per protocol's concern. */
export interface ItemStores {
  levels: LevelStore;
  holds: HoldStore;
  outbox: OutboxStore;
  pool: PoolStore;
  alerts: AlertStore;
}

export function openStores(sql: SqlStorage): ItemStores {
  const levels = new LevelStore(sql);
  return {
    levels,
    holds: new HoldStore(sql),
    outbox: new OutboxStore(sql),
    pool: new PoolStore(sql),
    alerts: new AlertStore(sql, levels),
  };
}
