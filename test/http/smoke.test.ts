import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const auth = { authorization: "Bearer test-token", "content-type": "application/json" };

describe("smoke", () => {
  it("sets, reserves and commits", async () => {
    const worker = exports.default;
    let r = await worker.fetch("http://x/v1/health");
    expect(r.status).toBe(200);
    r = await worker.fetch("http://x/v1/stock/SKU1/WH1", { method: "PUT", headers: auth, body: JSON.stringify({ onHand: 5 }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ onHand: 5, available: 5, version: 1 });
    r = await worker.fetch("http://x/v1/reservations", { method: "POST", headers: auth, body: JSON.stringify({ id: "r1", lines: [{ sku: "SKU1", warehouse: "WH1", quantity: 2 }] }) });
    expect(r.status).toBe(201);
    r = await worker.fetch("http://x/v1/stock/SKU1/WH1", { headers: auth });
    expect(await r.json()).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
    r = await worker.fetch("http://x/v1/reservations/r1/commit", { method: "POST", headers: auth });
    expect(r.status).toBe(200);
    r = await worker.fetch("http://x/v1/stock/SKU1", { headers: auth });
    expect(await r.json()).toMatchObject({ totals: { onHand: 3, reserved: 0, available: 3 } });
  });
});
