import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startServer } from "./server";

/**
 * Live availability under the real `npm start`, over a real WebSocket (Node's global
 * `WebSocket`, a browser's API): a watcher authenticated the way a browser is (subprotocols)
 * sees the level on connect, then follows reservations, commits and releases made by other
 * clients, and its last message is the item's final level. A second watcher on a pooled item
 * does the same while the item's members sell.
 */

let server: DevServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

interface Message {
  at: number;
  body: { type: string; level: Record<string, any> | null };
}

async function json<T = any>(path: string, init?: Parameters<DevServer["fetch"]>[1]): Promise<{ status: number; body: T }> {
  const response = await server.fetch(path, init);
  return { status: response.status, body: (await response.json()) as T };
}

/** Opens the live route as a browser would; resolves once open, rejects if refused. */
function watch(path: string, protocols: string[]): Promise<{ ws: WebSocket; messages: Message[] }> {
  const url = `${server.baseUrl.replace(/^http/, "ws")}${path}/live`;
  const ws = new WebSocket(url, protocols);
  const messages: Message[] = [];
  ws.addEventListener("message", (event) => messages.push({ at: Date.now(), body: JSON.parse(String(event.data)) }));
  return new Promise((resolve, reject) => {
    ws.addEventListener("open", () => resolve({ ws, messages }), { once: true });
    ws.addEventListener("error", () => reject(new Error("the WebSocket was refused")), { once: true });
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server.output().slice(-2000)}`);
    await sleep(20);
  }
}

describe("live availability end to end", () => {
  it("a watcher follows reservations over a real WebSocket and ends on the final level", async () => {
    const sku = `E2E-LIVE-${Math.random().toString(36).slice(2, 8)}`;
    const path = `/v1/stock/${sku}/wh`;
    expect((await json(path, { method: "PUT", json: { onHand: 60 } })).status).toBe(200);

    const { ws, messages } = await watch(path, ["stockflare.v1", `bearer.${base64url(server.token)}`]);
    expect(ws.protocol).toBe("stockflare.v1");
    const first = await until("the first message", () => messages[0]);
    expect(first.body).toEqual({ type: "level", level: (await json(path)).body });

    // Other clients: 80 one-to-three-unit reservations at once (more than there is), then every
    // acknowledged one committed or (one in four) released.
    const start = Date.now();
    const placed = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        json("/v1/reservations", { method: "POST", json: { id: `${sku}-${i}`, lines: [{ sku, warehouse: "wh", quantity: 1 + (i % 3) }] } }),
      ),
    );
    const held = placed.filter((p) => p.status === 201).map((p) => p.body.id as string);
    expect(held.length).toBeGreaterThan(0);
    expect(placed.every((p) => p.status === 201 || p.status === 409)).toBe(true);
    await Promise.all(
      held.map((id, i) => server.fetch(`/v1/reservations/${id}/${i % 4 === 1 ? "release" : "commit"}`, { method: "POST" })),
    );

    const final = (await json(path)).body;
    expect(final.version).toBeGreaterThan(held.length);
    const last = await until("the final level", () => messages.find((m) => m.body.level?.version === final.version));
    await sleep(500);
    // Nothing after it, and it is exactly the level GET answers.
    expect(messages.at(-1)?.body).toEqual({ type: "level", level: final });
    // Coalesced: never more than one message per 100 ms (plus the first, and one at each end).
    const during = messages.filter((m) => m.at >= start).length;
    expect(during, `${during} messages in ${last.at - start} ms for ${final.version - 1} changes`).toBeLessThanOrEqual(
      Math.floor((last.at - start) / 100) + 2,
    );
    const versions = messages.map((m) => m.body.level?.version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    ws.close(1000);
  });

  it("a pooled item's watcher ends on the item's exact level while its members sell", async () => {
    const sku = `E2E-LIVE-POOL-${Math.random().toString(36).slice(2, 8)}`;
    const path = `/v1/stock/${sku}/wh`;
    expect((await json(path, { method: "PUT", json: { onHand: 50, shards: 4 } })).status).toBe(200);
    const { ws, messages } = await watch(path, ["stockflare.v1", `bearer.${base64url(server.token)}`]);
    await until("the first message", () => messages[0]);
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        server.fetch("/v1/reservations", { method: "POST", json: { id: `${sku}-${i}`, lines: [{ sku, warehouse: "wh", quantity: 1 }] } }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(50);
    const final = (await json(path)).body;
    expect(final).toMatchObject({ onHand: 50, reserved: 50, available: 0, shards: 4 });
    await until("the final level", () => (JSON.stringify(messages.at(-1)?.body.level) === JSON.stringify(final) ? true : undefined));
    ws.close(1000);
  });

  it("refuses a WebSocket without the token, and a plain GET with 426", async () => {
    const path = `/v1/stock/E2E-LIVE-NONE/wh`;
    await expect(watch(path, ["stockflare.v1"])).rejects.toThrow(/refused/);
    await expect(watch(path, ["stockflare.v1", `bearer.${base64url("wrong")}`])).rejects.toThrow(/refused/);
    const plain = await server.fetch(`${path}/live`);
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ code: "upgrade_required", status: 426 });
  });
});
