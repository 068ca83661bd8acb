/** The API's shapes the console reads (../shared/api-contract.md; `GET /v1/openapi.json`). */

export interface Level {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  reorderQuantity: number;
  version: number;
  updatedAt: string;
  shards?: number;
}

export interface StockPage {
  items: Level[];
  next: string | null;
}

export interface StockEvent {
  id: string;
  seq: number;
  type: string;
  sku: string;
  warehouse: string;
  onHandDelta: number;
  reservedDelta: number;
  onHand: number;
  reserved: number;
  reservationId?: string;
  reason?: string;
  reference?: string;
  actor?: string | null;
  at: string;
}

export interface EventPage {
  events: StockEvent[];
  next: string | null;
}

export interface Analytics {
  sku: string;
  warehouse: string;
  unitsPerDay: { last7d: number; last30d: number };
  shrinkPerDay?: { last7d: number; last30d: number };
  available?: number;
  daysOfCover: number | null;
  projectedStockoutAt: string | null;
}

export type AlertType = "stock.low" | "stock.out" | "stock.replenished";
export const ALERT_TYPES: readonly AlertType[] = ["stock.low", "stock.out", "stock.replenished"];

export interface Webhook {
  id: string;
  url: string;
  events: AlertType[];
  sku: string | null;
  warehouse: string | null;
  status?: "active" | "disabled";
  createdAt: string;
  disabledAt?: string | null;
}

export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  type: AlertType;
  attempt: number;
  status: "succeeded" | "retrying" | "failed" | "gone";
  responseStatus: number | null;
  at: string;
  error?: string | null;
}

export const ADJUSTMENT_REASONS = ["receipt", "return", "damage", "loss", "correction", "transfer_in", "transfer_out"] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/** RFC 9457 problem details, as every refusal of the API is. */
export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}
