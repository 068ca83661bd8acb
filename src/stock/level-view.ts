import type { Region } from "../regions/regions";
import { available, type Level } from "./ledger";

/**
 * A Level as the API shows it (docs/api.md, "Stock levels"): the body of every
 * Level response and of every live message (src/stock/live.ts). Pure, so both the HTTP layer
 * and the stock object use it without the object importing the HTTP layer.
 */
export interface LevelBody {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  reorderQuantity: number;
  version: number;
  /** ISO 8601 UTC. */
  updatedAt: string;
  /** Pool members taking reservations; 1 for an item that was never pooled. */
  shards: number;
  /** Regions its pool members are spread over (v1.2), or null. */
  regions: Region[] | null;
}

export function levelBody(level: Level & { shards?: number; regions?: Region[] | null }): LevelBody {
  return {
    sku: level.sku,
    warehouse: level.warehouse,
    onHand: level.onHand,
    reserved: level.reserved,
    available: available(level),
    lowStockThreshold: level.lowStockThreshold,
    reorderQuantity: level.reorderQuantity,
    version: level.version,
    updatedAt: new Date(level.updatedAt).toISOString(),
    shards: level.shards ?? 1,
    regions: level.regions ?? null,
  };
}
