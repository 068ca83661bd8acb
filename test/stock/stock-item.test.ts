import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { StockEvent } from "../../src/events/event";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";

/**
 * The StockItem Durable Object through its RPC methods, with its storage inspected (and,
 * to stage an expiry without waiting, rewritten) inside the object. Storage is shared by
 * all tests, so every test uses its own SKU.
 */

const HOUR = 3_600_000;

function newItem(onHand?: number) {
  const sku = `SI-${crypto.randomUUID().slice(0, 12)}`;
  const warehouse = "wh-1";
  const stub = stockItem(env, sku, warehouse);
  const ready = onHand === undefined ? Promise.resolve() : stub.setCount(sku, warehouse, { onHand }).then(() => undefined);
  return { sku, warehouse, stub, ready };
}

type Stub = ReturnType<typeof stockItem>;

const holdFor = (sku: string, warehouse: string, reservationId: string, quantity: number, attempt = 1, ttlMs = HOUR) => ({
  sku,
  warehouse,
  reservationId,
  attempt,
  quantity,
  expiresAt: Date.now() + ttlMs,
});

/** The stored level row and hold status, read without calling the object (so nothing is swept). */
function peek(stub: Stub, reservationId?: string) {
  return runInDurableObject(stub, (_: StockItem, state) => {
    const level = state.storage.sql
      .exec<{ on_hand: number; reserved: number; version: number }>("SELECT on_hand, reserved, version FROM level")
      .one();
    const hold =
      reservationId === undefined
        ? undefined
        : state.storage.sql.exec<{ status: string }>("SELECT status FROM holds WHERE reservation_id = ?", reservationId).toArray()[0]
            ?.status;
    return { onHand: level.on_hand, reserved: level.reserved, version: level.version, hold };
  });
}

/** Moves a hold's expiry into the past, as if its time had come, without running anything. */
function backdate(stub: Stub, reservationId: string) {
  return runInDurableObject(stub, (_: StockItem, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, reservationId);
  });
}

describe("StockItem: levels", () => {
  it("a never-set item has no level; a count creates it at version 1", async () => {
    const { sku, warehouse, stub } = newItem();
    expect(await stub.getLevel()).toBeNull();
    const counted = await stub.setCount(sku, warehouse, { onHand: 7, lowStockThreshold: 2, reorderQuantity: 10 });
    if (!counted.ok) throw new Error("count refused");
    const level = counted.level;
    expect(level).toMatchObject({ sku, warehouse, onHand: 7, reserved: 0, lowStockThreshold: 2, reorderQuantity: 10, version: 1 });
    expect(await stub.getLevel()).toEqual(level);
  });

  it("version rises by exactly one per change, and each change writes its event with seq == version", async () => {
    const { sku, warehouse, stub } = newItem();
    const events: StockEvent[] = [];
    // Driven inside the object so the outbox is read before the alarm ships (and deletes) it.
    const versions = await runInDurableObject(stub, async (instance: StockItem, state) => {
      const lastEvent = () =>
        JSON.parse(
          state.storage.sql.exec<{ event: string }>("SELECT event FROM outbox ORDER BY seq DESC LIMIT 1").one().event,
        ) as StockEvent;
      const seen: number[] = [];
      const note = (version: number | undefined) => {
        const event = lastEvent();
        events.push(event);
        expect(event.seq).toBe(version);
        seen.push(version ?? -1);
      };
      const counted = await instance.setCount(sku, warehouse, { onHand: 10 });
      note(counted.ok ? counted.level.version : undefined);
      const adjusted = await instance.adjust({ delta: 5, reason: "receipt", reference: "po-1" });
      note(adjusted.ok ? adjusted.level.version : undefined);
      await instance.hold(holdFor(sku, warehouse, "r1", 4));
      note((await instance.getLevel())?.version);
      await instance.commit("r1");
      note((await instance.getLevel())?.version);
      await instance.hold(holdFor(sku, warehouse, "r2", 2));
      note((await instance.getLevel())?.version);
      await instance.release("r2");
      note((await instance.getLevel())?.version);
      return seen;
    });
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => [e.type, e.onHandDelta, e.reservedDelta, e.onHand, e.reserved])).toEqual([
      ["stock.set", 10, 0, 10, 0],
      ["stock.adjusted", 5, 0, 15, 0],
      ["reservation.held", 0, 4, 15, 4],
      ["reservation.committed", -4, -4, 11, 0],
      ["reservation.held", 0, 2, 11, 2],
      ["reservation.released", 0, -2, 11, 0],
    ]);
    expect(events[1]).toMatchObject({ reason: "receipt", reference: "po-1" });
    expect(events[2]).toMatchObject({ reservationId: "r1" });
    expect(events.map((e) => e.id)).toEqual(events.map((e) => `${sku}:${warehouse}:${e.seq}`));
  });

  it("what changes nothing (refusals, repeats, reads) does not move the version", async () => {
    const { sku, warehouse, stub, ready } = newItem(3);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 2));
    const before = (await stub.getLevel())?.version;
    expect(await stub.hold(holdFor(sku, warehouse, "r2", 2))).toEqual({ ok: false, reason: "insufficient", available: 1 });
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 2))).toEqual({ ok: true });
    expect(await stub.adjust({ delta: -4, reason: "loss" })).toEqual({ ok: false, code: "negative_on_hand", onHand: 3 });
    expect(await stub.release("nope")).toEqual({ ok: false, status: "missing" });
    await stub.getLevel();
    expect((await stub.getLevel())?.version).toBe(before);
  });

  it("a count below what is reserved keeps the holds: available goes negative, holds stay", async () => {
    const { sku, warehouse, stub, ready } = newItem(5);
    await ready;
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 4))).toEqual({ ok: true });
    expect(await stub.setCount(sku, warehouse, { onHand: 1 })).toMatchObject({ ok: true, level: { onHand: 1, reserved: 4 } });
    expect(await stub.hold(holdFor(sku, warehouse, "r2", 1))).toMatchObject({ ok: false, reason: "insufficient", available: -3 });
    expect(await stub.commit("r1")).toEqual({ ok: true, status: "committed" });
    expect(await stub.getLevel()).toMatchObject({ onHand: -3, reserved: 0 });
  });

  it("adjust of a never-set item is not_found and creates nothing", async () => {
    const { stub } = newItem();
    expect(await stub.adjust({ delta: 3, reason: "receipt" }, "k1")).toEqual({ ok: false, code: "not_found" });
    expect(await stub.getLevel()).toBeNull();
  });
});

describe("StockItem: adjustment idempotency keys", () => {
  it("a repeated key returns the first result and changes nothing, even with another body", async () => {
    const { stub, ready } = newItem(10);
    await ready;
    const first = await stub.adjust({ delta: 5, reason: "receipt" }, "key-1");
    expect(first).toMatchObject({ ok: true, level: { onHand: 15, version: 2 } });
    const again = await stub.adjust({ delta: 5, reason: "receipt" }, "key-1");
    expect(again).toEqual(first);
    const other = await stub.adjust({ delta: -3, reason: "damage" }, "key-1");
    expect(other).toEqual(first);
    expect(await stub.getLevel()).toMatchObject({ onHand: 15, version: 2 });
    // Another key is another adjustment.
    expect(await stub.adjust({ delta: 5, reason: "receipt" }, "key-2")).toMatchObject({ ok: true, level: { onHand: 20, version: 3 } });
  });

  it("the first result is kept when it was negative_on_hand, even once stock would allow it", async () => {
    const { sku, warehouse, stub, ready } = newItem(2);
    await ready;
    const first = await stub.adjust({ delta: -5, reason: "loss" }, "neg-1");
    expect(first).toEqual({ ok: false, code: "negative_on_hand", onHand: 2 });
    await stub.setCount(sku, warehouse, { onHand: 100 });
    expect(await stub.adjust({ delta: -5, reason: "loss" }, "neg-1")).toEqual(first);
    expect(await stub.getLevel()).toMatchObject({ onHand: 100, version: 2 });
  });
});

describe("StockItem: holds", () => {
  it("a hold is all of the quantity or nothing, never more than available", async () => {
    const { sku, warehouse, stub, ready } = newItem(5);
    await ready;
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 3))).toEqual({ ok: true });
    expect(await stub.hold(holdFor(sku, warehouse, "r2", 3))).toEqual({ ok: false, reason: "insufficient", available: 2 });
    expect(await stub.hold(holdFor(sku, warehouse, "r3", 2))).toEqual({ ok: true });
    expect(await stub.getLevel()).toMatchObject({ onHand: 5, reserved: 5 });
    expect(await stub.hold(holdFor(sku, warehouse, "r4", 1))).toEqual({ ok: false, reason: "insufficient", available: 0 });
  });

  it("a hold on a never-set item is insufficient with 0 available", async () => {
    const { sku, warehouse, stub } = newItem();
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 1))).toEqual({ ok: false, reason: "insufficient", available: 0 });
    expect(await stub.getLevel()).toBeNull();
  });

  it("is idempotent per attempt: the same attempt again holds nothing more", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    const request = holdFor(sku, warehouse, "r1", 4);
    expect(await stub.hold(request)).toEqual({ ok: true });
    const after = await stub.getLevel();
    expect(await stub.hold(request)).toEqual({ ok: true });
    expect(await stub.hold(request)).toEqual({ ok: true });
    expect(await stub.getLevel()).toEqual(after);
    expect(after).toMatchObject({ reserved: 4, version: 2 });
  });

  it("a void tombstone refuses a hold of that attempt arriving late, and holds nothing", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.voidAttempt("late", 1);
    expect(await stub.hold(holdFor(sku, warehouse, "late", 4))).toEqual({ ok: false, reason: "refused", status: "voided" });
    expect(await stub.getLevel()).toMatchObject({ reserved: 0, version: 1 });
    // A later attempt of the same reservation may hold.
    expect(await stub.hold(holdFor(sku, warehouse, "late", 4, 2))).toEqual({ ok: true });
    expect(await stub.getLevel()).toMatchObject({ reserved: 4 });
    // The void of attempt 1 arriving after attempt 2 held changes nothing.
    await stub.voidAttempt("late", 1);
    expect(await peek(stub, "late")).toMatchObject({ reserved: 4, hold: "held" });
  });

  it("a void of a placed hold releases it, and the same attempt can never hold again", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 6))).toEqual({ ok: true });
    await stub.voidAttempt("r1", 1);
    expect(await stub.getLevel()).toMatchObject({ reserved: 0, version: 3 });
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 6))).toEqual({ ok: false, reason: "refused", status: "voided" });
    await stub.voidAttempt("r1", 1);
    expect(await stub.getLevel()).toMatchObject({ reserved: 0, version: 3 });
  });

  it("a void never undoes a commit", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 6));
    await stub.commit("r1");
    await stub.voidAttempt("r1", 1);
    expect(await peek(stub, "r1")).toMatchObject({ onHand: 4, reserved: 0, hold: "committed" });
  });

  it("a later attempt supersedes a live hold of an earlier attempt whose void never came", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 6, 1));
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 6, 2))).toEqual({ ok: true });
    expect(await stub.getLevel()).toMatchObject({ reserved: 6 });
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 6, 1))).toEqual({ ok: false, reason: "refused", status: "voided" });
  });

  it("commit drops on hand and reserved; release returns units; repeats answer unchanged; crossing is refused", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "c", 3));
    await stub.hold(holdFor(sku, warehouse, "r", 2));
    expect(await stub.commit("c")).toEqual({ ok: true, status: "committed" });
    expect(await stub.release("r")).toEqual({ ok: true, status: "released" });
    const level = await stub.getLevel();
    expect(level).toMatchObject({ onHand: 7, reserved: 0, version: 5 });
    expect(await stub.commit("c")).toEqual({ ok: true, status: "committed" });
    expect(await stub.release("r")).toEqual({ ok: true, status: "released" });
    expect(await stub.release("c")).toEqual({ ok: false, status: "committed" });
    expect(await stub.commit("r")).toEqual({ ok: false, status: "released" });
    expect(await stub.getLevel()).toEqual(level);
  });
});

describe("StockItem: expiry", () => {
  it("the alarm expires a hold whose time has come, with a reservation.expired event", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 4));
    await backdate(stub, "r1");
    // Nothing has looked at the item since: the stored level still counts the hold.
    expect(await peek(stub, "r1")).toMatchObject({ reserved: 4, hold: "held", version: 2 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await peek(stub, "r1")).toMatchObject({ onHand: 10, reserved: 0, hold: "expired", version: 3 });
    expect(await stub.commit("r1")).toEqual({ ok: false, status: "expired" });
    expect(await stub.release("r1")).toEqual({ ok: true, status: "expired" });
  });

  it("the alarm is armed for the hold's expiry and fires on its own", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    expect(await stub.hold(holdFor(sku, warehouse, "r1", 4, 1, 300))).toEqual({ ok: true });
    const deadline = Date.now() + 5_000;
    let seen = await peek(stub, "r1");
    while (seen.hold !== "expired" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await peek(stub, "r1");
    }
    expect(seen).toMatchObject({ reserved: 0, hold: "expired", version: 3 });
  });

  it("reads treat a hold past expiresAt as released before any alarm runs", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 4));
    await runInDurableObject(stub, async (_: StockItem, state) => {
      await state.storage.deleteAlarm();
    });
    await backdate(stub, "r1");
    expect(await stub.getLevel()).toMatchObject({ onHand: 10, reserved: 0, version: 3 });
    expect(await peek(stub, "r1")).toMatchObject({ hold: "expired" });
  });

  it("any call sweeps due holds first: a hold then sees the expired units as available", async () => {
    const { sku, warehouse, stub, ready } = newItem(5);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "old", 5));
    await backdate(stub, "old");
    expect(await stub.hold(holdFor(sku, warehouse, "new", 5))).toEqual({ ok: true });
    expect(await peek(stub, "old")).toMatchObject({ reserved: 5, hold: "expired" });
  });

  it("a hold asked for with an expiry already past is refused", async () => {
    const { sku, warehouse, stub, ready } = newItem(5);
    await ready;
    expect(await stub.hold({ ...holdFor(sku, warehouse, "r1", 1), expiresAt: Date.now() - 1 })).toEqual({
      ok: false,
      reason: "refused",
      status: "expired",
    });
    expect(await stub.getLevel()).toMatchObject({ reserved: 0, version: 1 });
  });

  it("a pinned hold does not expire, neither by a read nor by the alarm; released past its time it frees its units", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 4));
    expect(await stub.pin("r1")).toEqual({ ok: true, status: "pinned" });
    await backdate(stub, "r1");
    await runDurableObjectAlarm(stub);
    expect(await stub.getLevel()).toMatchObject({ reserved: 4 });
    expect(await peek(stub, "r1")).toMatchObject({ hold: "pinned" });
    expect(await stub.release("r1")).toEqual({ ok: true, status: "released" });
    expect(await peek(stub, "r1")).toMatchObject({ reserved: 0, hold: "released" });
  });

  it("a pinned hold past its time still commits", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 4));
    await stub.pin("r1");
    await backdate(stub, "r1");
    expect(await stub.commit("r1")).toEqual({ ok: true, status: "committed" });
    expect(await stub.getLevel()).toMatchObject({ onHand: 6, reserved: 0 });
  });

  it("pinning an expired hold is refused with its status", async () => {
    const { sku, warehouse, stub, ready } = newItem(10);
    await ready;
    await stub.hold(holdFor(sku, warehouse, "r1", 4));
    await backdate(stub, "r1");
    expect(await stub.pin("r1")).toEqual({ ok: false, status: "expired" });
    expect(await stub.getLevel()).toMatchObject({ reserved: 0 });
  });
});
