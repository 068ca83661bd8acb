import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { stockItem } from "../../src/stock/address";
import { HoldStore } from "../../src/stock/hold-store";
import type { StockItem } from "../../src/stock/StockItem";
import { migrateSchema } from "../../src/stock/schema";

/**
 * A stock item written before the numbered migrations (v1.1's first tables, no line-change
 * columns on `holds`) keeps working: its first start adds what it lacks, once, and its live
 * hold can then be changed by a line change.
 */

describe("numbered schema migrations of a stock item", () => {
  it("upgrade storage of the previous schema in place, and run once", async () => {
    const sku = `MIG-${crypto.randomUUID().slice(0, 8)}`;
    const item = stockItem(env, sku, "wh");
    await item.setCount(sku, "wh", { onHand: 10 });
    const expiresAt = Date.now() + 600_000;
    await runInDurableObject(item, (_: StockItem, state) => {
      // Storage as the previous version left it: a held hold, no line-change columns, no schema_version.
      state.storage.sql.exec("DROP TABLE schema_version");
      for (const column of ["change_no", "previous_quantity", "reverted_change"])
        state.storage.sql.exec(`ALTER TABLE holds DROP COLUMN ${column}`);
      // …nor the regional pools' columns of migration 2.
      for (const column of ["regions", "layout"]) state.storage.sql.exec(`ALTER TABLE pool DROP COLUMN ${column}`);
      state.storage.sql.exec("ALTER TABLE pool_members DROP COLUMN region");
      state.storage.sql.exec(
        "INSERT INTO holds (reservation_id, attempt, quantity, status, expires_at, updated_at) VALUES ('old-cart', 1, 3, 'held', ?, ?)",
        expiresAt,
        Date.now(),
      );
      state.storage.sql.exec("UPDATE level SET reserved = 3, version = version + 1");
    });
    await runInDurableObject(item, (_: StockItem, state) => {
      migrateSchema(state.storage.sql);
      migrateSchema(state.storage.sql);
      const columns = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('holds')")
        .toArray()
        .map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(["change_no", "previous_quantity", "reverted_change"]));
      expect(state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version).toBe(2);
      expect(new HoldStore(state.storage.sql).read("old-cart")).toMatchObject({
        quantity: 3,
        status: "held",
        change: 0,
        previous: null,
        reverted: 0,
      });
    });
    // The old hold takes a line change like any other.
    expect(await item.resize({ sku, warehouse: "wh", reservationId: "old-cart", attempt: 1, change: 1, quantity: 5, expiresAt })).toEqual({
      ok: true,
    });
    expect(await item.getLevel()).toMatchObject({ reserved: 5 });
    await item.revertChange("old-cart", 1);
    expect(await item.getLevel()).toMatchObject({ reserved: 3 });
  });
});
