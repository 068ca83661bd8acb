import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";
import { storedEvents, unique, waitForEvents, withQueue } from "./support";

/** Shipped events waiting for D1 to be checked for them. */
async function shippedSeqs(stub: DurableObjectStub<StockItem>): Promise<number[]> {
  return runInDurableObject(stub, (_instance: StockItem, state) =>
    state.storage.sql
      .exec<{ seq: number }>("SELECT seq FROM outbox WHERE shipped_at IS NOT NULL ORDER BY seq")
      .toArray()
      .map((row) => row.seq),
  );
}

/** Moves the shipping time back, as if the confirmation delay (10 s) had passed. */
async function ageShipments(stub: DurableObjectStub<StockItem>): Promise<void> {
  await runInDurableObject(stub, (_instance: StockItem, state) => {
    state.storage.sql.exec("UPDATE outbox SET shipped_at = shipped_at - 60000 WHERE shipped_at IS NOT NULL");
  });
}

async function pendingSeqs(stub: DurableObjectStub<StockItem>): Promise<number[]> {
  return runInDurableObject(stub, (_instance: StockItem, state) =>
    state.storage.sql
      .exec<{ seq: number }>("SELECT seq FROM outbox WHERE shipped_at IS NULL ORDER BY seq")
      .toArray()
      .map((row) => row.seq),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("shipping the outbox to the Queue", () => {
  it("ships a change's event from the change's own invocation: in D1 with no alarm run", async () => {
    const sku = unique("direct");
    const stub = stockItem(env, sku, "WH1");
    await stub.setCount(sku, "WH1", { onHand: 4 });
    await stub.adjust({ delta: 1, reason: "receipt" });
    const events = await waitForEvents(sku, "WH1", 2);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    // Shipped: the backstop alarm gave way to the confirmation, 10 s after shipping.
    const alarm = await runInDurableObject(stub, (_: StockItem, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm as number).toBeGreaterThan(Date.now() + 5_000);
  });

  it("without D1 confirmation (a durable Queue), a shipped event leaves the outbox at once and no alarm is left for it", async () => {
    const sku = unique("durable");
    const stub = stockItem(env, sku, "WH1");
    await runInDurableObject(stub, (instance: StockItem) => {
      // As deployed: CONFIRM_EVENTS_IN_D1 is "false" in wrangler.toml.
      (instance as unknown as { shipping: { confirmInD1: boolean } }).shipping.confirmInD1 = false;
    });
    await stub.setCount(sku, "WH1", { onHand: 4 });
    await stub.adjust({ delta: -1, reason: "damage" });
    await waitForEvents(sku, "WH1", 2);
    await vi.waitFor(async () => {
      expect(await pendingSeqs(stub)).toEqual([]);
      expect(await shippedSeqs(stub)).toEqual([]);
      // Nothing held, no alert work: nothing is due, so no alarm rings for this item.
      expect(await runInDurableObject(stub, (_: StockItem, state) => state.storage.getAlarm())).toBeNull();
    });
  });

  it("keeps events through a failed send and ships each exactly once when the Queue is back", async () => {
    const sku = unique("ship");
    const stub = stockItem(env, sku, "WH1");
    const sent: number[][] = [];
    let queueUp = false;
    await withQueue(stub, (real) => async (messages, options) => {
      sent.push([...messages].map((m) => (m.body as { seq: number }).seq));
      if (!queueUp) throw new Error("queue unavailable");
      return real(messages, options);
    });
    await runInDurableObject(stub, async (instance: StockItem) => {
      await instance.setCount(sku, "WH1", { onHand: 10 });
      await instance.adjust({ delta: -2, reason: "damage" });
      await instance.adjust({ delta: 5, reason: "receipt" });
    });

    // The changes' own shipping and the alarm try; every attempt fails the same way and
    // offers every pending event from seq 1 on.
    await runDurableObjectAlarm(stub);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.every((seqs) => seqs[0] === 1 && seqs.every((seq, i) => seq === i + 1))).toBe(true);
    expect(sent.at(-1)).toEqual([1, 2, 3]);
    expect(await pendingSeqs(stub)).toEqual([1, 2, 3]);
    expect(await storedEvents(sku, "WH1")).toEqual([]);

    // The failed alarm re-armed itself; run the retry now instead of in 5 seconds.
    queueUp = true;
    const attempts = sent.length;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(sent.slice(attempts)).toEqual([[1, 2, 3]]);
    expect(await pendingSeqs(stub)).toEqual([]);
    const events = await waitForEvents(sku, "WH1", 3);
    expect(events.map((e) => [e.seq, e.on_hand])).toEqual([
      [1, 10],
      [2, 8],
      [3, 13],
    ]);
  });

  it("records a send that went through but looked failed only once", async () => {
    const sku = unique("twice");
    const stub = stockItem(env, sku, "WH1");
    let calls = 0;
    let flaky = true;
    await withQueue(stub, (real) => async (messages, options) => {
      calls++;
      const response = await real(messages, options);
      // The Queue has the messages, but the object hears an error: it must send them again.
      if (flaky) throw new Error("connection reset after send");
      return response;
    });
    await runInDurableObject(stub, async (instance: StockItem) => {
      await instance.setCount(sku, "WH1", { onHand: 3 });
      await instance.adjust({ delta: 1, reason: "return" });
    });

    await runDurableObjectAlarm(stub);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(await pendingSeqs(stub)).toEqual([1, 2]);
    flaky = false;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(await pendingSeqs(stub)).toEqual([]);

    await waitForEvents(sku, "WH1", 2);
    // Give the second copies time to pass through the consumer (batches wait up to 1 s).
    await sleep(2_500);
    const events = await storedEvents(sku, "WH1");
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(events.map((e) => e.on_hand)).toEqual([3, 4]);
  });

  it("sends again an event the Queue accepted but lost, once D1 is seen not to have it", async () => {
    const sku = unique("lost");
    const stub = stockItem(env, sku, "WH1");
    let dropping = true;
    let sends = 0;
    await withQueue(stub, (real) => async (messages, options) => {
      sends++;
      // Accepted, then lost: what a local Queue does with its messages when the server dies.
      if (dropping) return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } } as unknown as QueueSendBatchResponse;
      return real(messages, options);
    });
    await runInDurableObject(stub, async (instance: StockItem) => {
      await instance.setCount(sku, "WH1", { onHand: 7 });
      await instance.adjust({ delta: -1, reason: "loss" });
    });
    await runDurableObjectAlarm(stub);
    expect(sends).toBeGreaterThanOrEqual(1);
    expect(await pendingSeqs(stub)).toEqual([]);
    expect(await shippedSeqs(stub)).toEqual([1, 2]);
    dropping = false;

    // Too early to judge: nothing happens to events shipped less than 10 s ago.
    await runDurableObjectAlarm(stub);
    expect(await shippedSeqs(stub)).toEqual([1, 2]);

    await ageShipments(stub);
    await runDurableObjectAlarm(stub); // D1 lacks them: pending again
    await runDurableObjectAlarm(stub); // and sent
    const events = await waitForEvents(sku, "WH1", 2);
    expect(events.map((e) => [e.seq, e.on_hand])).toEqual([
      [1, 7],
      [2, 6],
    ]);

    // Once D1 holds them, the next confirmation lets them go.
    await ageShipments(stub);
    await runDurableObjectAlarm(stub);
    expect(await shippedSeqs(stub)).toEqual([]);
    expect(await pendingSeqs(stub)).toEqual([]);
  });
});
