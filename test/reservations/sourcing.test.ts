import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ReservationRecord } from "../../src/reservations/lifecycle";
import type { SourcingChannel } from "../../src/reservations/ReservationCoordinator";
import { stockItem } from "../../src/stock/address";
import { coordinator, holdStatus, type Item, level, readRecord, unique, writeRecord } from "./fixtures";

/**
 * Sourced lines at the coordinator (contract: "Channels and sourcing"): the channel's rule,
 * the item's own safety-stock check, a stale first choice corrected by the item's answer,
 * all or nothing across warehouses, and a crash in the middle of a sourced placement.
 */

const MINUTE = 60_000;

/** One SKU stocked in several warehouses (`w0`, `w1`, …), and a channel over them in that order. */
async function stockedIn(...onHand: number[]): Promise<{ sku: string; items: Item[]; channel: SourcingChannel }> {
  const sku = unique("SRC");
  const items = await Promise.all(
    onHand.map(async (count, i) => {
      const warehouse = `w${i}`;
      const stub = stockItem(env, sku, warehouse);
      await stub.setCount(sku, warehouse, { onHand: count });
      return { sku, warehouse, stub };
    }),
  );
  return { sku, items, channel: { id: unique("web"), warehouses: items.map((i) => i.warehouse), safetyStock: 0 } };
}

const sourced = (sku: string, quantity: number) => ({ sku, warehouse: null, quantity });

describe("a sourced line", () => {
  it("goes whole to the first warehouse that covers it, and commit acts on that allocation", async () => {
    const { sku, items, channel } = await stockedIn(3, 8, 20);
    const id = unique("order");
    const placed = await coordinator(id).place({ id, lines: [sourced(sku, 5)], ttlSeconds: 60, channel });
    expect(placed).toMatchObject({
      kind: "created",
      reservation: { channel: channel.id, lines: [sourced(sku, 5)], allocations: [{ sku, warehouse: "w1", quantity: 5 }] },
    });
    expect((await Promise.all(items.map(level))).map((l) => l.reserved)).toEqual([0, 5, 0]);
    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok" });
    expect((await Promise.all(items.map(level))).map((l) => l.onHand)).toEqual([3, 3, 20]);
  });

  it("is split in priority order when no warehouse covers it alone; release returns every allocation", async () => {
    const { sku, items, channel } = await stockedIn(4, 0, 3, 9);
    const id = unique("order");
    const placed = await coordinator(id).place({ id, lines: [sourced(sku, 10)], ttlSeconds: 60, channel });
    expect(placed.kind).toBe("created");
    if (placed.kind !== "created") return;
    expect(placed.reservation.allocations).toEqual([
      { sku, warehouse: "w0", quantity: 4 },
      { sku, warehouse: "w2", quantity: 3 },
      { sku, warehouse: "w3", quantity: 3 },
    ]);
    expect((await Promise.all(items.map(level))).map((l) => l.available)).toEqual([0, 0, 0, 6]);
    expect(await coordinator(id).release()).toMatchObject({ kind: "ok", reservation: { status: "released" } });
    expect((await Promise.all(items.map(level))).map((l) => l.available)).toEqual([4, 0, 3, 9]);
  });

  it("never takes the safety stock: the item refuses a hold that would, whatever the chooser thought", async () => {
    const { sku, items, channel } = await stockedIn(5, 6);
    const [w0] = items as [Item];
    // The item alone: 5 available, 2 to keep, so 4 cannot be held but 3 can.
    const hold = (quantity: number) =>
      w0.stub.hold({ sku, warehouse: "w0", reservationId: unique("h"), attempt: 1, quantity, expiresAt: Date.now() + MINUTE, keep: 2 });
    expect(await hold(4)).toEqual({ ok: false, reason: "insufficient", available: 5 });
    expect(await level(w0)).toMatchObject({ reserved: 0 });

    const kept = { ...channel, safetyStock: 2 };
    const id = unique("order");
    const placed = await coordinator(id).place({ id, lines: [sourced(sku, 7)], ttlSeconds: 60, channel: kept });
    expect(placed).toMatchObject({
      reservation: {
        allocations: [
          { sku, warehouse: "w0", quantity: 3 },
          { sku, warehouse: "w1", quantity: 4 },
        ],
      },
    });
    const other = unique("order");
    expect(await coordinator(other).place({ id: other, lines: [sourced(sku, 1)], ttlSeconds: 60, channel: kept })).toEqual({
      kind: "insufficient_stock",
      shortages: [{ sku, warehouse: null, requested: 1, available: 0 }],
    });
    expect((await Promise.all(items.map(level))).map((l) => l.available)).toEqual([2, 2]);
  });

  it("moves on when the first choice was stale: the refusing item's answer and a read of the others plan the next round", async () => {
    const { sku, items, channel } = await stockedIn(4, 10);
    const [w0, w1] = items as [Item, Item];
    // The coordinator tries w0 whole first (no read): 4 units cannot take 6, so it re-plans on what it learns.
    const id = unique("order");
    const placed = await coordinator(id).place({ id, lines: [sourced(sku, 6)], ttlSeconds: 60, channel });
    expect(placed).toMatchObject({ reservation: { allocations: [{ sku, warehouse: "w1", quantity: 6 }] } });
    expect(await level(w0)).toMatchObject({ reserved: 0 });
    expect(await level(w1)).toMatchObject({ reserved: 6 });
    // The refused first choice is not part of the record: commit touches only what holds.
    expect((await readRecord(id))?.allocations).toEqual([{ sku, warehouse: "w1", quantity: 6 }]);
  });

  it("is refused with the channel's availability when the channel cannot cover it, holding nothing anywhere", async () => {
    const { sku, items, channel } = await stockedIn(2, 3);
    const [a] = await stockedIn(50).then((s) => s.items);
    const id = unique("order");
    const result = await coordinator(id).place({
      id,
      lines: [{ sku: (a as Item).sku, warehouse: "w0", quantity: 1 }, sourced(sku, 6)],
      ttlSeconds: 60,
      channel,
    });
    expect(result).toEqual({ kind: "insufficient_stock", shortages: [{ sku, warehouse: null, requested: 6, available: 5 }] });
    expect((await Promise.all([...items, a as Item].map(level))).map((l) => l.reserved)).toEqual([0, 0, 0]);
    expect(await coordinator(id).get()).toBeNull();
  });

  it("repeats answer the existing reservation for the same channel and lines, and conflict for another channel", async () => {
    const { sku, items, channel } = await stockedIn(10, 10);
    const id = unique("order");
    const first = await coordinator(id).place({ id, lines: [sourced(sku, 4)], ttlSeconds: 60, channel });
    const again = await coordinator(id).place({ id, lines: [sourced(sku, 4)], ttlSeconds: 60, channel });
    expect(again).toEqual({ ...first, kind: "existing" });
    const elsewhere = { ...channel, id: unique("shop") };
    expect(await coordinator(id).place({ id, lines: [sourced(sku, 4)], ttlSeconds: 60, channel: elsewhere })).toEqual({
      kind: "idempotency_conflict",
    });
    expect(await coordinator(id).place({ id, lines: [sourced(sku, 4)], ttlSeconds: 60 })).toEqual({ kind: "idempotency_conflict" });
    expect((await Promise.all(items.map(level))).map((l) => l.reserved)).toEqual([4, 0]);
  });
});

describe("a crash in the middle of a sourced placement", () => {
  it("leaves every allocation the record names voided, by the alarm, and late holds refused", async () => {
    const { sku, items, channel } = await stockedIn(4, 0, 9);
    const [w0, , w2] = items as [Item, Item, Item];
    const id = unique("crash");
    // Round two was written and w0 held; the object stopped before w2 answered.
    const record: ReservationRecord = {
      id,
      attempt: 1,
      phase: "placing",
      lines: [sourced(sku, 10)],
      channel: channel.id,
      allocations: [
        { sku, warehouse: "w0", quantity: 10 },
        { sku, warehouse: "w0", quantity: 4 },
        { sku, warehouse: "w2", quantity: 6 },
      ],
      placements: [null, null, null],
      createdAt: Date.now(),
      expiresAt: Date.now() + MINUTE,
    };
    await writeRecord(record, { alarmAt: Date.now() + MINUTE });
    const hold = (item: Item, quantity: number) =>
      item.stub.hold({ sku, warehouse: item.warehouse, reservationId: id, attempt: 1, quantity, expiresAt: Date.now() + MINUTE });
    expect(await hold(w0, 4)).toEqual({ ok: true });

    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("rejected");
    expect(await holdStatus(w0, id)).toBe("voided");
    expect(await holdStatus(w2, id)).toBe("voided");
    expect(await hold(w2, 6)).toEqual({ ok: false, reason: "refused", status: "voided" });
    expect((await Promise.all(items.map(level))).map((l) => l.reserved)).toEqual([0, 0, 0]);
    expect(await coordinator(id).get()).toBeNull();

    // The client's retry is a new attempt, placed whole.
    const retried = await coordinator(id).place({ id, lines: [sourced(sku, 10)], ttlSeconds: 60, channel });
    expect(retried.kind).toBe("created");
    expect((await Promise.all(items.map(level))).map((l) => l.reserved)).toEqual([4, 0, 6]);
  });

  it("of a held sourced reservation's commit is finished across every allocation", async () => {
    const { sku, items, channel } = await stockedIn(4, 9);
    const id = unique("crash");
    const placed = await coordinator(id).place({ id, lines: [sourced(sku, 10)], ttlSeconds: 60, channel });
    expect(placed.kind).toBe("created");
    const [w0, w1] = items as [Item, Item];
    // Commit stopped after pinning both and committing one.
    await w0.stub.pin(id);
    await w1.stub.pin(id);
    await w0.stub.commit(id);
    const record = (await readRecord(id)) as ReservationRecord;
    await writeRecord({ ...record, phase: "committing" }, { alarmAt: Date.now() + MINUTE });
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect(await coordinator(id).get()).toMatchObject({ status: "committed" });
    expect((await Promise.all(items.map(level))).map((l) => [l.onHand, l.reserved])).toEqual([
      [0, 0],
      [3, 0],
    ]);
  });
});
