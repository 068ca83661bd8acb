import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlertState,
  type AlertType,
  detectCrossings,
  rearmMargin,
  replenishedAt,
  suggestedReorderQuantity,
} from "../../src/webhooks/crossing";

/** Runs the detector over a sequence of (available, threshold) points from the `ok` state. */
function run(points: { available: number; lowStockThreshold: number }[]): AlertType[][] {
  let state: AlertState = "ok";
  return points.map((point) => {
    const outcome = detectCrossings(state, point);
    state = outcome.state;
    return outcome.alerts;
  });
}

const fixed = (threshold: number, levels: number[]) => run(levels.map((available) => ({ available, lowStockThreshold: threshold })));

/**
 * The reference model, written independently of the state table: an alert episode opens when
 * stock reaches the threshold (or zero), reports running out once, and closes only when stock
 * climbs above the threshold by the margin.
 */
function model(points: { available: number; lowStockThreshold: number }[]): AlertType[][] {
  let open = false;
  let outReported = false;
  return points.map(({ available, lowStockThreshold: t }) => {
    const alerts: AlertType[] = [];
    if (!open) {
      if (t > 0 && available <= t) alerts.push("stock.low");
      if (available <= 0) alerts.push("stock.out");
      open = alerts.length > 0;
      outReported = available <= 0;
    } else if (available > t + Math.max(1, Math.ceil(t / 10))) {
      alerts.push("stock.replenished");
      open = false;
      outReported = false;
    } else if (!outReported && available <= 0) {
      alerts.push("stock.out");
      outReported = true;
    }
    return alerts;
  });
}

const threshold = fc.integer({ min: 0, max: 50 });
const availableNear = (t: number) => fc.integer({ min: -5, max: t + 15 });

/** A random walk of stock: each step moves available by a few units, as holds and releases do. */
const walk = (t: number) =>
  fc.tuple(availableNear(t), fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 1, maxLength: 200 })).map(([start, steps]) => {
    let available = start;
    return steps.map((step) => (available += step));
  });

describe("crossing detection", () => {
  it("alerts once when stock falls to the threshold, not on every change below it", () => {
    expect(fixed(5, [10, 6, 5, 4, 3, 2, 1])).toEqual([[], [], ["stock.low"], [], [], [], []]);
  });

  it("alerts out at zero after low, and replenished once stock clears the band", () => {
    const t = 5; // margin 1: replenished from 7
    expect(fixed(t, [4, 0, -2, 3, 0, 6, 7, 8])).toEqual([["stock.low"], ["stock.out"], [], [], [], [], ["stock.replenished"], []]);
  });

  it("reports both lines when one change crosses them both", () => {
    expect(fixed(5, [10, 0])).toEqual([[], ["stock.low", "stock.out"]]);
  });

  it("does not storm when carts hold and release around the threshold", () => {
    const wobble = [6, 5, 6, 5, 6, 4, 6, 5, 6];
    expect(fixed(5, wobble).flat()).toEqual(["stock.low"]);
  });

  it("with no threshold knows only out and replenished", () => {
    expect(fixed(0, [3, 1, 0, 1, 0, 1, 2, 0])).toEqual([[], [], ["stock.out"], [], [], [], ["stock.replenished"], ["stock.out"]]);
  });

  it("uses the threshold in force after the change", () => {
    const points = [
      { available: 8, lowStockThreshold: 5 },
      { available: 8, lowStockThreshold: 10 }, // threshold raised above stock
      { available: 8, lowStockThreshold: 2 }, // lowered again: 8 > 2 + 1
    ];
    expect(run(points)).toEqual([[], ["stock.low"], ["stock.replenished"]]);
  });

  it("widens the band with the threshold", () => {
    expect(rearmMargin(0)).toBe(1);
    expect(rearmMargin(10)).toBe(1);
    expect(rearmMargin(11)).toBe(2);
    expect(rearmMargin(100)).toBe(10);
    expect(replenishedAt(100)).toBe(111);
  });

  it("matches the model on random walks with a fixed threshold", () => {
    fc.assert(
      fc.property(
        threshold.chain((t) => fc.tuple(fc.constant(t), walk(t))),
        ([t, levels]) => {
          const points = levels.map((available) => ({ available, lowStockThreshold: t }));
          expect(run(points)).toEqual(model(points));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("matches the model when the threshold changes too", () => {
    const point = fc.record({ available: fc.integer({ min: -10, max: 60 }), lowStockThreshold: threshold });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 100 }), (points) => {
        expect(run(points)).toEqual(model(points));
      }),
      { numRuns: 300 },
    );
  });

  it("alerts exactly once per crossing: every alert sits on a line that was crossed, every crossing alerts", () => {
    fc.assert(
      fc.property(
        threshold.chain((t) => fc.tuple(fc.constant(t), walk(t))),
        ([t, levels]) => {
          const alerts = fixed(t, levels);
          // Where each episode stands, from the alerts alone.
          let open = false;
          let out = false;
          levels.forEach((available, i) => {
            const here = alerts[i] ?? [];
            for (const type of here) {
              if (type === "stock.low") {
                expect(open).toBe(false);
                expect(t > 0 && available <= t).toBe(true);
              }
              if (type === "stock.out") {
                expect(out).toBe(false);
                expect(available).toBeLessThanOrEqual(0);
              }
              if (type === "stock.replenished") {
                expect(open).toBe(true);
                expect(available).toBeGreaterThan(t);
              }
            }
            if (here.includes("stock.replenished")) [open, out] = [false, false];
            if (here.includes("stock.low")) open = true;
            if (here.includes("stock.out")) [open, out] = [true, true];
            // Completeness: outside an episode stock is above the line; once out was reported, it is known.
            if (!open) expect(available > t && available > 0).toBe(true);
            if (available <= 0) expect(out).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never storms: wobbling within the band after an alert raises nothing more", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 50 })
          .chain((t) =>
            fc.tuple(fc.constant(t), fc.array(fc.integer({ min: 1, max: t + rearmMargin(t) }), { minLength: 1, maxLength: 100 })),
          ),
        ([t, wobble]) => {
          const alerts = fixed(t, [t, ...wobble]);
          expect(alerts[0]).toEqual(["stock.low"]);
          expect(alerts.slice(1).flat()).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("bounds alerts by the swings: at most three per full recovery", () => {
    fc.assert(
      fc.property(
        threshold.chain((t) => fc.tuple(fc.constant(t), walk(t))),
        ([t, levels]) => {
          const all = fixed(t, levels).flat();
          const replenished = all.filter((type) => type === "stock.replenished").length;
          expect(all.length).toBeLessThanOrEqual(3 * (replenished + 1));
          expect(all.filter((type) => type === "stock.low").length).toBeLessThanOrEqual(replenished + 1);
          expect(all.filter((type) => type === "stock.out").length).toBeLessThanOrEqual(replenished + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("suggested reorder quantity", () => {
  it("is the configured reorder quantity when there is one", () => {
    expect(suggestedReorderQuantity("stock.low", { available: 3, lowStockThreshold: 5, reorderQuantity: 40 })).toBe(40);
  });

  it("otherwise brings stock back to where it counts as replenished", () => {
    const level = { available: 3, lowStockThreshold: 5, reorderQuantity: 0 };
    const suggested = suggestedReorderQuantity("stock.low", level);
    expect(suggested).toBe(4);
    const after = detectCrossings("low", { available: 3 + suggested, lowStockThreshold: 5 });
    expect(after.alerts).toEqual(["stock.replenished"]);
    expect(detectCrossings("low", { available: 3 + suggested - 1, lowStockThreshold: 5 }).alerts).toEqual([]);
  });

  it("covers negative stock and suggests nothing on replenished", () => {
    expect(suggestedReorderQuantity("stock.out", { available: -4, lowStockThreshold: 0, reorderQuantity: 0 })).toBe(6);
    expect(suggestedReorderQuantity("stock.replenished", { available: 9, lowStockThreshold: 5, reorderQuantity: 40 })).toBe(0);
  });
});
