import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS, outflowTotals } from "../../src/events/analytics";
import { EventsReader } from "../../src/events/queries";
import { reconcile } from "../../src/events/reconcile";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";
import { api, apiJson, record, syntheticEvent, unique, waitForEvents, withQueue } from "./support";

interface EventsPage {
  events: { id: string; seq: number; type: string; sku: string; warehouse: string; [key: string]: unknown }[];
  next: string | null;
}

interface Report {
  checked: number;
  drifted: { sku: string; warehouse: string; reason: string; expected: unknown; projected: unknown }[];
  lagging: { sku: string; warehouse: string; expected: unknown; projected: unknown }[];
}

async function allPages(query: string, limit: number): Promise<{ pages: number[][]; events: EventsPage["events"] }> {
  const pages: number[][] = [];
  const events: EventsPage["events"] = [];
  let after: string | null = null;
  do {
    const cursor: string = after === null ? "" : `&after=${encodeURIComponent(after)}`;
    const { status, body } = await apiJson<EventsPage>(`/v1/events?${query}&limit=${limit}${cursor}`);
    expect(status).toBe(200);
    pages.push(body.events.map((e) => e.seq));
    events.push(...body.events);
    after = body.next;
  } while (after !== null && pages.length < 50);
  return { pages, events };
}

async function postReconcile(
  body?: unknown,
  headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" },
) {
  const response = await exports.default.fetch("http://stockflare.test/v1/admin/reconcile", {
    method: "POST",
    headers: { authorization: "Bearer test-token", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Report & { code?: string } };
}

/** An item with a few real changes, all of them recorded in D1. */
async function settledItem(prefix: string) {
  const sku = unique(prefix);
  const warehouse = "WH1";
  await apiJson(`/v1/stock/${sku}/${warehouse}`, { method: "PUT", body: JSON.stringify({ onHand: 20 }) });
  await apiJson(`/v1/stock/${sku}/${warehouse}/adjustments`, { method: "POST", body: JSON.stringify({ delta: -2, reason: "damage" }) });
  await runDurableObjectAlarm(stockItem(env, sku, warehouse));
  await waitForEvents(sku, warehouse, 2);
  return { sku, warehouse };
}

describe("OpenAPI", () => {
  it("documents the event, analytics and reconcile routes", async () => {
    const { status, body } = await apiJson<{ paths: Record<string, Record<string, { parameters?: { name: string }[] }>> }>(
      "/v1/openapi.json",
    );
    expect(status).toBe(200);
    expect(body.paths["/v1/events"]?.get?.parameters?.map((p) => p.name).sort()).toEqual([
      "actor",
      "after",
      "limit",
      "sku",
      "type",
      "warehouse",
    ]);
    expect(body.paths["/v1/analytics/stock/{sku}/{warehouse}"]?.get).toBeDefined();
    expect(body.paths["/v1/admin/reconcile"]?.post).toBeDefined();
  });
});

describe("GET /v1/events", () => {
  it("needs the token", async () => {
    const response = await exports.default.fetch("http://stockflare.test/v1/events");
    expect(response.status).toBe(401);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=abc", "limit"],
    ["limit=1.5", "limit"],
    ["limit=", "limit"],
    ["sku=bad%2Fsku", "sku"],
    [`warehouse=${"w".repeat(65)}`, "warehouse"],
    ["type=stock.teleported", "type"],
    ["after=garbage", "after"],
    ["after=e1.%21%21", "after"],
    ["after=e1.LTE", "after"],
  ])("answers %s with 400 invalid_request", async (query, path) => {
    const response = await api(`/v1/events?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    const body = (await response.json()) as { code: string; errors: { path: string }[] };
    expect(body.code).toBe("invalid_request");
    expect(body.errors.map((e) => e.path)).toContain(path);
  });

  it("pages an item's events with an opaque cursor until next is null", async () => {
    const sku = unique("page");
    await record([1, 2, 3, 4, 5].map((seq) => syntheticEvent(sku, "WH1", seq)));
    const { pages, events } = await allPages(`sku=${sku}&warehouse=WH1`, 2);
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
    expect(events[0]).toEqual({
      id: `${sku}:WH1:1`,
      seq: 1,
      type: "stock.adjusted",
      sku,
      warehouse: "WH1",
      onHandDelta: 1,
      reservedDelta: 0,
      onHand: 1,
      reserved: 0,
      reason: "receipt",
      // A synthetic event of the previous version's shape: no actor, recorded as null.
      actor: null,
      at: syntheticEvent(sku, "WH1", 1).at,
    });
    // A full last page still says whether more exist.
    const exact = await allPages(`sku=${sku}&warehouse=WH1`, 5);
    expect(exact.pages).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("filters by sku, warehouse and type, and defaults to 100 per page", async () => {
    const sku = unique("filter");
    const warehouse = unique("wh");
    await record([
      syntheticEvent(sku, warehouse, 1, { type: "stock.set", reason: undefined }),
      syntheticEvent(sku, warehouse, 2, {
        type: "reservation.held",
        reason: undefined,
        reservationId: "r-1",
        onHandDelta: 0,
        reservedDelta: 1,
        reserved: 1,
      }),
      syntheticEvent(sku, warehouse, 3, {
        type: "reservation.committed",
        reason: undefined,
        reservationId: "r-1",
        onHandDelta: -1,
        reservedDelta: -1,
        reserved: 0,
      }),
      syntheticEvent(sku, "OTHER", 1, { type: "stock.set", reason: undefined }),
    ]);
    const committed = await apiJson<EventsPage>(`/v1/events?sku=${sku}&type=reservation.committed`);
    expect(committed.body.events.map((e) => [e.warehouse, e.seq, e.reservationId])).toEqual([[warehouse, 3, "r-1"]]);
    expect(committed.body.events[0]).not.toHaveProperty("reason");
    const byWarehouse = await apiJson<EventsPage>(`/v1/events?warehouse=${warehouse}`);
    expect(byWarehouse.body.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(byWarehouse.body.next).toBeNull();
    const bySku = await apiJson<EventsPage>(`/v1/events?sku=${sku}`);
    expect(bySku.body.events).toHaveLength(4);

    const many = unique("many");
    await record(Array.from({ length: 101 }, (_, i) => syntheticEvent(many, "WH1", i + 1)));
    const first = await apiJson<EventsPage>(`/v1/events?sku=${many}`);
    expect(first.body.events).toHaveLength(100);
    expect(first.body.next).not.toBeNull();
    const rest = await apiJson<EventsPage>(`/v1/events?sku=${many}&after=${first.body.next}`);
    expect(rest.body.events.map((e) => e.seq)).toEqual([101]);
  });
});

describe("GET /v1/analytics/stock/{sku}/{warehouse}", () => {
  it("is 404 not_found for an item D1 has no events of", async () => {
    const { status, body } = await apiJson(`/v1/analytics/stock/${unique("none")}/WH1`);
    expect(status).toBe(404);
    expect(body.code).toBe("not_found");
  });

  it("is 400 for a malformed identifier", async () => {
    const { status, body } = await apiJson(`/v1/analytics/stock/bad!sku/WH1`);
    expect(status).toBe(400);
    expect(body.code).toBe("invalid_request");
  });

  it("derives velocity and cover from real commits and transfers", async () => {
    const sku = unique("velo");
    const warehouse = "WH1";
    await apiJson(`/v1/stock/${sku}/${warehouse}`, { method: "PUT", body: JSON.stringify({ onHand: 50 }) });
    const id = unique("order");
    await apiJson("/v1/reservations", { method: "POST", body: JSON.stringify({ id, lines: [{ sku, warehouse, quantity: 7 }] }) });
    await apiJson(`/v1/reservations/${id}/commit`, { method: "POST" });
    await apiJson(`/v1/stock/${sku}/${warehouse}/adjustments`, {
      method: "POST",
      body: JSON.stringify({ delta: -7, reason: "transfer_out" }),
    });
    await apiJson(`/v1/stock/${sku}/${warehouse}/adjustments`, { method: "POST", body: JSON.stringify({ delta: -1, reason: "damage" }) });
    await runDurableObjectAlarm(stockItem(env, sku, warehouse));
    await waitForEvents(sku, warehouse, 5);

    const before = Date.now();
    const { status, body } = await apiJson<Record<string, unknown>>(`/v1/analytics/stock/${sku}/${warehouse}`);
    expect(status).toBe(200);
    // 14 units of demand in 7 days = 2/day; 35 available → 17.5 days.
    expect(body).toMatchObject({
      sku,
      warehouse,
      unitsPerDay: { last7d: 2, last30d: 0.467 },
      shrinkPerDay: { last7d: 0.143, last30d: 0.033 },
      available: 35,
      daysOfCover: 17.5,
    });
    const stockout = Date.parse(body.projectedStockoutAt as string);
    expect(stockout).toBeGreaterThanOrEqual(before + 17.5 * DAY_MS);
    expect(stockout).toBeLessThanOrEqual(Date.now() + 17.5 * DAY_MS);
  });

  it("aggregates in D1 exactly as the pure function does, window edges included", async () => {
    const sku = unique("sql");
    const now = Date.UTC(2026, 5, 1);
    const ages = [0, 1, 7 * DAY_MS - 1, 7 * DAY_MS, 7 * DAY_MS + 1, 20 * DAY_MS, 30 * DAY_MS, 31 * DAY_MS, -5];
    const kinds = [
      { type: "reservation.committed" as const, reason: undefined },
      { type: "stock.adjusted" as const, reason: "transfer_out" },
      { type: "stock.adjusted" as const, reason: "damage" },
      { type: "stock.adjusted" as const, reason: "receipt" },
    ];
    const events = ages.flatMap((age, i) =>
      kinds.map((kind, k) =>
        syntheticEvent(sku, "WH1", i * kinds.length + k + 1, {
          ...kind,
          onHandDelta: kind.reason === "receipt" ? 3 : -(i + k + 1),
          at: new Date(now - age).toISOString(),
        }),
      ),
    );
    await record(events);
    const fromD1 = await new EventsReader(env.DB).outflowTotals(sku, "WH1", now);
    const pure = outflowTotals(
      events.map((e) => ({ type: e.type, reason: e.reason ?? null, onHandDelta: e.onHandDelta, atMs: Date.parse(e.at) })),
      now,
    );
    const order = (a: { type: string; reason: string | null }, b: { type: string; reason: string | null }) =>
      `${a.type}/${a.reason}`.localeCompare(`${b.type}/${b.reason}`);
    expect([...fromD1].sort(order)).toEqual([...pure].sort(order));
    expect(pure.length).toBe(3);
  });
});

describe("POST /v1/admin/reconcile", () => {
  it("reports no drift when D1 and the objects agree", async () => {
    const a = await settledItem("recon");
    const b = await settledItem("recon");
    const { status, body } = await postReconcile({ items: [a, b] });
    expect(status).toBe(200);
    expect(body).toEqual({ checked: 2, drifted: [], lagging: [] });
  });

  it("checks every item D1 knows when no items are given, with or without an empty JSON body", async () => {
    await settledItem("all");
    for (const [body, headers] of [
      [undefined, {}],
      ["", { "content-type": "application/json" }],
      [{}, { "content-type": "application/json" }],
    ] as const) {
      const result = await postReconcile(body, headers);
      expect(result.status).toBe(200);
      expect(result.body.checked).toBeGreaterThanOrEqual(1);
      expect(Array.isArray(result.body.drifted)).toBe(true);
    }
  });

  it("reports drift when the projection is corrupted", async () => {
    const { sku, warehouse } = await settledItem("corrupt");
    await env.DB.prepare("UPDATE stock_projection SET on_hand = on_hand + 5 WHERE sku = ? AND warehouse = ?").bind(sku, warehouse).run();
    try {
      const { status, body } = await postReconcile({ items: [{ sku, warehouse }] });
      expect(status).toBe(200);
      expect(body).toEqual({
        checked: 1,
        drifted: [
          {
            sku,
            warehouse,
            reason: "values_differ",
            expected: { onHand: 18, reserved: 0, version: 2 },
            projected: { onHand: 23, reserved: 0, lastSeq: 2, events: 2 },
          },
        ],
        lagging: [],
      });
    } finally {
      await env.DB.prepare("UPDATE stock_projection SET on_hand = on_hand - 5 WHERE sku = ? AND warehouse = ?").bind(sku, warehouse).run();
    }
  });

  it("reports a missing event as drift once the grace period is over, lag before", async () => {
    const { sku, warehouse } = await settledItem("gap");
    await env.DB.prepare("DELETE FROM events WHERE sku = ? AND warehouse = ? AND seq = 1").bind(sku, warehouse).run();
    const items = [{ sku, warehouse }];
    const levelOf = (s: string, w: string) => stockItem(env, s, w).getLevel();
    expect((await reconcile(env, levelOf, { items })).lagging).toHaveLength(1);
    const later = await reconcile(env, levelOf, { items, now: () => Date.now() + 5 * 60_000 });
    expect(later.drifted).toMatchObject([{ sku, reason: "missing_events", projected: { lastSeq: 2, events: 1 } }]);
  });

  it("tells events still on their way (lagging) from drift", async () => {
    const sku = unique("lag");
    const warehouse = "WH1";
    const stub = stockItem(env, sku, warehouse);
    let queueUp = false;
    await withQueue(stub, (real) => async (messages, options) => {
      if (!queueUp) throw new Error("queue unavailable");
      return real(messages, options);
    });
    await runInDurableObject(stub, async (instance: StockItem) => {
      await instance.setCount(sku, warehouse, { onHand: 3 });
    });
    await runDurableObjectAlarm(stub);

    const { body } = await postReconcile({ items: [{ sku, warehouse }] });
    expect(body).toEqual({
      checked: 1,
      drifted: [],
      lagging: [{ sku, warehouse, expected: { onHand: 3, reserved: 0, version: 1 }, projected: null }],
    });
    queueUp = true;
    await runDurableObjectAlarm(stub);
    await waitForEvents(sku, warehouse, 1);
    expect((await postReconcile({ items: [{ sku, warehouse }] })).body).toEqual({ checked: 1, drifted: [], lagging: [] });
  });

  it.each([
    [{ items: [] }, "invalid_request"],
    [{ items: [{ sku: "bad/sku", warehouse: "WH1" }] }, "invalid_request"],
    [{ items: "all" }, "invalid_request"],
    ["{not json", "malformed_json"],
  ])("answers a bad body %j with 400", async (body, code) => {
    const result = await postReconcile(body, { "content-type": "application/json" });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe(code);
  });
});
