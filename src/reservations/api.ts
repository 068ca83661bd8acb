import type { Actor } from "../events/event";
import type { RequestedLine, ReservationView, Status } from "./lifecycle";

/**
 * What the coordinator's RPC methods take and answer (src/reservations/ReservationCoordinator.ts
 * re-exports them for the Worker). Types only: the protocols and the HTTP layer share them.
 */

export interface PlaceInput {
  id: string;
  lines: RequestedLine[];
  ttlSeconds: number;
  /** Sources the lines without a warehouse; optional in the RPC so a Worker of v1.0 can still call. */
  channel?: SourcingChannel | null;
  /** Who asked (an API key's id, `root`), recorded on the items' events. */
  actor?: Actor;
}

/** The channel a placement sources from, as the Worker read it (src/channels/directory.ts). */
export interface SourcingChannel {
  id: string;
  warehouses: string[];
  safetyStock: number;
}

/** A line the stock cannot cover; `warehouse` null for a sourced line, `available` then being the channel's. */
export interface Shortage {
  sku: string;
  warehouse: string | null;
  requested: number;
  available: number;
}

export type PlaceResult =
  | { kind: "created"; reservation: ReservationView }
  | { kind: "existing"; reservation: ReservationView }
  | { kind: "idempotency_conflict" }
  | { kind: "insufficient_stock"; shortages: Shortage[] }
  | { kind: "unavailable" };

export type ChangeResult =
  | { kind: "ok"; reservation: ReservationView }
  | { kind: "not_found" }
  | { kind: "invalid_state"; status: Status }
  | { kind: "unavailable" };

export interface LineChangeInput {
  id: string;
  lines: RequestedLine[];
  /** The reservation's channel as the Worker read it; needed only when a line is sourced. */
  channel?: SourcingChannel | null;
  actor?: Actor;
}

export type LineChangeResult =
  | ChangeResult
  | { kind: "insufficient_stock"; shortages: Shortage[] }
  /** A line is sourced: call again with this channel (the reservation's) read by the Worker. */
  | { kind: "needs_channel"; channel: string }
  /** A line names no warehouse, and the reservation has no channel to source it. */
  | { kind: "unsourceable"; indices: number[] };
