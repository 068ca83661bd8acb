import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { consumeEvents, DEAD_LETTER_QUEUE } from "../../src/events/consumer";
import type { StockEvent } from "../../src/events/event";
import worker from "../../src/index";
import { storedEvents, storedProjection, syntheticEvent, unique } from "./support";

let messageNumber = 0;

async function deliver(bodies: unknown[], options: { attempts?: number; db?: D1Database; queue?: string } = {}) {
  const messages = bodies.map((body) => ({
    id: `msg-${++messageNumber}`,
    timestamp: new Date(),
    attempts: options.attempts ?? 1,
    body,
  }));
  const batch = createMessageBatch(options.queue ?? "stockflare-events", messages);
  // getQueueResult reports which messages were retried but not the delay asked for.
  const retryOptions = batch.messages.map((message) => vi.spyOn(message, "retry"));
  const ctx = createExecutionContext();
  // The Worker's own queue handler, or the consumer over a stand-in D1.
  if (options.db === undefined) await worker.queue(batch, env);
  else await consumeEvents(batch, { DB: options.db });
  const result = await getQueueResult(batch, ctx);
  return { ids: messages.map((m) => m.id), result, retryCalls: retryOptions.map((spy) => spy.mock.calls) };
}

/** The item's D1 state with its name taken out, so two items' histories can be compared. */
async function snapshot(sku: string, warehouse: string) {
  const events = (await storedEvents(sku, warehouse)).map((e) => ({ ...e, id: e.id.replace(`${sku}:${warehouse}:`, "") }));
  return { events, projection: await storedProjection(sku, warehouse) };
}

/** A history with every kind of change, its counters consistent step by step. */
function history(sku: string, warehouse: string, length: number): StockEvent[] {
  const out: StockEvent[] = [];
  let onHand = 0;
  let reserved = 0;
  for (let seq = 1; seq <= length; seq++) {
    const kind = seq === 1 ? 0 : seq % 4;
    const change =
      kind === 0
        ? { type: "stock.set" as const, onHandDelta: 10, reservedDelta: 0 }
        : kind === 1
          ? { type: "reservation.held" as const, onHandDelta: 0, reservedDelta: 2, reservationId: `r${seq}` }
          : kind === 2
            ? { type: "reservation.committed" as const, onHandDelta: -2, reservedDelta: -2, reservationId: `r${seq - 1}` }
            : { type: "stock.adjusted" as const, onHandDelta: -1, reservedDelta: 0, reason: "damage" };
    onHand += change.onHandDelta;
    reserved += change.reservedDelta;
    out.push(syntheticEvent(sku, warehouse, seq, { reason: undefined, ...change, onHand, reserved }));
  }
  return out.map(({ reason, ...rest }) => (reason === undefined ? rest : { ...rest, reason }));
}

/** Records a D1 failure on the calls `failOn` picks; everything else goes to the real D1. */
function flakyDb(failOn: (call: number) => boolean): D1Database {
  let call = 0;
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) =>
          failOn(call++) ? Promise.reject(new Error("D1 is unavailable")) : target.batch(statements);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("queue consumer", () => {
  it("records a batch of events with the projection at the highest seq, acking each message", async () => {
    const sku = unique("cons");
    const events = history(sku, "WH1", 7);
    const { ids, result } = await deliver(events);

    expect(result.ackAll).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual([...ids].sort());
    const stored = await storedEvents(sku, "WH1");
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const last = events[6]!;
    expect(stored[6]).toMatchObject({
      id: last.id,
      type: last.type,
      on_hand_delta: last.onHandDelta,
      reserved_delta: last.reservedDelta,
      on_hand: last.onHand,
      reserved: last.reserved,
      at: last.at,
      at_ms: Date.parse(last.at),
    });
    expect(await storedProjection(sku, "WH1")).toEqual({
      on_hand: last.onHand,
      reserved: last.reserved,
      last_seq: 7,
      updated_at: Date.parse(last.at),
    });
  });

  it("writes batches larger than one statement can bind (D1 allows 100 parameters)", async () => {
    const sku = unique("big");
    const events = [...history(sku, "WH1", 60), ...history(sku, "WH2", 40)];
    const { result } = await deliver(events);
    expect(result.explicitAcks).toHaveLength(100);
    expect(await storedEvents(sku, "WH1")).toHaveLength(60);
    expect(await storedEvents(sku, "WH2")).toHaveLength(40);
    expect((await storedProjection(sku, "WH2"))?.last_seq).toBe(40);
  });

  it("records full batches one after another (and logs the rate)", async () => {
    const sku = unique("rate");
    const batches = Array.from({ length: 10 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => syntheticEvent(sku, `W${i % 10}`, b * 10 + Math.floor(i / 10) + 1)),
    );
    const started = performance.now();
    for (const batch of batches) {
      const { result } = await deliver(batch);
      expect(result.explicitAcks).toHaveLength(100);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`[events] consumer wrote 1000 events in 10 batches: ${(1000 / seconds).toFixed(0)} events/s (local D1)`);
    for (let w = 0; w < 10; w++) expect((await storedProjection(sku, `W${w}`))?.last_seq).toBe(100);
  });

  it("leaves D1 identical under duplicate and out-of-order delivery", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        async (length, extraPicks, batchSizes, seed) => {
          const reference = unique("ref");
          const scrambled = unique("mix");
          await deliver(history(reference, "W", length));

          // Every event at least once, some again, in a shuffled order, split into batches.
          const events = history(scrambled, "W", length);
          const deliveries = [...events, ...extraPicks.map((i) => events[i % length]!)];
          let state = seed;
          for (let i = deliveries.length - 1; i > 0; i--) {
            state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
            const j = state % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          for (let i = 0, b = 0; i < deliveries.length; b++) {
            const size = batchSizes[b % batchSizes.length]!;
            const { result } = await deliver(deliveries.slice(i, i + size));
            expect(result.retryMessages).toEqual([]);
            i += size;
          }

          const want = await snapshot(reference, "W");
          const got = await snapshot(scrambled, "W");
          // Times are the same by construction; only the order of recording may differ.
          expect(got).toEqual(want);
          expect(got.events.map((e) => e.seq)).toEqual(Array.from({ length }, (_, i) => i + 1));
        },
      ),
      { numRuns: 12 },
    );
  });

  it("retries a poison message, acks the rest of its batch, and never throws", async () => {
    const sku = unique("poison");
    const good = history(sku, "WH1", 3);
    const bodies: unknown[] = [
      good[0],
      "not json at all",
      { ...good[1]!, seq: "two" },
      good[1],
      { ...good[2]!, id: `${sku}:WH1:99` },
      null,
      { ...good[2]!, type: "stock.teleported" },
      good[2],
    ];
    for (const attempts of [1, 5, 6]) {
      const { ids, result } = await deliver(bodies, { attempts });
      const poison = [ids[1], ids[2], ids[4], ids[5], ids[6]];
      expect(result.outcome).toBe("ok");
      expect(result.ackAll).toBe(false);
      expect(result.retryBatch.retry).toBe(false);
      expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual([...poison].sort());
      expect([...result.explicitAcks].sort()).toEqual([ids[0], ids[3], ids[7]].sort());
    }
    expect((await storedEvents(sku, "WH1")).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it("on the dead-letter queue, writes what it can, drops malformed messages, and retries failed writes slowly", async () => {
    const sku = unique("dlq");
    const good = history(sku, "WH1", 3);
    const { ids, result } = await deliver([good[0], "not json at all", good[1], { ...good[2]!, seq: "three" }, good[2]], {
      queue: DEAD_LETTER_QUEUE,
      attempts: 7,
    });
    expect(result.retryMessages).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual([...ids].sort());
    expect((await storedEvents(sku, "WH1")).map((e) => e.seq)).toEqual([1, 2, 3]);

    const later = history(unique("dlq-d1-down"), "WH1", 2);
    const failing = await deliver(later, { queue: DEAD_LETTER_QUEUE, db: flakyDb(() => true) });
    expect(failing.result.retryMessages.map((m) => m.msgId).sort()).toEqual([...failing.ids].sort());
    expect(failing.retryCalls).toEqual([[[{ delaySeconds: 300 }]], [[{ delaySeconds: 300 }]]]);
  });

  it("falls back to one write per message when the batch write fails", async () => {
    const sku = unique("fallback");
    const events = history(sku, "WH1", 4);
    const { ids, result } = await deliver(events, { db: flakyDb((call) => call === 0) });
    expect([...result.explicitAcks].sort()).toEqual([...ids].sort());
    expect(result.retryMessages).toEqual([]);
    expect((await storedEvents(sku, "WH1")).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("retries only the message whose own write failed, with a delay", async () => {
    const sku = unique("partial");
    const events = history(sku, "WH1", 4);
    // Call 0 is the whole batch; calls 1..4 are the messages one by one: the third fails.
    const { ids, result, retryCalls } = await deliver(events, {
      db: flakyDb((call) => call === 0 || call === 3),
      attempts: 2,
    });
    expect(result.retryMessages).toEqual([{ msgId: ids[2] }]);
    expect(retryCalls[2]).toEqual([[{ delaySeconds: 4 }]]);
    expect([...result.explicitAcks].sort()).toEqual([ids[0], ids[1], ids[3]].sort());
    expect((await storedEvents(sku, "WH1")).map((e) => e.seq)).toEqual([1, 2, 4]);
    // The projection already moved to 4; the late 3 still lands, and does not move it back.
    const { result: again } = await deliver([events[2]]);
    expect(again.retryMessages).toEqual([]);
    expect((await storedEvents(sku, "WH1")).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect((await storedProjection(sku, "WH1"))?.last_seq).toBe(4);
  });

  // Under `wrangler dev` every logged stack makes wrangler read the bundle's source map while
  // workerd waits on its full stdout: a stack per message stalled every request of the server
  // during a D1 outage (docs/reliability.md). One line per batch, whatever its size.
  it("while D1 is down, logs one line per batch, without a stack, and retries every message", async () => {
    const events = history(unique("d1-down-log"), "WH1", 100);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const { ids, result } = await deliver(events, { db: flakyDb(() => true), attempts: 3 });
      expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual([...ids].sort());
      expect(logged).toHaveBeenCalledTimes(1);
      const [line, ...rest] = logged.mock.calls[0] ?? [];
      expect(rest).toEqual([]);
      expect(typeof line).toBe("string");
      expect(line).toMatch(/batch of 100 events to D1 failed \(Error: D1 is unavailable\); 100 retried, in up to 8 s$/);
      expect(line).not.toMatch(/\n\s+at /);
    } finally {
      logged.mockRestore();
    }
  });
});
