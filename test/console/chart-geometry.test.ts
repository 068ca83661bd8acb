import { describe, expect, it } from "vitest";
import { chartGeometry, linear, niceTicks, stepPath, timeTicks, yDomain } from "../../console/src/chart-geometry";
import { chartSeries } from "../../console/src/series";

describe("chart geometry", () => {
  it("maps linearly, and a zero-width domain to the middle", () => {
    const x = linear([0, 10], [100, 200]);
    expect(x(0)).toBe(100);
    expect(x(5)).toBe(150);
    expect(linear([3, 3], [0, 10])(3)).toBe(5);
  });

  it("picks round ticks", () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 7, 4)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(-30, 45, 4)).toEqual([-20, 0, 20, 40]);
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });

  it("starts the y domain at 0 (or below, for negative available) and rounds the top up", () => {
    expect(yDomain([3, 17])).toEqual([0, 20]);
    expect(yDomain([0, 0])).toEqual([0, 1]);
    expect(yDomain([-3, 10])).toEqual([-5, 10]);
    expect(yDomain([4], [25])).toEqual([0, 25]);
  });

  it("draws a step-after path", () => {
    const id = (v: number) => v;
    expect(stepPath([0, 10, 20], [5, 3, 3], id, id)).toBe("M0,5H10V3H20V3");
    expect(stepPath([], [], id, id)).toBe("");
  });

  it("labels clock times under a day and weekdays over it, at local round times", () => {
    const from = Date.parse("2026-11-28T09:50:00Z");
    expect(timeTicks(from, from + 3 * 3600_000, 3).map((t) => t.label)).toEqual(["10:00", "11:00", "12:00"]);
    expect(timeTicks(from, from + 3 * 3600_000, 6).map((t) => t.label)).toEqual(["10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]);
    // UTC+1: local 10:00 is 09:00 UTC.
    expect(timeTicks(from, from + 3 * 3600_000, 3, 60)[0]).toEqual({ at: Date.parse("2026-11-28T10:00:00Z"), label: "11:00" });
    const week = timeTicks(Date.parse("2026-11-21T12:00:00Z"), Date.parse("2026-11-28T12:00:00Z"), 8);
    expect(week.map((t) => t.label)).toEqual(["Sun 22", "Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28"]);
    expect(timeTicks(5, 5)).toEqual([]);
    const seconds = timeTicks(Date.parse("2026-11-28T12:00:02Z"), Date.parse("2026-11-28T12:00:40Z"), 6);
    expect(seconds.map((t) => t.label)).toEqual(["12:00:10", "12:00:20", "12:00:30", "12:00:40"]);
  });

  it("places the series, the threshold and the ticks inside the plot", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    const series = chartSeries(
      [
        { seq: 1, at: "2026-11-28T10:00:00Z", onHand: 20, reserved: 0 },
        { seq: 2, at: "2026-11-28T11:00:00Z", onHand: 20, reserved: 15 },
      ],
      { now },
    );
    const box = { width: 400, height: 200, margin: { top: 10, right: 10, bottom: 20, left: 40 } };
    const g = chartGeometry(series, box, { threshold: 10 });
    expect(g.plot).toEqual({ left: 40, right: 390, top: 10, bottom: 180 });
    // y: 0..20 over 180..10; threshold 10 at the middle.
    expect(g.thresholdY).toBe(95);
    expect(g.zeroY).toBe(180);
    expect(g.onHandPath).toBe("M40,10H215V10H390V10");
    expect(g.availablePath).toBe("M40,10H215V137.5H390V137.5");
    expect(g.xTicks.map((t) => t.label)).toEqual(["10:00", "10:30", "11:00", "11:30", "12:00"]);
    expect(g.xTicks[0]?.at).toBe(40);
    expect(g.yTicks.at(-1)).toEqual({ at: 10, label: "20" });
    expect(chartGeometry(series, box).thresholdY).toBeNull();
  });
});
