import type { ChartSeries } from "./series";

/**
 * From series to SVG: scales, "nice" ticks and step paths. Pure (no DOM), so the chart's
 * arithmetic is tested without a browser; Chart.tsx only places the strings it returns.
 */

export interface Box {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

export interface Tick {
  at: number;
  label: string;
}

export interface ChartGeometry {
  onHandPath: string;
  availablePath: string;
  /** y of a horizontal line (the low-stock threshold), when inside the range. */
  thresholdY: number | null;
  zeroY: number;
  xTicks: Tick[];
  yTicks: Tick[];
  plot: { left: number; right: number; top: number; bottom: number };
}

/** A linear map from `domain` onto `range`; a zero-width domain maps to the range's middle. */
export function linear(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round values (1, 2 or 5 × 10^n apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** The y domain: from min(0, lowest) to the highest value, rounded up to a tick. */
export function yDomain(values: readonly number[], extra: readonly number[] = []): [number, number] {
  const all = [...values, ...extra];
  const low = Math.min(0, ...all);
  const high = Math.max(1, ...all);
  const ticks = niceTicks(low, high);
  const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : 1;
  return [low < 0 ? Math.floor(low / step) * step : 0, Math.ceil(high / step) * step];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Round times across [from, to], at most `max` of them: "Mon 30" for whole days (and at
 * midnight), "14:05" for minutes and hours, "14:05:30" for seconds (a young item's history). `offsetMinutes` is the local offset east of UTC (the
 * browser passes `-new Date().getTimezoneOffset()`), so ticks fall on local round times.
 */
export function timeTicks(from: number, to: number, max = 6, offsetMinutes = 0): Tick[] {
  if (!(to > from)) return [];
  const step = TIME_STEPS.find((s) => (to - from) / s <= max) ?? Math.ceil((to - from) / max / DAY) * DAY;
  const offset = offsetMinutes * MINUTE;
  const ticks: Tick[] = [];
  for (let local = Math.ceil((from + offset) / step) * step; local <= to + offset; local += step) {
    const d = new Date(local);
    const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
    const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const label =
      step >= DAY || (midnight && step >= MINUTE)
        ? `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()}`
        : step < MINUTE
          ? `${clock}:${pad(d.getUTCSeconds())}`
          : clock;
    ticks.push({ at: local - offset, label });
  }
  return ticks;
}

/** A step-after path: each value holds until the next time. Empty for no points. */
export function stepPath(t: readonly number[], v: readonly number[], x: (t: number) => number, y: (v: number) => number): string {
  if (t.length === 0) return "";
  const r = (n: number) => Math.round(n * 10) / 10;
  let path = `M${r(x(t[0] as number))},${r(y(v[0] as number))}`;
  for (let i = 1; i < t.length; i++) {
    path += `H${r(x(t[i] as number))}V${r(y(v[i] as number))}`;
  }
  return path;
}

export function chartGeometry(series: ChartSeries, box: Box, options: { threshold?: number; offsetMinutes?: number } = {}): ChartGeometry {
  const plot = {
    left: box.margin.left,
    right: box.width - box.margin.right,
    top: box.margin.top,
    bottom: box.height - box.margin.bottom,
  };
  const threshold = options.threshold !== undefined && options.threshold > 0 ? options.threshold : undefined;
  const [y0, y1] = yDomain([...series.onHand, ...series.available], threshold === undefined ? [] : [threshold]);
  const x = linear([series.from, series.to], [plot.left, plot.right]);
  const y = linear([y0, y1], [plot.bottom, plot.top]);
  return {
    onHandPath: stepPath(series.t, series.onHand, x, y),
    availablePath: stepPath(series.t, series.available, x, y),
    thresholdY: threshold === undefined ? null : y(threshold),
    zeroY: y(0),
    xTicks: timeTicks(series.from, series.to, 6, options.offsetMinutes ?? 0).map((tick) => ({ at: x(tick.at), label: tick.label })),
    yTicks: niceTicks(y0, y1, 4).map((v) => ({ at: y(v), label: String(v) })),
    plot,
  };
}
