/**
 * The reservation as its coordinating object records it, and the rules it answers by.
 * Pure: the coordinator (ReservationCoordinator.ts and its protocol modules) persists these
 * records and talks to the stock items.
 *
 * Phases (what the coordinator is doing) versus status (what a client sees):
 *
 *   placing ──all lines held──► held ──committing──► committed
 *      │                          │ ╲──releasing──► released
 *      │                          │ ╲──extending──► held (later expiresAt), or expired as a whole
 *      │                          │ ╲──changing───► held (new lines, or the old ones: line-change.ts)
 *      └─any line short──► rejected   (held past expiresAt reads as expired)
 *
 * `placing`, `committing`, `releasing`, `extending` and `changing` are written before the first call to a stock
 * item and replaced after the last, so finding one of them when no call is in flight means
 * the object stopped midway: it then re-drives that step (void, commit, release) from the
 * start, which every stock item answers idempotently.
 */

/** What one stock item holds for a reservation: a line that names its warehouse, or an allocation. */
export interface Line {
  sku: string;
  warehouse: string;
  quantity: number;
}

/** A line as the client asked for it: `warehouse` null when the channel's warehouses source it. */
export interface RequestedLine {
  sku: string;
  warehouse: string | null;
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
  | "extending"
  | "changing"
  | "expired";

export const STATUSES = ["held", "committed", "released", "expired"] as const;

export type Status = (typeof STATUSES)[number];

export interface ReservationRecord {
  id: string;
  /** Increases with each placement attempt under this id; stock items void by attempt. */
  attempt: number;
  phase: Phase;
  lines: RequestedLine[];
  /** The sales channel whose warehouses source lines without one; absent (v1.0 records) or null: none. */
  channel?: string | null;
  /**
   * What is held, per stock item: written (while placing, round by round) before that item is
   * called. Absent in records of v1.0, where every line names its warehouse and is its own
   * allocation; read it through `allocationsOf`.
   */
  allocations?: Line[];
  /**
   * Per allocation, the pool member of a pooled item that may hold it (src/stock/pool.ts),
   * written before that member is called; absent or null: the item itself. Records of v0.1 have none.
   */
  placements?: (number | null)[];
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
  /** While `extending`: the expiry every allocation is being moved to. */
  extendTo?: number;
  /** While `changing`: the line change under way (src/reservations/line-change.ts). */
  change?: PendingChange;
  /** Line changes made so far; the next is numbered one more. Absent: none. */
  changes?: number;
  /**
   * Who asked for the latest step (an API key's id, `root`), written with its intent so a
   * re-drive after a crash records the same actor on the items' events. Absent: null.
   */
  actor?: string | null;
}

/** A line change as recorded before any item is called, and its decision once taken. */
export interface PendingChange {
  /** Numbers the items' tentative holds and reverts, so each acts once per change. */
  number: number;
  lines: RequestedLine[];
  allocations: Line[];
  /** Per new allocation, the pool member that may hold it (as `placements`). */
  placements: (number | null)[];
  /** Written once every item that must grow has answered: which lines the reservation keeps. */
  decided?: "new" | "old";
}

export interface ReservationView {
  id: string;
  status: Status;
  lines: RequestedLine[];
  channel: string | null;
  allocations: Line[];
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
  return phase === "placing" || phase === "committing" || phase === "releasing" || phase === "extending" || phase === "changing";
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
    case "extending":
    case "changing":
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
    channel: record.channel ?? null,
    allocations: allocationsOf(record),
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
  };
}

/** What the stock items hold for this reservation (or were asked to, while placing). */
export function allocationsOf(record: ReservationRecord): Line[] {
  return record.allocations ?? record.lines.filter((line): line is Line => line.warehouse !== null);
}

/**
 * The record as stored: `allocations` left out when they are the lines themselves (every line
 * names its warehouse, in the same order), which `allocationsOf` derives, so a plain
 * reservation's record is no larger than before channels existed.
 */
export function compact(record: ReservationRecord): ReservationRecord {
  const { allocations, ...rest } = record;
  if (allocations === undefined) return record;
  const derived =
    allocations.length === record.lines.length &&
    allocations.every((a, i) => {
      const line = record.lines[i] as RequestedLine;
      return line.warehouse === a.warehouse && line.sku === a.sku && line.quantity === a.quantity;
    });
  return derived ? rest : record;
}

function lineKey(line: RequestedLine): string {
  return `${line.sku}/${line.warehouse ?? ""}`;
}

/** Same lines in any order: the test for an idempotent repeat of a placement. */
export function sameLines(a: RequestedLine[], b: RequestedLine[]): boolean {
  if (a.length !== b.length) return false;
  const quantities = new Map(a.map((line) => [lineKey(line), line.quantity]));
  return b.every((line) => quantities.get(lineKey(line)) === line.quantity);
}

/** The test for an idempotent repeat: same lines in any order, through the same channel. */
export function sameRequest(record: ReservationRecord, lines: RequestedLine[], channel: string | null): boolean {
  return (record.channel ?? null) === channel && sameLines(record.lines, lines);
}

export type Request = "commit" | "release" | "extend" | "change";

/**
 * What a commit, release or extension asks of a reservation in a given status: proceed, answer
 * the repeat unchanged, or refuse because the reservation is no longer held.
 */
export function decide(status: Status, request: Request): "proceed" | "repeat" | "invalid_state" {
  if (status === "held") return "proceed";
  if ((request === "commit" && status === "committed") || (request === "release" && status === "released")) {
    return "repeat";
  }
  return "invalid_state";
}
