import { afterEach, describe, expect, it, vi } from "vitest";
import { call, expectInvalid, expectProblem, stocked, unique } from "./client";

/**
 * Storefront reads (contract v1.2): `maxAgeSeconds` on availability and `Cache-Control: max-age`
 * on level reads may be answered from a copy in the caller's region, never older than asked.
 * The clock the Worker reads is moved forward with `Date.now`, so no test waits on real time.
 */

let offsetMs = 0;
const realNow = Date.now;
function advance(seconds: number) {
  offsetMs += seconds * 1000;
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + offsetMs);
}
afterEach(() => {
  vi.restoreAllMocks();
  offsetMs = 0;
});

const reserve = async (sku: string, warehouse: string, quantity = 1) => {
  const r = await call("POST", "/v1/reservations", { json: { lines: [{ sku, warehouse, quantity }] } });
  expect(r.status).toBe(201);
};

const available = async (sku: string, warehouse: string, maxAgeSeconds?: number) => {
  const r = await call("POST", "/v1/availability", { json: { items: [{ sku, warehouse }], maxAgeSeconds } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items[0];
};

describe("POST /v1/availability with maxAgeSeconds", () => {
  it("may answer from a copy, never older than asked, and says when the copy was read", async () => {
    const { sku, warehouse } = await stocked(10);
    const first = await available(sku, warehouse, 5);
    expect(first).toMatchObject({ available: 10 });
    expect(new Date(first.asOf).toISOString()).toBe(first.asOf);
    await reserve(sku, warehouse);
    // Within 5 s the copy may answer (it does: the same isolate kept it) and says how old it is.
    advance(4);
    const copy = await available(sku, warehouse, 5);
    expect(copy).toMatchObject({ available: 10, asOf: first.asOf });
    expect(Date.now() - Date.parse(copy.asOf)).toBeLessThanOrEqual(5_000);
    // Past 5 s it may not: the answer is read again and shows the reservation.
    advance(2);
    const fresh = await available(sku, warehouse, 5);
    expect(fresh).toMatchObject({ available: 9 });
    expect(Date.parse(fresh.asOf)).toBeGreaterThan(Date.parse(first.asOf));
  });

  it("maxAgeSeconds 0 (or none) is exact right after a reservation, even with a copy kept, and has no asOf", async () => {
    const { sku, warehouse } = await stocked(10);
    await available(sku, warehouse, 30);
    await reserve(sku, warehouse, 3);
    expect(await available(sku, warehouse, 0)).toEqual({ sku, warehouse, onHand: 10, reserved: 3, available: 7 });
    expect(await available(sku, warehouse)).toEqual({ sku, warehouse, onHand: 10, reserved: 3, available: 7 });
  });

  it("a channel entry's asOf is its oldest warehouse copy", async () => {
    const sku = unique("CH");
    await stocked(4, sku, "wh-a");
    await stocked(6, sku, "wh-b");
    const channel = unique("web");
    expect((await call("PUT", `/v1/channels/${channel}`, { json: { warehouses: ["wh-a", "wh-b"] } })).status).toBe(200);
    const older = await available(sku, "wh-a", 10);
    advance(3);
    const r = await call("POST", "/v1/availability", { json: { channel, items: [{ sku }], maxAgeSeconds: 10 } });
    expect(r.body.items[0]).toMatchObject({ warehouse: null, available: 10, asOf: older.asOf });
  });

  it("refuses a maxAgeSeconds out of 0..60 or not an integer, with 400 invalid_request", async () => {
    const { sku, warehouse } = await stocked(1);
    for (const maxAgeSeconds of [-1, 61, 1.5, "5", null]) {
      const r = await call("POST", "/v1/availability", { json: { items: [{ sku, warehouse }], maxAgeSeconds } });
      expectInvalid(r, "maxAgeSeconds");
    }
  });
});

describe("Cache-Control: max-age on GET /v1/stock/{sku}/{warehouse} and GET /v1/stock/{sku}", () => {
  it("answers from a copy at most max-age old, with Age; without the header it is exact", async () => {
    const { sku, warehouse, path } = await stocked(8);
    const first = await call("GET", path, { headers: { "cache-control": "max-age=5" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("age")).toBe("0");
    await reserve(sku, warehouse, 2);
    advance(3);
    const copy = await call("GET", path, { headers: { "cache-control": "max-age=5" } });
    expect(copy.body).toMatchObject({ available: 8, version: first.body.version });
    expect(copy.headers.get("etag")).toBe(`"${first.body.version}"`);
    expect(Number(copy.headers.get("age"))).toBeGreaterThanOrEqual(3);
    expect(Number(copy.headers.get("age"))).toBeLessThanOrEqual(5);
    const exact = await call("GET", path);
    expect(exact.body).toMatchObject({ available: 6 });
    expect(exact.headers.get("age")).toBeNull();
    for (const header of ["no-cache", "max-age=0"]) {
      expect((await call("GET", path, { headers: { "cache-control": header } })).body).toMatchObject({ available: 6 });
    }
    advance(3);
    expect((await call("GET", path, { headers: { "cache-control": "max-age=5" } })).body).toMatchObject({ available: 6 });
  });

  it("the SKU's levels and totals come from copies too, Age being the oldest", async () => {
    const sku = unique("SK");
    await stocked(3, sku, "wh-a");
    await stocked(5, sku, "wh-b");
    const first = await call("GET", `/v1/stock/${sku}`, { headers: { "cache-control": "max-age=10" } });
    expect(first.body.totals).toEqual({ onHand: 8, reserved: 0, available: 8 });
    await reserve(sku, "wh-a");
    advance(2);
    const copy = await call("GET", `/v1/stock/${sku}`, { headers: { "cache-control": "max-age=10" } });
    expect(copy.body.totals).toEqual({ onHand: 8, reserved: 0, available: 8 });
    expect(Number(copy.headers.get("age"))).toBeGreaterThanOrEqual(2);
    expect((await call("GET", `/v1/stock/${sku}`)).body.totals).toEqual({ onHand: 8, reserved: 1, available: 7 });
  });

  it("a malformed max-age is 400 invalid_request at cache-control; other directives are ignored", async () => {
    const { path } = await stocked(1);
    for (const header of ["max-age=abc", "max-age=-1", "max-age=2, max-age=3", "max-age="]) {
      expectInvalid(await call("GET", path, { headers: { "cache-control": header } }), "cache-control");
    }
    expect((await call("GET", path, { headers: { "cache-control": "no-store, x-unknown=1, max-age=5" } })).status).toBe(200);
  });
});

describe("copies never bypass authorization", () => {
  it("a key without stock:read, restricted to one warehouse, is refused a level another key's read left in the copies", async () => {
    const { path, warehouse } = await stocked(5);
    expect((await call("GET", path, { headers: { "cache-control": "max-age=30" } })).status).toBe(200);
    const key = await call("POST", "/v1/keys", { json: { name: "writer", scopes: ["stock:write"], warehouses: [warehouse] } });
    expect(key.status).toBe(201);
    const asKey = { authorization: `Bearer ${key.body.token}`, "cache-control": "max-age=30" };
    expectProblem(await call("GET", path, { headers: asKey }), 403, "forbidden");
    const r = await call("POST", "/v1/availability", {
      headers: { authorization: asKey.authorization },
      json: { items: [{ sku: "X", warehouse }], maxAgeSeconds: 30 },
    });
    expectProblem(r, 403, "forbidden");
  });
});
