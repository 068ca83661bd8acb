import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decidePlace, type Hold, type HoldOp, isExpiredAt, transition } from "../../src/stock/holds";
import {
  adjust,
  applyChange,
  available,
  canHold,
  commitChange,
  holdChange,
  type Level,
  releaseChange,
  setCount,
} from "../../src/stock/ledger";
import { type Op, opArb, pickId, StockModel } from "./stock-model";

/**
 * The pure arithmetic of a stock item (ledger.ts + holds.ts), composed the way the
 * StockItem object composes it, against a model that knows nothing but "available is
 * on hand minus the live holds". Random sequences of set / adjust / reserve / commit /
 * release / pin / void with time passing (so holds expire) must keep the two equal.
 */

/** The stock item as StockItem composes the pure functions (storage replaced by fields). */
class PureItem {
  level: Level | null = null;
  readonly holds = new Map<string, Hold>();
  readonly seqs: number[] = [];

  private record(before: Level, change: Parameters<typeof applyChange>[1], now: number): Level {
    this.level = applyChange(before, change, now);
    this.seqs.push(this.level.version);
    return this.level;
  }

  /** What every StockItem call does first: expire held holds whose time is up. */
  sweep(now: number): void {
    const due = [...this.holds.values()].filter((h) => isExpiredAt(h, now)).sort((a, b) => a.expiresAt - b.expiresAt);
    for (const hold of due) {
      if (this.level === null) break;
      this.record(this.level, releaseChange(hold.reservationId, hold.quantity, "reservation.expired"), now);
      this.holds.set(hold.reservationId, { ...hold, status: "expired" });
    }
  }

  set(onHand: number, now: number): void {
    const { level } = setCount(this.level, { sku: "S", warehouse: "W" }, { onHand }, now);
    this.level = level;
    this.seqs.push(level.version);
  }

  adjust(delta: number, now: number): "ok" | "negative_on_hand" | "not_found" {
    if (this.level === null) return "not_found";
    const outcome = adjust(this.level, { delta, reason: "correction" }, now);
    if (!outcome.ok) return outcome.code;
    this.level = outcome.level;
    this.seqs.push(outcome.level.version);
    return "ok";
  }

  hold(id: string, attempt: number, qty: number, expiresAt: number, now: number): boolean {
    const decision = decidePlace(this.holds.get(id) ?? null, attempt);
    if (decision.kind === "refused") return false;
    if (decision.kind === "recorded") {
      return ["held", "pinned", "committed"].includes(decision.status);
    }
    if (expiresAt <= now) return false;
    if (this.level === null || !canHold(available(this.level), qty)) return false;
    this.record(this.level, holdChange(id, qty), now);
    this.holds.set(id, { reservationId: id, attempt, quantity: qty, status: "held", expiresAt });
    return true;
  }

  op(id: string, op: HoldOp, now: number): boolean {
    const hold = this.holds.get(id);
    if (hold === undefined || this.level === null) return false;
    const step = transition(hold, op);
    if (step.kind === "refused") return false;
    if (step.kind === "same") return true;
    if (step.to === "committed") {
      this.record(this.level, commitChange(id, hold.quantity), now);
    } else if (step.to === "released") {
      this.record(this.level, releaseChange(id, hold.quantity, "reservation.released"), now);
    }
    this.holds.set(id, { ...hold, status: step.to });
    if (step.to === "held") this.sweep(now);
    return true;
  }

  void(id: string, attempt: number, now: number): void {
    const hold = this.holds.get(id);
    if (hold !== undefined && (hold.attempt > attempt || hold.status === "committed")) return;
    if (hold !== undefined && this.level !== null && (hold.status === "held" || hold.status === "pinned")) {
      this.record(this.level, releaseChange(id, hold.quantity, "reservation.released"), now);
    }
    this.holds.set(id, {
      reservationId: id,
      attempt,
      quantity: hold?.quantity ?? 0,
      status: "voided",
      expiresAt: hold?.expiresAt ?? 0,
    });
  }
}

function check(ops: Op[]): void {
  const item = new PureItem();
  const model = new StockModel();
  const ids: string[] = [];
  let now = 1_000;

  for (const op of ops) {
    if (op.kind === "wait") {
      now += op.ms;
      continue;
    }
    item.sweep(now);
    model.expire(now);
    switch (op.kind) {
      case "set":
        item.set(op.onHand, now);
        model.set(op.onHand);
        break;
      case "adjust":
        expect(item.adjust(op.delta, now)).toBe(model.adjust(op.delta));
        break;
      case "reserve": {
        const id = `r${ids.length}`;
        ids.push(id);
        const before = model.onHand === null ? null : model.available();
        const ok = item.hold(id, 1, op.qty, now + op.ttl, now);
        // The no-oversell rule, both ways: held exactly when the model has the units.
        expect(ok).toBe(before !== null && before >= op.qty);
        expect(ok).toBe(model.reserve(id, op.qty, now + op.ttl));
        break;
      }
      case "repeat": {
        const id = pickId(ids, op.pick);
        if (id === undefined) break;
        const recorded = model.state(id) !== undefined;
        const versionBefore = item.level?.version;
        expect(item.hold(id, 1, 1, now + 100, now)).toBe(model.reserve(id, 1, now + 100));
        // A repeat of the same attempt answers from the record and changes nothing.
        if (recorded) expect(item.level?.version).toBe(versionBefore);
        break;
      }
      case "hold-op": {
        const id = pickId(ids, op.pick);
        if (id === undefined) break;
        const was = model.state(id);
        expect(item.op(id, op.op, now), `${op.op} of a ${was} hold`).toBe(model.holdOp(id, op.op, now));
        break;
      }
      case "void": {
        const id = pickId(ids, op.pick);
        if (id === undefined) break;
        item.void(id, 1, now);
        model.void(id);
        break;
      }
    }

    const level = item.level;
    if (model.onHand === null) {
      expect(level).toBeNull();
      continue;
    }
    expect(level).not.toBeNull();
    if (level === null) continue;
    expect(level.onHand).toBe(model.onHand);
    expect(level.reserved).toBe(model.reserved());
    expect(available(level)).toBe(model.available());
    expect(level.version).toBe(model.version);
    // reserved is exactly the sum of the live holds the item itself keeps.
    const liveInItem = [...item.holds.values()].filter((h) => h.status === "held" || h.status === "pinned");
    expect(level.reserved).toBe(liveInItem.reduce((sum, h) => sum + h.quantity, 0));
  }
  // One event per change, numbered 1, 2, 3, ... with no gap and no repeat.
  expect(item.seqs).toEqual(item.seqs.map((_, i) => i + 1));
}

describe("ledger + holds against a model", () => {
  it("keeps available, reserved and version equal to the model's, and never oversells", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60, size: "max" }), (ops) => check(ops)),
      { numRuns: 500 },
    );
  });

  it("a hold never succeeds for more than is available, from any level", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (onHand, reserved, qty) => {
          const level: Level = {
            sku: "S",
            warehouse: "W",
            onHand,
            reserved,
            lowStockThreshold: 0,
            reorderQuantity: 0,
            version: 1,
            updatedAt: 0,
          };
          expect(canHold(available(level), qty)).toBe(onHand - reserved >= qty);
          if (canHold(available(level), qty)) {
            const after = applyChange(level, holdChange("r", qty), 1);
            expect(available(after)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it("commit lowers on hand and reserved together; release and expiry only reserved", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (onHand, qty) => {
        const base: Level = {
          sku: "S",
          warehouse: "W",
          onHand: onHand + qty,
          reserved: qty,
          lowStockThreshold: 0,
          reorderQuantity: 0,
          version: 7,
          updatedAt: 0,
        };
        const committed = applyChange(base, commitChange("r", qty), 1);
        expect([committed.onHand, committed.reserved, available(committed)]).toEqual([onHand, 0, available(base)]);
        for (const type of ["reservation.released", "reservation.expired"] as const) {
          const released = applyChange(base, releaseChange("r", qty, type), 1);
          expect([released.onHand, released.reserved, available(released)]).toEqual([onHand + qty, 0, onHand + qty]);
          expect(released.version).toBe(8);
        }
      }),
    );
  });

  it("a count sets on hand absolutely and keeps holds, so available may go negative", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (before, reserved, count) => {
          const level: Level = {
            sku: "S",
            warehouse: "W",
            onHand: before,
            reserved,
            lowStockThreshold: 3,
            reorderQuantity: 9,
            version: 4,
            updatedAt: 0,
          };
          const { level: after, change } = setCount(level, { sku: "S", warehouse: "W" }, { onHand: count }, 5);
          expect(after).toMatchObject({ onHand: count, reserved, version: 5, lowStockThreshold: 3, reorderQuantity: 9 });
          expect(change).toMatchObject({ type: "stock.set", onHandDelta: count - before, reservedDelta: 0 });
          expect(available(after)).toBe(count - reserved);
        },
      ),
    );
  });
});
