import type { Change, ChangeType, Level } from "../stock/ledger";

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
  /** Who made the change. Optional because events written by the previous version lack it (read as null). */
  actor?: Actor;
}

/** `:` may not appear in a sku or warehouse, so the id is unique and readable. */
export function eventId(sku: string, warehouse: string, seq: number): string {
  return `${sku}:${warehouse}:${seq}`;
}

export function eventFor(after: Level, change: Change, shards = 1, actor: Actor = null): StockEvent {
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
    actor,
  };
}
