import { describe, expect, expectTypeOf, it } from "vitest";
import { createClient, type Level, type Shortage, type StockEvent } from "../../client/src/index";
import { serverForFile } from "./server";

/**
 * The typed client (`@stockflare/client`, from its source in client/: openapi-fetch over the
 * types generated from the OpenAPI document) driving the real `npm start`, as a storefront or an
 * ERP would: set a level, reserve, commit, read the events, and get typed problems back. Under
 * `npm run test:contract` its requests go through Prism too (`server().send`). The package as
 * built and installed from its tarball: client-package.e2e.test.ts.
 */

const server = serverForFile();

const clientFor = (token = server().token) => createClient({ baseUrl: server().apiUrl, token, fetch: (request) => server().send(request) });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("the typed client end to end", () => {
  it("sets a level, reserves, commits and reads the events", async () => {
    const stockflare = clientFor();
    const sku = `E2E-CLIENT-${Math.random().toString(36).slice(2, 8)}`;
    const item = { params: { path: { sku, warehouse: "ams-1" } } };

    const set = await stockflare.PUT("/v1/stock/{sku}/{warehouse}", { ...item, body: { onHand: 10, lowStockThreshold: 2 } });
    expect(set.response.status).toBe(200);
    expectTypeOf(set.data).toEqualTypeOf<Level | undefined>();
    expect(set.data).toMatchObject({ sku, warehouse: "ams-1", onHand: 10, available: 10, version: 1 });
    expect(set.response.headers.get("etag")).toBe('"1"');

    const id = `order-${sku}`;
    const held = await stockflare.POST("/v1/reservations", { body: { id, lines: [{ sku, warehouse: "ams-1", quantity: 3 }] } });
    expect(held.response.status).toBe(201);
    expect(held.data).toMatchObject({ id, status: "held", lines: [{ sku, warehouse: "ams-1", quantity: 3 }], channel: null });

    const committed = await stockflare.POST("/v1/reservations/{id}/commit", { params: { path: { id } } });
    expect(committed.data?.status).toBe("committed");

    const level = await stockflare.GET("/v1/stock/{sku}/{warehouse}", item);
    expect(level.data).toMatchObject({ onHand: 7, reserved: 0, available: 7, version: 3 });

    // Events reach D1 through the Queue: within 10 s under `npm start`.
    let events: StockEvent[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && events.length < 3; await sleep(250)) {
      const page = await stockflare.GET("/v1/events", { params: { query: { sku, warehouse: "ams-1", limit: 100 } } });
      expect(page.error).toBeUndefined();
      events = page.data?.events ?? [];
    }
    expect(events.map((e) => [e.seq, e.type, e.actor])).toEqual([
      [1, "stock.set", "root"],
      [2, "reservation.held", "root"],
      [3, "reservation.committed", "root"],
    ]);
    expect(events[1]).toMatchObject({ reservationId: id, onHandDelta: 0, reservedDelta: 3 });
  });

  it("answers typed problems: insufficient_stock, invalid_state, forbidden", async () => {
    const stockflare = clientFor();
    const sku = `E2E-CLIENT-P-${Math.random().toString(36).slice(2, 8)}`;
    await stockflare.PUT("/v1/stock/{sku}/{warehouse}", { params: { path: { sku, warehouse: "ams-1" } }, body: { onHand: 2 } });

    const short = await stockflare.POST("/v1/reservations", { body: { lines: [{ sku, warehouse: "ams-1", quantity: 5 }] } });
    expect(short.response.status).toBe(409);
    expect(short.data).toBeUndefined();
    expect(short.response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expectTypeOf(short.error?.shortages).toEqualTypeOf<Shortage[] | undefined>();
    expect(short.error).toMatchObject({ status: 409, code: "insufficient_stock" });
    expect(short.error?.shortages).toEqual([{ sku, warehouse: "ams-1", requested: 5, available: 2 }]);

    const id = `released-${sku}`;
    await stockflare.POST("/v1/reservations", { body: { id, lines: [{ sku, warehouse: "ams-1", quantity: 1 }] } });
    await stockflare.POST("/v1/reservations/{id}/release", { params: { path: { id } } });
    const late = await stockflare.POST("/v1/reservations/{id}/commit", { params: { path: { id } } });
    expect(late.response.status).toBe(409);
    expect(late.error).toMatchObject({ status: 409, code: "invalid_state", reservationStatus: "released" });

    // A storefront's key: it reads and reserves, and is refused a count, typed `requiredScope`.
    const key = await stockflare.POST("/v1/keys", { body: { name: "client e2e shop", scopes: ["stock:read", "reservations"] } });
    expect(key.response.status).toBe(201);
    const shop = clientFor(key.data?.token);
    expect((await shop.GET("/v1/stock/{sku}/{warehouse}", { params: { path: { sku, warehouse: "ams-1" } } })).data?.onHand).toBe(2);
    const refused = await shop.PUT("/v1/stock/{sku}/{warehouse}", { params: { path: { sku, warehouse: "ams-1" } }, body: { onHand: 0 } });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ code: "forbidden", requiredScope: "stock:write" });
  });
});
