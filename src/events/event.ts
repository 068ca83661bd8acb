import type { Region } from "../regions/regions";
/** The kinds of change a stock item records, each one event. */
export const CHANGE_TYPES = [
  "stock.set",
  "stock.adjusted",
  "reservation.held",
  "reservation.committed",
  "reservation.released",
  "reservation.expired",
] as const;

export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Who made a change: an API key's id, `root` (the root key), or null for the service's own changes (expiry). */
export type Actor = string | null;

/**
 * A change event as the outbox stores it, the Queue carries it and D1 keeps it.
 * `seq` is the level's `version` after the change, so it runs 1, 2, 3 … per item
 * with no gaps and no repeats by construction.
 */
export interface StockEvent {
  id: string;
  seq: number;
  type: ChangeType;
  sku: string;
  warehouse: string;
  onHandDelta: number;
  reservedDelta: number;
  onHand: number;
  reserved: number;
  reservationId?: string;
  reason?: string;
  reference?: string;
  /** ISO 8601 UTC. */
  at: string;
  /**
   * The level's settings after the change, for D1's projection (`GET /v1/stock`). Optional
   * because events written by the previous version lack them; `shards` is left out when 1.
   */
  lowStockThreshold?: number;
  reorderQuantity?: number;
  shards?: number;
  /**
   * The regions a pooled item's members are spread over (v1.2), left out when it has none;
   * an event that carries `lowStockThreshold` but not this says "no regions".
   */
  regions?: Region[];
  /** Who made the change. Optional because events written by the previous version lack it (read as null). */
  actor?: Actor;
}

/** `:` may not appear in a sku or warehouse, so the id is unique and readable. */
export function eventId(sku: string, warehouse: string, seq: number): string {
  return `${sku}:${warehouse}:${seq}`;
}
