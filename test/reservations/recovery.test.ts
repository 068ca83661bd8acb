import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Line, Phase, ReservationRecord } from "../../src/reservations/lifecycle";
import { coordinator, expireAtItem, holdStatus, type Item, items, level, line, readRecord, unique, writeRecord } from "./fixtures";

/**
 * Crash recovery and the commit-vs-expiry race. A crash is staged by writing the
 * coordinator's record as it would be found after the object stopped midway (phase
 * `placing`, `committing` or `releasing`) with the items in the matching state, then the
 * next call, or the coordinator's alarm, must finish or undo the step.
 */

const MINUTE = 60_000;

function record(id: string, phase: Phase, lines: Line[], expiresAt = Date.now() + MINUTE): ReservationRecord {
  return { id, attempt: 1, phase, lines, createdAt: Date.now(), expiresAt };
}

async function holdAt(item: Item, id: string, quantity: number, expiresAt = Date.now() + MINUTE) {
  const result = await item.stub.hold({ sku: item.sku, warehouse: item.warehouse, reservationId: id, attempt: 1, quantity, expiresAt });
  expect(result).toEqual({ ok: true });
}

describe("an interrupted placement is voided", () => {
  it("by the next call: the holds already placed are released and the reservation does not exist", async () => {
    const [a, b, c] = await items(10, 10, 10);
    if (!a || !b || !c) throw new Error("items");
    const id = unique("crash");
    // The crash came after two of three holds were placed, before the outcome was recorded.
    await writeRecord(record(id, "placing", [line(a, 2), line(b, 3), line(c, 4)]));
    await holdAt(a, id, 2);
    await holdAt(b, id, 3);
    expect(await level(a)).toMatchObject({ reserved: 2 });

    expect(await coordinator(id).get()).toBeNull();
    expect(await Promise.all([a, b, c].map(level))).toEqual([
      expect.objectContaining({ reserved: 0, available: 10 }),
      expect.objectContaining({ reserved: 0, available: 10 }),
      expect.objectContaining({ reserved: 0, available: 10 }),
    ]);
    expect((await readRecord(id))?.phase).toBe("rejected");
    // The third hold, still on its way when the object stopped, arrives late: refused.
    expect(
      await c.stub.hold({ sku: c.sku, warehouse: c.warehouse, reservationId: id, attempt: 1, quantity: 4, expiresAt: Date.now() + MINUTE }),
    ).toEqual({ ok: false, reason: "refused", status: "voided" });
    expect(await level(c)).toMatchObject({ reserved: 0 });
    expect(await coordinator(id).commit()).toEqual({ kind: "not_found" });
  });

  it("by the coordinator's alarm, with no call at all", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("crash");
    await writeRecord(record(id, "placing", [line(a, 5), line(b, 5)]), { alarmAt: Date.now() + MINUTE });
    await holdAt(a, id, 5);
    await holdAt(b, id, 5);
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("rejected");
    expect(await holdStatus(a, id)).toBe("voided");
    expect(await holdStatus(b, id)).toBe("voided");
    expect(await level(a)).toMatchObject({ reserved: 0 });
    expect(await level(b)).toMatchObject({ reserved: 0 });
  });

  it("a retry of the same id and lines after the crash is placed anew (attempt 2), holding once", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = unique("crash");
    await writeRecord(record(id, "placing", [line(a, 6)]));
    await holdAt(a, id, 6);
    const result = await coordinator(id).place({ id, lines: [line(a, 6)], ttlSeconds: 60 });
    expect(result.kind).toBe("created");
    expect(await level(a)).toMatchObject({ reserved: 6 });
    expect((await readRecord(id))?.attempt).toBe(2);
  });
});

describe("an interrupted commit is completed", () => {
  it("by the next call: one line already committed, the other pinned", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("crash");
    await holdAt(a, id, 2);
    await holdAt(b, id, 3);
    await a.stub.pin(id);
    await b.stub.pin(id);
    await a.stub.commit(id);
    await writeRecord(record(id, "committing", [line(a, 2), line(b, 3)]));

    expect(await coordinator(id).get()).toMatchObject({ status: "committed" });
    expect(await level(a)).toMatchObject({ onHand: 8, reserved: 0 });
    expect(await level(b)).toMatchObject({ onHand: 7, reserved: 0 });
    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok", reservation: { status: "committed" } });
    expect(await level(b)).toMatchObject({ onHand: 7, reserved: 0 });
  });

  it("by the alarm, even once expiresAt has passed, because every line was pinned", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("crash");
    await holdAt(a, id, 2);
    await holdAt(b, id, 3);
    await a.stub.pin(id);
    await b.stub.pin(id);
    await expireAtItem(a, id);
    await expireAtItem(b, id);
    await runDurableObjectAlarm(a.stub);
    await writeRecord(record(id, "committing", [line(a, 2), line(b, 3)], Date.now() - 1), { alarmAt: Date.now() + MINUTE });

    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("committed");
    expect(await level(a)).toMatchObject({ onHand: 8, reserved: 0 });
    expect(await level(b)).toMatchObject({ onHand: 7, reserved: 0 });
  });

  it("as expired when a line expired before it was pinned: nothing committed, every unit available", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("crash");
    await holdAt(a, id, 2);
    await holdAt(b, id, 3);
    await a.stub.pin(id);
    await writeRecord(record(id, "committing", [line(a, 2), line(b, 3)]));
    await expireAtItem(b, id);

    expect(await coordinator(id).get()).toMatchObject({ status: "expired" });
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect(await level(b)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
  });
});

describe("an interrupted release is completed", () => {
  it("by the alarm: the line not yet released is released", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("crash");
    await holdAt(a, id, 2);
    await holdAt(b, id, 3);
    await a.stub.release(id);
    await writeRecord(record(id, "releasing", [line(a, 2), line(b, 3)]), { alarmAt: Date.now() + MINUTE });
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("released");
    expect(await level(b)).toMatchObject({ reserved: 0, available: 10 });
    expect(await coordinator(id).release()).toMatchObject({ kind: "ok", reservation: { status: "released" } });
  });
});

describe("commit versus expiry", () => {
  it("a line whose hold expired at the item while the coordinator still thinks it held: 409 expired, nothing committed, all units available", async () => {
    const [a, b, c] = await items(10, 10, 10);
    if (!a || !b || !c) throw new Error("items");
    const id = unique("race");
    const placed = await coordinator(id).place({ id, lines: [line(a, 2), line(b, 3), line(c, 4)], ttlSeconds: 3600 });
    expect(placed.kind).toBe("created");
    await expireAtItem(b, id);

    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await coordinator(id).get()).toMatchObject({ status: "expired" });
    expect(await Promise.all([a, b, c].map(level))).toEqual([
      expect.objectContaining({ onHand: 10, reserved: 0, available: 10 }),
      expect.objectContaining({ onHand: 10, reserved: 0, available: 10 }),
      expect.objectContaining({ onHand: 10, reserved: 0, available: 10 }),
    ]);
    for (const item of [a, b, c]) expect(["expired", "released"]).toContain(await holdStatus(item, id));
    // And it stays so: a second commit or a release changes nothing.
    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await coordinator(id).release()).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it("one line: the item's expiry decides, 409 expired and the units available", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = unique("race");
    await coordinator(id).place({ id, lines: [line(a, 4)], ttlSeconds: 3600 });
    await expireAtItem(a, id);
    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
  });

  it("pins placed before the expiry passed win: the item's alarm cannot take a pinned hold, and the commit completes", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("race");
    await coordinator(id).place({ id, lines: [line(a, 2), line(b, 3)], ttlSeconds: 3600 });
    const held = await readRecord(id);
    if (held === null) throw new Error("no record");
    // The commit pinned both lines, then stopped; meanwhile the expiry time passes everywhere.
    expect(await a.stub.pin(id)).toEqual({ ok: true, status: "pinned" });
    expect(await b.stub.pin(id)).toEqual({ ok: true, status: "pinned" });
    await writeRecord({ ...held, phase: "committing", expiresAt: Date.now() - 1 });
    await expireAtItem(a, id);
    await expireAtItem(b, id);
    await runDurableObjectAlarm(a.stub);
    await runDurableObjectAlarm(b.stub);
    expect(await level(a)).toMatchObject({ reserved: 2 });
    expect(await holdStatus(b, id)).toBe("pinned");

    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok", reservation: { status: "committed" } });
    expect(await level(a)).toMatchObject({ onHand: 8, reserved: 0 });
    expect(await level(b)).toMatchObject({ onHand: 7, reserved: 0 });
  });
});
