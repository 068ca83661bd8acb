import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startServer } from "./server";

/**
 * Low-stock webhooks under the real `npm start`: a receiver on 127.0.0.1 (allowed because
 * .dev.vars sets WEBHOOK_ALLOW_HTTP=true) subscribes, stock is reserved below the threshold,
 * and the signed alert arrives from the stock item's alarm, is retried after a 500, and
 * stops once the subscription is deleted.
 *
 * The 5 s bound on the first delivery is the contract's guarantee ("first attempt within
 * 5 seconds"), used as the deadline of the wait; the measured times are printed.
 */

interface Hit {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** A webhook receiver: records every request; `status(path, n)` answers the n-th hit of a path. */
class Receiver {
  readonly hits: Hit[] = [];
  private server: Server | null = null;

  constructor(private readonly status: (path: string, n: number) => number) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
        this.hits.push({ path, headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        res.statusCode = this.status(path, this.at(path).length);
        res.end();
      });
    });
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Hit[] {
    return this.hits.filter((hit) => hit.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((done) => this.server?.close(done));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `count` hits reached `path`, or fails after `withinMs`. */
async function waitForHits(receiver: Receiver, path: string, count: number, withinMs: number): Promise<Hit[]> {
  const deadline = Date.now() + withinMs;
  while (receiver.at(path).length < count) {
    if (Date.now() > deadline) {
      throw new Error(`${path}: ${receiver.at(path).length} of ${count} deliveries within ${withinMs} ms`);
    }
    await sleep(20);
  }
  return receiver.at(path);
}

let server: DevServer;
const receiver = new Receiver((path, n) => (path.startsWith("/down") || (path === "/flaky" && n === 1) ? 500 : 200));
let receiverUrl: string;

beforeAll(async () => {
  receiverUrl = await receiver.start();
  server = await startServer();
});

afterAll(async () => {
  await server?.cleanup();
  await receiver.stop();
});

const run = Math.random().toString(36).slice(2, 8);
const warehouse = "e2e-hooks";

async function subscribe(path: string, sku: string): Promise<{ id: string; secret: string }> {
  const r = await server.fetch("/v1/webhooks", { method: "POST", json: { url: `${receiverUrl}${path}`, sku } });
  expect(r.status, await r.clone().text()).toBe(201);
  return (await r.json()) as { id: string; secret: string };
}

/** Puts `onHand` 10 with threshold 5, then reserves 6: available drops to 4. Returns when the reservation was answered. */
async function crossBelowThreshold(sku: string): Promise<number> {
  let r = await server.fetch(`/v1/stock/${sku}/${warehouse}`, {
    method: "PUT",
    json: { onHand: 10, lowStockThreshold: 5, reorderQuantity: 20 },
  });
  expect(r.status).toBe(200);
  r = await server.fetch("/v1/reservations", { method: "POST", json: { lines: [{ sku, warehouse, quantity: 6 }] } });
  expect(r.status).toBe(201);
  return Date.now();
}

describe("webhooks end to end", () => {
  it("delivers a signed stock.low within 5 seconds of the crossing", async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const sku = `HOOK-${run}-${i}`;
      const path = `/low-${i}`;
      const { secret } = await subscribe(path, sku);
      const crossedAt = await crossBelowThreshold(sku);
      const [hit] = await waitForHits(receiver, path, 1, 5_000);
      if (hit === undefined) throw new Error("no delivery");
      latencies.push(hit.at - crossedAt);
      const body = new Webhook(secret).verify(hit.body, hit.headers);
      expect(body).toEqual({
        id: hit.headers["webhook-id"],
        type: "stock.low",
        timestamp: expect.any(String),
        data: {
          sku,
          warehouse,
          onHand: 10,
          reserved: 6,
          available: 4,
          lowStockThreshold: 5,
          reorderQuantity: 20,
          suggestedReorderQuantity: 20,
        },
      });
    }
    console.log(`webhook e2e: crossing → delivery (ms): ${latencies.join(", ")}`);
  });

  it("retries after the receiver answers 500", async () => {
    const sku = `HOOK-${run}-flaky`;
    const { id, secret } = await subscribe("/flaky", sku);
    const crossedAt = await crossBelowThreshold(sku);
    // First attempt at once, the retry 5 s (± 20 %) later.
    const [first, second] = await waitForHits(receiver, "/flaky", 2, 20_000);
    if (first === undefined || second === undefined) throw new Error("no retry");
    console.log(`webhook e2e: first attempt ${first.at - crossedAt} ms, retry ${second.at - first.at} ms later`);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(new Webhook(secret).verify(second.body, second.headers)).toMatchObject({ type: "stock.low" });
    expect(second.at - first.at).toBeGreaterThanOrEqual(3_000);

    let recorded: { attempt: number; status: string; responseStatus: number | null }[] = [];
    for (let i = 0; i < 50 && recorded.length < 2; i++) {
      const r = await server.fetch(`/v1/webhooks/${id}/deliveries`);
      recorded = ((await r.json()) as { deliveries: typeof recorded }).deliveries;
      if (recorded.length < 2) await sleep(100);
    }
    expect(recorded.map(({ attempt, status, responseStatus }) => ({ attempt, status, responseStatus }))).toEqual([
      { attempt: 2, status: "succeeded", responseStatus: 200 },
      { attempt: 1, status: "retrying", responseStatus: 500 },
    ]);
  });

  it("stops delivering once the subscription is deleted", async () => {
    const sku = `HOOK-${run}-deleted`;
    const deleted = await subscribe("/down", sku);
    await subscribe("/down-kept", sku);
    await crossBelowThreshold(sku);
    await waitForHits(receiver, "/down", 1, 5_000);
    await waitForHits(receiver, "/down-kept", 1, 5_000);
    const r = await server.fetch(`/v1/webhooks/${deleted.id}`, { method: "DELETE" });
    expect(r.status).toBe(204);
    // Both failed; the kept subscription's retry (4 to 6 s later) shows retries are running.
    // The deleted one's retry was due in the same window: wait out the widest jitter spread.
    await waitForHits(receiver, "/down-kept", 2, 20_000);
    await sleep(3_000);
    expect(receiver.at("/down")).toHaveLength(1);
  });
});
