import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startServer } from "./server";

/**
 * Change events reach D1 under the real `npm start`, and none is lost or repeated when the
 * whole server is killed (SIGKILL) right after a burst, while events are still in outboxes
 * and in the Queue: after a restart on the same state every item's events in D1 run
 * 1..version, and reconcile finds no drift.
 *
 * Also measures (logs, never asserts): time from a change to its event in D1, and the rate
 * at which a burst's events land in D1.
 */

interface Level {
  onHand: number;
  reserved: number;
  version: number;
}

interface EventsPage {
  events: { seq: number; onHandDelta: number; reservedDelta: number; onHand: number; reserved: number }[];
  next: string | null;
}

interface Item {
  sku: string;
  warehouse: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

let server: DevServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.cleanup();
});

async function json<T>(path: string, init?: Parameters<DevServer["fetch"]>[1]): Promise<{ status: number; body: T }> {
  const response = await server.fetch(path, init);
  return { status: response.status, body: (await response.json()) as T };
}

async function eventsOf(item: Item): Promise<EventsPage["events"]> {
  const all: EventsPage["events"] = [];
  let after: string | null = null;
  do {
    const cursor: string = after === null ? "" : `&after=${encodeURIComponent(after)}`;
    const { status, body } = await json<EventsPage>(`/v1/events?sku=${item.sku}&warehouse=${item.warehouse}&limit=500${cursor}`);
    if (status !== 200) throw new Error(`GET /v1/events answered ${status}`);
    all.push(...body.events);
    after = body.next;
  } while (after !== null);
  return all.sort((a, b) => a.seq - b.seq);
}

/** Runs `tasks` with at most `width` in flight. */
async function inParallel(tasks: (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

/** Mixed traffic on `items`: adjustments, reservations committed, released or left to expire. */
function burst(items: Item[], count: number, run: string): (() => Promise<unknown>)[] {
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < count; i++) {
    const item = items[i % items.length]!;
    const other = items[(i + 1) % items.length]!;
    const path = `/v1/stock/${item.sku}/${item.warehouse}`;
    switch (i % 5) {
      case 0:
        tasks.push(() => server.fetch(`${path}/adjustments`, { method: "POST", json: { delta: 3, reason: "receipt" } }));
        break;
      case 1:
        tasks.push(() => server.fetch(`${path}/adjustments`, { method: "POST", json: { delta: -1, reason: "damage" } }));
        break;
      default: {
        const id = `e2e-ev-${run}-${i}`;
        const lines = [
          { sku: item.sku, warehouse: item.warehouse, quantity: 1 },
          ...(other === item ? [] : [{ sku: other.sku, warehouse: other.warehouse, quantity: 1 }]),
        ];
        const end = i % 5 === 2 ? "commit" : i % 5 === 3 ? "release" : null;
        tasks.push(async () => {
          const placed = await server.fetch("/v1/reservations", { method: "POST", json: { id, lines, ttlSeconds: end === null ? 2 : 60 } });
          if (placed.status === 201 && end !== null) await server.fetch(`/v1/reservations/${id}/${end}`, { method: "POST" });
        });
      }
    }
  }
  return tasks;
}

/** Until every item's events in D1 are exactly 1..version and reconcile finds nothing amiss. */
async function waitUntilSettled(items: Item[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const states = await Promise.all(
      items.map(async (item) => {
        const { body: level } = await json<Level>(`/v1/stock/${item.sku}/${item.warehouse}`);
        const events = await eventsOf(item);
        return { item, level, events };
      }),
    );
    const complete = states.every(({ level, events }) => events.length === level.version && events.every((e, i) => e.seq === i + 1));
    const { status, body: report } = await json<{ checked: number; drifted: unknown[]; lagging: unknown[] }>("/v1/admin/reconcile", {
      method: "POST",
      json: { items },
    });
    last = JSON.stringify({ status, report, seqs: states.map((s) => [s.level.version, s.events.length]) });
    if (complete && status === 200 && report.drifted.length === 0 && report.lagging.length === 0) return states;
    await sleep(250);
  }
  throw new Error(`D1 did not settle: ${last}\n${server.output().slice(-3000)}`);
}

describe("events end to end", () => {
  it("gets each change into D1, and loses or repeats none across a SIGKILL", async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const items: Item[] = ["A", "B", "C"].flatMap((s) => ["w1", "w2"].map((w) => ({ sku: `EV-${s}-${run}`, warehouse: `${w}-${run}` })));
    for (const item of items) {
      const r = await server.fetch(`/v1/stock/${item.sku}/${item.warehouse}`, { method: "PUT", json: { onHand: 100 } });
      expect(r.status).toBe(200);
    }

    // Latency: from a change's answer to its event being readable in D1.
    const probe = { sku: `EV-P-${run}`, warehouse: `w1-${run}` };
    const latencies: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { body: level } = await json<Level>(`/v1/stock/${probe.sku}/${probe.warehouse}`, { method: "PUT", json: { onHand: i } });
      const answered = Date.now();
      for (;;) {
        const { body } = await json<EventsPage>(`/v1/events?sku=${probe.sku}&warehouse=${probe.warehouse}&type=stock.set&limit=500`);
        if (body.events.some((e) => e.seq === level.version)) break;
        if (Date.now() - answered > 30_000) throw new Error(`event ${level.version} not in D1 after 30 s\n${server.output().slice(-5000)}`);
        await sleep(20);
      }
      latencies.push(Date.now() - answered);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `[events e2e] change → D1 latency over ${latencies.length} samples: p50 ${percentile(latencies, 0.5)} ms, max ${latencies.at(-1)} ms`,
    );

    // Throughput: a burst, then how fast its events land in D1.
    const started = Date.now();
    const before = await Promise.all(
      items.map(async (item) => (await json<Level>(`/v1/stock/${item.sku}/${item.warehouse}`)).body.version),
    );
    await inParallel(burst(items, 150, `${run}-a`), 12);
    const answeredAt = Date.now();
    const settled = await waitUntilSettled(items, 60_000);
    const written = settled.reduce((sum, s, i) => sum + s.level.version - before[i]!, 0);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `[events e2e] burst: ${written} events from 150 requests in ${seconds.toFixed(1)} s ` +
        `(${(written / seconds).toFixed(0)} events/s end to end; all in D1 ${Date.now() - answeredAt} ms after the last answer)`,
    );

    // The crash: another burst, killed the moment it is answered, events still on their way.
    await inParallel(burst(items, 150, `${run}-b`), 12);
    await server.kill("SIGKILL");
    await server.restart();
    const restarted = Date.now();
    const everything = [...items, probe];
    const atRestart = await Promise.all(
      everything.map(async (item) => ({
        version: (await json<Level>(`/v1/stock/${item.sku}/${item.warehouse}`)).body.version,
        inD1: (await eventsOf(item)).length,
      })),
    );

    const after = await waitUntilSettled(everything, 90_000);
    const sumOf = (key: "version" | "inD1") => atRestart.reduce((sum, s) => sum + s[key], 0);
    console.log(
      `[events e2e] after the SIGKILL: ${sumOf("inD1")} of ${sumOf("version")} events were in D1; ` +
        `all there ${Date.now() - restarted} ms after the restart`,
    );
    for (const { level, events } of after) {
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: level.version }, (_, i) => i + 1));
      // The recorded deltas add up to the level the object holds.
      const sum = events.reduce((s, e) => ({ onHand: s.onHand + e.onHandDelta, reserved: s.reserved + e.reservedDelta }), {
        onHand: 0,
        reserved: 0,
      });
      expect(sum).toEqual({ onHand: level.onHand, reserved: level.reserved });
    }
    const { body: report } = await json<{ checked: number; drifted: unknown[] }>("/v1/admin/reconcile", { method: "POST" });
    expect(report.checked).toBeGreaterThanOrEqual(after.length);
    expect(report.drifted).toEqual([]);
  });
});
