import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { channelAvailable, sellable, source, type WarehouseStock } from "../../src/channels/sourcing";

/** The sourcing rule alone (src/channels/sourcing.ts), against the contract's words and a model. */

const stocks = (...available: number[]): WarehouseStock[] => available.map((a, i) => ({ warehouse: `w${i}`, available: a }));

describe("sourcing a line across a channel's warehouses", () => {
  it("gives the whole line to the first warehouse, in priority order, that covers it alone", () => {
    expect(source(5, stocks(3, 8, 20), 0)).toEqual([{ warehouse: "w1", quantity: 5 }]);
    expect(source(3, stocks(3, 8), 0)).toEqual([{ warehouse: "w0", quantity: 3 }]);
  });

  it("fills in priority order across warehouses when none covers it alone", () => {
    expect(source(10, stocks(4, 0, 3, 9), 0)).toEqual([
      { warehouse: "w0", quantity: 4 },
      { warehouse: "w2", quantity: 3 },
      { warehouse: "w3", quantity: 3 },
    ]);
  });

  it("never counts the safety stock, nor a negative availability", () => {
    expect(sellable(5, 2)).toBe(3);
    expect(sellable(1, 2)).toBe(0);
    expect(sellable(-4, 0)).toBe(0);
    expect(source(4, stocks(5, 6), 2)).toEqual([{ warehouse: "w1", quantity: 4 }]);
    expect(source(7, stocks(5, 6), 2)).toEqual([
      { warehouse: "w0", quantity: 3 },
      { warehouse: "w1", quantity: 4 },
    ]);
    expect(source(8, stocks(5, 6), 2)).toBeNull();
    expect(channelAvailable(stocks(5, 6, -3, 1), 2)).toBe(7);
  });

  it("refuses a line the channel cannot cover", () => {
    expect(source(1, stocks(0, 0), 0)).toBeNull();
    expect(source(1, [], 0)).toBeNull();
  });

  const warehouseStocks = fc
    .array(fc.integer({ min: -5, max: 30 }), { minLength: 1, maxLength: 8 })
    .map((available) => stocks(...available));

  it("never allocates more than a warehouse has above its safety stock, and covers the line exactly", () => {
    fc.assert(
      fc.property(warehouseStocks, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 6 }), (given, quantity, safety) => {
        const plan = source(quantity, given, safety);
        if (plan === null) return;
        expect(plan.reduce((sum, a) => sum + a.quantity, 0)).toBe(quantity);
        expect(new Set(plan.map((a) => a.warehouse)).size).toBe(plan.length);
        for (const a of plan) {
          const stock = given.find((s) => s.warehouse === a.warehouse) as WarehouseStock;
          expect(a.quantity).toBeGreaterThan(0);
          expect(a.quantity).toBeLessThanOrEqual(sellable(stock.available, safety));
        }
      }),
    );
  });

  it("covers the line whenever the channel can, and refuses only when it cannot", () => {
    fc.assert(
      fc.property(warehouseStocks, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 6 }), (given, quantity, safety) => {
        const canCover = channelAvailable(given, safety) >= quantity;
        expect(source(quantity, given, safety) !== null).toBe(canCover);
      }),
    );
  });

  it("prefers one warehouse: the plan splits only when no warehouse covers the line alone, and then follows priority", () => {
    fc.assert(
      fc.property(warehouseStocks, fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 6 }), (given, quantity, safety) => {
        const plan = source(quantity, given, safety);
        if (plan === null) return;
        const alone = given.findIndex((s) => sellable(s.available, safety) >= quantity);
        if (alone >= 0) {
          expect(plan).toEqual([{ warehouse: given[alone]?.warehouse, quantity }]);
          return;
        }
        // Model: take greedily in priority order; every warehouse before the last one used is emptied.
        let left = quantity;
        const model = [];
        for (const s of given) {
          const take = Math.min(left, sellable(s.available, safety));
          if (take > 0) model.push({ warehouse: s.warehouse, quantity: take });
          left -= take;
          if (left === 0) break;
        }
        expect(plan).toEqual(model);
      }),
    );
  });
});
