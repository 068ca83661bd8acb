import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReservationRecord } from "../../src/reservations/lifecycle";
import {
  coordinator,
  expireAtItem,
  holdExpiry,
  holdStatus,
  type Item,
  items,
  level,
  line,
  readRecord,
  unique,
  writeRecord,
} from "./fixtures";

/**
 * Extending a held reservation (contract: "Cart lifecycle"): every line's hold gets the new
 * expiry, or the reservation is expired as a whole. The race with the expiry is settled by the
 * items, the way a commit's is, and tested in both directions; a crash midway is finished.
 */

const HOUR = 3_600_000;

async function placed(ttlSeconds: number, ...quantities: number[]) {
  const stocked = await items(...quantities.map(() => 10));
  const id = unique("cart");
  const result = await coordinator(id).place({ id, lines: stocked.map((item, i) => line(item, quantities[i] as number)), ttlSeconds });
  expect(result.kind).toBe("created");
  return { id, stocked };
}

describe("extend", () => {
  it("moves expiresAt to now + ttl on the record and on every line's hold", async () => {
    const { id, stocked } = await placed(60, 2, 3);
    const before = Date.now();
    const result = await coordinator(id).extend(7200);
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    const expiresAt = Date.parse(result.reservation.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 2 * HOUR);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2 * HOUR);
    for (const item of stocked) expect(await holdExpiry(item, id)).toBe(expiresAt);
    expect((await readRecord(id))?.phase).toBe("held");
    expect(await coordinator(id).get()).toMatchObject({ status: "held", expiresAt: result.reservation.expiresAt });
  });

  it("never shortens: a ttl ending before the current expiry leaves it as it is", async () => {
    const { id, stocked } = await placed(7200, 1);
    const current = (await coordinator(id).get())?.expiresAt;
    expect(await coordinator(id).extend(10)).toMatchObject({ kind: "ok", reservation: { expiresAt: current } });
    expect(await holdExpiry(stocked[0] as Item, id)).toBe(Date.parse(current as string));
  });

  it("extension first: the old expiry passing afterwards expires nothing", async () => {
    const { id, stocked } = await placed(60, 2, 3);
    expect((await coordinator(id).extend(3600)).kind).toBe("ok");
    // Each item's alarm runs now; the holds are due an hour from now, not in a minute.
    for (const item of stocked) await runDurableObjectAlarm(item.stub);
    for (const item of stocked) expect(await holdStatus(item, id)).toBe("held");
    expect(await Promise.all(stocked.map(level))).toEqual([
      expect.objectContaining({ reserved: 2 }),
      expect.objectContaining({ reserved: 3 }),
    ]);
  });

  it("expiry first, on one line only: the reservation is expired as a whole and every line released", async () => {
    const { id, stocked } = await placed(3600, 2, 3, 4);
    const [a, b, c] = stocked as [Item, Item, Item];
    // The expiry time came at b's item (its clock, its alarm) while the coordinator's record still says held.
    await expireAtItem(b, id);
    await runDurableObjectAlarm(b.stub);
    expect(await coordinator(id).extend(3600)).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await coordinator(id).get()).toMatchObject({ status: "expired" });
    expect(await Promise.all([a, b, c].map(level))).toEqual(stocked.map(() => expect.objectContaining({ reserved: 0, available: 10 })));
    expect(await holdStatus(a, id)).toBe("released");
    expect(await holdStatus(b, id)).toBe("expired");
    // And it stays expired.
    expect(await coordinator(id).commit()).toEqual({ kind: "invalid_state", status: "expired" });
  });

  it("one line whose hold expired at the item but was not swept yet: expired, units available", async () => {
    const { id, stocked } = await placed(3600, 4);
    await expireAtItem(stocked[0] as Item, id);
    expect(await coordinator(id).extend(600)).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await level(stocked[0] as Item)).toMatchObject({ reserved: 0, available: 10 });
  });

  it("only a held reservation: committed, released and expired ones answer invalid_state; an unknown id not_found", async () => {
    const committed = await placed(60, 1);
    await coordinator(committed.id).commit();
    expect(await coordinator(committed.id).extend(60)).toEqual({ kind: "invalid_state", status: "committed" });
    const released = await placed(60, 1);
    await coordinator(released.id).release();
    expect(await coordinator(released.id).extend(60)).toEqual({ kind: "invalid_state", status: "released" });
    const past = await placed(60, 1);
    const record = await readRecord(past.id);
    await writeRecord({ ...(record as ReservationRecord), expiresAt: Date.now() - 1 });
    expect(await coordinator(past.id).extend(60)).toEqual({ kind: "invalid_state", status: "expired" });
    expect(await coordinator(unique("none")).extend(60)).toEqual({ kind: "not_found" });
  });
});

describe("an interrupted extension is finished", () => {
  it("by the alarm: the line not yet extended is extended, and the reservation is held to the new time", async () => {
    const { id, stocked } = await placed(60, 2, 3);
    const [a, b] = stocked as [Item, Item];
    const record = await readRecord(id);
    const extendTo = Date.now() + HOUR;
    expect(await a.stub.extend(id, extendTo)).toEqual({
      ok: true,
      status: "held",
    });
    await writeRecord({ ...(record as ReservationRecord), phase: "extending", extendTo }, { alarmAt: Date.now() + HOUR });
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect(await readRecord(id)).toMatchObject({ phase: "held", expiresAt: extendTo });
    expect((await readRecord(id))?.extendTo).toBeUndefined();
    expect(await holdExpiry(a, id)).toBe(extendTo);
    expect(await holdExpiry(b, id)).toBe(extendTo);
  });

  it("by the next call, as expired when a line expired before it was extended", async () => {
    const { id, stocked } = await placed(60, 2, 3);
    const [a, b] = stocked as [Item, Item];
    const record = await readRecord(id);
    await a.stub.extend(id, Date.now() + HOUR);
    await writeRecord({ ...(record as ReservationRecord), phase: "extending", extendTo: Date.now() + HOUR });
    await expireAtItem(b, id);
    expect(await coordinator(id).get()).toMatchObject({ status: "expired" });
    expect(await level(a)).toMatchObject({ reserved: 0, available: 10 });
    expect(await level(b)).toMatchObject({ reserved: 0, available: 10 });
  });
});
