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
