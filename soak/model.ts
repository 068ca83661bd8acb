/**
 * What the clients know: every reservation, count and adjustment they sent and the last
 * definitive answer each got. The checks hold the service to this knowledge at the end.
 */

export interface Line {
  sku: string;
  warehouse: string | null;
  quantity: number;
}

export interface Allocation {
  sku: string;
  warehouse: string;
  quantity: number;
}

export type ReservationStatus = "held" | "committed" | "released" | "expired" | "rejected";

export type ReservationKind = "plain" | "multi" | "sourced" | "pooled" | "watched" | "burst";

export interface KnownReservation {
  id: string;
  kind: ReservationKind;
  channel: string | null;
  lines: Line[];
  /** What the service said it holds per item, in its last definitive answer. */
  allocations: Allocation[];
  /** Last definitive answer's status; null until one came. */
  status: ReservationStatus | null;
  /** The service said it held this reservation at some point (201, or 200 held). */
  acknowledged: boolean;
  expiresAtMs: number | null;
  /** An operation on it is in flight (its owner does one thing at a time). */
  busy: boolean;
  /** A write on it got no definitive answer before the client gave up. */
  unresolved: boolean;
}

export type WriteOutcome = "applied" | "refused" | "ambiguous" | "unresolved";

/** A cycle count: `PUT onHand` with `If-Match: "<ifMatch>"`. */
export interface Count {
  item: string;
  ifMatch: number;
  target: number;
  outcome: WriteOutcome;
}

/** `POST .../adjustments` with `Idempotency-Key: key`. */
export interface Adjustment {
  key: string;
  item: string;
  delta: number;
  outcome: WriteOutcome;
}

export function itemKey(sku: string, warehouse: string): string {
  return `${sku}/${warehouse}`;
}

export class Model {
  readonly reservations = new Map<string, KnownReservation>();
  readonly counts: Count[] = [];
  readonly adjustments: Adjustment[] = [];
  /** Operations by name, and how many got a definitive answer. */
  readonly operations = new Map<string, number>();

  countOp(op: string): void {
    this.operations.set(op, (this.operations.get(op) ?? 0) + 1);
  }

  /** Folds a definitive answer that carries a Reservation body into what is known. */
  learn(id: string, body: unknown): void {
    const known = this.reservations.get(id);
    if (known === undefined || typeof body !== "object" || body === null) return;
    const r = body as { status?: string; allocations?: Allocation[]; lines?: Line[]; expiresAt?: string };
    if (r.status === "held" || r.status === "committed" || r.status === "released" || r.status === "expired") {
      known.status = r.status;
      if (r.status === "held") known.acknowledged = true;
    }
    if (Array.isArray(r.allocations))
      known.allocations = r.allocations.map((a) => ({ sku: a.sku, warehouse: a.warehouse, quantity: a.quantity }));
    if (Array.isArray(r.lines)) known.lines = r.lines.map((l) => ({ sku: l.sku, warehouse: l.warehouse ?? null, quantity: l.quantity }));
    if (typeof r.expiresAt === "string") known.expiresAtMs = Date.parse(r.expiresAt);
  }

  /** The status a known reservation must read as now: a hold past its expiry is expired. */
  expected(known: KnownReservation, nowMs = Date.now()): ReservationStatus | null {
    if (known.status === "held" && known.expiresAtMs !== null && known.expiresAtMs <= nowMs) return "expired";
    return known.status;
  }
}
