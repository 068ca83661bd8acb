import { DurableObject } from "cloudflare:workers";

/**
 * The per-SKU warehouse list of v0.1, read once per SKU by the pooled `SkuDirectory` that
 * replaced it. Nothing writes it any more, and it never creates storage: most SKUs it is
 * asked about never had one.
 */
export class SkuIndex extends DurableObject<Env> {
  listWarehouses(): string[] {
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'warehouses'").toArray().length === 0) {
      return [];
    }
    return sql
      .exec<{ warehouse: string }>("SELECT warehouse FROM warehouses ORDER BY warehouse")
      .toArray()
      .map((row) => row.warehouse);
  }
}
