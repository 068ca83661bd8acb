import type { Actor } from "../events/event";
import type { Region } from "../regions/regions";
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
  /** The caller's region (optional in the RPC: a Worker older than regions does not say). */
  region?: Region;
}

/**
 * A reservation as the coordinator answers it: `region` is where it is coordinated (the id's
 * region for a server-made id; else the region this coordinator records as its own). Absent only
 * when a Worker older than regions called a coordinator that does not know its region yet.
 */
export type AnsweredReservation = ReservationView & { region?: Region };

/** One call to a stock object during an RPC: `pool` for a pool member; `desc` its region when simulated. */
export interface StockCallTiming {
  name: "item" | "pool";
  /** Milliseconds, wall clock, as the coordinator waited for it. */
  dur: number;
  desc?: Region;
}

/** Every answer of a changing RPC may carry its stock calls' timings (absent from a coordinator older than regions). */
export type Timed<T> = T & { timings?: StockCallTiming[] };

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
  | { kind: "created"; reservation: AnsweredReservation }
  | { kind: "existing"; reservation: AnsweredReservation }
  | { kind: "idempotency_conflict" }
  | { kind: "insufficient_stock"; shortages: Shortage[] }
  | { kind: "unavailable" };

export type ChangeResult =
  | { kind: "ok"; reservation: AnsweredReservation }
  | { kind: "not_found" }
  | { kind: "invalid_state"; status: Status }
  | { kind: "unavailable" };

export interface LineChangeInput {
  id: string;
  lines: RequestedLine[];
  /** The reservation's channel as the Worker read it; needed only when a line is sourced. */
  channel?: SourcingChannel | null;
  actor?: Actor;
  region?: Region;
}

export type LineChangeResult =
  | ChangeResult
  | { kind: "insufficient_stock"; shortages: Shortage[] }
  /** A line is sourced: call again with this channel (the reservation's) read by the Worker. */
  | { kind: "needs_channel"; channel: string }
  /** A line names no warehouse, and the reservation has no channel to source it. */
  | { kind: "unsourceable"; indices: number[] };
