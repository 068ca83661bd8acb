/**
 * The life of one reservation's hold on one stock item, as pure decisions.
 *
 *   (none) ──place──► held ──commit──► committed
 *                      │  ╲──pin──► pinned ──commit──► committed
 *                      │              ╰──release──► released
 *                      ├──release──► released
 *                      └──(expiresAt passed)──► expired
 *   any unacknowledged attempt ──void──► voided (a tombstone that refuses late holds)
 *
 * A `held` hold may be *extended*: it stays `held`, with the later of its expiry and the new one.
 *
 * A hold counts in `reserved` while it is `held` or `pinned`. `pinned` is the first phase
 * of a multi-line commit: a pinned hold can no longer expire, so a commit that has pinned
 * every line cannot end up half applied when the expiry time falls in the middle of it.
 */

export type HoldStatus = "held" | "pinned" | "committed" | "released" | "expired" | "voided";

export interface Hold {
  reservationId: string;
  /** Which attempt of the coordinator placed it: voids of attempt n refuse late holds of n. */
  attempt: number;
  quantity: number;
  status: HoldStatus;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The last line change (src/reservations/line-change.ts) applied here; 0 or absent: none. */
  change?: number;
  /** While change `change` is undecided and grew this hold: the quantity before it; else null. */
  previous?: number | null;
  /** The highest line change reverted here: a resize of it arriving late is refused. */
  reverted?: number;
}

export function countsAsReserved(status: HoldStatus): boolean {
  return status === "held" || status === "pinned";
}

/** A held hold past its expiry is expired, whether or not anything has swept it yet. */
export function isExpiredAt(hold: Hold, now: number): boolean {
  return hold.status === "held" && now >= hold.expiresAt;
}

export type PlaceDecision =
  /** Nothing stands in the way: hold `quantity` if it is available. */
  | { kind: "place"; supersedes?: Hold }
  /** This very attempt is already recorded: answer from it, change nothing. */
  | { kind: "recorded"; status: HoldStatus }
  /** A void of this or a later attempt came first. */
  | { kind: "refused" };

export function decidePlace(existing: Hold | null, attempt: number): PlaceDecision {
  if (existing === null) return { kind: "place" };
  if (existing.attempt > attempt) return { kind: "refused" };
  if (existing.attempt === attempt) {
    return existing.status === "voided" ? { kind: "refused" } : { kind: "recorded", status: existing.status };
  }
  // An earlier attempt. The coordinator voids an attempt before starting the next, so a
  // live hold here means that void never arrived: the new attempt takes its place.
  return countsAsReserved(existing.status) ? { kind: "place", supersedes: existing } : { kind: "place" };
}

export type HoldOp = "pin" | "commit" | "release";

export type HoldTransition =
  | { kind: "move"; to: HoldStatus }
  /** Already where the operation leads (a repeat): success, nothing changes. */
  | { kind: "same"; status: HoldStatus }
  /** The hold is in a state the operation cannot leave; `status` says which. */
  | { kind: "refused"; status: HoldStatus };

/** Callers sweep expired holds first, so `held` here is still within its time. */
export function transition(hold: Hold, op: HoldOp): HoldTransition {
  const s = hold.status;
  switch (op) {
    case "pin":
      if (s === "held") return { kind: "move", to: "pinned" };
      if (s === "pinned" || s === "committed") return { kind: "same", status: s };
      return { kind: "refused", status: s };
    case "commit":
      if (s === "held" || s === "pinned") return { kind: "move", to: "committed" };
      if (s === "committed") return { kind: "same", status: s };
      return { kind: "refused", status: s };
    case "release":
      if (s === "held" || s === "pinned") return { kind: "move", to: "released" };
      if (s === "released" || s === "expired") return { kind: "same", status: s };
      return { kind: "refused", status: s };
  }
}

export type Extension =
  /** The hold's expiry from now on (unchanged when it already ran later). */
  { kind: "extend"; expiresAt: number } | { kind: "refused"; status: HoldStatus };

/**
 * Moving a hold's expiry to `until`, never earlier. Callers sweep expired holds first, so a
 * `held` hold here is still within its time; one that expired is refused, which is how an
 * extension racing with the expiry is settled by the item that holds the units. A pinned hold
 * is being committed and cannot expire anyway.
 */
export function extension(hold: Hold, until: number): Extension {
  if (hold.status === "held") return { kind: "extend", expiresAt: Math.max(hold.expiresAt, until) };
  if (hold.status === "pinned") return { kind: "extend", expiresAt: hold.expiresAt };
  return { kind: "refused", status: hold.status };
}

export type ResizeDecision =
  /** This change reached the item already: answer as then, change nothing. */
  | { kind: "recorded" }
  /** The hold ended in a way a line change cannot undo, or this change was reverted first. */
  | { kind: "refused"; status: HoldStatus }
  /** Resize from `from` units (0: the reservation holds nothing here now). */
  | { kind: "resize"; from: number };

/**
 * A line change `change` asking this item to hold a new quantity for the reservation. The
 * hold may be missing (an item new to the reservation), live, or ended by an earlier change
 * (released, voided): those start again from 0. An expired or committed hold cannot change.
 */
export function decideResize(hold: Hold | null, change: number): ResizeDecision {
  if (hold === null) return { kind: "resize", from: 0 };
  if ((hold.reverted ?? 0) >= change) return { kind: "refused", status: "voided" };
  if ((hold.change ?? 0) >= change) return { kind: "recorded" };
  if (countsAsReserved(hold.status)) return { kind: "resize", from: hold.quantity };
  if (hold.status === "released" || hold.status === "voided") return { kind: "resize", from: 0 };
  return { kind: "refused", status: hold.status };
}

export type RevertDecision =
  /** Already reverted, or nothing of this change to undo: only remember the revert. */
  | { kind: "mark" }
  /** Give back what the change added: the hold returns to `to` units (0: it ends). */
  | { kind: "restore"; release: number; to: number };

/** Undoing line change `change` here, which may or may not have arrived (then it never will). */
export function decideRevert(hold: Hold | null, change: number): RevertDecision {
  if (hold === null || (hold.reverted ?? 0) >= change) return { kind: "mark" };
  const previous = hold.previous;
  if (hold.change === change && previous !== null && previous !== undefined && countsAsReserved(hold.status)) {
    return { kind: "restore", release: hold.quantity - previous, to: previous };
  }
  return { kind: "mark" };
}
