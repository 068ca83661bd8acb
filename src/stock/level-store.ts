import type { Level } from "./ledger";

/**
 * The SQL of an item's level (one row) and of its adjustment idempotency keys. Callers write
 * inside `transactionSync`, so a level is never written without the event of its change
 * (src/stock/changes.ts).
 */
export class LevelStore {
  constructor(private readonly sql: SqlStorage) {}

  read(): Level | null {
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

  write(level: Level): void {
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
}
