import type { Change, Level } from "./ledger";

/**
 * Flash-sale pools (seed 003, the demarcation protocol): the arithmetic, pure.
 *
 * An item with `shards` > 1 is *pooled*. Its own object (the parent) keeps the count and the
 * item's event sequence, and `unallocated`: units no member has the right to hold. Each
 * member `k` (a StockItem object named `sku/warehouse#k`, in member mode) has a level of its
 * own whose `onHand` is its allocation: holds, commits, releases and expiry work there
 * exactly as on any item, so a member can never hold more than it was granted, and the
 * parent never grants more than is unallocated. That is the whole no-oversell argument:
 *
 *   units = unallocated + Σ allocation(k) + (in transit)      reserved = Σ held(k) + held at parent
 *
 * Grants and returns move units between the two with cumulative totals (`grantedTotal` at
 * the parent, `receivedTotal` / `returnedTotal` at the member), so a lost answer or a
 * repeated call moves nothing twice. A member's changes (holds, commits, releases, expiries)
 * reach the parent as its events, which the parent renumbers into the item's own sequence.
 */

/** The largest slice a member is granted at once: a share of what is left, so the last units spread. */
export function grantFor(unallocated: number, want: number, shards: number): number {
  if (unallocated <= 0 || want <= 0) return 0;
  const share = Math.ceil(unallocated / (2 * Math.max(1, shards)));
  return Math.min(unallocated, Math.max(want, share));
}

/**
 * How a change made at the parent itself moves `unallocated`: by what it moves `available`
 * (a count or adjustment by its delta, a hold at the parent down, its release up, its commit
 * not at all). A member's change absorbed by the parent moves it not at all: the member's
 * allocation already accounted for those units.
 */
export function unallocatedDelta(change: Pick<Change, "onHandDelta" | "reservedDelta">): number {
  return change.onHandDelta - change.reservedDelta;
}

/** What a member reports of itself: cumulative, so any later report supersedes an earlier one. */
export interface MemberTotals {
  /** Changes made there (its level's version). */
  changes: number;
  /** Σ onHandDelta of those changes (its allocation moves are not changes). */
  onHandDelta: number;
  /** Its `reserved`: Σ reservedDelta of its changes. */
  reserved: number;
}

export function memberTotals(level: Level, receivedTotal: number, returnedTotal: number): MemberTotals {
  return { changes: level.version, onHandDelta: level.onHand - (receivedTotal - returnedTotal), reserved: level.reserved };
}

/**
 * The item's exact level: the parent's (every member change it has absorbed) plus, per
 * member, what the member has done since. `absorbed[k]` must be read in the same snapshot
 * as `parent`; `members[k]` may be read later (it then also counts changes absorbed after
 * the snapshot, which the snapshot's parent does not hold, so nothing counts twice).
 */
export function exactLevel(parent: Level, absorbed: MemberTotals[], members: MemberTotals[]): Level {
  let { onHand, reserved, version } = parent;
  members.forEach((member, k) => {
    const seen = absorbed[k] ?? { changes: 0, onHandDelta: 0, reserved: 0 };
    version += member.changes - seen.changes;
    onHand += member.onHandDelta - seen.onHandDelta;
    reserved += member.reserved - seen.reserved;
  });
  return { ...parent, onHand, reserved, version };
}

/** A member asks for more when what it may still hold falls below this (it refills before it runs dry). */
export function lowWater(slice: number): number {
  return Math.max(1, Math.floor(slice / 4));
}
