import { describe, expect, it, vi } from "vitest";
import { call, expectInvalid, expectProblem, stocked, unique } from "./client";

/** The stock level routes of the contract, through the Worker. */

const LEVEL_KEYS = [
  "available",
  "lowStockThreshold",
  "onHand",
  "regions",
  "reorderQuantity",
  "reserved",
  "shards",
  "sku",
  "updatedAt",
  "version",
  "warehouse",
];

describe("PUT /v1/stock/{sku}/{warehouse}", () => {
  it("sets the count absolutely and answers the Level, version 1 then +1 per change", async () => {
    const sku = unique("P");
    const r = await call("PUT", `/v1/stock/${sku}/ams-1`, { json: { onHand: 12, lowStockThreshold: 3, reorderQuantity: 20 } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Object.keys(r.body).sort()).toEqual(LEVEL_KEYS);
    expect(r.body).toMatchObject({
      sku,
      warehouse: "ams-1",
      onHand: 12,
      reserved: 0,
      available: 12,
      lowStockThreshold: 3,
      reorderQuantity: 20,
      version: 1,
    });
    expect(new Date(r.body.updatedAt).toISOString()).toBe(r.body.updatedAt);
    const again = await call("PUT", `/v1/stock/${sku}/ams-1`, { json: { onHand: 4 } });
    // Thresholds not sent are kept.
    expect(again.body).toMatchObject({ onHand: 4, available: 4, lowStockThreshold: 3, reorderQuantity: 20, version: 2 });
  });

  it("accepts the limits: onHand 0 and 1,000,000,000; identifiers of 64 characters with . _ -", async () => {
    const sku = `A${"b".repeat(60)}._-`;
    expect(sku).toHaveLength(64);
    const warehouse = `9${"w".repeat(63)}`;
    expect((await call("PUT", `/v1/stock/${sku}/${warehouse}`, { json: { onHand: 0 } })).body).toMatchObject({ onHand: 0, version: 1 });
    expect((await call("PUT", `/v1/stock/${sku}/${warehouse}`, { json: { onHand: 1_000_000_000 } })).body).toMatchObject({
      onHand: 1_000_000_000,
      version: 2,
    });
  });

  it("keeps holds when the count drops below them: available goes negative", async () => {
    const { sku, warehouse, path } = await stocked(5);
    const res = await call("POST", "/v1/reservations", { json: { lines: [{ sku, warehouse, quantity: 4 }] } });
    expect(res.status).toBe(201);
    expect((await call("PUT", path, { json: { onHand: 1 } })).body).toMatchObject({ onHand: 1, reserved: 4, available: -3 });
  });

  describe("bad input is 400 invalid_request with errors[{path, message}] and changes nothing", () => {
    const cases: [string, unknown, string][] = [
      ["onHand missing", {}, "onHand"],
      ["onHand negative", { onHand: -1 }, "onHand"],
      ["onHand above 1,000,000,000", { onHand: 1_000_000_001 }, "onHand"],
      ["onHand not an integer", { onHand: 1.5 }, "onHand"],
      ["onHand a string", { onHand: "5" }, "onHand"],
      ["lowStockThreshold negative", { onHand: 1, lowStockThreshold: -1 }, "lowStockThreshold"],
      ["reorderQuantity not an integer", { onHand: 1, reorderQuantity: 0.5 }, "reorderQuantity"],
      ["an array body", [1], ""],
      ["a null body", null, ""],
    ];
    for (const [label, body, path] of cases) {
      it(label, async () => {
        const item = await stocked(7);
        const r = await call("PUT", item.path, { body: JSON.stringify(body), headers: { "content-type": "application/json" } });
        expectInvalid(r, path);
        expect((await call("GET", item.path)).body).toMatchObject({ onHand: 7, version: 1 });
      });
    }

    const badIds: [string, string][] = [
      ["starting with -", "-abc"],
      ["starting with .", ".abc"],
      ["65 characters", "a".repeat(65)],
      ["a space", "a%20b"],
      ["a colon", "a:b"],
      ["a non-ASCII letter", "caf%C3%A9"],
    ];
    for (const [label, id] of badIds) {
      it(`sku ${label}`, async () => {
        expectInvalid(await call("PUT", `/v1/stock/${id}/wh-1`, { json: { onHand: 1 } }), "sku");
        expectInvalid(await call("GET", `/v1/stock/${id}/wh-1`), "sku");
        expectInvalid(await call("GET", `/v1/stock/${id}`), "sku");
      });
      it(`warehouse ${label}`, async () => {
        const sku = unique("W");
        expectInvalid(await call("PUT", `/v1/stock/${sku}/${id}`, { json: { onHand: 1 } }), "warehouse");
        expectProblem(await call("GET", `/v1/stock/${sku}`), 404, "not_found");
      });
    }
  });
});

describe("GET /v1/stock/{sku}/{warehouse}", () => {
  it("answers the level; 404 not_found when never set", async () => {
    const { path } = await stocked(3);
    const r = await call("GET", path);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ onHand: 3, reserved: 0, available: 3, version: 1 });
    expectProblem(await call("GET", `/v1/stock/${unique("NEVER")}/wh-1`), 404, "not_found");
  });
});

describe("POST /v1/stock/{sku}/{warehouse}/adjustments", () => {
  it("adds the delta to onHand, version +1", async () => {
    const { path } = await stocked(10);
    const up = await call("POST", `${path}/adjustments`, { json: { delta: 5, reason: "receipt", reference: "PO-1" } });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ onHand: 15, available: 15, version: 2 });
    const down = await call("POST", `${path}/adjustments`, { json: { delta: -15, reason: "damage" } });
    expect(down.body).toMatchObject({ onHand: 0, available: 0, version: 3 });
  });

  it("every reason of the contract is accepted", async () => {
    const { path } = await stocked(100);
    const reasons = ["receipt", "return", "damage", "loss", "correction", "transfer_in", "transfer_out"];
    for (const reason of reasons) {
      expect((await call("POST", `${path}/adjustments`, { json: { delta: -1, reason } })).status).toBe(200);
    }
    expect((await call("GET", path)).body).toMatchObject({ onHand: 93, version: 8 });
  });

  it("409 negative_on_hand when onHand + delta < 0, changing nothing", async () => {
    const { path } = await stocked(4);
    const body = expectProblem(await call("POST", `${path}/adjustments`, { json: { delta: -5, reason: "loss" } }), 409, "negative_on_hand");
    expect(body.onHand).toBe(4);
    expect((await call("GET", path)).body).toMatchObject({ onHand: 4, version: 1 });
  });

  it("a repeated Idempotency-Key returns the first result and changes nothing", async () => {
    const { path } = await stocked(10);
    const key = unique("key");
    const first = await call("POST", `${path}/adjustments`, { json: { delta: 3, reason: "receipt" }, headers: { "Idempotency-Key": key } });
    expect(first.body).toMatchObject({ onHand: 13, version: 2 });
    const again = await call("POST", `${path}/adjustments`, { json: { delta: 3, reason: "receipt" }, headers: { "idempotency-key": key } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const different = await call("POST", `${path}/adjustments`, {
      json: { delta: -9, reason: "loss" },
      headers: { "Idempotency-Key": key },
    });
    expect(different.body).toEqual(first.body);
    expect((await call("GET", path)).body).toMatchObject({ onHand: 13, version: 2 });
  });

  it("a repeated Idempotency-Key whose first result was negative_on_hand answers 409 again", async () => {
    const { path } = await stocked(1);
    const key = unique("key");
    const headers = { "Idempotency-Key": key };
    expectProblem(await call("POST", `${path}/adjustments`, { json: { delta: -2, reason: "loss" }, headers }), 409, "negative_on_hand");
    await call("PUT", path, { json: { onHand: 50 } });
    expectProblem(await call("POST", `${path}/adjustments`, { json: { delta: -2, reason: "loss" }, headers }), 409, "negative_on_hand");
    expect((await call("GET", path)).body).toMatchObject({ onHand: 50, version: 2 });
  });

  it("404 not_found for a level never set, and nothing is created", async () => {
    const path = `/v1/stock/${unique("NEVER")}/wh-1`;
    expectProblem(await call("POST", `${path}/adjustments`, { json: { delta: 1, reason: "receipt" } }), 404, "not_found");
    expectProblem(await call("GET", path), 404, "not_found");
  });

  describe("bad input is 400 invalid_request and changes nothing", () => {
    const cases: [string, unknown, string][] = [
      ["delta 0", { delta: 0, reason: "receipt" }, "delta"],
      ["delta not an integer", { delta: 1.5, reason: "receipt" }, "delta"],
      ["delta missing", { reason: "receipt" }, "delta"],
      ["delta a string", { delta: "1", reason: "receipt" }, "delta"],
      ["reason unknown", { delta: 1, reason: "theft" }, "reason"],
      ["reason missing", { delta: 1 }, "reason"],
      ["reference empty", { delta: 1, reason: "receipt", reference: "" }, "reference"],
      ["reference over 256 characters", { delta: 1, reason: "receipt", reference: "r".repeat(257) }, "reference"],
    ];
    for (const [label, body, path] of cases) {
      it(label, async () => {
        const item = await stocked(7);
        expectInvalid(await call("POST", `${item.path}/adjustments`, { json: body }), path);
        expect((await call("GET", item.path)).body).toMatchObject({ onHand: 7, version: 1 });
      });
    }

    it("an Idempotency-Key over 255 characters", async () => {
      const item = await stocked(7);
      const r = await call("POST", `${item.path}/adjustments`, {
        json: { delta: 1, reason: "receipt" },
        headers: { "Idempotency-Key": "k".repeat(256) },
      });
      expectInvalid(r, "idempotency-key");
      expect((await call("GET", item.path)).body).toMatchObject({ onHand: 7, version: 1 });
    });
  });
});

describe("GET /v1/stock/{sku}", () => {
  it("lists every warehouse's level with totals, reflecting every acknowledged write", async () => {
    const sku = unique("T");
    await stocked(10, sku, "ams-1");
    await stocked(5, sku, "ber-1");
    await stocked(0, sku, "cdg-1");
    const res = await call("POST", "/v1/reservations", {
      json: {
        lines: [
          { sku, warehouse: "ams-1", quantity: 3 },
          { sku, warehouse: "ber-1", quantity: 5 },
        ],
      },
    });
    expect(res.status).toBe(201);
    await call("POST", `/v1/stock/${sku}/cdg-1/adjustments`, { json: { delta: 2, reason: "return" } });

    const r = await call("GET", `/v1/stock/${sku}`);
    expect(r.status).toBe(200);
    expect(r.body.sku).toBe(sku);
    expect(r.body.warehouses.map((l: { warehouse: string }) => l.warehouse)).toEqual(["ams-1", "ber-1", "cdg-1"]);
    expect(r.body.warehouses.map((l: object) => Object.keys(l).sort())).toEqual([LEVEL_KEYS, LEVEL_KEYS, LEVEL_KEYS]);
    expect(r.body.warehouses[1]).toMatchObject({ onHand: 5, reserved: 5, available: 0 });
    expect(r.body.totals).toEqual({ onHand: 17, reserved: 8, available: 9 });
  });

  it("404 not_found when the SKU was never set anywhere", async () => {
    expectProblem(await call("GET", `/v1/stock/${unique("NEVER")}`), 404, "not_found");
  });
});

describe("regional pools over HTTP (v1.2)", () => {
  it("shows regions on the Level (null without), and each shard's region", async () => {
    const plain = `/v1/stock/${unique("REG")}/wh`;
    expect((await call("PUT", plain, { json: { onHand: 5 } })).body.regions).toBeNull();
    const pooledPath = `/v1/stock/${unique("REG")}/wh`;
    expect((await call("PUT", pooledPath, { json: { onHand: 5, shards: 2 } })).body).toMatchObject({ shards: 2, regions: null });
    const view = await call("GET", `${pooledPath}/shards`);
    expect(view.body.shards.map((s: { region: unknown }) => s.region)).toEqual([null, null]);

    const path = `/v1/stock/${unique("REG")}/wh`;
    const set = await call("PUT", path, { json: { onHand: 30, shards: 3, regions: ["oc", "enam"] } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ onHand: 30, shards: 3, regions: ["oc", "enam"], available: 30 });
    expect((await call("GET", path)).body.regions).toEqual(["oc", "enam"]);
    const shards = await call("GET", `${path}/shards`);
    expect(shards.status).toBe(200);
    expect(shards.body.shards.map((s: { region: unknown }) => s.region)).toEqual(["oc", "enam", "oc"]);
    // Omitted: kept. A count alone changes neither shards nor regions.
    expect((await call("PUT", path, { json: { onHand: 31 } })).body).toMatchObject({ shards: 3, regions: ["oc", "enam"] });
    // Null: no regions any more.
    expect((await call("PUT", path, { json: { onHand: 31, regions: null } })).body).toMatchObject({ shards: 3, regions: null });
  });

  it("lists regions from D1's projection once the events arrive, and null again when they are cleared", async () => {
    const sku = unique("REGL");
    const path = `/v1/stock/${sku}/wh`;
    const listed = async () => (await call("GET", `/v1/stock?prefix=${sku}`)).body.items[0];
    expect((await call("PUT", path, { json: { onHand: 8, shards: 2, regions: ["afr", "me"] } })).status).toBe(200);
    await vi.waitFor(async () => expect(await listed()).toMatchObject({ sku, shards: 2, regions: ["afr", "me"] }), {
      timeout: 15_000,
      interval: 100,
    });
    expect((await call("PUT", path, { json: { onHand: 9, regions: null } })).status).toBe(200);
    await vi.waitFor(async () => expect(await listed()).toMatchObject({ sku, onHand: 9, shards: 2, regions: null }), {
      timeout: 15_000,
      interval: 100,
    });
  });

  it("refuses an unknown or repeated region, too many, and fewer shards than regions, changing nothing", async () => {
    const path = `/v1/stock/${unique("REG")}/wh`;
    const set = await call("PUT", path, { json: { onHand: 10, shards: 2, regions: ["weur", "apac"] } });
    expect(set.status).toBe(200);
    expectInvalid(await call("PUT", path, { json: { onHand: 99, regions: ["weur", "mars"] } }), "regions.1");
    expectInvalid(await call("PUT", path, { json: { onHand: 99, shards: 3, regions: ["weur", "weur"] } }), "regions.1");
    expectInvalid(await call("PUT", path, { json: { onHand: 99, shards: 9, regions: [] } }), "regions");
    expectInvalid(await call("PUT", path, { json: { onHand: 99, regions: "weur" } }), "regions");
    const all = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"];
    expectInvalid(await call("PUT", path, { json: { onHand: 99, shards: 20, regions: [...all, "weur"] } }), "regions");
    // Fewer shards than regions: in the same call, or against the current value.
    expectInvalid(await call("PUT", path, { json: { onHand: 99, shards: 2, regions: ["weur", "apac", "oc"] } }), "shards");
    expectInvalid(await call("PUT", path, { json: { onHand: 99, regions: ["weur", "apac", "oc"] } }), "shards");
    expectInvalid(await call("PUT", path, { json: { onHand: 99, shards: 1 } }), "shards");
    const after = await call("GET", path);
    expect(after.body).toMatchObject({ onHand: 10, shards: 2, regions: ["weur", "apac"], version: set.body.version });
  });
});
