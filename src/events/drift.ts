/**
 * Does D1's picture of a stock item agree with its Durable Object? Pure, so the rules are
 * tested alone; src/events/reconcile.ts gathers both sides and asks.
 *
 * The object is the truth and D1 follows it through the outbox and the Queue, so D1 may
 * be behind for a moment without anything being wrong. The rules:
 *  - same seq/version, same onHand and reserved, every event 1..seq recorded: consistent.
 *  - D1 behind (lastSeq < version, or some event below lastSeq not recorded yet): lagging,
 *    as long as the object changed within `graceMs`; after that the events are taken to be
 *    lost (dead-lettered, say) and it is drift, reason `behind` or `missing_events`.
 *  - same seq but other counts (`values_differ`), D1 ahead of the object (`ahead`),
 *    a projection for an item the object does not know (`unknown_item`): drift at once,
 *    because no delay in delivery explains them.
 */

export interface ExpectedState {
  onHand: number;
  reserved: number;
  version: number;
  /** Epoch milliseconds of the object's last change. */
  updatedAt: number;
}

export interface ProjectedState {
  onHand: number;
  reserved: number;
  lastSeq: number;
  /** How many of the item's events D1 holds. */
  events: number;
}

export type DriftReason = "values_differ" | "ahead" | "unknown_item" | "behind" | "missing_events";

export type Verdict = { status: "consistent" } | { status: "lagging" } | { status: "drift"; reason: DriftReason };

export function judge(expected: ExpectedState | null, projected: ProjectedState | null, now: number, graceMs: number): Verdict {
  if (expected === null) {
    return projected === null ? { status: "consistent" } : { status: "drift", reason: "unknown_item" };
  }
  const lastSeq = projected?.lastSeq ?? 0;
  if (lastSeq > expected.version) return { status: "drift", reason: "ahead" };
  if (projected !== null && lastSeq === expected.version) {
    if (projected.onHand !== expected.onHand || projected.reserved !== expected.reserved) {
      return { status: "drift", reason: "values_differ" };
    }
  }
  const behind = lastSeq < expected.version;
  const gaps = projected !== null && projected.events < projected.lastSeq;
  if (!behind && !gaps) return { status: "consistent" };
  if (now - expected.updatedAt <= graceMs) return { status: "lagging" };
  return { status: "drift", reason: behind ? "behind" : "missing_events" };
}
