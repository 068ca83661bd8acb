import { DurableObject } from "cloudflare:workers";

/**
 * The warehouses that stock one SKU, so that `GET /v1/stock/{sku}` can ask each item
 * directly (and so reflect every acknowledged write) instead of reading a lagging copy.
 * A warehouse is added before its item is first written, never after, so no item is missed.
 */
export class SkuIndex extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS warehouses (warehouse TEXT PRIMARY KEY)");
    });
  }

  addWarehouse(warehouse: string): void {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO warehouses (warehouse) VALUES (?)", warehouse);
  }

  listWarehouses(): string[] {
    return this.ctx.storage.sql
      .exec<{ warehouse: string }>("SELECT warehouse FROM warehouses ORDER BY warehouse")
      .toArray()
      .map((row) => row.warehouse);
  }
}
