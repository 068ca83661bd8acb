import { describe, expect, it } from "vitest";
import { call, expectInvalid, expectProblem, unique } from "./client";

/**
 * Channels and sourcing through the Worker (contract: "Channels and sourcing (v1.1)" and
 * "Listing and availability (v1.1)"): reserving without naming a warehouse, the split,
 * refusals, repeats, exact availability reads, and many buyers at once on one channel.
 */

/** A SKU stocked in warehouses named after it, and a channel over them in that order. */
async function channelWith(onHand: number[], safetyStock = 0) {
  const sku = unique("SRC");
  const warehouses = onHand.map((_, i) => `${sku}-w${i}`);
  await Promise.all(
    warehouses.map(async (warehouse, i) => {
      expect((await call("PUT", `/v1/stock/${sku}/${warehouse}`, { json: { onHand: onHand[i] } })).status).toBe(200);
    }),
  );
  const channel = unique("web");
  expect((await call("PUT", `/v1/channels/${channel}`, { json: { warehouses, safetyStock } })).status).toBe(200);
  return { sku, warehouses, channel };
}

async function availableIn(sku: string, warehouses: string[]) {
  const levels = await Promise.all(warehouses.map((w) => call("GET", `/v1/stock/${sku}/${w}`)));
  return levels.map((l) => l.body.available as number);
}

describe("POST /v1/reservations with a channel", () => {
  it("sources a line without a warehouse: 201 with the channel, the line as sent and the allocation held", async () => {
    const { sku, warehouses, channel } = await channelWith([2, 8]);
    const id = unique("order");
    const r = await call("POST", "/v1/reservations", { json: { id, channel, lines: [{ sku, quantity: 5 }] } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({
      id,
      status: "held",
      channel,
      lines: [{ sku, warehouse: null, quantity: 5 }],
      allocations: [{ sku, warehouse: warehouses[1], quantity: 5 }],
    });
    expect(await availableIn(sku, warehouses)).toEqual([2, 3]);
    expect((await call("GET", `/v1/reservations/${id}`)).body).toEqual(r.body);
  });

  it("splits across warehouses in priority order; commit takes every allocation's units", async () => {
    const { sku, warehouses, channel } = await channelWith([4, 6]);
    const other = (await channelWith([10])).sku;
    const id = unique("order");
    const lines = [
      { sku, warehouse: null, quantity: 7 },
      { sku: other, warehouse: `${other}-w0`, quantity: 1 },
    ];
    const r = await call("POST", "/v1/reservations", { json: { id, channel, lines } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // Allocations in no particular order: one per item that holds.
    expect(r.body.allocations).toHaveLength(3);
    expect(r.body.allocations).toEqual(
      expect.arrayContaining([
        { sku: other, warehouse: `${other}-w0`, quantity: 1 },
        { sku, warehouse: warehouses[0], quantity: 4 },
        { sku, warehouse: warehouses[1], quantity: 3 },
      ]),
    );
    expect((await call("POST", `/v1/reservations/${id}/commit`)).body.status).toBe("committed");
    const onHand = await Promise.all(warehouses.map((w) => call("GET", `/v1/stock/${sku}/${w}`)));
    expect(onHand.map((l) => [l.body.onHand, l.body.reserved])).toEqual([
      [0, 0],
      [3, 0],
    ]);
  });

  it("409 insufficient_stock with the channel's availability when the channel cannot cover a line; nothing held", async () => {
    const { sku, warehouses, channel } = await channelWith([5, 6], 2);
    const r = await call("POST", "/v1/reservations", { json: { channel, lines: [{ sku, quantity: 8 }] } });
    const problem = expectProblem(r, 409, "insufficient_stock");
    expect(problem.shortages).toEqual([{ sku, warehouse: null, requested: 8, available: 7 }]);
    expect(await availableIn(sku, warehouses)).toEqual([5, 6]);
    // 7 can: 3 from the first (2 kept back), 4 from the second.
    const ok = await call("POST", "/v1/reservations", { json: { channel, lines: [{ sku, quantity: 7 }] } });
    expect(ok.status).toBe(201);
    expect(await availableIn(sku, warehouses)).toEqual([2, 2]);
  });

  it("a repeat with the same id, channel and lines is 200 and holds nothing twice; another channel is a conflict", async () => {
    const { sku, warehouses, channel } = await channelWith([10]);
    const second = (await channelWith([1])).channel;
    const id = unique("order");
    const body = { id, channel, lines: [{ sku, quantity: 3 }] };
    const first = await call("POST", "/v1/reservations", { json: body });
    expect(first.status).toBe(201);
    const again = await call("POST", "/v1/reservations", { json: { ...body, lines: [{ sku, warehouse: null, quantity: 3 }] } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expectProblem(await call("POST", "/v1/reservations", { json: { ...body, channel: second } }), 409, "idempotency_conflict");
    expect(await availableIn(sku, warehouses)).toEqual([7]);
  });

  it("400s: unknown_channel, a line without warehouse and no channel, a sourced SKU in two lines", async () => {
    const { sku, channel } = await channelWith([10]);
    const unknown = await call("POST", "/v1/reservations", { json: { channel: unique("nope"), lines: [{ sku, quantity: 1 }] } });
    expect(expectProblem(unknown, 400, "unknown_channel").channel).toMatch(/^nope-/);
    expectInvalid(await call("POST", "/v1/reservations", { json: { lines: [{ sku, quantity: 1 }] } }), "lines.0.warehouse");
    expectInvalid(
      await call("POST", "/v1/reservations", {
        json: {
          channel,
          lines: [
            { sku, quantity: 1 },
            { sku, warehouse: "x", quantity: 1 },
          ],
        },
      }),
      "lines.1",
    );
    expectInvalid(
      await call("POST", "/v1/reservations", {
        json: {
          channel,
          lines: [
            { sku, quantity: 1 },
            { sku, quantity: 2 },
          ],
        },
      }),
      "lines.1",
    );
    expectInvalid(await call("POST", "/v1/reservations", { json: { channel: "-bad", lines: [{ sku, quantity: 1 }] } }), "channel");
  });

  it("many buyers at once on one channel get exactly the units above safety stock, never more, in no warehouse", async () => {
    const { sku, warehouses, channel } = await channelWith([12, 9, 4], 2);
    const sellable = 10 + 7 + 2;
    const results = await Promise.all(
      Array.from({ length: 60 }, () => call("POST", "/v1/reservations", { json: { channel, lines: [{ sku, quantity: 1 }] } })),
    );
    const statuses = results.map((r) => r.status);
    console.log(`sourced contention: 201 × ${statuses.filter((s) => s === 201).length}, 409 × ${statuses.filter((s) => s === 409).length}`);
    expect(statuses.filter((s) => s === 201)).toHaveLength(sellable);
    expect(statuses.filter((s) => s === 409)).toHaveLength(60 - sellable);
    expect(await availableIn(sku, warehouses)).toEqual([2, 2, 2]);
    const held = results.filter((r) => r.status === 201).flatMap((r) => r.body.allocations as { warehouse: string; quantity: number }[]);
    for (const [i, warehouse] of warehouses.entries()) {
      const reserved = (await call("GET", `/v1/stock/${sku}/${warehouse}`)).body.reserved;
      expect(
        held.filter((a) => a.warehouse === warehouse).reduce((sum, a) => sum + a.quantity, 0),
        warehouse,
      ).toBe(reserved);
      expect(reserved).toBe([10, 7, 2][i]);
    }
  });

  it("many multi-unit buyers at once: no oversell, no safety stock sold, and each refusal proven by what is left", async () => {
    const { sku, warehouses, channel } = await channelWith([15, 11], 3);
    const quantities = Array.from({ length: 40 }, (_, i) => 1 + (i % 4));
    const results = await Promise.all(
      quantities.map((quantity) => call("POST", "/v1/reservations", { json: { channel, lines: [{ sku, quantity }] } })),
    );
    expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    const heldUnits = quantities.filter((_, i) => results[i]?.status === 201).reduce((sum, q) => sum + q, 0);
    const left = await availableIn(sku, warehouses);
    expect(left.every((a) => a >= 3)).toBe(true);
    expect(heldUnits).toBe(12 + 8 - (left[0] as number) - (left[1] as number) + 6);
    const leftToSell = left.reduce((sum, a) => sum + Math.max(0, a - 3), 0);
    // Units only ever left: a buyer refused could not have been served even by what is left now.
    for (const [i, r] of results.entries()) {
      if (r.status === 409) expect(quantities[i]).toBeGreaterThan(leftToSell);
    }
  });
});

describe("POST /v1/availability", () => {
  it("answers exact counts in request order, zeros for an item never set, and a channel's availability per SKU", async () => {
    const { sku, warehouses, channel } = await channelWith([5, 9, 0], 2);
    const never = unique("NEVER");
    const r = await call("POST", "/v1/availability", {
      json: {
        channel,
        items: [{ sku, warehouse: warehouses[1] }, { sku: never, warehouse: "wh" }, { sku }, { sku: never }],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items).toEqual([
      { sku, warehouse: warehouses[1], onHand: 9, reserved: 0, available: 9 },
      { sku: never, warehouse: "wh", onHand: 0, reserved: 0, available: 0 },
      {
        sku,
        warehouse: null,
        onHand: 14,
        reserved: 0,
        available: 3 + 7,
        warehouses: [
          { warehouse: warehouses[0], available: 3 },
          { warehouse: warehouses[1], available: 7 },
          { warehouse: warehouses[2], available: 0 },
        ],
      },
      {
        sku: never,
        warehouse: null,
        onHand: 0,
        reserved: 0,
        available: 0,
        warehouses: warehouses.map((warehouse) => ({ warehouse, available: 0 })),
      },
    ]);
  });

  it("sees a reservation acknowledged just before it", async () => {
    const { sku, warehouses, channel } = await channelWith([3, 4]);
    for (let i = 0; i < 5; i++) {
      const held = await call("POST", "/v1/reservations", { json: { channel, lines: [{ sku, quantity: 1 }] } });
      expect(held.status).toBe(201);
      const read = await call("POST", "/v1/availability", { json: { channel, items: [{ sku }, { sku, warehouse: warehouses[0] }] } });
      expect(read.body.items[0].available).toBe(7 - (i + 1));
      expect(read.body.items[0].reserved).toBe(i + 1);
      expect(read.body.items[1].reserved).toBe(Math.min(3, i + 1));
    }
  });

  it("400s: no items, over 100, an item without warehouse and no channel, an unknown channel, a bad SKU", async () => {
    expectInvalid(await call("POST", "/v1/availability", { json: { items: [] } }), "items");
    const many = Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, warehouse: "wh" }));
    expectInvalid(await call("POST", "/v1/availability", { json: { items: many } }), "items");
    expectInvalid(await call("POST", "/v1/availability", { json: { items: [{ sku: "A" }] } }), "items.0.warehouse");
    expectProblem(
      await call("POST", "/v1/availability", { json: { channel: unique("nope"), items: [{ sku: "A" }] } }),
      400,
      "unknown_channel",
    );
    expectInvalid(await call("POST", "/v1/availability", { json: { items: [{ sku: "-A", warehouse: "wh" }] } }), "items.0.sku");
    expect((await call("POST", "/v1/availability", { json: { items: [{ sku: "A", warehouse: "wh" }] }, auth: false })).status).toBe(401);
  });

  it("100 items in one call", async () => {
    const { sku, warehouses } = await channelWith([1, 2, 3, 4]);
    const items = Array.from({ length: 100 }, (_, i) => ({ sku, warehouse: warehouses[i % 4] }));
    const r = await call("POST", "/v1/availability", { json: { items } });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { available: number }) => i.available)).toEqual(items.map((_, i) => (i % 4) + 1));
  });
});

describe("PUT /v1/reservations/{id}/lines with a channel", () => {
  it("grows a sourced line (its extra sourced by the channel's rule, keeping what it holds), and shrinks it from the last", async () => {
    const { sku, warehouses, channel } = await channelWith([3, 10]);
    const id = unique("cart");
    expect((await call("POST", "/v1/reservations", { json: { id, channel, lines: [{ sku, quantity: 2 }] } })).status).toBe(201);
    const grown = await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [{ sku, quantity: 6 }] } });
    expect(grown.status, JSON.stringify(grown.body)).toBe(200);
    expect(grown.body).toMatchObject({
      channel,
      lines: [{ sku, warehouse: null, quantity: 6 }],
      // The first 2 stay where they are; the extra 4 go whole to the first warehouse that covers them.
      allocations: [
        { sku, warehouse: warehouses[0], quantity: 2 },
        { sku, warehouse: warehouses[1], quantity: 4 },
      ],
    });
    expect(await availableIn(sku, warehouses)).toEqual([1, 6]);
    const shrunk = await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [{ sku, quantity: 1 }] } });
    expect(shrunk.body.allocations).toEqual([{ sku, warehouse: warehouses[0], quantity: 1 }]);
    expect(await availableIn(sku, warehouses)).toEqual([2, 10]);
    const tooMany = await call("PUT", `/v1/reservations/${id}/lines`, { json: { lines: [{ sku, quantity: 14 }] } });
    expect(expectProblem(tooMany, 409, "insufficient_stock").shortages).toEqual([{ sku, warehouse: null, requested: 14, available: 13 }]);
  });
});
