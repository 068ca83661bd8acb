import fc from "fast-check";

/**
 * A model of one stock item for property tests, written from the contract, not from the
 * code: on hand, and a set of holds. `available` and `reserved` are derived from the live
 * holds every time, never tracked as counters, so a drifting counter in the real thing
 * shows up as a difference. `version` counts the changes the contract says happen.
 */

export type ModelHoldState = "held" | "pinned" | "committed" | "released" | "expired" | "voided";
export type HoldOpName = "pin" | "commit" | "release";

interface ModelHold {
  qty: number;
  state: ModelHoldState;
  /** Model time at which a held hold expires. */
  expiresAt: number;
}

export class StockModel {
  onHand: number | null = null;
  version = 0;
  readonly holds = new Map<string, ModelHold>();

  live(): ModelHold[] {
    return [...this.holds.values()].filter((h) => h.state === "held" || h.state === "pinned");
  }

  reserved(): number {
    return this.live().reduce((sum, h) => sum + h.qty, 0);
  }

  available(): number {
    return (this.onHand ?? 0) - this.reserved();
  }

  /** Holds (not pinned) whose time has come are expired: one change each. */
  expire(now: number): void {
    for (const h of this.holds.values()) {
      if (h.state === "held" && now >= h.expiresAt) {
        h.state = "expired";
        this.version++;
      }
    }
  }

  set(onHand: number): void {
    this.onHand = onHand;
    this.version++;
  }

  adjust(delta: number): "ok" | "negative_on_hand" | "not_found" {
    if (this.onHand === null) return "not_found";
    if (this.onHand + delta < 0) return "negative_on_hand";
    this.onHand += delta;
    this.version++;
    return "ok";
  }

  /** A first hold for `id`: all of `qty` if available, else nothing. */
  reserve(id: string, qty: number, expiresAt: number): boolean {
    const existing = this.holds.get(id);
    if (existing !== undefined) {
      // A repeat of the same attempt: answered from the record, nothing changes.
      return existing.state === "held" || existing.state === "pinned" || existing.state === "committed";
    }
    if (this.onHand === null || this.available() < qty) return false;
    this.holds.set(id, { qty, state: "held", expiresAt });
    this.version++;
    return true;
  }

  /** Whether the operation succeeds (including as a repeat), applying it. */
  holdOp(id: string, op: HoldOpName, _now: number): boolean {
    const h = this.holds.get(id);
    if (h === undefined || this.onHand === null) return false;
    const s = h.state;
    const live = s === "held" || s === "pinned";
    switch (op) {
      case "pin":
        if (s === "held") h.state = "pinned";
        return live || s === "committed";
      case "commit":
        if (live) {
          h.state = "committed";
          this.onHand -= h.qty;
          this.version++;
        }
        return live || s === "committed";
      case "release":
        if (live) {
          h.state = "released";
          this.version++;
        }
        return live || s === "released" || s === "expired";
    }
  }

  /** Voids attempt 1 of `id`: a live hold is released; anything but a commit becomes a tombstone. */
  void(id: string): void {
    const h = this.holds.get(id);
    if (h === undefined) {
      this.holds.set(id, { qty: 0, state: "voided", expiresAt: 0 });
      return;
    }
    if (h.state === "committed") return;
    if (h.state === "held" || h.state === "pinned") this.version++;
    h.state = "voided";
  }

  state(id: string): ModelHoldState | undefined {
    return this.holds.get(id)?.state;
  }
}

export type Op =
  | { kind: "set"; onHand: number }
  | { kind: "adjust"; delta: number }
  | { kind: "reserve"; qty: number; ttl: number }
  | { kind: "repeat"; pick: number }
  | { kind: "hold-op"; op: HoldOpName; pick: number }
  | { kind: "void"; pick: number }
  | { kind: "wait"; ms: number };

/** Random operations on one item; `pick` chooses a reservation id already used (mostly a recent one). */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), onHand: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant("adjust" as const), delta: fc.integer({ min: -15, max: 15 }).filter((d) => d !== 0) }),
  {
    arbitrary: fc.record({
      kind: fc.constant("reserve" as const),
      qty: fc.integer({ min: 1, max: 8 }),
      ttl: fc.integer({ min: 1, max: 50 }),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant("repeat" as const), pick: fc.nat() }),
  {
    arbitrary: fc.record({
      kind: fc.constant("hold-op" as const),
      op: fc.constantFrom<HoldOpName>("pin", "commit", "release"),
      pick: fc.nat(),
    }),
    weight: 3,
  },
  fc.record({ kind: fc.constant("void" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 30 }) }),
);

/** Mostly one of the last few ids, so that pin, wait, commit, release meet the same hold. */
export function pickId(ids: string[], pick: number): string | undefined {
  if (ids.length === 0) return undefined;
  return pick % 4 === 0 ? ids[pick % ids.length] : ids[ids.length - 1 - (pick % Math.min(ids.length, 3))];
}
