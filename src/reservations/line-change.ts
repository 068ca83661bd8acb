import { type Allocation, sellable, source, type WarehouseStock } from "../channels/sourcing";
import type { Line, RequestedLine } from "./lifecycle";

/**
 * Changing a held reservation's lines (`PUT /v1/reservations/{id}/lines`), as pure arithmetic:
 * which items must hold more, which less, which nothing, and how a sourced line's new quantity
 * is spread. The coordinator runs the protocol (line-changes.ts; docs/architecture.md, "Extend and line changes"):
 *
 *   1. record the change (number n, the new lines and allocations) as intent;
 *   2. every item that must hold more *grows* its hold to the new quantity, tentatively: the
 *      item keeps the old quantity beside it, and never lets go of it first;
 *   3. all grew → record "decided: new", then shrink and release the others;
 *      one could not → record "decided: old", then every grown item *reverts* to its old quantity.
 *
 * A crash before the decision reverts (the client was never answered); after it, the recorded
 * decision is carried out again. Items act idempotently per change number.
 */

export interface ItemChange {
  sku: string;
  warehouse: string;
  /** What the reservation holds there now (0: nothing). */
  from: number;
  /** What it will hold (0: nothing). */
  to: number;
}

export interface ChangePlan {
  /** Must hold more before anything is decided (new items included, `from` 0). */
  grow: ItemChange[];
  /** Hold less, once the change is decided (`to` > 0). */
  shrink: ItemChange[];
  /** Hold nothing, once the change is decided. */
  drop: ItemChange[];
}

const key = (line: { sku: string; warehouse: string }) => `${line.sku}\u0000${line.warehouse}`;

/** Compares what is held with what will be, item by item (one allocation per item on each side). */
export function planChange(held: readonly Line[], next: readonly Line[]): ChangePlan {
  const before = new Map(held.map((a) => [key(a), a.quantity]));
  const after = new Map(next.map((a) => [key(a), a.quantity]));
  const plan: ChangePlan = { grow: [], shrink: [], drop: [] };
  for (const a of next) {
    const from = before.get(key(a)) ?? 0;
    if (a.quantity > from) plan.grow.push({ sku: a.sku, warehouse: a.warehouse, from, to: a.quantity });
    else if (a.quantity < from) plan.shrink.push({ sku: a.sku, warehouse: a.warehouse, from, to: a.quantity });
  }
  for (const a of held) {
    if (!after.has(key(a))) plan.drop.push({ sku: a.sku, warehouse: a.warehouse, from: a.quantity, to: 0 });
  }
  return plan;
}

/**
 * A sourced line's allocations after its quantity changes to `quantity`. Less: the last
 * allocations (in the order they were made) give back first, so the warehouses the channel
 * prefers keep theirs. More: what is already held stays, and the extra is sourced by the
 * channel's rule from `stocks` (each warehouse's available now, the reservation's own hold not
 * counted as available), where a warehouse already holding grows. Null: the channel cannot
 * cover the extra.
 */
export function reallocate(
  current: readonly Allocation[],
  quantity: number,
  stocks: readonly WarehouseStock[],
  safetyStock: number,
): Allocation[] | null {
  const total = current.reduce((sum, a) => sum + a.quantity, 0);
  if (quantity <= total) {
    const kept: Allocation[] = [];
    let left = quantity;
    for (const a of current) {
      if (left === 0) break;
      const take = Math.min(left, a.quantity);
      kept.push({ warehouse: a.warehouse, quantity: take });
      left -= take;
    }
    return kept;
  }
  const extra = source(quantity - total, stocks, safetyStock);
  if (extra === null) return null;
  const merged = current.map((a) => ({ ...a }));
  for (const e of extra) {
    const same = merged.find((a) => a.warehouse === e.warehouse);
    if (same !== undefined) same.quantity += e.quantity;
    else merged.push({ ...e });
  }
  return merged;
}

/** What a channel could hold for a sourced line of this reservation: its current hold plus what the channel may sell. */
export function sourcedCeiling(current: readonly Allocation[], stocks: readonly WarehouseStock[], safetyStock: number): number {
  return current.reduce((sum, a) => sum + a.quantity, 0) + stocks.reduce((sum, s) => sum + sellable(s.available, safetyStock), 0);
}

/** The lines of a change, keyed for a sourced SKU; a named line is its own allocation. */
export function namedAllocations(lines: readonly RequestedLine[]): Line[] {
  return lines.filter((line): line is Line => line.warehouse !== null);
}
