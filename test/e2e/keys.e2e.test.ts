import { describe, expect, it } from "vitest";
import { type FetchInit, fetchJson, serverForFile } from "./server";

/**
 * Scoped keys under the real `npm start` (its D1 migrations and its Rate Limiting simulation):
 * a storefront key reserves but cannot count, a warehouse key counts only its warehouse, events
 * name who made each change, a deleted key is refused, and the OpenAPI document is public.
 */

const server = serverForFile();
const json = <T = any>(path: string, init?: FetchInit) => fetchJson<T>(server(), path, init);

const as = (token: string) => ({ auth: false, headers: { authorization: `Bearer ${token}` } });

describe("scoped keys end to end", () => {
  it("scopes, warehouses, actor and revocation", async () => {
    const sku = `E2E-KEY-${Math.random().toString(36).slice(2, 8)}`;
    const shop = (await json("/v1/keys", { method: "POST", json: { name: "shop", scopes: ["stock:read", "reservations"] } })).body;
    const scanner = (
      await json("/v1/keys", { method: "POST", json: { name: "ams scanner", scopes: ["stock:write"], warehouses: ["ams-1"] } })
    ).body;
    expect(shop.token).toMatch(/^sfk_/);

    expect((await json(`/v1/stock/${sku}/ams-1`, { method: "PUT", json: { onHand: 5 }, ...as(scanner.token) })).status).toBe(200);
    const elsewhere = await json(`/v1/stock/${sku}/ber-1`, { method: "PUT", json: { onHand: 5 }, ...as(scanner.token) });
    expect(elsewhere).toMatchObject({ status: 403, body: { code: "forbidden", requiredScope: "stock:write" } });
    const zero = await json(`/v1/stock/${sku}/ams-1`, { method: "PUT", json: { onHand: 0 }, ...as(shop.token) });
    expect(zero).toMatchObject({ status: 403, body: { code: "forbidden", requiredScope: "stock:write" } });
    const held = await json("/v1/reservations", {
      method: "POST",
      json: { lines: [{ sku, warehouse: "ams-1", quantity: 2 }] },
      ...as(shop.token),
    });
    expect(held.status).toBe(201);

    const deadline = Date.now() + 10_000;
    let events: { type: string; actor: string | null }[] = [];
    while (Date.now() < deadline) {
      events = (await json(`/v1/events?sku=${sku}`)).body.events;
      if (events.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ["stock.set", scanner.id],
      ["reservation.held", shop.id],
    ]);

    expect((await server().fetch(`/v1/keys/${shop.id}`, { method: "DELETE" })).status).toBe(204);
    const after = Date.now() + 11_000;
    let status = 0;
    while (Date.now() < after) {
      status = (await server().fetch(`/v1/stock/${sku}/ams-1`, as(shop.token))).status;
      if (status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe(401);
    expect((await server().fetch("/v1/openapi.json", { auth: false })).status).toBe(200);
  });
});
