import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Line, ReservationRecord } from "../../src/reservations/lifecycle";
import { planChange, reallocate } from "../../src/reservations/line-change";
import { stockItem } from "../../src/stock/address";
import { coordinator, expireAtItem, holdStatus, type Item, items, level, line, readRecord, unique, writeRecord } from "./fixtures";

/**
 * Changing a held reservation's lines (contract: "Cart lifecycle"): all or nothing across old and
 * new items, growth before any release, and every crash point of the protocol leaving either
 * the old lines or the new ones, never a mix and never a leaked hold.
 */

const MINUTE = 60_000;

async function held(lines: Line[]) {
  const id = unique("cart");
  const placed = await coordinator(id).place({ id, lines, ttlSeconds: 600 });
  expect(placed.kind).toBe("created");
  return id;
}

const reservedAt = async (...stocked: Item[]) => (await Promise.all(stocked.map(level))).map((l) => l.reserved);

describe("planChange and reallocate (pure)", () => {
  it("sorts items into grow (new ones included), shrink and drop", () => {
    const a = { sku: "A", warehouse: "w" };
    const b = { sku: "B", warehouse: "w" };
    const c = { sku: "C", warehouse: "w" };
    const d = { sku: "D", warehouse: "w" };
    expect(
      planChange(
        [
          { ...a, quantity: 2 },
          { ...b, quantity: 5 },
          { ...c, quantity: 1 },
        ],
        [
          { ...a, quantity: 4 },
          { ...b, quantity: 3 },
          { ...d, quantity: 2 },
        ],
      ),
    ).toEqual({
      grow: [
        { ...a, from: 2, to: 4 },
        { ...d, from: 0, to: 2 },
      ],
      shrink: [{ ...b, from: 5, to: 3 }],
      drop: [{ ...c, from: 1, to: 0 }],
    });
  });

  it("a sourced line gives back from its last allocation, and sources its extra by the channel's rule", () => {
    const current = [
      { warehouse: "w0", quantity: 3 },
      { warehouse: "w1", quantity: 4 },
    ];
    expect(reallocate(current, 5, [], 0)).toEqual([
      { warehouse: "w0", quantity: 3 },
      { warehouse: "w1", quantity: 2 },
    ]);
    expect(
      reallocate(
        current,
        9,
        [
          { warehouse: "w0", available: 0 },
          { warehouse: "w1", available: 1 },
          { warehouse: "w2", available: 5 },
        ],
        0,
      ),
    ).toEqual([
      { warehouse: "w0", quantity: 3 },
      { warehouse: "w1", quantity: 4 },
      { warehouse: "w2", quantity: 2 },
    ]);
    expect(
      reallocate(
        current,
        12,
        [
          { warehouse: "w1", available: 3 },
          { warehouse: "w2", available: 3 },
        ],
        1,
      ),
    ).toBeNull();
  });
});

describe("a line change", () => {
  it("grows, shrinks, adds and drops items at once; commit then takes the new quantities", async () => {
    const [a, b, c, d] = await items(10, 10, 10, 10);
    if (!a || !b || !c || !d) throw new Error("items");
    const id = await held([line(a, 2), line(b, 5), line(c, 1)]);
    const next = [line(a, 4), line(b, 3), line(d, 2)];
    const changed = await coordinator(id).changeLines({ id, lines: next });
    expect(changed).toMatchObject({ kind: "ok", reservation: { status: "held", lines: next, allocations: next } });
    expect(await reservedAt(a, b, c, d)).toEqual([4, 3, 0, 2]);
    expect(await holdStatus(c, id)).toBe("released");
    // A repeated placement compares with the new lines.
    expect(await coordinator(id).place({ id, lines: next, ttlSeconds: 600 })).toMatchObject({ kind: "existing" });
    expect(await coordinator(id).place({ id, lines: [line(a, 2), line(b, 5), line(c, 1)], ttlSeconds: 600 })).toEqual({
      kind: "idempotency_conflict",
    });
    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok" });
    expect((await Promise.all([a, b, c, d].map(level))).map((l) => [l.onHand, l.reserved])).toEqual([
      [6, 0],
      [7, 0],
      [10, 0],
      [8, 0],
    ]);
  });

  it("keeps the previous lines and holds exactly when one item cannot grow; the shortage counts the current hold", async () => {
    const [a, b, c] = await items(10, 6, 10);
    if (!a || !b || !c) throw new Error("items");
    const id = await held([line(a, 2), line(b, 3), line(c, 1)]);
    const before = await Promise.all([a, b, c].map(level));
    const refused = await coordinator(id).changeLines({ id, lines: [line(a, 8), line(b, 7)] });
    expect(refused).toEqual({
      kind: "insufficient_stock",
      shortages: [{ sku: b.sku, warehouse: b.warehouse, requested: 7, available: 6 }],
    });
    expect(await Promise.all([a, b, c].map(level))).toEqual(
      before.map((l) => expect.objectContaining({ onHand: l.onHand, reserved: l.reserved })),
    );
    expect(await coordinator(id).get()).toMatchObject({ status: "held", lines: [line(a, 2), line(b, 3), line(c, 1)] });
    // a grew to 8 tentatively, then was reverted: its hold is back at 2, still live.
    expect(await holdStatus(a, id)).toBe("held");
    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok" });
    expect((await Promise.all([a, b, c].map(level))).map((l) => l.onHand)).toEqual([8, 3, 9]);
  });

  it("never lets go of what it holds before the larger hold is granted: a competitor cannot take the units in between", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("items");
    const id = await held([line(a, 3)]);
    const rival = unique("rival");
    // The rival and the growth race; whatever the order, 3 stay held for the cart.
    const [change, other] = await Promise.all([
      coordinator(id).changeLines({ id, lines: [line(a, 5)] }),
      coordinator(rival).place({ id: rival, lines: [line(a, 2)], ttlSeconds: 600 }),
    ]);
    const cart = (await coordinator(id).get())?.lines[0]?.quantity;
    expect(change.kind === "ok").toBe(other.kind !== "created");
    expect(cart).toBe(change.kind === "ok" ? 5 : 3);
    expect((await level(a)).reserved).toBe(5);
  });

  it("meeting an expiry (a hold expired by its item's clock) expires the whole reservation, as a commit would", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = await held([line(a, 2), line(b, 3)]);
    await expireAtItem(a, id);
    expect(await coordinator(id).changeLines({ id, lines: [line(a, 4), line(b, 3)] })).toEqual({
      kind: "invalid_state",
      status: "expired",
    });
    expect(await reservedAt(a, b)).toEqual([0, 0]);
    expect(await coordinator(id).get()).toMatchObject({ status: "expired", lines: [line(a, 2), line(b, 3)] });
  });

  it("only a held reservation: invalid_state otherwise; a line without warehouse needs the reservation's channel", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("items");
    const id = await held([line(a, 1)]);
    expect(await coordinator(id).changeLines({ id, lines: [{ sku: a.sku, warehouse: null, quantity: 1 }] })).toEqual({
      kind: "unsourceable",
      indices: [0],
    });
    await coordinator(id).release();
    expect(await coordinator(id).changeLines({ id, lines: [line(a, 2)] })).toEqual({ kind: "invalid_state", status: "released" });
    expect(await coordinator(unique("none")).changeLines({ id: "none", lines: [line(a, 2)] })).toEqual({ kind: "not_found" });
  });

  it("of a sourced line grows across the channel, and asks the Worker for the channel first", async () => {
    const sku = unique("SRC");
    const stocked = await Promise.all(
      [2, 10].map(async (onHand, i) => {
        const stub = stockItem(env, sku, `w${i}`);
        await stub.setCount(sku, `w${i}`, { onHand });
        return { sku, warehouse: `w${i}`, stub };
      }),
    );
    const channel = { id: unique("web"), warehouses: ["w0", "w1"], safetyStock: 0 };
    const id = unique("cart");
    await coordinator(id).place({ id, channel, lines: [{ sku, warehouse: null, quantity: 2 }], ttlSeconds: 600 });
    const lines = [{ sku, warehouse: null, quantity: 6 }];
    expect(await coordinator(id).changeLines({ id, lines })).toEqual({ kind: "needs_channel", channel: channel.id });
    const changed = await coordinator(id).changeLines({ id, lines, channel });
    expect(changed).toMatchObject({
      kind: "ok",
      reservation: {
        lines,
        allocations: [
          { sku, warehouse: "w0", quantity: 2 },
          { sku, warehouse: "w1", quantity: 4 },
        ],
      },
    });
    expect(await reservedAt(...stocked)).toEqual([2, 4]);
    const shrunk = await coordinator(id).changeLines({ id, lines: [{ sku, warehouse: null, quantity: 1 }], channel });
    expect(shrunk).toMatchObject({ reservation: { allocations: [{ sku, warehouse: "w0", quantity: 1 }] } });
    expect(await reservedAt(...stocked)).toEqual([1, 0]);
  });
});

describe("a crash at each point of a line change", () => {
  async function setUp() {
    const [a, b, c] = await items(10, 10, 10);
    if (!a || !b || !c) throw new Error("items");
    const id = await held([line(a, 2), line(b, 5)]);
    const record = (await readRecord(id)) as ReservationRecord;
    // The change: a 2 → 6 (grows), b dropped, c 0 → 3 (new).
    const next = [line(a, 6), line(c, 3)];
    const changing: ReservationRecord = {
      ...record,
      phase: "changing",
      change: { number: 1, lines: next, allocations: next, placements: [null, null] },
    };
    const grow = (item: Item, quantity: number) =>
      item.stub.resize({
        sku: item.sku,
        warehouse: item.warehouse,
        reservationId: id,
        attempt: 1,
        change: 1,
        quantity,
        expiresAt: record.expiresAt,
      });
    return { a, b, c, id, record, changing, grow };
  }

  it("after the intent, one item grown: the alarm reverts, the old lines and holds stay exactly, a late growth is refused", async () => {
    const { a, b, c, id, changing, grow } = await setUp();
    expect(await grow(a, 6)).toEqual({ ok: true });
    await writeRecord(changing, { alarmAt: Date.now() + MINUTE });
    expect(await reservedAt(a, b, c)).toEqual([6, 5, 0]);
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect(await readRecord(id)).toMatchObject({ phase: "held", lines: [line(a, 2), line(b, 5)], changes: 1 });
    expect(await reservedAt(a, b, c)).toEqual([2, 5, 0]);
    // The growth at c was still on its way: it arrives after the revert and is refused.
    expect(await grow(c, 3)).toEqual({ ok: false, reason: "refused", status: "voided" });
    expect(await reservedAt(a, b, c)).toEqual([2, 5, 0]);
    // The next change is numbered 2 and works.
    expect(await coordinator(id).changeLines({ id, lines: [line(a, 3), line(c, 1)] })).toMatchObject({ kind: "ok" });
    expect(await reservedAt(a, b, c)).toEqual([3, 0, 1]);
  });

  it("after the decision for the new lines, before any release: the next call finishes it", async () => {
    const { a, b, c, id, changing, grow } = await setUp();
    expect(await grow(a, 6)).toEqual({ ok: true });
    expect(await grow(c, 3)).toEqual({ ok: true });
    await writeRecord({ ...changing, change: { ...(changing.change as NonNullable<ReservationRecord["change"]>), decided: "new" } });
    expect(await reservedAt(a, b, c)).toEqual([6, 5, 3]);
    expect(await coordinator(id).get()).toMatchObject({ status: "held", lines: [line(a, 6), line(c, 3)] });
    expect(await reservedAt(a, b, c)).toEqual([6, 0, 3]);
    expect(await holdStatus(b, id)).toBe("released");
  });

  it("after the decision for the old lines, one revert done: the alarm reverts the rest", async () => {
    const { a, b, c, id, changing, grow } = await setUp();
    expect(await grow(a, 6)).toEqual({ ok: true });
    expect(await grow(c, 3)).toEqual({ ok: true });
    await a.stub.revertChange(id, 1);
    await writeRecord(
      { ...changing, change: { ...(changing.change as NonNullable<ReservationRecord["change"]>), decided: "old" } },
      { alarmAt: Date.now() + MINUTE },
    );
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect(await reservedAt(a, b, c)).toEqual([2, 5, 0]);
    expect(await readRecord(id)).toMatchObject({ phase: "held", lines: [line(a, 2), line(b, 5)] });
    expect(await holdStatus(c, id)).toBe("voided");
  });
});

describe("line changes against a model", () => {
  it("old holds + new holds never exceed the stock, nothing leaks, and a change succeeds exactly when every growth fits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }),
        async (stock, changes, rivalQuantities) => {
          const stocked = await items(...stock.map((s) => s + 3));
          const cart = await held(stocked.map((item) => line(item, 1)));
          // A rival reservation takes some of each item first.
          const rivalLines = stocked.flatMap((item, i) => (rivalQuantities[i] ? [line(item, rivalQuantities[i] as number)] : []));
          const rivalId = unique("rival");
          const rival =
            rivalLines.length > 0 ? await coordinator(rivalId).place({ id: rivalId, lines: rivalLines, ttlSeconds: 600 }) : null;
          const rivalHolds = stocked.map((_, i) => (rival?.kind === "created" ? (rivalQuantities[i] ?? 0) : 0));
          let cartHolds = stocked.map(() => 1);
          for (const quantities of changes) {
            const next = stocked.flatMap((item, i) => ((quantities[i] ?? 0) > 0 ? [line(item, quantities[i] as number)] : []));
            if (next.length === 0) continue;
            const fits = stocked.every((_, i) => (quantities[i] ?? 0) <= (stock[i] as number) + 3 - (rivalHolds[i] as number));
            const result = await coordinator(cart).changeLines({ id: cart, lines: next });
            expect(result.kind).toBe(fits ? "ok" : "insufficient_stock");
            if (fits) cartHolds = stocked.map((_, i) => quantities[i] ?? 0);
            const reserved = await reservedAt(...stocked);
            expect(reserved).toEqual(stocked.map((_, i) => (cartHolds[i] as number) + (rivalHolds[i] as number)));
            for (const [i, r] of reserved.entries()) expect(r).toBeLessThanOrEqual((stock[i] as number) + 3);
          }
          await coordinator(cart).release();
          expect(await reservedAt(...stocked)).toEqual(rivalHolds);
        },
      ),
      { numRuns: 12 },
    );
  });
});
