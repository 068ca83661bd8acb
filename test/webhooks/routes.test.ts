import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app";

const auth = { authorization: "Bearer test-token", "content-type": "application/json" };
const suffix = () => crypto.randomUUID().slice(0, 8);

function call(path: string, init: RequestInit = {}) {
  return exports.default.fetch(`http://x${path}`, { ...init, headers: { ...auth, ...init.headers } });
}

function create(body: unknown) {
  return call("/v1/webhooks", { method: "POST", body: JSON.stringify(body) });
}

async function storedCount(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_subscriptions").first<{ n: number }>();
  return row?.n ?? 0;
}

describe("webhook routes", () => {
  it("creates a subscription and shows its secret only once", async () => {
    const sku = `SKU-${suffix()}`;
    const r = await create({ url: "https://erp.example.com/hooks/stock", events: ["stock.low"], sku, warehouse: "ams-1" });
    expect(r.status).toBe(201);
    const created = (await r.json()) as Record<string, unknown>;
    expect(created).toMatchObject({
      url: "https://erp.example.com/hooks/stock",
      events: ["stock.low"],
      sku,
      warehouse: "ams-1",
      status: "active",
    });
    expect(created.id).toMatch(/^wh_[0-9a-f]{32}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(new Date(created.createdAt as string).toISOString()).toBe(created.createdAt);
    expect(r.headers.get("location")).toBe(`/v1/webhooks/${created.id}`);

    const one = await call(`/v1/webhooks/${created.id}`);
    expect(one.status).toBe(200);
    const read = (await one.json()) as Record<string, unknown>;
    expect(read).toEqual({ ...created, secret: undefined, disabledAt: null });
    expect(read).not.toHaveProperty("secret");

    const list = (await (await call("/v1/webhooks")).json()) as { webhooks: Record<string, unknown>[] };
    const listed = list.webhooks.find((w) => w.id === created.id);
    expect(listed).toEqual(read);
    expect(list.webhooks.every((w) => !("secret" in w))).toBe(true);

    expect((await call(`/v1/webhooks/${created.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("defaults to every alert type, every sku and every warehouse", async () => {
    // Each is scoped on one side only, so other tests' items are never delivered to them.
    const warehouse = `WH-${suffix()}`;
    const sku = `SKU-${suffix()}`;
    const bySku = await create({ url: "https://erp.example.com/all", sku });
    const byWarehouse = await create({ url: "https://erp.example.com/all", warehouse });
    expect(bySku.status).toBe(201);
    expect(byWarehouse.status).toBe(201);
    const all = ["stock.low", "stock.out", "stock.replenished"];
    expect(await bySku.json()).toMatchObject({ events: all, sku, warehouse: null });
    expect(await byWarehouse.json()).toMatchObject({ events: all, sku: null, warehouse });
  });

  it("deletes: 204, then 404 everywhere", async () => {
    const { id } = (await (await create({ url: "https://erp.example.com/x", sku: `S-${suffix()}` })).json()) as { id: string };
    expect((await call(`/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
    for (const [path, method] of [
      [`/v1/webhooks/${id}`, "GET"],
      [`/v1/webhooks/${id}`, "DELETE"],
      [`/v1/webhooks/${id}/deliveries`, "GET"],
    ] as const) {
      const r = await call(path, { method });
      expect(r.status).toBe(404);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(await r.json()).toMatchObject({ code: "not_found" });
    }
    const list = (await (await call("/v1/webhooks")).json()) as { webhooks: { id: string }[] };
    expect(list.webhooks.some((w) => w.id === id)).toBe(false);
  });

  it("answers 404 for a webhook that never existed", async () => {
    for (const path of ["/v1/webhooks/wh_nope", "/v1/webhooks/wh_nope/deliveries"]) {
      const r = await call(path);
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ code: "not_found" });
    }
    expect((await call("/v1/webhooks/wh_nope", { method: "DELETE" })).status).toBe(404);
  });

  it("lists no deliveries for a new subscription", async () => {
    const { id } = (await (await create({ url: "https://erp.example.com/d", sku: `S-${suffix()}` })).json()) as { id: string };
    const r = await call(`/v1/webhooks/${id}/deliveries`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ deliveries: [] });
    expect((await call(`/v1/webhooks/${id}/deliveries?limit=0`)).status).toBe(400);
    expect((await call(`/v1/webhooks/${id}/deliveries?limit=abc`)).status).toBe(400);
    await call(`/v1/webhooks/${id}`, { method: "DELETE" });
  });

  it.each([
    ["http://erp.example.com/hook", "url"],
    ["https://localhost/hook", "url"],
    ["https://169.254.169.254/latest/meta-data", "url"],
    ["https://[::1]/hook", "url"],
    ["https://10.0.0.8/hook", "url"],
    ["https://user:secret@erp.example.com/hook", "url"],
    ["gopher://erp.example.com/", "url"],
    ["not a url", "url"],
  ])("refuses the URL %s with 400 and stores nothing", async (url, path) => {
    const before = await storedCount();
    const r = await create({ url, sku: `S-${suffix()}` });
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await r.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe("invalid_request");
    expect(problem.errors.map((e) => e.path)).toContain(path);
    expect(await storedCount()).toBe(before);
  });

  it.each([
    ["url", {}],
    ["url", { url: 42 }],
    ["events", { url: "https://erp.example.com/", events: [] }],
    ["events", { url: "https://erp.example.com/", events: ["stock.low", "stock.low"] }],
    ["events.0", { url: "https://erp.example.com/", events: ["stock.set"] }],
    ["events", { url: "https://erp.example.com/", events: "stock.low" }],
    ["sku", { url: "https://erp.example.com/", sku: "bad/sku" }],
    ["warehouse", { url: "https://erp.example.com/", warehouse: "" }],
    ["url", { url: `https://erp.example.com/${"a".repeat(2100)}` }],
  ])("refuses bad body #%# (error at %s) with 400 and stores nothing", async (path, body) => {
    const before = await storedCount();
    const r = await create(body);
    expect(r.status).toBe(400);
    const problem = (await r.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe("invalid_request");
    expect(problem.errors.map((e) => e.path)).toContain(path);
    expect(await storedCount()).toBe(before);
  });

  it("answers malformed JSON with 400, never 500", async () => {
    const r = await call("/v1/webhooks", { method: "POST", body: "{nope" });
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
  });

  it("needs the token", async () => {
    const r = await exports.default.fetch("http://x/v1/webhooks", { method: "GET" });
    expect(r.status).toBe(401);
  });

  it("documents every route in the OpenAPI document", async () => {
    const r = await call("/v1/openapi.json");
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.keys(doc.paths).filter((path) => path.startsWith("/v1/webhooks"));
    expect(paths.sort()).toEqual(["/v1/webhooks", "/v1/webhooks/{id}", "/v1/webhooks/{id}/deliveries"]);
    expect(Object.keys(doc.paths["/v1/webhooks"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/webhooks/{id}"] ?? {}).sort()).toEqual(["delete", "get"]);
  });
});

describe("webhook signing secrets at rest", () => {
  const app = createApp();

  /** The app served with another WEBHOOK_SECRET_KEYS (undefined: the secret is not set). */
  async function createWithKeys(keys: string | undefined, body: unknown) {
    return app.fetch(
      new Request("http://x/v1/webhooks", { method: "POST", headers: auth, body: JSON.stringify(body) }),
      { ...env, WEBHOOK_SECRET_KEYS: keys as string },
      createExecutionContext(),
    );
  }

  async function rowsWithUrl(url: string): Promise<{ id: string; secret: string }[]> {
    const { results } = await env.DB.prepare("SELECT id, secret FROM webhook_subscriptions WHERE url = ?").bind(url).all<{
      id: string;
      secret: string;
    }>();
    return results;
  }

  it("stores the secret encrypted: D1 never holds it in the clear", async () => {
    const url = `https://erp.example.com/at-rest/${suffix()}`;
    const r = await create({ url, sku: `S-${suffix()}` });
    expect(r.status).toBe(201);
    const { id, secret } = (await r.json()) as { id: string; secret: string };
    const row = await env.DB.prepare("SELECT * FROM webhook_subscriptions WHERE id = ?").bind(id).first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    const stored = String(row?.secret);
    expect(stored).toMatch(/^enc:v1:test-1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice("whsec_".length));
    expect(stored).not.toContain(secret.slice("whsec_".length, -1).replaceAll("+", "-").replaceAll("/", "_"));
    // Nor anywhere else in the row.
    expect(JSON.stringify(row)).not.toContain(secret.slice("whsec_".length, -1));
  });

  it("shows the secret in the creation response only", async () => {
    const sku = `S-${suffix()}`;
    const r = await create({ url: "https://erp.example.com/once", sku });
    const { id, secret } = (await r.json()) as { id: string; secret: string };
    const base64 = secret.slice("whsec_".length, -1);
    for (const path of [`/v1/webhooks/${id}`, "/v1/webhooks", `/v1/webhooks/${id}/deliveries`]) {
      const answer = await call(path);
      expect(answer.status).toBe(200);
      const text = await answer.text();
      expect(text).not.toContain(base64);
      expect(text).not.toContain("enc:v1:");
      expect(text).not.toMatch(/"secret"/);
    }
    await call(`/v1/webhooks/${id}`, { method: "DELETE" });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["malformed", "test-1"],
    ["with a short key", `k1:${btoa("sixteen bytes!!!")}`],
  ])("answers 503 webhook_keys_unavailable when the key ring is %s, and stores nothing", async (_, keys) => {
    const url = `https://erp.example.com/no-keys/${suffix()}`;
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const r = await createWithKeys(keys, { url, sku: `S-${suffix()}` });
    expect(r.status).toBe(503);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.headers.get("retry-after")).toBe("1");
    const problem = (await r.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 503, code: "webhook_keys_unavailable" });
    expect(problem.detail).toMatch(/WEBHOOK_SECRET_KEYS/);
    expect(problem).not.toHaveProperty("secret");
    expect(await rowsWithUrl(url)).toEqual([]);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/webhooks: cannot create a webhook: WEBHOOK_SECRET_KEYS/));
    errors.mockRestore();
  });

  it("encrypts under the first key of the ring", async () => {
    const url = `https://erp.example.com/ring/${suffix()}`;
    const fresh = `k-${suffix()}:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const r = await createWithKeys(`${fresh},${env.WEBHOOK_SECRET_KEYS}`, { url, sku: `S-${suffix()}` });
    expect(r.status).toBe(201);
    const [row] = await rowsWithUrl(url);
    expect(row?.secret.startsWith(`enc:v1:${fresh.split(":")[0]}:`)).toBe(true);
    expect((await call(`/v1/webhooks/${row?.id}`, { method: "DELETE" })).status).toBe(204);
  });
});
