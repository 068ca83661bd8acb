/**
 * The item chart's data: on hand and available over the last 7 days, drawn from the item's
 * change events (each carries the item's `onHand` and `reserved` after the change) and the
 * current level (which may be ahead of D1, whose events trail by a few seconds).
 *
 * A level holds between changes, so the series are step functions: point i holds from t[i]
 * until t[i+1]. Pure: no DOM, no clock (`now` is given).
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const WINDOW_MS = 7 * DAY_MS;

export interface SeriesEvent {
  seq: number;
  at: string;
  onHand: number;
  reserved: number;
}

export interface SeriesLevel {
  onHand: number;
  reserved: number;
  version: number;
  updatedAt: string;
}

export interface ChartSeries {
  /** Milliseconds since the epoch, ascending, no two equal. */
  t: number[];
  onHand: number[];
  available: number[];
  /** The x range: the window's start (or the first event, when the item is younger), and `now`. */
  from: number;
  to: number;
}

/** Events in `seq` order, each seq once (D1 may hold a retried delivery out of order). */
export function orderedEvents<E extends SeriesEvent>(events: readonly E[]): E[] {
  const bySeq = new Map<number, E>();
  for (const event of events) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Step series over `[max(now - windowMs, first change), now]`.
 *
 * - The state at the window's start is that after the last event before it.
 * - Each event inside the window is a step (several in one millisecond: the last wins).
 * - `current`, when newer than every event (its `version` above the last `seq`), is a step
 *   at its `updatedAt` (kept inside the range): the change D1 has not recorded yet.
 * - The last state holds until `now`.
 */
export function chartSeries(
  events: readonly SeriesEvent[],
  options: { now: number; windowMs?: number; current?: SeriesLevel | null },
): ChartSeries {
  const { now, windowMs = WINDOW_MS, current = null } = options;
  const windowStart = now - windowMs;
  const ordered = orderedEvents(events);
  const points: { t: number; onHand: number; reserved: number }[] = [];
  const push = (t: number, onHand: number, reserved: number) => {
    const last = points.at(-1);
    if (last !== undefined && t <= last.t) {
      // Same instant (or a clock step backwards between objects): the later change wins.
      last.onHand = onHand;
      last.reserved = reserved;
    } else {
      points.push({ t, onHand, reserved });
    }
  };

  let lastSeq = 0;
  let before: SeriesEvent | null = null;
  for (const event of ordered) {
    lastSeq = event.seq;
    const t = Date.parse(event.at);
    if (Number.isNaN(t)) continue;
    if (t < windowStart) {
      before = event;
      continue;
    }
    if (before !== null) {
      push(windowStart, before.onHand, before.reserved);
      before = null;
    }
    push(Math.min(t, now), event.onHand, event.reserved);
  }
  if (before !== null) push(windowStart, before.onHand, before.reserved);

  if (current !== null && current.version > lastSeq) {
    const updated = Date.parse(current.updatedAt);
    const lastT = points.at(-1)?.t ?? windowStart;
    const t = Number.isNaN(updated) ? now : Math.min(now, Math.max(updated, lastT, windowStart));
    push(t, current.onHand, current.reserved);
  }

  const last = points.at(-1);
  if (last !== undefined && last.t < now) push(now, last.onHand, last.reserved);

  return {
    t: points.map((p) => p.t),
    onHand: points.map((p) => p.onHand),
    available: points.map((p) => p.onHand - p.reserved),
    from: points[0]?.t ?? windowStart,
    to: now,
  };
}
