import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app";
import { LOCAL_ONLY_ROUTES } from "../../src/http/faults";
import { clearKeyCacheForTests, KEY_CACHE_MS } from "../../src/keys/directory";
import type { Scope } from "../../src/keys/scopes";
import { waitForEvents } from "../events/support";
import { call, expectInvalid, expectProblem, stocked, TOKEN, unique } from "./client";

/**
 * Scoped API keys (contract: "API keys, scopes, rate limits and attribution (v1.1)"): the key
 * routes, every route × every scope, the warehouse restriction, revocation, rate limits, the
 * actor on events, and a key store that is down.
 */

async function newKey(scopes: Scope[], warehouses?: string[], name = "test key") {
  const r = await call("POST", "/v1/keys", { json: { name, scopes, ...(warehouses === undefined ? {} : { warehouses }) } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; token: string; name: string; scopes: Scope[]; warehouses: string[] | null; createdAt: string };
}

const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the key routes", () => {
  it("create (token shown once), list, read and delete; the token is never in any other answer", async () => {
    const created = await newKey(["stock:read", "reservations"], undefined, "web shop");
    expect(created.token).toMatch(/^sfk_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: "web shop", scopes: ["stock:read", "reservations"], warehouses: null });
    const one = await call("GET", `/v1/keys/${created.id}`);
    expect(one.body).toEqual({ id: created.id, name: "web shop", scopes: created.scopes, warehouses: null, createdAt: created.createdAt });
    const list = await call("GET", "/v1/keys");
    expect(list.body.keys.map((k: { id: string }) => k.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(JSON.stringify(one.body)).not.toContain(created.token);
    // D1 holds only the hash.
    const stored = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(created.id).first<Record<string, unknown>>();
    expect(JSON.stringify(stored)).not.toContain(created.token);

    expect((await call("DELETE", `/v1/keys/${created.id}`)).status).toBe(204);
    expectProblem(await call("GET", `/v1/keys/${created.id}`), 404, "not_found");
    expectProblem(await call("DELETE", `/v1/keys/${created.id}`), 404, "not_found");
    expect((await call("GET", "/v1/keys")).body.keys.map((k: { id: string }) => k.id)).not.toContain(created.id);
  });

  it("400 for bad input, nothing created", async () => {
    const before = (await call("GET", "/v1/keys")).body.keys.length;
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x", scopes: ["stock:delete"] } }), "scopes.0");
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x", scopes: [] } }), "scopes");
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x", scopes: ["admin", "admin"] } }), "scopes.1");
    const many = Array.from({ length: 101 }, (_, i) => `wh-${i}`);
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x", scopes: ["stock:write"], warehouses: many } }), "warehouses");
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x".repeat(101), scopes: ["admin"] } }), "name");
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "", scopes: ["admin"] } }), "name");
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x", scopes: ["stock:write"], warehouses: [] } }), "warehouses");
    expectInvalid(await call("POST", "/v1/keys", { json: { name: "x", scopes: ["stock:write"], warehouses: ["-bad"] } }), "warehouses.0");
    expectInvalid(await call("GET", "/v1/keys/not-a-key"), "id");
    expect((await call("GET", "/v1/keys")).body.keys.length).toBe(before);
  });
});

/** Every route of the contract and the scope it needs, with a request that would otherwise get past validation. */
const ROUTES: [string, string, Scope, unknown?][] = [
  ["GET", "/v1/stock", "stock:read"],
  ["GET", "/v1/stock/S/wh", "stock:read"],
  ["GET", "/v1/stock/S", "stock:read"],
  ["GET", "/v1/stock/S/wh/shards", "stock:read"],
  ["GET", "/v1/stock/S/wh/live", "stock:read"],
  ["POST", "/v1/availability", "stock:read", { items: [{ sku: "S", warehouse: "wh" }] }],
  ["GET", "/v1/channels", "stock:read"],
  ["GET", "/v1/channels/web", "stock:read"],
  ["PUT", "/v1/stock/S/wh", "stock:write", { onHand: 1 }],
  ["POST", "/v1/stock/S/wh/adjustments", "stock:write", { delta: 1, reason: "receipt" }],
  ["POST", "/v1/reservations", "reservations", { lines: [{ sku: "S", warehouse: "wh", quantity: 1 }] }],
  ["GET", "/v1/reservations/r-1", "reservations"],
  ["POST", "/v1/reservations/r-1/commit", "reservations"],
  ["POST", "/v1/reservations/r-1/release", "reservations"],
  ["POST", "/v1/reservations/r-1/extend", "reservations", { ttlSeconds: 60 }],
  ["PUT", "/v1/reservations/r-1/lines", "reservations", { lines: [{ sku: "S", warehouse: "wh", quantity: 1 }] }],
  ["GET", "/v1/events", "events:read"],
  ["GET", "/v1/analytics/stock/S/wh", "events:read"],
  // For a SKU nothing sets: this subscription must never try to deliver (the tests share one D1).
  ["POST", "/v1/webhooks", "webhooks", { url: "https://erp.example.com/hook", sku: "NEVER-SET-BY-ANY-TEST" }],
  ["GET", "/v1/webhooks", "webhooks"],
  ["GET", "/v1/webhooks/wh_0123456789abcdef", "webhooks"],
  ["DELETE", "/v1/webhooks/wh_0123456789abcdef", "webhooks"],
  ["GET", "/v1/webhooks/wh_0123456789abcdef/deliveries", "webhooks"],
  ["POST", "/v1/keys", "admin", { name: "k", scopes: ["stock:read"] }],
  ["GET", "/v1/keys", "admin"],
  ["GET", "/v1/keys/key_0123456789abcdef", "admin"],
  ["DELETE", "/v1/keys/key_0123456789abcdef", "admin"],
  ["POST", "/v1/admin/reconcile", "admin", { items: [{ sku: "S", warehouse: "wh" }] }],
  ["PUT", "/v1/channels/web", "admin", { warehouses: ["wh"] }],
  ["DELETE", "/v1/channels/web", "admin"],
];

describe("every route × every scope", () => {
  it("lists every route the app serves (so none escapes this table), each documented with its scope", async () => {
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/") && r.path !== "/v1/openapi.json" && r.path !== "/v1/health")
      // The soak's fault switches answer 404 unless FAULT_INJECTION is "true" (src/http/faults.ts).
      .filter((r) => !LOCAL_ONLY_ROUTES.includes(`${r.method} ${r.path}`))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const template = (path: string) =>
      path
        .replace(/^\/v1\/stock\/S\/wh/, "/v1/stock/{sku}/{warehouse}")
        .replace(/^\/v1\/stock\/S$/, "/v1/stock/{sku}")
        .replace(/^\/v1\/analytics\/stock\/S\/wh/, "/v1/analytics/stock/{sku}/{warehouse}")
        .replace(/\/r-1/, "/{id}")
        .replace(/wh_0123456789abcdef/, "{id}")
        .replace(/key_0123456789abcdef/, "{id}")
        .replace(/\/channels\/web/, "/channels/{channel}");
    expect([...new Set(served)].sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${template(p)}`).sort());
    const doc = (await call("GET", "/v1/openapi.json", { auth: false })).body;
    for (const [method, path, scope] of ROUTES) {
      const operation = doc.paths[template(path)]?.[method.toLowerCase()];
      expect(operation?.security, `${method} ${path}`).toEqual([{ bearer: [scope] }]);
    }
  });

  const scopes: Scope[] = ["stock:read", "stock:write", "reservations", "events:read", "webhooks", "admin"];
  for (const scope of scopes) {
    it(`a key with only ${scope}: 403 forbidden with requiredScope everywhere else, never 403 where it is enough`, async () => {
      const { token } = await newKey([scope]);
      for (const [method, path, needed, json] of ROUTES) {
        const r = await call(method, path, { auth: false, headers: as(token), json });
        if (needed === scope) {
          expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).not.toBe(403);
          expect(r.status, `${method} ${path}`).not.toBe(401);
        } else {
          expect(expectProblem(r, 403, "forbidden").requiredScope, `${method} ${path}`).toBe(needed);
        }
      }
    });
  }

  it("a forbidden write changes nothing", async () => {
    const item = await stocked(5);
    const { token } = await newKey(["stock:read", "reservations"]);
    expectProblem(await call("PUT", item.path, { auth: false, headers: as(token), json: { onHand: 0 } }), 403, "forbidden");
    expectProblem(
      await call("POST", `${item.path}/adjustments`, { auth: false, headers: as(token), json: { delta: -5, reason: "loss" } }),
      403,
      "forbidden",
    );
    expect((await call("GET", item.path)).body).toMatchObject({ onHand: 5, version: 1 });
  });

  it("stock:write limited to warehouses: allowed there, 403 in another, reads everywhere", async () => {
    const sku = unique("WHK");
    const { token } = await newKey(["stock:write", "stock:read"], ["ams-1"]);
    expect((await call("PUT", `/v1/stock/${sku}/ams-1`, { auth: false, headers: as(token), json: { onHand: 4 } })).status).toBe(200);
    expect(
      (await call("POST", `/v1/stock/${sku}/ams-1/adjustments`, { auth: false, headers: as(token), json: { delta: 1, reason: "receipt" } }))
        .status,
    ).toBe(200);
    const refused = expectProblem(
      await call("PUT", `/v1/stock/${sku}/ber-1`, { auth: false, headers: as(token), json: { onHand: 4 } }),
      403,
      "forbidden",
    );
    expect(refused.requiredScope).toBe("stock:write");
    expectProblem(
      await call("POST", `/v1/stock/${sku}/ber-1/adjustments`, { auth: false, headers: as(token), json: { delta: 1, reason: "receipt" } }),
      403,
      "forbidden",
    );
    expectProblem(await call("GET", `/v1/stock/${sku}/ber-1`), 404, "not_found");
    expect((await call("GET", `/v1/stock/${sku}/ams-1`, { auth: false, headers: as(token) })).body).toMatchObject({ onHand: 5 });
  });
});

describe("revocation", () => {
  it("a deleted key is refused at once by the isolate that deleted it, and by every other within 10 s", async () => {
    const { id, token } = await newKey(["stock:read"]);
    expect((await call("GET", "/v1/stock?limit=1", { auth: false, headers: as(token) })).status).toBe(200);
    // Another isolate deletes it: D1 changes, this isolate's cache does not hear of it.
    await env.DB.prepare("UPDATE api_keys SET deleted_at = ? WHERE id = ?").bind(Date.now(), id).run();
    expect((await call("GET", "/v1/stock?limit=1", { auth: false, headers: as(token) })).status).toBe(200);
    const later = Date.now() + KEY_CACHE_MS;
    const clock = vi.spyOn(Date, "now").mockReturnValue(later);
    try {
      expectProblem(await call("GET", "/v1/stock?limit=1", { auth: false, headers: as(token) }), 401, "unauthorized");
    } finally {
      clock.mockRestore();
    }

    const second = await newKey(["stock:read"]);
    expect((await call("GET", "/v1/stock?limit=1", { auth: false, headers: as(second.token) })).status).toBe(200);
    expect((await call("DELETE", `/v1/keys/${second.id}`)).status).toBe(204);
    expectProblem(await call("GET", "/v1/stock?limit=1", { auth: false, headers: as(second.token) }), 401, "unauthorized");
  });

  it("a token never shows in logs", async () => {
    const logged: string[] = [];
    const spies = (["log", "warn", "error", "info", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      }),
    );
    try {
      const { id, token } = await newKey(["stock:read"]);
      await call("GET", "/v1/stock/NOPE/wh", { auth: false, headers: as(token) });
      await call("PUT", "/v1/stock/NOPE/wh", { auth: false, headers: as(token), json: { onHand: 1 } });
      await call("DELETE", `/v1/keys/${id}`);
      await call("GET", "/v1/stock/NOPE/wh", { auth: false, headers: as(token) });
      expect(logged.join("\n")).not.toContain(token);
      expect(logged.join("\n")).not.toContain(token.slice(4));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe("rate limits", () => {
  // The tests run with a limit of 100 per 10 s (vitest.config.ts). Counting windows are fixed
  // 10 s epochs, so a burst of 250 puts more than 100 in at least one of them.
  it("a burst over a key's limit gets 429 rate_limited with Retry-After, and the refused writes change nothing", async () => {
    const item = await stocked(0);
    const { token } = await newKey(["stock:write", "stock:read"]);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let batch = 0; batch < 5; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          call("POST", `${item.path}/adjustments`, { auth: false, headers: as(token), json: { delta: 1, reason: "receipt" } }),
        ),
      );
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) {
          expect(a.body).toMatchObject({ code: "rate_limited", status: 429 });
          retryAfter = a.headers.get("retry-after");
        }
      }
    }
    const applied = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    console.log(`rate limit burst: 200 × ${applied}, 429 × ${limited}`);
    expect(applied + limited).toBe(statuses.length);
    expect(limited).toBeGreaterThan(0);
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
    expect((await call("GET", item.path)).body.onHand).toBe(applied);
  });

  it("the root key is not limited", async () => {
    const statuses: number[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => call("GET", "/v1/no-such-route")));
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses.every((s) => s === 404)).toBe(true);
  });
});

describe("actor", () => {
  it("events carry who made each change, end to end: a key's id, root, and null for an expiry", async () => {
    const { id, token } = await newKey(["stock:write", "reservations"]);
    const sku = unique("ACT");
    expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 5 } })).status).toBe(200);
    expect(
      (await call("POST", `/v1/stock/${sku}/wh/adjustments`, { auth: false, headers: as(token), json: { delta: 2, reason: "receipt" } }))
        .status,
    ).toBe(200);
    const held = await call("POST", "/v1/reservations", {
      auth: false,
      headers: as(token),
      json: { lines: [{ sku, warehouse: "wh", quantity: 1 }], ttlSeconds: 1 },
    });
    expect(held.status).toBe(201);
    // The hold expires on its own: the service's change.
    await vi.waitFor(async () => expect((await call("GET", `/v1/stock/${sku}/wh`)).body.reserved).toBe(0), { timeout: 5_000 });
    await waitForEvents(sku, "wh", 4);
    const events = (await call("GET", `/v1/events?sku=${sku}&warehouse=wh`)).body.events as { type: string; actor: string | null }[];
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ["stock.set", "root"],
      ["stock.adjusted", id],
      ["reservation.held", id],
      ["reservation.expired", null],
    ]);
    expect((await call("GET", `/v1/events?sku=${sku}&actor=${id}`)).body.events).toHaveLength(2);
    expect((await call("GET", `/v1/events?sku=${sku}&actor=root`)).body.events).toHaveLength(1);
    expect((await call("GET", `/v1/events?sku=${sku}&actor=service`)).body.events.map((e: { type: string }) => e.type)).toEqual([
      "reservation.expired",
    ]);
    expectInvalid(await call("GET", "/v1/events?actor=someone"), "actor");
  });
});

describe("with the key store down", () => {
  it("keys already cached keep working; others get 503 with Retry-After; the root key never needs it", async () => {
    clearKeyCacheForTests();
    const cached = await newKey(["stock:read"]);
    const uncached = await newKey(["stock:read"]);
    clearKeyCacheForTests();
    expect((await call("GET", "/v1/stock/NOPE/wh", { auth: false, headers: as(cached.token) })).status).toBe(404);
    const app = createApp();
    const failure = () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
    const statement = { bind: () => statement, first: failure, all: failure, run: failure, raw: failure } as unknown as D1PreparedStatement;
    const downD1 = {
      prepare: () => statement,
      batch: failure,
      exec: failure,
      dump: failure,
      withSession: () => downD1,
    } as unknown as D1Database;
    const later = Date.now() + 10 * KEY_CACHE_MS;
    const clock = vi.spyOn(Date, "now").mockReturnValue(later);
    try {
      const fetchDown = (token: string) =>
        app.fetch(new Request("http://stockflare.test/v1/stock/NOPE/wh", { headers: as(token) }), { ...env, DB: downD1 }, {
          waitUntil() {},
          passThroughOnException() {},
        } as unknown as ExecutionContext);
      expect((await fetchDown(cached.token)).status).toBe(404);
      const refused = await fetchDown(uncached.token);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await fetchDown(TOKEN)).status).toBe(404);
    } finally {
      clock.mockRestore();
    }
  });
});
