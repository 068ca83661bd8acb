import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, type OutflowEvent, outflowKind, outflowTotals, stockAnalytics } from "../../src/events/analytics";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const daysAgo = (days: number) => NOW - days * DAY_MS;

const commit = (units: number, atMs: number): OutflowEvent => ({ type: "reservation.committed", onHandDelta: -units, atMs });
const adjust = (delta: number, reason: string, atMs: number): OutflowEvent => ({
  type: "stock.adjusted",
  reason,
  onHandDelta: delta,
  atMs,
});

function analyticsOf(events: OutflowEvent[], onHand: number, reserved = 0) {
  return stockAnalytics({ onHand, reserved, outflows: outflowTotals(events, NOW), now: NOW });
}

describe("what counts as demand", () => {
  it.each([
    ["reservation.committed", undefined, -3, "demand"],
    ["stock.adjusted", "transfer_out", -3, "demand"],
    ["stock.adjusted", "damage", -3, "shrink"],
    ["stock.adjusted", "loss", -3, "shrink"],
    ["stock.adjusted", "correction", -3, null],
    ["stock.adjusted", "receipt", 3, null],
    ["stock.adjusted", "transfer_in", 3, null],
    ["stock.adjusted", "return", 3, null],
    ["stock.set", undefined, -3, null],
    ["reservation.held", undefined, 0, null],
    ["reservation.released", undefined, 0, null],
    ["reservation.expired", undefined, 0, null],
  ] as const)("%s %s (%d) → %s", (type, reason, delta, kind) => {
    expect(outflowKind(type, reason, delta)).toBe(kind);
  });
});

describe("stock analytics", () => {
  it("is all nulls and zeros with no demand", () => {
    expect(analyticsOf([adjust(5, "receipt", daysAgo(1)), adjust(-2, "damage", daysAgo(1))], 40)).toEqual({
      unitsPerDay: { last7d: 0, last30d: 0 },
      shrinkPerDay: { last7d: 0.286, last30d: 0.067 },
      daysOfCover: null,
      projectedStockoutAt: null,
    });
  });

  it("computes velocity over both windows, cover from the 7-day rate, and the stockout time", () => {
    const events = [
      commit(7, daysAgo(1)),
      adjust(-7, "transfer_out", daysAgo(6.9)),
      commit(16, daysAgo(20)),
      commit(100, daysAgo(31)), // outside both windows
      adjust(-4, "loss", daysAgo(2)),
      adjust(-9, "correction", daysAgo(2)), // neither demand nor shrink
    ];
    // 14 units in 7 days = 2/day; 30 units in 30 days = 1/day; 30 available → 15 days.
    expect(analyticsOf(events, 40, 10)).toEqual({
      unitsPerDay: { last7d: 2, last30d: 1 },
      shrinkPerDay: { last7d: 0.571, last30d: 0.133 },
      daysOfCover: 15,
      projectedStockoutAt: new Date(NOW + 15 * DAY_MS).toISOString(),
    });
  });

  it("counts an event exactly at the window's start out and one exactly now in", () => {
    const totals = outflowTotals([commit(5, daysAgo(7)), commit(2, NOW), commit(1, NOW + 1)], NOW);
    expect(totals).toEqual([{ type: "reservation.committed", reason: null, last7d: 2, last30d: 7 }]);
  });

  it("has 0 days of cover when nothing is available, and a stockout of now", () => {
    expect(analyticsOf([commit(7, daysAgo(1))], 5, 9)).toMatchObject({
      daysOfCover: 0,
      projectedStockoutAt: new Date(NOW).toISOString(),
    });
  });

  it("rounds days of cover half up (1 available at 8/day is 0.125 → 0.13)", () => {
    expect(analyticsOf([commit(56, daysAgo(1))], 1).daysOfCover).toBe(0.13);
  });

  it("has no stockout date when it would be after the year 9999", () => {
    const result = analyticsOf([commit(1, daysAgo(1))], 1_000_000_000);
    expect(result.daysOfCover).toBe(7_000_000_000);
    expect(result.projectedStockoutAt).toBeNull();
  });

  const event = fc.record({
    kind: fc.constantFrom("commit", "transfer_out", "damage", "loss", "correction", "receipt"),
    units: fc.integer({ min: 1, max: 1_000 }),
    ageMs: fc.integer({ min: 0, max: 40 * DAY_MS }),
  });
  const toEvent = (e: { kind: string; units: number; ageMs: number }): OutflowEvent =>
    e.kind === "commit" ? commit(e.units, NOW - e.ageMs) : adjust(e.kind === "receipt" ? e.units : -e.units, e.kind, NOW - e.ageMs);

  it("keeps its invariants for any history", () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 60 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        (history, onHand, reserved) => {
          const events = history.map(toEvent);
          const result = analyticsOf(events, onHand, reserved);
          const demand7 = events
            .filter((e) => outflowKind(e.type, e.reason, e.onHandDelta) === "demand" && e.atMs > daysAgo(7))
            .reduce((sum, e) => sum - e.onHandDelta, 0);
          // Rounded to 3 and 2 decimals: off by at most half the last digit.
          expect(Math.abs(result.unitsPerDay.last7d - demand7 / 7)).toBeLessThanOrEqual(0.0005 + 1e-9);
          // The 30-day window holds the 7-day one.
          expect(result.unitsPerDay.last30d * 30).toBeGreaterThanOrEqual(result.unitsPerDay.last7d * 7 - 0.05);
          if (demand7 === 0) {
            expect(result.daysOfCover).toBeNull();
            expect(result.projectedStockoutAt).toBeNull();
          } else {
            const cover = Math.max(0, onHand - reserved) / (demand7 / 7);
            expect(Math.abs(result.daysOfCover! - cover)).toBeLessThanOrEqual(0.005 + 1e-9);
            expect(Date.parse(result.projectedStockoutAt!) - NOW).toBeCloseTo(cover * DAY_MS, -1);
          }
        },
      ),
    );
  });

  it("gives less cover for more demand", () => {
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 100_000 }),
        (history, extra, onHand) => {
          const events = history.map(toEvent);
          const before = analyticsOf(events, onHand);
          const after = analyticsOf([...events, commit(extra, daysAgo(1))], onHand);
          expect(after.daysOfCover).not.toBeNull();
          if (before.daysOfCover !== null) expect(after.daysOfCover!).toBeLessThanOrEqual(before.daysOfCover);
        },
      ),
    );
  });
});
