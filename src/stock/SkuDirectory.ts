import { DurableObject } from "cloudflare:workers";
import { legacySkuIndex } from "./address";

/**
 * The warehouses that stock each SKU, so that `GET /v1/stock/{sku}` can ask each item
 * directly (and so reflect every acknowledged write) instead of reading a lagging copy.
 * A warehouse is added before its item is first written, never after, so no item is missed.
 *
 * One of a fixed pool (src/stock/address.ts), each keeping the SKUs that hash to it: a new
 * item then registers with an object that already exists, where one object per SKU made
 * every new SKU cost two new objects.
 *
 * SKUs first stocked under v0.1 were registered in a per-SKU `SkuIndex`; the first listing of
 * a SKU here merges that list in once (`imported_skus` records that it was done).
 */
export class SkuDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS sku_warehouses (
          sku TEXT NOT NULL,
          warehouse TEXT NOT NULL,
          PRIMARY KEY (sku, warehouse)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS imported_skus (sku TEXT PRIMARY KEY) WITHOUT ROWID;
      `);
    });
  }

  addWarehouse(sku: string, warehouse: string): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO sku_warehouses (sku, warehouse) VALUES (?, ?)", sku, warehouse);
  }

  async listWarehouses(sku: string): Promise<string[]> {
    await this.importLegacy(sku);
    return this.ctx.storage.sql
      .exec<{ warehouse: string }>("SELECT warehouse FROM sku_warehouses WHERE sku = ? ORDER BY warehouse", sku)
      .toArray()
      .map((row) => row.warehouse);
  }

  private async importLegacy(sku: string): Promise<void> {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM imported_skus WHERE sku = ?", sku).toArray().length > 0) return;
    const legacy = await legacySkuIndex(this.env, sku).listWarehouses();
    this.ctx.storage.transactionSync(() => {
      for (const warehouse of legacy) this.addWarehouse(sku, warehouse);
      sql.exec("INSERT OR IGNORE INTO imported_skus (sku) VALUES (?)", sku);
    });
  }
}
