import { createExecutionContext, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/http/app";
import { stockItem } from "../../src/stock/address";
import type { ItemStores } from "../../src/stock/schema";
import { deliverAlerts } from "../../src/webhooks/delivery";
import { ATTEMPT_TIMEOUT_MS, MAX_ATTEMPTS, retryDelayMs } from "../../src/webhooks/schedule";
import { newSecret, signWebhook } from "../../src/webhooks/signing";
import { WebhookRepository } from "../../src/webhooks/subscriptions";

/**
 * Delivery from the stock item's alarm, with the outbound fetch mocked (the Worker runs in
 * the test's isolate, so a spy on globalThis.fetch sees its requests). The clock is faked a
 * day ahead: alarms are then set a day in the future in real time and never fire on their
 * own, so each test runs them with runDurableObjectAlarm, exactly when it means to.
 */

const auth = { authorization: "Bearer test-token", "content-type": "application/json" };
const suffix = () => crypto.randomUUID().slice(0, 8);

function call(path: string, init: RequestInit = {}) {
  return exports.default.fetch(`http://x${path}`, { ...init, headers: { ...auth, ...init.headers } });
}

async function subscribe(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const r = await call("/v1/webhooks", { method: "POST", body: JSON.stringify(body) });
  expect(r.status).toBe(201);
  return (await r.json()) as { id: string; secret: string };
}

async function setLevel(sku: string, warehouse: string, body: Record<string, number>) {
  const r = await call(`/v1/stock/${sku}/${warehouse}`, { method: "PUT", body: JSON.stringify(body) });
  expect(r.status).toBe(200);
}

async function adjust(sku: string, warehouse: string, delta: number) {
  const reason = delta > 0 ? "receipt" : "damage";
  const r = await call(`/v1/stock/${sku}/${warehouse}/adjustments`, { method: "POST", body: JSON.stringify({ delta, reason }) });
  expect(r.status).toBe(200);
}

async function deliveries(id: string) {
  const r = await call(`/v1/webhooks/${id}/deliveries`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { deliveries: Record<string, unknown>[] }).deliveries;
}

function alarmAt(sku: string, warehouse: string): Promise<number | null> {
  return runInDurableObject(stockItem(env, sku, warehouse), (_, state) => state.storage.getAlarm());
}

/**
 * When the item next has webhook work to do (null: none), checking that its alarm is armed
 * no later than that. The alarm itself may be set for other work too (event shipping).
 */
async function nextAlertWork(sku: string, warehouse: string): Promise<number | null> {
  const [work, alarm] = await runInDurableObject(stockItem(env, sku, warehouse), async (instance, state) => [
    (instance as unknown as { stores: ItemStores }).stores.alerts.nextAlertWorkAt(),
    await state.storage.getAlarm(),
  ]);
  if (work !== null) {
    expect(alarm).not.toBeNull();
    expect(alarm ?? Infinity).toBeLessThanOrEqual(work);
  }
  return work;
}

function runAlarm(sku: string, warehouse: string): Promise<boolean> {
  return runDurableObjectAlarm(stockItem(env, sku, warehouse));
}

function itemRows(sku: string, warehouse: string, table: "alerts" | "alert_deliveries" | "alert_attempts") {
  return runInDurableObject(stockItem(env, sku, warehouse), (_, state) => state.storage.sql.exec(`SELECT * FROM ${table}`).toArray());
}

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** Replaces the outbound fetch: `answer` decides each response (`n` counts the requests, from 1). */
function receiver(answer: (n: number, url: string, init: RequestInit) => Promise<Response> | Response) {
  const received: Received[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    received.push({ url: String(input), headers, body: String(init.body), at: Date.now() });
    return answer(received.length, String(input), init);
  });
  return received;
}

const DAY = 24 * 3600 * 1000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + DAY);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("low-stock webhook delivery", () => {
  it("arms the alarm at the crossing and delivers a signed stock.low when it runs", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id, secret } = await subscribe({ url: "https://purchasing.example.com/hooks", sku });
    const received = receiver(() => new Response(null, { status: 204 }));
    await setLevel(sku, warehouse, { onHand: 10, lowStockThreshold: 5, reorderQuantity: 40 });
    expect(await runAlarm(sku, warehouse)).toBe(true);
    expect(received).toHaveLength(0);

    const before = Date.now();
    await adjust(sku, warehouse, -6);
    // The alert is stored with the change, and the alarm is due at once.
    const [alert] = await itemRows(sku, warehouse, "alerts");
    expect(alert).toMatchObject({ type: "stock.low", fanned_out: 0 });
    const armed = await alarmAt(sku, warehouse);
    expect(armed).not.toBeNull();
    expect(armed ?? Infinity).toBeLessThanOrEqual(before + 1000);

    vi.setSystemTime(armed ?? 0);
    expect(await runAlarm(sku, warehouse)).toBe(true);
    expect(received).toHaveLength(1);
    const [hit] = received;
    if (hit === undefined) throw new Error("no delivery");
    expect(hit.url).toBe("https://purchasing.example.com/hooks");
    expect(hit.headers["content-type"]).toBe("application/json");
    const body = new Webhook(secret).verify(hit.body, hit.headers) as Record<string, unknown>;
    expect(body).toEqual({
      id: hit.headers["webhook-id"],
      type: "stock.low",
      timestamp: expect.any(String),
      data: {
        sku,
        warehouse,
        onHand: 4,
        reserved: 0,
        available: 4,
        lowStockThreshold: 5,
        reorderQuantity: 40,
        suggestedReorderQuantity: 40,
      },
    });
    expect(hit.headers["webhook-id"]).toBe(`${sku}:${warehouse}:2:stock.low`);

    const recorded = await deliveries(id);
    expect(recorded).toEqual([
      {
        id: expect.any(String),
        eventId: `${sku}:${warehouse}:2:stock.low`,
        type: "stock.low",
        attempt: 1,
        status: "succeeded",
        responseStatus: 204,
        at: new Date(hit.at).toISOString(),
        error: null,
      },
    ]);
    // Delivered: nothing is left in the item, and no alarm is kept for it.
    expect(await itemRows(sku, warehouse, "alerts")).toEqual([]);
    expect(await itemRows(sku, warehouse, "alert_deliveries")).toEqual([]);
    expect(await itemRows(sku, warehouse, "alert_attempts")).toEqual([]);
    expect(await nextAlertWork(sku, warehouse)).toBeNull();

    // Further changes below the line alert nobody; recovery does, once.
    await adjust(sku, warehouse, -1);
    await adjust(sku, warehouse, 2);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    await adjust(sku, warehouse, 20);
    await runAlarm(sku, warehouse);
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(["stock.low", "stock.replenished"]);
  });

  it("retries a failed attempt on its schedule with the same id, signed anew", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id, secret } = await subscribe({ url: "https://purchasing.example.com/hooks", sku });
    const received = receiver((n) => new Response("busy", { status: n === 1 ? 500 : 200 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    const crossing = Date.now();
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);

    // Re-armed for the first retry, 5 s ± 20 % after the failed attempt; not sent before.
    const retryAt = (await nextAlertWork(sku, warehouse)) ?? 0;
    expect(retryAt - crossing).toBeGreaterThanOrEqual(4_000);
    expect(retryAt - crossing).toBeLessThanOrEqual(6_000);
    vi.setSystemTime(retryAt - 1);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);

    vi.setSystemTime(retryAt);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(2);
    const [first, second] = received;
    expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    expect(second?.body).toBe(first?.body);
    expect(Number(second?.headers["webhook-timestamp"])).toBeGreaterThan(Number(first?.headers["webhook-timestamp"]));
    expect(new Webhook(secret).verify(second?.body ?? "", second?.headers ?? {})).toMatchObject({ type: "stock.out" });

    expect(
      (await deliveries(id)).map(({ attempt, status, responseStatus, error }) => ({ attempt, status, responseStatus, error })),
    ).toEqual([
      { attempt: 2, status: "succeeded", responseStatus: 200, error: null },
      { attempt: 1, status: "retrying", responseStatus: 500, error: "HTTP 500" },
    ]);
    expect(await nextAlertWork(sku, warehouse)).toBeNull();
  });

  it(`keeps retrying for ${MAX_ATTEMPTS} attempts over more than 30 minutes, then gives up`, async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id } = await subscribe({ url: "https://purchasing.example.com/down", sku });
    const received = receiver(() => new Response(null, { status: 503 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    for (let alarms = 0; alarms < 3 * MAX_ATTEMPTS; alarms++) {
      await runAlarm(sku, warehouse);
      const next = await nextAlertWork(sku, warehouse);
      if (next === null) break;
      vi.setSystemTime(next);
    }
    expect(received).toHaveLength(MAX_ATTEMPTS);
    const times = received.map((r) => r.at);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    for (const [i, gap] of gaps.slice(1).entries()) expect(gap).toBeGreaterThan(gaps[i] ?? 0);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThan(30 * 60_000);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const recorded = await deliveries(id);
    expect(recorded.map((d) => d.attempt)).toEqual(Array.from({ length: MAX_ATTEMPTS }, (_, i) => MAX_ATTEMPTS - i));
    expect(recorded[0]).toMatchObject({ status: "failed", responseStatus: 503 });
    expect(recorded.slice(1).every((d) => d.status === "retrying")).toBe(true);
    expect(await itemRows(sku, warehouse, "alert_deliveries")).toEqual([]);
  });

  it("disables a subscription that answers 410 Gone, and only that one", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const gone = await subscribe({ url: "https://old.example.com/hooks", sku });
    const kept = await subscribe({ url: "https://new.example.com/hooks", sku });
    const received = receiver((_, url) => new Response(null, { status: url.startsWith("https://old.") ? 410 : 200 }));
    await setLevel(sku, warehouse, { onHand: 3, lowStockThreshold: 5 });
    await runAlarm(sku, warehouse);
    expect(received.map((r) => r.url).sort()).toEqual(["https://new.example.com/hooks", "https://old.example.com/hooks"]);

    const disabled = (await (await call(`/v1/webhooks/${gone.id}`)).json()) as Record<string, unknown>;
    expect(disabled).toMatchObject({ status: "disabled", disabledAt: expect.any(String) });
    expect(await deliveries(gone.id)).toMatchObject([{ attempt: 1, status: "gone", responseStatus: 410 }]);
    expect(await nextAlertWork(sku, warehouse)).toBeNull();

    // The next crossing goes to the kept subscription only.
    await adjust(sku, warehouse, -3);
    await runAlarm(sku, warehouse);
    expect(received.slice(2).map((r) => r.url)).toEqual(["https://new.example.com/hooks"]);
    expect(await deliveries(kept.id)).toHaveLength(2);
  });

  it("counts a network error as a failed attempt and never lets it escape the alarm", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id } = await subscribe({ url: "https://unreachable.example.com/", sku });
    receiver(() => {
      throw new TypeError("Network connection lost.");
    });
    await setLevel(sku, warehouse, { onHand: 0 });
    expect(await runAlarm(sku, warehouse)).toBe(true);
    expect(await deliveries(id)).toMatchObject([
      { attempt: 1, status: "retrying", responseStatus: null, error: "TypeError: Network connection lost." },
    ]);
    expect(await nextAlertWork(sku, warehouse)).not.toBeNull();
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id } = await subscribe({ url: "https://moved.example.com/", sku });
    const received = receiver(() => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } }));
    await setLevel(sku, warehouse, { onHand: 0 });
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect(await deliveries(id)).toMatchObject([{ status: "retrying", responseStatus: 302 }]);
  });

  it("gives up an attempt after the request timeout", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id } = await subscribe({ url: "https://slow.example.com/", sku });
    // The attempt's deadline comes from AbortSignal.timeout: the length it asks for is recorded
    // and the signal expires at once, so the test need not wait the real 10 s.
    const expireAtOnce = AbortSignal.timeout.bind(AbortSignal);
    const asked: number[] = [];
    vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) => {
      asked.push(ms);
      return expireAtOnce(1);
    });
    let abortedWith: unknown = null;
    receiver(
      (_, __, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => {
            abortedWith = init.signal?.reason;
            reject(init.signal?.reason);
          });
        }),
    );
    await setLevel(sku, warehouse, { onHand: 0 });
    expect(await runAlarm(sku, warehouse)).toBe(true);
    expect(asked).toEqual([ATTEMPT_TIMEOUT_MS]);
    expect((abortedWith as Error | null)?.name).toBe("TimeoutError");
    expect(await deliveries(id)).toMatchObject([{ attempt: 1, status: "retrying", responseStatus: null, error: "timed out after 10 s" }]);
  });

  it("stops delivering once the subscription is deleted", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id } = await subscribe({ url: "https://purchasing.example.com/hooks", sku });
    const received = receiver(() => new Response(null, { status: 500 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect((await call(`/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);

    vi.setSystemTime((await nextAlertWork(sku, warehouse)) ?? 0);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect(await itemRows(sku, warehouse, "alert_deliveries")).toEqual([]);
    expect(await nextAlertWork(sku, warehouse)).toBeNull();
  });

  it("sends each subscription the types, sku and warehouse it asked for", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = `WH-${suffix()}`;
    await subscribe({ url: "https://all.example.com/", sku });
    await subscribe({ url: "https://out-only.example.com/", sku, events: ["stock.out"] });
    await subscribe({ url: "https://other-warehouse.example.com/", sku, warehouse: "elsewhere" });
    await subscribe({ url: "https://this-warehouse.example.com/", warehouse, events: ["stock.replenished"] });
    const received = receiver(() => new Response(null, { status: 200 }));
    await setLevel(sku, warehouse, { onHand: 10, lowStockThreshold: 5 });
    await adjust(sku, warehouse, -10); // crosses both lines at once
    await runAlarm(sku, warehouse);
    await adjust(sku, warehouse, 10);
    await runAlarm(sku, warehouse);
    const got = received.map((r) => `${new URL(r.url).host} ${JSON.parse(r.body).type}`).sort();
    expect(got).toEqual([
      "all.example.com stock.low",
      "all.example.com stock.out",
      "all.example.com stock.replenished",
      "out-only.example.com stock.out",
      "this-warehouse.example.com stock.replenished",
    ]);
    const ids = received.filter((r) => r.url.startsWith("https://all.")).map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(3);
  });

  it("keeps a recorded crossing through an eviction before the alarm", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    await subscribe({ url: "https://purchasing.example.com/hooks", sku });
    const received = receiver(() => new Response(null, { status: 200 }));
    await setLevel(sku, warehouse, { onHand: 2, lowStockThreshold: 2 });
    await evictDurableObject(stockItem(env, sku, warehouse));
    await runAlarm(sku, warehouse);
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(["stock.low"]);
  });

  it("drops an alert nobody subscribed to", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const received = receiver(() => new Response(null, { status: 200 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    expect(await itemRows(sku, warehouse, "alerts")).toHaveLength(1);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(0);
    expect(await itemRows(sku, warehouse, "alerts")).toEqual([]);
    expect(await nextAlertWork(sku, warehouse)).toBeNull();
  });

  it("reaches subscriptions made after the crossing but before the alarm", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const received = receiver(() => new Response(null, { status: 200 }));
    await setLevel(sku, warehouse, { onHand: 1, lowStockThreshold: 3 });
    await subscribe({ url: "https://late.example.com/", sku });
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
  });
  it("postpones delivery while D1 cannot list subscriptions, and delivers once it can", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    await subscribe({ url: "https://purchasing.example.com/hooks", sku });
    const received = receiver(() => new Response(null, { status: 200 }));
    const d1 = vi.spyOn(WebhookRepository.prototype, "targetsFor").mockRejectedValueOnce(new Error("D1 is unavailable"));
    await setLevel(sku, warehouse, { onHand: 0 });
    expect(await runAlarm(sku, warehouse)).toBe(true);
    expect(d1).toHaveBeenCalledTimes(1);
    expect(received).toHaveLength(0);
    expect(await itemRows(sku, warehouse, "alerts")).toMatchObject([{ type: "stock.out", fanned_out: 0, failures: 1 }]);
    vi.setSystemTime((await nextAlertWork(sku, warehouse)) ?? 0);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
  });

  it("keeps attempt records in the item until D1 takes them", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id } = await subscribe({ url: "https://purchasing.example.com/hooks", sku });
    const received = receiver(() => new Response(null, { status: 200 }));
    vi.spyOn(WebhookRepository.prototype, "recordAttempts").mockRejectedValueOnce(new Error("D1 is unavailable"));
    await setLevel(sku, warehouse, { onHand: 0 });
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect(await deliveries(id)).toEqual([]);
    expect(await itemRows(sku, warehouse, "alert_attempts")).toHaveLength(1);
    vi.setSystemTime((await nextAlertWork(sku, warehouse)) ?? 0);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect(await deliveries(id)).toMatchObject([{ attempt: 1, status: "succeeded" }]);
    expect(await itemRows(sku, warehouse, "alert_attempts")).toEqual([]);
  });

  it("delivers to more subscriptions than it sends at once", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    for (let i = 0; i < 9; i++) await subscribe({ url: `https://r${i}.example.com/`, sku });
    const received = receiver(() => new Response(null, { status: 200 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    await runAlarm(sku, warehouse);
    expect(received.map((r) => new URL(r.url).host).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `r${i}.example.com`));
  });
});

describe("signing secrets at rest, in delivery", () => {
  /** The Worker's own key ring in the tests (vitest.config.ts): what the alarms decrypt with. */
  const workerKeys = env.WEBHOOK_SECRET_KEYS;
  const workerKeyId = workerKeys.split(":")[0] ?? "";
  const app = createApp();

  function keyEntry(keyId: string): string {
    return `${keyId}:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
  }

  /** Subscribes through the API, served with WEBHOOK_SECRET_KEYS = `keys`. */
  async function subscribeWithKeys(keys: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
    const r = await app.fetch(
      new Request("http://x/v1/webhooks", { method: "POST", headers: auth, body: JSON.stringify(body) }),
      { ...env, WEBHOOK_SECRET_KEYS: keys },
      createExecutionContext(),
    );
    expect(r.status).toBe(201);
    return (await r.json()) as { id: string; secret: string };
  }

  async function storedSecret(id: string): Promise<string> {
    const row = await env.DB.prepare("SELECT secret FROM webhook_subscriptions WHERE id = ?").bind(id).first<{ secret: string }>();
    if (row === null) throw new Error(`no row ${id}`);
    return row.secret;
  }

  /** Signs with what a delivery target holds and checks it with the Standard Webhooks library. */
  async function verifies(targetSecret: string | null, originalSecret: string): Promise<void> {
    if (targetSecret === null) throw new Error("no secret");
    const body = JSON.stringify({ id: "evt_1", type: "stock.low" });
    const headers = await signWebhook(targetSecret, "evt_1", Date.now() / 1000, body);
    expect(new Webhook(originalSecret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  }

  it("runs with a test-only key ring", () => {
    expect(workerKeyId).toBe("test-1");
  });

  it("keeps old subscriptions deliverable through a key rotation, re-encrypting them under the new key", async () => {
    const oldId = `old-${suffix()}`;
    const A = keyEntry(oldId);
    const B = workerKeys;
    const sku = `SKU-${suffix()}`;
    const otherSku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    // Created while the ring was A.
    const first = await subscribeWithKeys(A, { url: "https://rotated.example.com/", sku });
    const other = await subscribeWithKeys(A, { url: "https://swept.example.com/", sku: otherSku });
    expect(await storedSecret(first.id)).toMatch(new RegExp(`^enc:v1:${oldId}:`));

    // Rotation: B prepended, A still accepted. Reading for delivery decrypts under A...
    const rotated = await new WebhookRepository(env.DB, `${B},${A}`).targetsFor(sku, warehouse);
    expect(rotated).toEqual([{ id: first.id, url: "https://rotated.example.com/", events: expect.any(Array), secret: first.secret }]);
    await verifies(rotated[0]?.secret ?? null, first.secret);
    // ...and re-encrypts under B: the row read, and (by the sweep) one of another item.
    for (const { id, secret } of [first, other]) {
      const stored = await storedSecret(id);
      expect(stored).toMatch(new RegExp(`^enc:v1:${workerKeyId}:`));
      expect(stored).not.toContain(secret.slice("whsec_".length, -1));
    }

    // A dropped: both still deliverable, under B alone.
    const dropped = new WebhookRepository(env.DB, B);
    const [swept] = await dropped.targetsFor(otherSku, warehouse);
    expect(swept).toMatchObject({ id: other.id, secret: other.secret });
    await verifies(swept?.secret ?? null, other.secret);

    // A row still under A once A is gone is skipped with a logged error; the others go on.
    const late = await subscribeWithKeys(A, { url: "https://late.example.com/", sku });
    const errors = vi.spyOn(console, "error");
    const targets = await dropped.targetsFor(sku, warehouse);
    expect(targets.find((t) => t.id === first.id)).toMatchObject({ secret: first.secret });
    expect(targets.find((t) => t.id === late.id)).toEqual({
      id: late.id,
      url: "https://late.example.com/",
      events: expect.any(Array),
      secret: null,
      unreadable: `signing secret is encrypted under key "${oldId}", which WEBHOOK_SECRET_KEYS no longer holds`,
    });
    expect(errors).toHaveBeenCalledWith(expect.stringContaining(`subscription ${late.id} skipped`));
    expect(await storedSecret(late.id)).toMatch(new RegExp(`^enc:v1:${oldId}:`));

    // The same through the item's alarm (the Worker's ring is B): the readable one gets a
    // signed delivery; the other no request, a failed attempt, and a retry on the schedule.
    const received = receiver(() => new Response(null, { status: 204 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    expect(await runAlarm(sku, warehouse)).toBe(true);
    expect(received.map((r) => r.url)).toEqual(["https://rotated.example.com/"]);
    const [hit] = received;
    expect(new Webhook(first.secret).verify(hit?.body ?? "", hit?.headers ?? {})).toMatchObject({ type: "stock.out" });
    expect(await deliveries(first.id)).toMatchObject([{ attempt: 1, status: "succeeded" }]);
    expect(await deliveries(late.id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: "retrying",
        responseStatus: null,
        error: `not sent: signing secret is encrypted under key "${oldId}", which WEBHOOK_SECRET_KEYS no longer holds`,
      }),
    ]);
    expect(await itemRows(sku, warehouse, "alert_deliveries")).toMatchObject([{ subscription_id: late.id, attempts: 1 }]);
    expect(await nextAlertWork(sku, warehouse)).not.toBeNull();
  });

  it("retries on the schedule while the key ring is missing, and delivers once it is back", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const { id, secret } = await subscribe({ url: "https://patient.example.com/", sku });
    const received = receiver(() => new Response(null, { status: 200 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    // This alarm runs as a Worker without WEBHOOK_SECRET_KEYS would.
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const crossing = Date.now();
    await runInDurableObject(stockItem(env, sku, warehouse), async (instance, state) => {
      await deliverAlerts({
        outbox: (instance as unknown as { stores: ItemStores }).stores.alerts,
        directory: new WebhookRepository(env.DB, undefined),
        transaction: (fn) => state.storage.transactionSync(fn),
        fetch: (url, init) => fetch(url, init),
        now: () => Date.now(),
        random: () => 0.5,
      });
    });
    expect(received).toHaveLength(0);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/WEBHOOK_SECRET_KEYS is unusable \(WEBHOOK_SECRET_KEYS is not set\)/));
    expect(errors).toHaveBeenCalledWith(expect.stringContaining(`subscription ${id} skipped`));
    expect(await deliveries(id)).toMatchObject([
      {
        attempt: 1,
        status: "retrying",
        responseStatus: null,
        error: expect.stringMatching(/^not sent: signing secret is encrypted under key "test-1" and WEBHOOK_SECRET_KEYS is unusable/),
      },
    ]);
    const retryAt = (await nextAlertWork(sku, warehouse)) ?? 0;
    expect(retryAt - crossing).toBe(retryDelayMs(1, 0.5));

    // The key ring is back (the Worker's own): the retry is delivered.
    errors.mockRestore();
    vi.setSystemTime(retryAt);
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect(new Webhook(secret).verify(received[0]?.body ?? "", received[0]?.headers ?? {})).toMatchObject({ type: "stock.out" });
    expect((await deliveries(id)).map((d) => [d.attempt, d.status])).toEqual([
      [2, "succeeded"],
      [1, "retrying"],
    ]);
  });

  it("keeps delivering to a subscription stored before encryption, and encrypts its secret", async () => {
    const sku = `SKU-${suffix()}`;
    const warehouse = "ams-1";
    const id = `wh_${crypto.randomUUID().replaceAll("-", "")}`;
    const secret = newSecret();
    await env.DB.prepare(
      "INSERT INTO webhook_subscriptions (id, url, events, sku, warehouse, secret, status, created_at) VALUES (?, ?, ?, ?, NULL, ?, 'active', ?)",
    )
      .bind(id, "https://legacy.example.com/", JSON.stringify(["stock.low", "stock.out", "stock.replenished"]), sku, secret, Date.now())
      .run();

    // Read as it is, even without a key ring (unless another item's delivery upgraded it meanwhile).
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const [asIs] = await new WebhookRepository(env.DB, undefined).targetsFor(sku, warehouse);
    if ((await storedSecret(id)) === secret) expect(asIs).toMatchObject({ id, secret });
    errors.mockRestore();

    const received = receiver(() => new Response(null, { status: 204 }));
    await setLevel(sku, warehouse, { onHand: 0 });
    await runAlarm(sku, warehouse);
    expect(received).toHaveLength(1);
    expect(new Webhook(secret).verify(received[0]?.body ?? "", received[0]?.headers ?? {})).toMatchObject({ type: "stock.out" });

    const stored = await storedSecret(id);
    expect(stored).toMatch(new RegExp(`^enc:v1:${workerKeyId}:`));
    expect(stored).not.toContain(secret.slice("whsec_".length, -1));
    const [upgraded] = await new WebhookRepository(env.DB, workerKeys).targetsFor(sku, warehouse);
    expect(upgraded).toMatchObject({ id, secret });
  });

  it("re-encrypts stale secrets of any subscription on request, deleted ones included", async () => {
    const oldId = `old-${suffix()}`;
    const A = keyEntry(oldId);
    const kept = await subscribeWithKeys(A, { url: "https://kept.example.com/", sku: `SKU-${suffix()}` });
    const removed = await subscribeWithKeys(A, { url: "https://removed.example.com/", sku: `SKU-${suffix()}` });
    expect((await call(`/v1/webhooks/${removed.id}`, { method: "DELETE" })).status).toBe(204);
    const repository = new WebhookRepository(env.DB, `${workerKeys},${A}`);
    let rewritten = 0;
    for (let round = 0; round < 10 && (await storedSecret(removed.id)).startsWith(`enc:v1:${oldId}:`); round++) {
      rewritten += await repository.upgradeSecrets(50);
    }
    expect(rewritten).toBeGreaterThanOrEqual(2);
    for (const { id } of [kept, removed]) expect(await storedSecret(id)).toMatch(new RegExp(`^enc:v1:${workerKeyId}:`));
    const [target] = await new WebhookRepository(env.DB, workerKeys).targetsFor(
      ((await (await call(`/v1/webhooks/${kept.id}`)).json()) as { sku: string }).sku,
      "ams-1",
    );
    expect(target).toMatchObject({ id: kept.id, secret: kept.secret });
    await expect(new WebhookRepository(env.DB, undefined).upgradeSecrets(10)).rejects.toThrow(/WEBHOOK_SECRET_KEYS is not set/);
  });
});
