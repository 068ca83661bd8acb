import { describe, expect, it } from "vitest";
import { fetchJson, serverForFile } from "./server";

/**
 * Contract v1.2 under a real `npm start`: storefront reads from copies (and, as they land, the
 * regions section).
 */
const server = serverForFile();

describe("storefront reads under npm start", () => {
  it("a listing's availability with maxAgeSeconds carries asOf and is never older than asked; 0 is exact", async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const items = Array.from({ length: 20 }, (_, i) => ({ sku: `E2E-READ-${run}-${i}`, warehouse: "wh-1" }));
    const [first, second] = items as [(typeof items)[0], (typeof items)[0]];
    for (const item of items) {
      const r = await server().fetch(`/v1/stock/${item.sku}/${item.warehouse}`, { method: "PUT", json: { onHand: 5 } });
      expect(r.status).toBe(200);
    }
    const started = Date.now();
    const cached = await fetchJson(server(), "/v1/availability", { method: "POST", json: { items, maxAgeSeconds: 5 } });
    expect(cached.status).toBe(200);
    for (const entry of cached.body.items) {
      expect(entry.available).toBe(5);
      expect(Date.parse(entry.asOf)).toBeGreaterThanOrEqual(started - 1_000);
    }
    const reserved = await server().fetch("/v1/reservations", { method: "POST", json: { lines: [{ ...first, quantity: 2 }] } });
    expect(reserved.status).toBe(201);
    const exact = await fetchJson(server(), "/v1/availability", { method: "POST", json: { items: [first], maxAgeSeconds: 0 } });
    expect(exact.body.items[0]).toEqual({ ...first, onHand: 5, reserved: 2, available: 3 });
    const again = await fetchJson(server(), "/v1/availability", { method: "POST", json: { items: [first], maxAgeSeconds: 5 } });
    expect(Date.now() - Date.parse(again.body.items[0].asOf)).toBeLessThanOrEqual(5_000 + 1_000);

    const level = await server().fetch(`/v1/stock/${second.sku}/wh-1`, { headers: { "cache-control": "max-age=5" } });
    expect(level.status).toBe(200);
    expect(level.headers.get("age")).toMatch(/^[0-9]+$/);
    const malformed = await server().fetch(`/v1/stock/${second.sku}/wh-1`, { headers: { "cache-control": "max-age=soon" } });
    expect(malformed.status).toBe(400);
  });
});
