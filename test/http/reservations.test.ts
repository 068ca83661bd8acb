import { describe, expect, it } from "vitest";
import { call, expectInvalid, expectProblem, stocked, unique } from "./client";

/** The reservation routes of the contract, through the Worker. */

const RESERVATION_KEYS = ["allocations", "channel", "createdAt", "expiresAt", "id", "lines", "region", "status"];

const reserve = (json: unknown) => call("POST", "/v1/reservations", { json });

describe("POST /v1/reservations", () => {
  it("201 held with every line, Location, default ttl 900 s; the level shows the hold", async () => {
    const a = await stocked(10);
    const b = await stocked(4);
    const id = unique("order");
    const lines = [
      { sku: a.sku, warehouse: a.warehouse, quantity: 3 },
      { sku: b.sku, warehouse: b.warehouse, quantity: 4 },
    ];
    const r = await reserve({ id, lines });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`/v1/reservations/${id}`);
    expect(Object.keys(r.body).sort()).toEqual(RESERVATION_KEYS);
    // Lines that name their warehouse are their own allocations; no channel was named.
    expect(r.body).toMatchObject({ id, status: "held", lines, channel: null, allocations: lines });
    expect(Date.parse(r.body.expiresAt) - Date.parse(r.body.createdAt)).toBe(900_000);
    expect(new Date(r.body.createdAt).toISOString()).toBe(r.body.createdAt);
    expect((await call("GET", a.path)).body).toMatchObject({ onHand: 10, reserved: 3, available: 7, version: 2 });
    expect((await call("GET", b.path)).body).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
    expect((await call("GET", `/v1/reservations/${id}`)).body).toEqual(r.body);
  });

  it("without an id one is made up; ttlSeconds sets expiresAt", async () => {
    const a = await stocked(10);
    const r = await reserve({ lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 1 }], ttlSeconds: 86_400 });
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(Date.parse(r.body.expiresAt) - Date.parse(r.body.createdAt)).toBe(86_400_000);
    expect((await call("GET", `/v1/reservations/${r.body.id}`)).status).toBe(200);
  });

  it("accepts 100 lines and ids of 128 characters with : . _ -", async () => {
    const sku = unique("M");
    const lines = [];
    for (let i = 0; i < 100; i++) {
      await call("PUT", `/v1/stock/${sku}/w${i}`, { json: { onHand: 1 } });
      lines.push({ sku, warehouse: `w${i}`, quantity: 1 });
    }
    const id = `a:b.c_d-${"x".repeat(120)}`;
    expect(id).toHaveLength(128);
    const r = await reserve({ id, lines });
    expect(r.status).toBe(201);
    expect((await call("GET", `/v1/stock/${sku}`)).body.totals).toEqual({ onHand: 100, reserved: 100, available: 0 });
  });

  it("409 insufficient_stock with the shortages, and nothing held on any line", async () => {
    const a = await stocked(10);
    const b = await stocked(2);
    const id = unique("order");
    const r = await reserve({
      id,
      lines: [
        { sku: a.sku, warehouse: a.warehouse, quantity: 5 },
        { sku: b.sku, warehouse: b.warehouse, quantity: 3 },
      ],
    });
    const body = expectProblem(r, 409, "insufficient_stock");
    expect(body.shortages).toEqual([{ sku: b.sku, warehouse: b.warehouse, requested: 3, available: 2 }]);
    expect((await call("GET", a.path)).body).toMatchObject({ reserved: 0, available: 10 });
    expect((await call("GET", b.path)).body).toMatchObject({ reserved: 0, available: 2 });
    expectProblem(await call("GET", `/v1/reservations/${id}`), 404, "not_found");
  });

  it("same id, same lines: 200 with the existing reservation, nothing reserved twice", async () => {
    const a = await stocked(10);
    const id = unique("order");
    const lines = [{ sku: a.sku, warehouse: a.warehouse, quantity: 4 }];
    const first = await reserve({ id, lines });
    expect(first.status).toBe(201);
    const again = await reserve({ id, lines, ttlSeconds: 60 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await call("GET", a.path)).body).toMatchObject({ reserved: 4, version: 2 });
  });

  it("same id, other lines: 409 idempotency_conflict, nothing changes", async () => {
    const a = await stocked(10);
    const id = unique("order");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 4 }] });
    expectProblem(await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 5 }] }), 409, "idempotency_conflict");
    expect((await call("GET", a.path)).body).toMatchObject({ reserved: 4, version: 2 });
    expect((await call("GET", `/v1/reservations/${id}`)).body.lines).toEqual([{ sku: a.sku, warehouse: a.warehouse, quantity: 4 }]);
  });

  describe("bad input is 400 invalid_request and holds nothing", () => {
    const line = (sku: string, quantity: number, warehouse = "wh-1") => ({ sku, warehouse, quantity });
    const cases: [string, (sku: string) => unknown, string][] = [
      ["lines missing", () => ({}), "lines"],
      ["lines not an array", (s) => ({ lines: line(s, 1) }), "lines"],
      ["no lines", () => ({ lines: [] }), "lines"],
      ["101 lines", (s) => ({ lines: Array.from({ length: 101 }, (_, i) => line(s, 1, `w${i}`)) }), "lines"],
      ["two lines for the same sku+warehouse", (s) => ({ lines: [line(s, 1), line(s, 2)] }), "lines.1"],
      ["quantity 0", (s) => ({ lines: [line(s, 0)] }), "lines.0.quantity"],
      ["quantity above 1,000,000", (s) => ({ lines: [line(s, 1_000_001)] }), "lines.0.quantity"],
      ["quantity not an integer", (s) => ({ lines: [line(s, 1.5)] }), "lines.0.quantity"],
      ["quantity missing", (s) => ({ lines: [{ sku: s, warehouse: "wh-1" }] }), "lines.0.quantity"],
      ["a bad sku in a line", () => ({ lines: [line("-x", 1)] }), "lines.0.sku"],
      ["a bad warehouse in a line", (s) => ({ lines: [line(s, 1, "w/1")] }), "lines.0.warehouse"],
      ["ttlSeconds 0", (s) => ({ lines: [line(s, 1)], ttlSeconds: 0 }), "ttlSeconds"],
      ["ttlSeconds above 86400", (s) => ({ lines: [line(s, 1)], ttlSeconds: 86_401 }), "ttlSeconds"],
      ["ttlSeconds not an integer", (s) => ({ lines: [line(s, 1)], ttlSeconds: 1.5 }), "ttlSeconds"],
      ["an id with a space", (s) => ({ id: "a b", lines: [line(s, 1)] }), "id"],
      ["an id of 129 characters", (s) => ({ id: "x".repeat(129), lines: [line(s, 1)] }), "id"],
      ["an empty id", (s) => ({ id: "", lines: [line(s, 1)] }), "id"],
    ];
    for (const [label, body, path] of cases) {
      it(label, async () => {
        const item = await stocked(5);
        expectInvalid(await reserve(body(item.sku)), path);
        expect((await call("GET", item.path)).body).toMatchObject({ reserved: 0, version: 1 });
      });
    }
  });
});

describe("GET /v1/reservations/{id}", () => {
  it("404 not_found for an unknown id; 400 for an invalid one", async () => {
    expectProblem(await call("GET", `/v1/reservations/${unique("nope")}`), 404, "not_found");
    expectInvalid(await call("GET", "/v1/reservations/a%20b"), "id");
    expectInvalid(await call("GET", `/v1/reservations/${"x".repeat(129)}`), "id");
  });
});

describe("POST /v1/reservations/{id}/commit and /release", () => {
  it("commit: 200 committed, onHand and reserved drop; repeats 200 unchanged; release then 409 invalid_state committed", async () => {
    const a = await stocked(10);
    const id = unique("order");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 4 }] });
    const r = await call("POST", `/v1/reservations/${id}/commit`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(RESERVATION_KEYS);
    expect(r.body).toMatchObject({ id, status: "committed" });
    const level = (await call("GET", a.path)).body;
    expect(level).toMatchObject({ onHand: 6, reserved: 0, available: 6, version: 3 });
    const again = await call("POST", `/v1/reservations/${id}/commit`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(r.body);
    expect(expectProblem(await call("POST", `/v1/reservations/${id}/release`), 409, "invalid_state")).toMatchObject({
      reservationStatus: "committed",
    });
    expect((await call("GET", a.path)).body).toEqual(level);
  });

  it("release: 200 released, units available again; repeats 200 unchanged; commit then 409 invalid_state released", async () => {
    const a = await stocked(10);
    const id = unique("order");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 4 }] });
    const r = await call("POST", `/v1/reservations/${id}/release`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: "released" });
    expect((await call("GET", a.path)).body).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect((await call("POST", `/v1/reservations/${id}/release`)).body).toEqual(r.body);
    expect(expectProblem(await call("POST", `/v1/reservations/${id}/commit`), 409, "invalid_state")).toMatchObject({
      reservationStatus: "released",
    });
    expect((await call("GET", a.path)).body).toMatchObject({ onHand: 10, reserved: 0, version: 3 });
  });

  it("404 not_found for unknown reservations", async () => {
    expectProblem(await call("POST", `/v1/reservations/${unique("nope")}/commit`), 404, "not_found");
    expectProblem(await call("POST", `/v1/reservations/${unique("nope")}/release`), 404, "not_found");
  });

  it("an expired reservation reads expired, its units are available, commit and release are 409 invalid_state", async () => {
    const a = await stocked(5);
    const id = unique("order");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 5 }], ttlSeconds: 1 });
    expect((await call("GET", a.path)).body).toMatchObject({ available: 0 });
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await call("GET", `/v1/reservations/${id}`)).body).toMatchObject({ status: "expired" });
    expect((await call("GET", a.path)).body).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    expect(expectProblem(await call("POST", `/v1/reservations/${id}/commit`), 409, "invalid_state")).toMatchObject({
      reservationStatus: "expired",
    });
    expect(expectProblem(await call("POST", `/v1/reservations/${id}/release`), 409, "invalid_state")).toMatchObject({
      reservationStatus: "expired",
    });
    expect((await call("GET", a.path)).body).toMatchObject({ onHand: 5, reserved: 0 });
  });
});

describe("POST /v1/reservations/{id}/extend", () => {
  it("200: expiresAt becomes now + ttlSeconds, lines and holds unchanged; a shorter ttl changes nothing", async () => {
    const a = await stocked(10);
    const id = unique("cart");
    const held = await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 3 }], ttlSeconds: 60 });
    const before = Date.now();
    const r = await call("POST", `/v1/reservations/${id}/extend`, { json: { ttlSeconds: 3600 } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(RESERVATION_KEYS);
    expect(r.body).toMatchObject({ id, status: "held", lines: held.body.lines, createdAt: held.body.createdAt });
    expect(Date.parse(r.body.expiresAt)).toBeGreaterThanOrEqual(before + 3_600_000);
    const shorter = await call("POST", `/v1/reservations/${id}/extend`, { json: { ttlSeconds: 5 } });
    expect(shorter.body.expiresAt).toBe(r.body.expiresAt);
    expect((await call("GET", `/v1/reservations/${id}`)).body.expiresAt).toBe(r.body.expiresAt);
    expect((await call("GET", a.path)).body).toMatchObject({ reserved: 3 });
  });

  it("409 invalid_state with reservationStatus for a reservation no longer held; 404 for an unknown id; 400 for a bad ttl", async () => {
    const a = await stocked(10);
    const id = unique("cart");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 1 }] });
    await call("POST", `/v1/reservations/${id}/commit`);
    const refused = expectProblem(await call("POST", `/v1/reservations/${id}/extend`, { json: { ttlSeconds: 60 } }), 409, "invalid_state");
    expect(refused.reservationStatus).toBe("committed");
    expectProblem(await call("POST", `/v1/reservations/${unique("none")}/extend`, { json: { ttlSeconds: 60 } }), 404, "not_found");
    for (const ttlSeconds of [0, 86_401, 1.5, "60"]) {
      expectInvalid(await call("POST", `/v1/reservations/${id}/extend`, { json: { ttlSeconds } }), "ttlSeconds");
    }
    expectInvalid(await call("POST", `/v1/reservations/${id}/extend`, { json: {} }), "ttlSeconds");
  });
});

describe("PUT /v1/reservations/{id}/lines", () => {
  it("200 holding exactly the new lines, expiresAt unchanged; repeats of the create compare with the new lines", async () => {
    const a = await stocked(10);
    const b = await stocked(10);
    const id = unique("cart");
    const created = await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 2 }] });
    const lines = [
      { sku: a.sku, warehouse: a.warehouse, quantity: 5 },
      { sku: b.sku, warehouse: b.warehouse, quantity: 1 },
    ];
    const r = await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(RESERVATION_KEYS);
    expect(r.body).toMatchObject({ id, status: "held", lines, allocations: lines, expiresAt: created.body.expiresAt });
    expect((await call("GET", a.path)).body).toMatchObject({ reserved: 5 });
    expect((await call("GET", b.path)).body).toMatchObject({ reserved: 1 });
    expect((await reserve({ id, lines })).status).toBe(200);
    expectProblem(await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 2 }] }), 409, "idempotency_conflict");
  });

  it("409 insufficient_stock keeps the previous lines; the shortage's available includes the current hold", async () => {
    const a = await stocked(6);
    const id = unique("cart");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 2 }] });
    await reserve({ lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 1 }] });
    const r = await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 6 }] } });
    const problem = expectProblem(r, 409, "insufficient_stock");
    expect(problem.shortages).toEqual([{ sku: a.sku, warehouse: a.warehouse, requested: 6, available: 5 }]);
    expect((await call("GET", `/v1/reservations/${id}`)).body.lines).toEqual([{ sku: a.sku, warehouse: a.warehouse, quantity: 2 }]);
    expect((await call("GET", a.path)).body).toMatchObject({ reserved: 3, available: 3 });
  });

  it("409 invalid_state when not held, 404 unknown, 400 for bad lines and for a line without warehouse on a reservation without channel", async () => {
    const a = await stocked(6);
    const id = unique("cart");
    await reserve({ id, lines: [{ sku: a.sku, warehouse: a.warehouse, quantity: 1 }] });
    expectInvalid(
      await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [{ sku: a.sku, quantity: 1 }] } }),
      "lines.0.warehouse",
    );
    expectInvalid(await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [] } }), "lines");
    const dup = { sku: a.sku, warehouse: a.warehouse, quantity: 1 };
    expectInvalid(await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [dup, dup] } }), "lines.1");
    expectProblem(await call("PUT", `/v1/reservations/${unique("none")}/lines`, { json: { lines: [dup] } }), 404, "not_found");
    await call("POST", `/v1/reservations/${id}/release`);
    const refused = expectProblem(await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [dup] } }), 409, "invalid_state");
    expect(refused.reservationStatus).toBe("released");
  });
});
