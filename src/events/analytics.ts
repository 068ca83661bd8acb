/**
 * Velocity, days of cover and projected stockout of one stock item, as pure arithmetic
 * over the outflows its events record.
 *
 * Which outflows are demand:
 *  - `reservation.committed`: units sold (or otherwise promised and shipped). Demand.
 *  - `stock.adjusted` with reason `transfer_out`: units this warehouse supplies elsewhere;
 *    from this warehouse's point of view they consume stock just like sales. Demand.
 *  - `stock.adjusted` with reason `damage` or `loss`: shrink. Counted separately and not
 *    in velocity, because a one-off write-off is not a rate that repeats and would make
 *    the item look like it sells faster than it does.
 *  - everything else (counts by `stock.set`, `correction`, holds and their release) is
 *    bookkeeping, neither demand nor shrink.
 */

export const DAY_MS = 24 * 3600 * 1000;
/** The last instant a four-digit-year ISO timestamp can name. */
const LAST_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const WINDOWS = { last7d: 7, last30d: 30 } as const;

export type OutflowKind = "demand" | "shrink";

/** How an event's decrease of on-hand stock counts, or null if it is not an outflow. */
export function outflowKind(type: string, reason: string | null | undefined, onHandDelta: number): OutflowKind | null {
  if (onHandDelta >= 0) return null;
  if (type === "reservation.committed") return "demand";
  if (type !== "stock.adjusted") return null;
  if (reason === "transfer_out") return "demand";
  if (reason === "damage" || reason === "loss") return "shrink";
  return null;
}

/** Units taken out of stock in the last 7 and 30 days by events of one (type, reason). */
export interface OutflowTotals {
  type: string;
  reason: string | null;
  last7d: number;
  last30d: number;
}

export interface OutflowEvent {
  type: string;
  reason?: string | null;
  onHandDelta: number;
  /** Epoch milliseconds. */
  atMs: number;
}

/**
 * Groups raw events the way the D1 query does: per (type, reason), units out in the
 * windows (now - 7d, now] and (now - 30d, now]. Useful where the events are in memory.
 */
export function outflowTotals(events: readonly OutflowEvent[], now: number): OutflowTotals[] {
  const groups = new Map<string, OutflowTotals>();
  for (const event of events) {
    if (event.onHandDelta >= 0 || event.atMs > now || event.atMs <= now - WINDOWS.last30d * DAY_MS) continue;
    const reason = event.reason ?? null;
    const key = `${event.type}\u0000${reason ?? ""}`;
    const group = groups.get(key) ?? { type: event.type, reason, last7d: 0, last30d: 0 };
    const units = -event.onHandDelta;
    group.last30d += units;
    if (event.atMs > now - WINDOWS.last7d * DAY_MS) group.last7d += units;
    groups.set(key, group);
  }
  return [...groups.values()];
}

export interface StockAnalytics {
  unitsPerDay: { last7d: number; last30d: number };
  /** Write-offs (damage, loss) per day, reported beside demand but not part of it. */
  shrinkPerDay: { last7d: number; last30d: number };
  /** `available / unitsPerDay.last7d`; 0 when nothing is available; null with no recent demand. */
  daysOfCover: number | null;
  /** ISO 8601 UTC; null with no recent demand, or when it would fall after the year 9999. */
  projectedStockoutAt: string | null;
}

export function stockAnalytics(input: {
  onHand: number;
  reserved: number;
  outflows: readonly OutflowTotals[];
  /** Epoch milliseconds. */
  now: number;
}): StockAnalytics {
  const units = { demand: { last7d: 0, last30d: 0 }, shrink: { last7d: 0, last30d: 0 } };
  for (const group of input.outflows) {
    // The grouped totals are positive units out; the sign only tells the kind apart.
    const kind = outflowKind(group.type, group.reason, -1);
    if (kind === null) continue;
    units[kind].last7d += group.last7d;
    units[kind].last30d += group.last30d;
  }
  const rate7 = units.demand.last7d / WINDOWS.last7d;
  const available = input.onHand - input.reserved;
  const cover = rate7 > 0 ? Math.max(0, available) / rate7 : null;
  const stockoutMs = cover === null ? null : input.now + Math.round(cover * DAY_MS);
  return {
    unitsPerDay: perDay(units.demand),
    shrinkPerDay: perDay(units.shrink),
    daysOfCover: cover === null ? null : round(cover, 2),
    projectedStockoutAt: stockoutMs === null || stockoutMs > LAST_ISO_MS ? null : new Date(stockoutMs).toISOString(),
  };
}

function perDay(units: { last7d: number; last30d: number }) {
  return { last7d: round(units.last7d / WINDOWS.last7d, 3), last30d: round(units.last30d / WINDOWS.last30d, 3) };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
