import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { stockItem } from "../../src/stock/address";
import { HoldStore } from "../../src/stock/hold-store";
import { PoolStore } from "../../src/stock/pool-store";
import type { StockItem } from "../../src/stock/StockItem";
import { migrateSchema } from "../../src/stock/schema";
import { call } from "../http/client";

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

describe("a v1.1 pooled item under migration 2 (regional pools)", () => {
  it("keeps its members and holds, reads regions as null, and can then be spread over regions", async () => {
    const sku = `MIGP-${crypto.randomUUID().slice(0, 8)}`;
    const path = `/v1/stock/${sku}/wh`;
    expect((await call("PUT", path, { json: { onHand: 20, shards: 2 } })).status).toBe(200);
    const held = await call("POST", "/v1/reservations", { json: { id: `${sku}-old`, lines: [{ sku, warehouse: "wh", quantity: 3 }] } });
    expect(held.status).toBe(201);
    const parent = stockItem(env, sku, "wh");
    await runInDurableObject(parent, (_: StockItem, state) => {
      // The pool tables as v1.1 wrote them (schema version 1): no regions, no layout, no member regions.
      for (const column of ["regions", "layout"]) state.storage.sql.exec(`ALTER TABLE pool DROP COLUMN ${column}`);
      state.storage.sql.exec("ALTER TABLE pool_members DROP COLUMN region");
      state.storage.sql.exec("UPDATE schema_version SET version = 1");
      migrateSchema(state.storage.sql);
      expect(state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version).toBe(2);
      expect(new PoolStore(state.storage.sql).readPool()).toMatchObject({ shards: 2, regions: null, layout: null });
    });
    expect((await call("GET", path)).body).toMatchObject({ shards: 2, regions: null, reserved: 3 });
    const before = (await call("GET", `${path}/shards`)).body;
    expect(before.shards.map((s: { shard: number; region: unknown }) => [s.shard, s.region])).toEqual([
      [0, null],
      [1, null],
    ]);
    // Spread over regions: fresh members there; the old ones keep the hold until it ends.
    const spread = await call("PUT", path, { json: { onHand: 20, regions: ["weur", "apac"] } });
    expect(spread.body).toMatchObject({ shards: 2, regions: ["weur", "apac"], reserved: 3, available: 17 });
    const after = (await call("GET", `${path}/shards`)).body;
    expect(after.shards.filter((s: { region: unknown }) => s.region !== null).map((s: { shard: number }) => s.shard)).toEqual([2, 3]);
    expect(after.shards.filter((s: { region: unknown }) => s.region === null).map((s: { reserved: number }) => s.reserved)).toEqual([3]);
    expect((await call("POST", `/v1/reservations/${sku}-old/commit`)).status).toBe(200);
    expect((await call("GET", path)).body).toMatchObject({ onHand: 17, reserved: 0, available: 17 });
  });
});
