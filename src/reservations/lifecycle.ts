/**
 * The reservation as its coordinating object records it, and the rules it answers by.
 * Pure: the Reservation object persists these records and talks to the stock items.
 *
 * Phases (what the coordinator is doing) versus status (what a client sees):
 *
 *   placing ──all lines held──► held ──committing──► committed
 *      │                          │ ╲──releasing──► released
 *      └─any line short──► rejected   (held past expiresAt reads as expired)
 *
 * `placing`, `committing` and `releasing` are written before the first call to a stock
 * item and replaced after the last, so finding one of them when no call is in flight means
 * the object stopped midway: it then re-drives that step (void, commit, release) from the
 * start, which every stock item answers idempotently.
 */

export interface Line {
  sku: string;
  warehouse: string;
  quantity: number;
}

export type Phase =
  | "placing"
  | "rejected"
  | "held"
  | "committing"
  | "committed"
  | "releasing"
  | "released"
  | "expired";

export const STATUSES = ["held", "committed", "released", "expired"] as const;

export type Status = (typeof STATUSES)[number];

export interface ReservationRecord {
  id: string;
  /** Increases with each placement attempt under this id; stock items void by attempt. */
  attempt: number;
  phase: Phase;
  lines: Line[];
  /**
   * Per line, the pool member of a pooled item that may hold it (src/stock/pool.ts), written
   * before that member is called; absent or null: the item itself. Records of v0.1 have none.
   */
  placements?: (number | null)[];
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
}

export interface ReservationView {
  id: string;
  status: Status;
  lines: Line[];
  createdAt: string;
  expiresAt: string;
}

/**
 * How long a reservation is remembered after its expiry time: a repeated placement with its
 * id answers from it until then. Longer than a stock item keeps a finished hold, so an item
 * never meets an attempt number the coordinator has forgotten it used.
 */
export const RETENTION_MS = 30 * 24 * 3600 * 1000;

export function forgetAt(record: ReservationRecord): number {
  return record.expiresAt + RETENTION_MS;
}

export function isInterrupted(phase: Phase): boolean {
  return phase === "placing" || phase === "committing" || phase === "releasing";
}

/** Null while the reservation does not (or no longer) exist for clients. */
export function statusAt(record: ReservationRecord, now: number): Status | null {
  switch (record.phase) {
    case "placing":
    case "rejected":
      return null;
    case "held":
    case "committing":
    case "releasing":
      return now >= record.expiresAt && record.phase === "held" ? "expired" : "held";
    case "committed":
    case "released":
    case "expired":
      return record.phase;
  }
}

export function viewAt(record: ReservationRecord, now: number): ReservationView | null {
  const status = statusAt(record, now);
  if (status === null) return null;
  return {
    id: record.id,
    status,
    lines: record.lines,
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
  };
}

function lineKey(line: Line): string {
  return `${line.sku}/${line.warehouse}`;
}

/** Same lines in any order: the test for an idempotent repeat of a placement. */
export function sameLines(a: Line[], b: Line[]): boolean {
  if (a.length !== b.length) return false;
  const quantities = new Map(a.map((line) => [lineKey(line), line.quantity]));
  return b.every((line) => quantities.get(lineKey(line)) === line.quantity);
}

export type Request = "commit" | "release";

/**
 * What a commit or release asks of a reservation in a given status: proceed, answer the
 * repeat unchanged, or refuse because the reservation already ended another way.
 */
export function decide(status: Status, request: Request): "proceed" | "repeat" | "invalid_state" {
  if (status === "held") return "proceed";
  if ((request === "commit" && status === "committed") || (request === "release" && status === "released")) {
    return "repeat";
  }
  return "invalid_state";
}
