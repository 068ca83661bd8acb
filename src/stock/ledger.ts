import type { Region } from "../regions/regions";
/**
 * Pure arithmetic of one stock item (one SKU in one warehouse).
 *
 * The StockItem Durable Object loads the level and the one hold an operation touches,
 * asks these functions what the change is, and persists the answer in one transaction.
 * Nothing here knows about storage or the runtime, so it is tested alone and
 * property-tested against a simple model (test/stock/ledger.property.test.ts).
 */

import { type Actor, CHANGE_TYPES, type ChangeType, eventId, type StockEvent } from "../events/event";

// The change vocabulary is the event's (src/events/event.ts): the ledger makes changes of those types.
export { CHANGE_TYPES, type ChangeType };

export const ADJUSTMENT_REASONS = ["receipt", "return", "damage", "loss", "correction", "transfer_in", "transfer_out"] as const;

export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export interface Level {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  reorderQuantity: number;
  /** Increases by one on every change; also the `seq` of the change's event. */
  version: number;
  /** Epoch milliseconds. */
  updatedAt: number;
}

/** One change of a level: what the event describes and what moves the counters. */
export interface Change {
  type: ChangeType;
  onHandDelta: number;
  reservedDelta: number;
  reservationId?: string;
  reason?: AdjustmentReason;
  reference?: string;
}

export function available(level: Pick<Level, "onHand" | "reserved">): number {
  return level.onHand - level.reserved;
}

export function applyChange(level: Level, change: Change, now: number): Level {
  return {
    ...level,
    onHand: level.onHand + change.onHandDelta,
    reserved: level.reserved + change.reservedDelta,
    version: level.version + 1,
    updatedAt: now,
  };
}

export interface SetCount {
  onHand: number;
  lowStockThreshold?: number;
  reorderQuantity?: number;
}

/** The level of an item before its first change. */
export function emptyLevel(item: { sku: string; warehouse: string }, now: number): Level {
  return {
    sku: item.sku,
    warehouse: item.warehouse,
    onHand: 0,
    reserved: 0,
    lowStockThreshold: 0,
    reorderQuantity: 0,
    version: 0,
    updatedAt: now,
  };
}

/** A count sets `onHand` absolutely; holds stay, so `available` may go negative. */
export function setCount(
  current: Level | null,
  item: { sku: string; warehouse: string },
  input: SetCount,
  now: number,
): { level: Level; change: Change } {
  const base: Level = current ?? emptyLevel(item, now);
  const change: Change = {
    type: "stock.set",
    onHandDelta: input.onHand - base.onHand,
    reservedDelta: 0,
  };
  const level = applyChange(
    {
      ...base,
      lowStockThreshold: input.lowStockThreshold ?? base.lowStockThreshold,
      reorderQuantity: input.reorderQuantity ?? base.reorderQuantity,
    },
    change,
    now,
  );
  return { level, change };
}

export type AdjustOutcome = { ok: true; level: Level; change: Change } | { ok: false; code: "negative_on_hand"; onHand: number };

export function adjust(level: Level, input: { delta: number; reason: AdjustmentReason; reference?: string }, now: number): AdjustOutcome {
  if (level.onHand + input.delta < 0) {
    return { ok: false, code: "negative_on_hand", onHand: level.onHand };
  }
  const change: Change = {
    type: "stock.adjusted",
    onHandDelta: input.delta,
    reservedDelta: 0,
    reason: input.reason,
    ...(input.reference === undefined ? {} : { reference: input.reference }),
  };
  return { ok: true, level: applyChange(level, change, now), change };
}

/**
 * Can `quantity` units be held out of `free`? Never more than is free: this is the no-oversell
 * rule. `free` is the level's `available` (src/stock/pool.ts says what it is for a pooled item).
 */
export function canHold(free: number, quantity: number): boolean {
  return free >= quantity;
}

export function holdChange(reservationId: string, quantity: number): Change {
  return { type: "reservation.held", onHandDelta: 0, reservedDelta: quantity, reservationId };
}

export function commitChange(reservationId: string, quantity: number): Change {
  return { type: "reservation.committed", onHandDelta: -quantity, reservedDelta: -quantity, reservationId };
}

export function releaseChange(reservationId: string, quantity: number, type: "reservation.released" | "reservation.expired"): Change {
  return { type, onHandDelta: 0, reservedDelta: -quantity, reservationId };
}

/** The event of `change`, which made `after`: its `seq` is the level's new version. */
export function eventFor(after: Level, change: Change, shards = 1, actor: Actor = null, regions: Region[] | null = null): StockEvent {
  return {
    id: eventId(after.sku, after.warehouse, after.version),
    seq: after.version,
    type: change.type,
    sku: after.sku,
    warehouse: after.warehouse,
    onHandDelta: change.onHandDelta,
    reservedDelta: change.reservedDelta,
    onHand: after.onHand,
    reserved: after.reserved,
    ...(change.reservationId === undefined ? {} : { reservationId: change.reservationId }),
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ...(change.reference === undefined ? {} : { reference: change.reference }),
    at: new Date(after.updatedAt).toISOString(),
    lowStockThreshold: after.lowStockThreshold,
    reorderQuantity: after.reorderQuantity,
    ...(shards > 1 ? { shards } : {}),
    ...(regions === null ? {} : { regions }),
    actor,
  };
}
