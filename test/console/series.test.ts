import { describe, expect, it } from "vitest";
import { chartSeries, DAY_MS, orderedEvents } from "../../console/src/series";

/** The console's item chart: on hand and available as step series from change events. */

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const ev = (seq: number, msAgo: number, onHand: number, reserved = 0) => ({ seq, at: at(msAgo), onHand, reserved });

describe("chartSeries", () => {
  it("is empty without events or a level", () => {
    const s = chartSeries([], { now: NOW });
    expect(s.t).toEqual([]);
    expect(s.onHand).toEqual([]);
    expect(s.to).toBe(NOW);
  });

  it("steps at each event and holds the last state until now; available is onHand - reserved", () => {
    const s = chartSeries([ev(1, 3 * DAY_MS, 10), ev(2, 2 * DAY_MS, 10, 4), ev(3, DAY_MS, 6, 0)], { now: NOW });
    expect(s.t).toEqual([NOW - 3 * DAY_MS, NOW - 2 * DAY_MS, NOW - DAY_MS, NOW]);
    expect(s.onHand).toEqual([10, 10, 6, 6]);
    expect(s.available).toEqual([10, 6, 6, 6]);
    // A young item's chart starts at its first change, not 7 days back.
    expect(s.from).toBe(NOW - 3 * DAY_MS);
  });

  it("opens the window with the state after the last event before it", () => {
    const s = chartSeries([ev(1, 20 * DAY_MS, 50), ev(2, 9 * DAY_MS, 30, 5), ev(3, DAY_MS, 25, 5)], { now: NOW });
    expect(s.from).toBe(NOW - 7 * DAY_MS);
    expect(s.t[0]).toBe(NOW - 7 * DAY_MS);
    expect(s.onHand).toEqual([30, 25, 25]);
    expect(s.available).toEqual([25, 20, 20]);
  });

  it("draws a flat line over the whole window when the last change is older than it", () => {
    const s = chartSeries([ev(1, 30 * DAY_MS, 12, 2)], { now: NOW });
    expect(s.t).toEqual([NOW - 7 * DAY_MS, NOW]);
    expect(s.available).toEqual([10, 10]);
  });

  it("orders by seq and ignores a repeated seq (D1 may record a retried delivery out of order)", () => {
    const s = chartSeries([ev(2, 1000, 8), ev(1, 2000, 10), ev(2, 1000, 8)], { now: NOW });
    expect(s.onHand).toEqual([10, 8, 8]);
    expect(s.t).toEqual([NOW - 2000, NOW - 1000, NOW]);
  });

  it("keeps the last of several changes in one millisecond", () => {
    const s = chartSeries([ev(1, 5000, 10), ev(2, 5000, 7), ev(3, 5000, 4)], { now: NOW });
    expect(s.t).toEqual([NOW - 5000, NOW]);
    expect(s.onHand).toEqual([4, 4]);
  });

  it("adds the current level when it is ahead of D1's events", () => {
    const current = { onHand: 3, reserved: 1, version: 3, updatedAt: at(500) };
    const s = chartSeries([ev(1, 5000, 10), ev(2, 4000, 9)], { now: NOW, current });
    expect(s.t).toEqual([NOW - 5000, NOW - 4000, NOW - 500, NOW]);
    expect(s.onHand).toEqual([10, 9, 3, 3]);
    expect(s.available).toEqual([10, 9, 2, 2]);
  });

  it("ignores a current level D1 already holds", () => {
    const current = { onHand: 9, reserved: 0, version: 2, updatedAt: at(4000) };
    const s = chartSeries([ev(1, 5000, 10), ev(2, 4000, 9)], { now: NOW, current });
    expect(s.onHand).toEqual([10, 9, 9]);
  });

  it("draws a new item from its level alone, before any event reached D1", () => {
    const s = chartSeries([], { now: NOW, current: { onHand: 5, reserved: 0, version: 1, updatedAt: at(2000) } });
    expect(s.t).toEqual([NOW - 2000, NOW]);
    expect(s.onHand).toEqual([5, 5]);
    expect(s.from).toBe(NOW - 2000);
  });

  it("keeps a level updated 'in the future' (clock skew) at now", () => {
    const s = chartSeries([], { now: NOW, current: { onHand: 5, reserved: 0, version: 1, updatedAt: at(-60_000) } });
    expect(s.t).toEqual([NOW]);
  });

  it("goes negative on available after a downward count under holds", () => {
    const s = chartSeries([ev(1, 3000, 10, 8), ev(2, 2000, 5, 8)], { now: NOW });
    expect(s.available).toEqual([2, -3, -3]);
  });

  it("honours a shorter window", () => {
    const s = chartSeries([ev(1, 3 * DAY_MS, 10), ev(2, DAY_MS / 2, 4)], { now: NOW, windowMs: DAY_MS });
    expect(s.from).toBe(NOW - DAY_MS);
    expect(s.onHand).toEqual([10, 4, 4]);
  });
});

describe("orderedEvents", () => {
  it("sorts by seq, last copy of a seq wins", () => {
    const a = { seq: 2, at: "x", onHand: 1, reserved: 0 };
    const b = { seq: 1, at: "y", onHand: 2, reserved: 0 };
    const c = { seq: 2, at: "z", onHand: 3, reserved: 0 };
    expect(orderedEvents([a, b, c])).toEqual([b, c]);
  });
});
