import type { components } from "../../client/src/schema";

/**
 * The API's shapes the console reads: the OpenAPI document's, through the client package's
 * generated schema (`npm run client:generate`), so the console cannot drift from the API.
 */
type Schemas = components["schemas"];

export type Level = Schemas["Level"];

export type StockPage = Schemas["StockPage"];

export type StockEvent = Schemas["StockEvent"];

export type EventPage = Schemas["EventPage"];

export type Analytics = Schemas["StockAnalytics"];

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
