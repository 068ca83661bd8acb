import { describe, expect, it } from "vitest";
import { coordinatorName } from "../../src/reservations/address";
import { coordinator, expireAtItem, holdStatus, items, level, line, readRecord, unique, writeRecord } from "./fixtures";

/** The Reservation coordinator through its RPC methods, with the stock items it drives. */

describe("placing a reservation", () => {
  it("holds every line and answers created / held", async () => {
    const [a, b] = await items(5, 7);
    if (!a || !b) throw new Error("items");
    const id = unique("res");
    const result = await coordinator(id).place({ id, lines: [line(a, 2), line(b, 7)], ttlSeconds: 60 });
    expect(result).toMatchObject({ kind: "created", reservation: { id, status: "held", lines: [line(a, 2), line(b, 7)] } });
    if (result.kind !== "created") return;
    const { createdAt, expiresAt } = result.reservation;
    expect(Date.parse(expiresAt) - Date.parse(createdAt)).toBe(60_000);
    expect(await level(a)).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    expect(await level(b)).toMatchObject({ onHand: 7, reserved: 7, available: 0 });
    expect(await coordinator(id).get()).toEqual(result.reservation);
  });

  it("is all or nothing: one short line holds nothing anywhere and names the shortage", async () => {
    const [a, b, c] = await items(5, 5, 1);
    if (!a || !b || !c) throw new Error("items");
    const before = await Promise.all([a, b, c].map(level));
    const id = unique("res");
    const result = await coordinator(id).place({ id, lines: [line(a, 2), line(b, 5), line(c, 3)], ttlSeconds: 60 });
    expect(result).toEqual({
      kind: "insufficient_stock",
      shortages: [{ sku: c.sku, warehouse: c.warehouse, requested: 3, available: 1 }],
    });
    for (const [i, item] of [a, b, c].entries()) {
      expect((await level(item)).reserved).toBe(0);
      expect((await level(item)).available).toBe(before[i]?.available);
    }
    // Lines that had been held were voided: their attempt can never hold again.
    expect(await holdStatus(a, id)).toBe("voided");
    expect(await holdStatus(b, id)).toBe("voided");
    expect(await coordinator(id).get()).toBeNull();
  });

  it("lists every short line, including an item never set (0 available)", async () => {
    const [a, b] = await items(1, 2);
    if (!a || !b) throw new Error("items");
    const ghost = { sku: unique("GHOST"), warehouse: "wh", quantity: 1 };
    const id = unique("res");
    const result = await coordinator(id).place({ id, lines: [line(a, 2), line(b, 2), ghost], ttlSeconds: 60 });
    expect(result.kind).toBe("insufficient_stock");
    if (result.kind !== "insufficient_stock") return;
    expect(result.shortages).toEqual([
      { sku: a.sku, warehouse: a.warehouse, requested: 2, available: 1 },
      { sku: ghost.sku, warehouse: ghost.warehouse, requested: 1, available: 0 },
    ]);
    expect(await level(b)).toMatchObject({ reserved: 0 });
  });

  it("same id and same lines (any order) again: the existing reservation, nothing reserved twice", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("res");
    const first = await coordinator(id).place({ id, lines: [line(a, 2), line(b, 3)], ttlSeconds: 60 });
    expect(first.kind).toBe("created");
    const levels = await Promise.all([a, b].map(level));
    const again = await coordinator(id).place({ id, lines: [line(b, 3), line(a, 2)], ttlSeconds: 999 });
    expect(again.kind).toBe("existing");
    if (first.kind !== "created" || again.kind !== "existing") return;
    expect(again.reservation).toEqual(first.reservation);
    expect(await Promise.all([a, b].map(level))).toEqual(levels);
  });

  it("same id with other lines: idempotency_conflict, nothing changes", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("res");
    await coordinator(id).place({ id, lines: [line(a, 2)], ttlSeconds: 60 });
    const levels = await Promise.all([a, b].map(level));
    for (const lines of [[line(a, 3)], [line(a, 2), line(b, 1)], [line(b, 2)]]) {
      expect(await coordinator(id).place({ id, lines, ttlSeconds: 60 })).toEqual({ kind: "idempotency_conflict" });
    }
    expect(await Promise.all([a, b].map(level))).toEqual(levels);
  });

  it("same id after it was committed or released: the existing reservation in its state", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const committed = unique("res");
    await coordinator(committed).place({ id: committed, lines: [line(a, 2)], ttlSeconds: 60 });
    await coordinator(committed).commit();
    expect(await coordinator(committed).place({ id: committed, lines: [line(a, 2)], ttlSeconds: 60 })).toMatchObject({
      kind: "existing",
      reservation: { status: "committed" },
    });
    expect(await level(a)).toMatchObject({ onHand: 8, reserved: 0 });
  });

  it("an id refused for lack of stock leaves no record and may be placed again later", async () => {
    const [a] = await items(1);
    if (!a) throw new Error("items");
    const id = unique("res");
    expect((await coordinator(id).place({ id, lines: [line(a, 3)], ttlSeconds: 60 })).kind).toBe("insufficient_stock");
    // Every item answered "no" to the only attempt, so nothing anywhere refers to it.
    expect(await readRecord(id)).toBeNull();
    await a.stub.setCount(a.sku, a.warehouse, { onHand: 3 });
    expect((await coordinator(id).place({ id, lines: [line(a, 3)], ttlSeconds: 60 })).kind).toBe("created");
    expect((await readRecord(id))?.attempt).toBe(1);
    expect(await level(a)).toMatchObject({ reserved: 3 });
    // The first try's hold was answered, so it cannot arrive again; a repeat of the held
    // attempt's hold is recognised and holds nothing twice.
    expect(
      await a.stub.hold({ sku: a.sku, warehouse: a.warehouse, reservationId: id, attempt: 1, quantity: 3, expiresAt: Date.now() + 60_000 }),
    ).toEqual({ ok: true });
    expect(await level(a)).toMatchObject({ reserved: 3 });
  });

  it("a refusal that voided a held line keeps the record, so the next attempt is numbered after it", async () => {
    const [a, b] = await items(5, 1);
    if (!a || !b) throw new Error("items");
    const id = unique("res");
    expect((await coordinator(id).place({ id, lines: [line(a, 2), line(b, 3)], ttlSeconds: 60 })).kind).toBe("insufficient_stock");
    expect(await readRecord(id)).toMatchObject({ phase: "rejected", attempt: 1 });
    expect(await holdStatus(a, id)).toBe("voided");
    await b.stub.setCount(b.sku, b.warehouse, { onHand: 3 });
    expect((await coordinator(id).place({ id, lines: [line(a, 2), line(b, 3)], ttlSeconds: 60 })).kind).toBe("created");
    expect(await readRecord(id)).toMatchObject({ phase: "held", attempt: 2 });
    expect(await Promise.all([level(a), level(b)])).toEqual([
      expect.objectContaining({ reserved: 2 }),
      expect.objectContaining({ reserved: 3 }),
    ]);
  });

  it("after an item refused for lack of stock, the next refusal on it reads the item and writes nothing anywhere", async () => {
    const [a, b] = await items(0, 10);
    if (!a || !b) throw new Error("items");
    const first = unique("res");
    expect((await coordinator(first).place({ id: first, lines: [line(a, 1)], ttlSeconds: 60 })).kind).toBe("insufficient_stock");
    // The next ids that reach the same coordinator (ids are spread over a pool).
    const sameCoordinator = (n: number) => {
      for (let i = 0; ; i++) {
        const id = `${first}-${n}-${i}`;
        if (coordinatorName(id) === coordinatorName(first)) return id;
      }
    };
    const before = await Promise.all([level(a), level(b)]);
    const second = sameCoordinator(1);
    const refused = await coordinator(second).place({ id: second, lines: [line(b, 2), line(a, 1)], ttlSeconds: 60 });
    expect(refused).toEqual({
      kind: "insufficient_stock",
      shortages: [{ sku: a.sku, warehouse: a.warehouse, requested: 1, available: 0 }],
    });
    expect(await readRecord(second)).toBeNull();
    expect(await holdStatus(b, second)).toBeUndefined();
    expect(await Promise.all([level(a), level(b)])).toEqual(before);

    // Stock is back: the stale hint costs one read, then the placement holds as usual.
    await a.stub.setCount(a.sku, a.warehouse, { onHand: 1 });
    const third = sameCoordinator(2);
    expect(await coordinator(third).place({ id: third, lines: [line(a, 1)], ttlSeconds: 60 })).toMatchObject({ kind: "created" });
    expect(await level(a)).toMatchObject({ reserved: 1, available: 0 });
  });

  it("concurrent placements of one id hold once: one created, the rest answer the existing reservation", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = unique("res");
    const results = await Promise.all(Array.from({ length: 8 }, () => coordinator(id).place({ id, lines: [line(a, 4)], ttlSeconds: 60 })));
    expect(results.filter((r) => r.kind === "created")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "existing")).toHaveLength(7);
    expect(await level(a)).toMatchObject({ reserved: 4 });
  });
});

describe("commit and release", () => {
  it("commit of one line drops on hand and reserved; repeats answer 200 unchanged", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = unique("res");
    await coordinator(id).place({ id, lines: [line(a, 4)], ttlSeconds: 60 });
    const committed = await coordinator(id).commit();
    expect(committed).toMatchObject({ kind: "ok", reservation: { status: "committed" } });
    const after = await level(a);
    expect(after).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    expect(await coordinator(id).commit()).toEqual(committed);
    expect(await level(a)).toEqual(after);
    expect(await coordinator(id).release()).toEqual({ kind: "invalid_state", status: "committed" });
    expect(await level(a)).toEqual(after);
  });

  it("commit of several lines commits every line", async () => {
    const [a, b, c] = await items(10, 10, 10);
    if (!a || !b || !c) throw new Error("items");
    const id = unique("res");
    await coordinator(id).place({ id, lines: [line(a, 1), line(b, 2), line(c, 3)], ttlSeconds: 60 });
    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok", reservation: { status: "committed" } });
    expect(await Promise.all([a, b, c].map(level))).toEqual([
      expect.objectContaining({ onHand: 9, reserved: 0 }),
      expect.objectContaining({ onHand: 8, reserved: 0 }),
      expect.objectContaining({ onHand: 7, reserved: 0 }),
    ]);
    expect(await Promise.all([a, b, c].map((i) => holdStatus(i, id)))).toEqual(["committed", "committed", "committed"]);
  });

  it("release returns every line's units; repeats answer 200 unchanged; commit then is invalid_state released", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("res");
    await coordinator(id).place({ id, lines: [line(a, 4), line(b, 5)], ttlSeconds: 60 });
    const released = await coordinator(id).release();
    expect(released).toMatchObject({ kind: "ok", reservation: { status: "released" } });
    const after = await Promise.all([a, b].map(level));
    expect(after).toEqual([
      expect.objectContaining({ onHand: 10, reserved: 0, available: 10 }),
      expect.objectContaining({ onHand: 10, reserved: 0, available: 10 }),
    ]);
    expect(await coordinator(id).release()).toEqual(released);
    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "released" });
    expect(await Promise.all([a, b].map(level))).toEqual(after);
  });

  it("unknown reservations: get is null, commit and release are not_found", async () => {
    const id = unique("nope");
    expect(await coordinator(id).get()).toBeNull();
    expect(await coordinator(id).commit()).toEqual({ kind: "not_found" });
    expect(await coordinator(id).release()).toEqual({ kind: "not_found" });
  });
});

describe("expiry", () => {
  it("a held reservation past expiresAt reads expired, its units are available, commit and release are invalid_state expired", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("res");
    await coordinator(id).place({ id, lines: [line(a, 4), line(b, 6)], ttlSeconds: 60 });
    const record = await readRecord(id);
    if (record === null) throw new Error("no record");
    // Time passes for the coordinator and the items alike; no alarm has run.
    await writeRecord({ ...record, expiresAt: Date.now() - 1 });
    await expireAtItem(a, id);
    await expireAtItem(b, id);
    expect(await coordinator(id).get()).toMatchObject({ status: "expired" });
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect(await level(b)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await coordinator(id).release()).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await coordinator(id).place({ id, lines: [line(a, 4), line(b, 6)], ttlSeconds: 60 })).toMatchObject({
      kind: "existing",
      reservation: { status: "expired" },
    });
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it("a reservation placed with a 1 s ttl is expired a second later, with no help", async () => {
    const [a] = await items(3);
    if (!a) throw new Error("items");
    const id = unique("res");
    await coordinator(id).place({ id, lines: [line(a, 3)], ttlSeconds: 1 });
    expect(await level(a)).toMatchObject({ available: 0 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await coordinator(id).get()).toMatchObject({ status: "expired" });
    expect(await level(a)).toMatchObject({ available: 3, reserved: 0 });
    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "expired" });
  });
});
