import { describe, expect, it } from "vitest";
import { type FetchInit, fetchJson, serverForFile } from "./server";

/**
 * Channels, sourcing, availability and the listing under the real `npm start` (its D1
 * migrations included): a channel over two warehouses, a reservation that names none and is
 * split, exact availability, and the item in `GET /v1/stock` within 10 s.
 */

const server = serverForFile();
const json = <T = any>(path: string, init?: FetchInit) => fetchJson<T>(server(), path, init);

describe("channels and sourcing end to end", () => {
  it("sources a line across two warehouses, reads the channel's availability, and lists the items", async () => {
    const sku = `E2E-SRC-${Math.random().toString(36).slice(2, 8)}`;
    const channel = `web-${sku.toLowerCase()}`;
    expect((await json(`/v1/stock/${sku}/ams-1`, { method: "PUT", json: { onHand: 5, lowStockThreshold: 3 } })).status).toBe(200);
    expect((await json(`/v1/stock/${sku}/ber-1`, { method: "PUT", json: { onHand: 20 } })).status).toBe(200);
    const put = await json(`/v1/channels/${channel}`, { method: "PUT", json: { warehouses: ["ams-1", "ber-1"], safetyStock: 2 } });
    expect(put.body).toMatchObject({ id: channel, warehouses: ["ams-1", "ber-1"], safetyStock: 2 });

    const whole = await json("/v1/reservations", { method: "POST", json: { channel, lines: [{ sku, quantity: 4 }] } });
    expect(whole.status).toBe(201);
    expect(whole.body).toMatchObject({
      channel,
      lines: [{ sku, warehouse: null, quantity: 4 }],
      allocations: [{ sku, warehouse: "ber-1", quantity: 4 }],
    });

    const split = await json("/v1/reservations", { method: "POST", json: { channel, lines: [{ sku, quantity: 17 }] } });
    expect(split.status).toBe(201);
    expect(split.body.allocations).toEqual([
      { sku, warehouse: "ams-1", quantity: 3 },
      { sku, warehouse: "ber-1", quantity: 14 },
    ]);
    const tooMany = await json("/v1/reservations", { method: "POST", json: { channel, lines: [{ sku, quantity: 1 }] } });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.shortages).toEqual([{ sku, warehouse: null, requested: 1, available: 0 }]);

    const availability = await json("/v1/availability", {
      method: "POST",
      json: { channel, items: [{ sku }, { sku, warehouse: "ams-1" }] },
    });
    expect(availability.body.items).toEqual([
      {
        sku,
        warehouse: null,
        onHand: 25,
        reserved: 21,
        available: 0,
        warehouses: [
          { warehouse: "ams-1", available: 0 },
          { warehouse: "ber-1", available: 0 },
        ],
      },
      { sku, warehouse: "ams-1", onHand: 5, reserved: 3, available: 2 },
    ]);

    // The listing is D1's projection: the reservations show there within 10 s.
    const deadline = Date.now() + 10_000;
    let items: { warehouse: string; reserved: number; lowStockThreshold: number }[] = [];
    while (Date.now() < deadline) {
      items = (await json(`/v1/stock?prefix=${sku}`)).body.items;
      if (items.length === 2 && items.every((i) => i.reserved > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(items).toMatchObject([
      { sku, warehouse: "ams-1", reserved: 3, lowStockThreshold: 3 },
      { sku, warehouse: "ber-1", reserved: 18 },
    ]);
    const low = (await json(`/v1/stock?prefix=${sku}&status=low`)).body.items;
    expect(low.map((i: { warehouse: string }) => i.warehouse)).toEqual(["ams-1"]);
  });
});
