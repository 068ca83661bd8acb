import { type AlertType, suggestedReorderQuantity } from "./crossing";

/**
 * The level an alert reports: the stock item's level right after the crossing change. Spelled
 * out here (the fields of the stock item's `Level`) because webhooks sit below stock.
 */
export interface AlertLevel {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  reorderQuantity: number;
  version: number;
  /** Epoch milliseconds. */
  updatedAt: number;
}

/** The webhook body, exactly as it is signed and sent on every attempt. */
export interface AlertBody {
  id: string;
  type: AlertType;
  /** ISO 8601 UTC: when the crossing happened (not when it was delivered). */
  timestamp: string;
  data: {
    sku: string;
    warehouse: string;
    onHand: number;
    reserved: number;
    available: number;
    lowStockThreshold: number;
    reorderQuantity: number;
    suggestedReorderQuantity: number;
  };
}

export interface Alert {
  id: string;
  type: AlertType;
  sku: string;
  warehouse: string;
  /** Epoch milliseconds of the crossing. */
  at: number;
  /** The serialized `AlertBody`: stored once so every retry sends and signs the same bytes. */
  body: string;
}

/**
 * One change may cross two lines (low and out), so the type is part of the id. `:` cannot
 * appear in a sku or warehouse, so ids are unique per item, version and type. The id is the
 * `webhook-id` of every attempt: receivers deduplicate on it.
 */
export function alertId(level: Pick<AlertLevel, "sku" | "warehouse" | "version">, type: AlertType): string {
  return `${level.sku}:${level.warehouse}:${level.version}:${type}`;
}

export function buildAlert(level: AlertLevel, type: AlertType): Alert {
  const available = level.onHand - level.reserved;
  const id = alertId(level, type);
  const body: AlertBody = {
    id,
    type,
    timestamp: new Date(level.updatedAt).toISOString(),
    data: {
      sku: level.sku,
      warehouse: level.warehouse,
      onHand: level.onHand,
      reserved: level.reserved,
      available,
      lowStockThreshold: level.lowStockThreshold,
      reorderQuantity: level.reorderQuantity,
      suggestedReorderQuantity: suggestedReorderQuantity(type, {
        available,
        lowStockThreshold: level.lowStockThreshold,
        reorderQuantity: level.reorderQuantity,
      }),
    },
  };
  return { id, type, sku: level.sku, warehouse: level.warehouse, at: level.updatedAt, body: JSON.stringify(body) };
}
