/**
 * What a baseline store must do behind the common HTTP front (server.ts): the same
 * operations and answers as the Worker's API, for the parts the bench exercises.
 * Expiry is not implemented: the bench holds reservations for an hour and runs for minutes.
 */

import { type Line, sameLines } from "../../src/reservations/lifecycle";

// The Worker's own pure rules for lines, so the baselines answer repeats exactly as it does.
export { type Line, sameLines };

export interface Level {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
}

export type Status = "held" | "committed" | "released";

export interface ReservationView {
  id: string;
  status: Status;
  lines: Line[];
  createdAt: string;
  expiresAt: string;
}

export interface Shortage extends Line {
  requested: number;
  available: number;
}

export type PlaceOutcome =
  | { kind: "created"; reservation: ReservationView }
  | { kind: "existing"; reservation: ReservationView }
  | { kind: "idempotency_conflict" }
  | { kind: "insufficient_stock"; shortages: Shortage[] };

export type ChangeOutcome =
  | { kind: "ok"; reservation: ReservationView }
  | { kind: "not_found" }
  | { kind: "invalid_state"; status: Status };

export interface Backend {
  /** The store and the design it implements, for the table. */
  describe: string;
  setCount(sku: string, warehouse: string, onHand: number): Promise<Level>;
  level(sku: string, warehouse: string): Promise<Level | null>;
  skuLevels(sku: string): Promise<Level[]>;
  place(id: string, lines: Line[], ttlSeconds: number): Promise<PlaceOutcome>;
  get(id: string): Promise<ReservationView | null>;
  change(id: string, op: "commit" | "release"): Promise<ChangeOutcome>;
  close(): Promise<void>;
}

function lineKey(line: Line): string {
  return `${line.sku}/${line.warehouse}`;
}

/** Lines in one global order, so concurrent multi-line reservations lock rows without deadlocks. */
export function ordered(lines: Line[]): Line[] {
  return [...lines].sort((a, b) => (lineKey(a) < lineKey(b) ? -1 : lineKey(a) > lineKey(b) ? 1 : 0));
}
