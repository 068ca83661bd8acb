import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { CHANNEL_CACHE_MS, clearChannelCacheForTests } from "../../src/channels/directory";
import { createApp } from "../../src/http/app";
import { TOKEN, unique } from "./client";

/**
 * D1 is a dependency that can be down: routes that need it answer `503 unavailable` with
 * `Retry-After`, never 500, and the reserve path, which never uses D1, keeps working.
 * The app is served here with a D1 that fails every call, the way an unreachable one does.
 */

const failure = () => Promise.reject(new Error("D1_ERROR: Network connection lost."));

const downStatement: D1PreparedStatement = {
  bind: () => downStatement,
  first: failure,
  all: failure,
  run: failure,
  raw: failure,
} as unknown as D1PreparedStatement;

const downD1 = {
  prepare: () => downStatement,
  batch: failure,
  exec: failure,
  dump: failure,
  withSession: () => downD1,
} as unknown as D1Database;

const app = createApp();

async function callWithD1Down(method: string, path: string, json?: unknown) {
  return callWith(downD1, method, path, json);
}

async function callWith(db: D1Database, method: string, path: string, json?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (json !== undefined) headers["content-type"] = "application/json";
  const response = await app.fetch(
    new Request(`http://stockflare.test${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) }),
    { ...env, DB: db },
    createExecutionContext(),
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("with D1 unreachable", () => {
  const routes: [string, string, unknown?][] = [
    ["GET", "/v1/events"],
    ["GET", "/v1/events?sku=X1&limit=5"],
    ["GET", "/v1/analytics/stock/X1/wh"],
    ["POST", "/v1/admin/reconcile", { items: [{ sku: "X1", warehouse: "wh" }] }],
    ["POST", "/v1/admin/reconcile"],
    ["GET", "/v1/webhooks"],
    ["POST", "/v1/webhooks", { url: "https://erp.example.com/hooks" }],
    ["GET", "/v1/webhooks/wh_0123456789abcdef"],
    ["DELETE", "/v1/webhooks/wh_0123456789abcdef"],
    ["GET", "/v1/webhooks/wh_0123456789abcdef/deliveries"],
    ["GET", "/v1/stock"],
    ["GET", "/v1/stock?prefix=X1&status=low&limit=5"],
    ["GET", "/v1/channels"],
    ["GET", "/v1/channels/web"],
    ["PUT", "/v1/channels/web", { warehouses: ["wh"] }],
    ["DELETE", "/v1/channels/web"],
  ];
  for (const [method, path, body] of routes) {
    it(`${method} ${path} answers 503 unavailable with Retry-After`, async () => {
      const r = await callWithD1Down(method, path, body);
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(r.body).toMatchObject({ code: "unavailable", status: 503 });
    });
  }

  it("the reserve path needs no D1: set, reserve, read, commit", async () => {
    const sku = unique("D1DOWN");
    expect((await callWithD1Down("PUT", `/v1/stock/${sku}/wh`, { onHand: 3 })).status).toBe(200);
    const placed = await callWithD1Down("POST", "/v1/reservations", { lines: [{ sku, warehouse: "wh", quantity: 2 }] });
    expect(placed.status).toBe(201);
    const id = placed.body.id as string;
    expect((await callWithD1Down("GET", `/v1/reservations/${id}`)).body).toMatchObject({ status: "held" });
    expect((await callWithD1Down("POST", `/v1/reservations/${id}/commit`)).body).toMatchObject({ status: "committed" });
    expect((await callWithD1Down("GET", `/v1/stock/${sku}/wh`)).body).toMatchObject({ onHand: 1, reserved: 0 });
    expect((await callWithD1Down("GET", `/v1/stock/${sku}`)).status).toBe(200);
  });

  it("sourcing goes on from the channel this isolate read before D1 went down, however stale; an unread channel is 503", async () => {
    const sku = unique("D1SRC");
    const channel = unique("web");
    for (const warehouse of ["w1", "w2"]) {
      expect((await callWith(env.DB, "PUT", `/v1/stock/${sku}/${warehouse}`, { onHand: 2 })).status).toBe(200);
    }
    expect((await callWith(env.DB, "PUT", `/v1/channels/${channel}`, { warehouses: ["w1", "w2"] })).status).toBe(200);
    // Forget this isolate's own write, so the channel is known only from a read of D1.
    clearChannelCacheForTests();
    const lines = [{ sku, quantity: 3 }];
    expect((await callWith(env.DB, "POST", "/v1/reservations", { channel, lines: [{ sku, quantity: 1 }] })).status).toBe(201);

    const later = Date.now() + 10 * CHANNEL_CACHE_MS;
    const clock = vi.spyOn(Date, "now").mockReturnValue(later);
    try {
      const placed = await callWithD1Down("POST", "/v1/reservations", { channel, lines, ttlSeconds: 600 });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      expect(placed.body.allocations).toEqual([
        { sku, warehouse: "w1", quantity: 1 },
        { sku, warehouse: "w2", quantity: 2 },
      ]);
      const read = await callWithD1Down("POST", "/v1/availability", { channel, items: [{ sku }] });
      expect(read.body).toMatchObject({ items: [{ sku, warehouse: null, available: 0 }] });
      const unknown = await callWithD1Down("POST", "/v1/reservations", { channel: unique("unread"), lines });
      expect(unknown.status).toBe(503);
      expect(unknown.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      clock.mockRestore();
    }
  });
});
