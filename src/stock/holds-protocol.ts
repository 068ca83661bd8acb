import type { Actor } from "../events/event";
import type { ChangeLog } from "./changes";
import {
  countsAsReserved,
  decidePlace,
  decideResize,
  decideRevert,
  extension,
  type Hold,
  type HoldOp,
  type HoldStatus,
  transition,
} from "./holds";
import { available, canHold, commitChange, holdChange, type Level, releaseChange } from "./ledger";
import type { MemberPlace } from "./pool-demand";
import type { Membership } from "./pool-store";
import type { ItemStores } from "./schema";

/** Finished holds and adjustment keys are kept this long for idempotent repeats. */
export const IDEMPOTENCY_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * Holds and expiry: the reservation coordinator's protocol with one item (src/stock/holds.ts
 * has the rules, pure). RPC: `hold`, `pin`, `commit`, `release`, `extend`, `resize`,
 * `revertChange`, `voidAttempt` (a pooled item routes them first: src/stock/pool-parent.ts,
 * src/stock/pool-member.ts). Stores: the `holds` rows (src/stock/hold-store.ts).
 * Alarm duty: expire holds at their time; forget finished ones after IDEMPOTENCY_WINDOW_MS.
 *
 * Guarantees:
 * - No oversell: a hold takes at most what is free here (`canHold`), minus the safety stock
 *   the caller keeps back, decided inside the transaction that writes it.
 * - The hold row and its level change (with its event) are one transaction (src/stock/changes.ts):
 *   a crash leaves either both or neither, so `reserved` is always the sum of live holds.
 * - Idempotent per (reservation, attempt) and per line change: a repeat answers from the
 *   recorded hold and changes nothing. A void leaves a tombstone, so a hold of that attempt
 *   arriving late (the coordinator crashed between sending it and voiding it) is refused.
 * - Nothing here calls out: every step is one local transaction, so there is no crash point
 *   inside a step. The coordinator records its own intent before calling (src/reservations/).
 */
export class HoldsProtocol {
  constructor(
    private readonly stores: Pick<ItemStores, "levels" | "holds" | "pool">,
    private readonly changes: ChangeLog,
    private readonly membership: Membership,
  ) {}

  /** Places a reservation line's hold: all of `quantity` or nothing. Idempotent per attempt. */
  place(request: HoldRequest): Promise<HoldResult> {
    const { levels, holds } = this.stores;
    return this.changes.mutate((now): HoldResult => {
      const decision = decidePlace(holds.read(request.reservationId), request.attempt);
      if (decision.kind === "refused") return { ok: false, reason: "refused", status: "voided" };
      if (decision.kind === "recorded") {
        const s = decision.status;
        return countsAsReserved(s) || s === "committed" ? { ok: true } : { ok: false, reason: "refused", status: s };
      }
      if (request.expiresAt <= now) return { ok: false, reason: "refused", status: "expired" };
      let level = levels.read();
      if (decision.supersedes !== undefined && level !== null) {
        level = this.finish(level, decision.supersedes, "voided", now, request.actor ?? null);
      }
      const free = level === null ? 0 : this.freeToHold(level);
      if (level === null || !canHold(free - (request.keep ?? 0), request.quantity)) {
        return { ok: false, reason: "insufficient", available: free };
      }
      this.changes.record(level, holdChange(request.reservationId, request.quantity), now, request.actor ?? null);
      holds.write(
        {
          reservationId: request.reservationId,
          attempt: request.attempt,
          quantity: request.quantity,
          status: "held",
          expiresAt: request.expiresAt,
        },
        now,
      );
      return { ok: true };
    });
  }

  /** `pin` (first phase of a multi-line commit: the hold can no longer expire), `commit`, `release`. */
  apply(reservationId: string, op: HoldOp, actor: Actor): Promise<HoldOpResult> {
    const { levels, holds } = this.stores;
    return this.changes.mutate((now): HoldOpResult => {
      const hold = holds.read(reservationId);
      const level = levels.read();
      if (hold === null || level === null) return { ok: false, status: "missing" };
      const step = transition(hold, op);
      if (step.kind === "refused") return { ok: false, status: step.status };
      if (step.kind === "same") return { ok: true, status: step.status };
      if (step.to === "committed") {
        this.changes.record(level, commitChange(reservationId, hold.quantity), now, actor);
        holds.write({ ...hold, status: "committed" }, now);
      } else if (step.to === "released") {
        this.finish(level, hold, "released", now, actor);
      } else {
        holds.write({ ...hold, status: step.to }, now);
      }
      return { ok: true, status: step.to };
    });
  }

  /**
   * Extends a held hold to `until` (never earlier). Refused once the hold has expired: the
   * coordinator then expires the whole reservation. No event: the level does not change.
   */
  extend(reservationId: string, until: number): Promise<HoldOpResult> {
    const { holds } = this.stores;
    return this.changes.mutate((now): HoldOpResult => {
      const hold = holds.read(reservationId);
      if (hold === null) return { ok: false, status: "missing" };
      const step = extension(hold, until);
      if (step.kind === "refused") return { ok: false, status: step.status };
      if (step.expiresAt !== hold.expiresAt) holds.write({ ...hold, expiresAt: step.expiresAt }, now);
      return { ok: true, status: hold.status };
    });
  }

  /**
   * A line change's step at this item (src/reservations/line-change.ts): holds `quantity` for
   * the reservation instead of what it holds now. Growing takes only the difference, checked
   * like a hold (safety stock included), and keeps the old quantity beside the new one until
   * the change is decided, so nothing held is let go first; shrinking gives the difference back.
   * Idempotent per change number; a change reverted here first is refused.
   */
  resize(request: ResizeRequest): Promise<HoldResult> {
    const { levels, holds } = this.stores;
    return this.changes.mutate((now): HoldResult => {
      const hold = holds.read(request.reservationId);
      const decision = decideResize(hold, request.change);
      if (decision.kind === "recorded") return { ok: true };
      if (decision.kind === "refused") return { ok: false, reason: "refused", status: decision.status };
      const level = levels.read();
      if (level === null) return { ok: false, reason: "insufficient", available: 0 };
      const delta = request.quantity - decision.from;
      const base = {
        reservationId: request.reservationId,
        attempt: hold?.attempt ?? request.attempt,
        expiresAt: hold !== null && countsAsReserved(hold.status) ? hold.expiresAt : request.expiresAt,
        status: hold !== null && countsAsReserved(hold.status) ? hold.status : ("held" as const),
        change: request.change,
      };
      const actor = request.actor ?? null;
      if (delta > 0) {
        const free = this.freeToHold(level);
        if (!canHold(free - (request.keep ?? 0), delta)) return { ok: false, reason: "insufficient", available: free };
        this.changes.record(level, holdChange(request.reservationId, delta), now, actor);
        holds.write({ ...base, quantity: request.quantity, previous: decision.from }, now);
      } else {
        if (delta < 0) this.changes.record(level, releaseChange(request.reservationId, -delta, "reservation.released"), now, actor);
        holds.write({ ...base, quantity: request.quantity, previous: null }, now);
      }
      return { ok: true };
    });
  }

  /** Undoes line change `change` here: gives back what it added, and refuses it if it arrives later. */
  async revertChange(reservationId: string, change: number, actor: Actor): Promise<void> {
    const { levels, holds } = this.stores;
    await this.changes.mutate((now) => {
      const hold = holds.read(reservationId);
      const decision = decideRevert(hold, change);
      if (hold === null) {
        holds.write({ reservationId, attempt: 0, quantity: 0, status: "voided", expiresAt: 0, reverted: change }, now);
        return;
      }
      const level = levels.read();
      if (decision.kind === "restore" && level !== null && decision.release > 0) {
        this.changes.record(level, releaseChange(reservationId, decision.release, "reservation.released"), now, actor);
      }
      const restored =
        decision.kind === "restore" ? { quantity: decision.to, status: decision.to === 0 ? ("voided" as const) : hold.status } : {};
      holds.write({ ...hold, ...restored, previous: null, reverted: Math.max(hold.reverted ?? 0, change) }, now);
    });
  }

  /**
   * Cancels an attempt that was never acknowledged to the client: releases its hold if it
   * was placed, and leaves a tombstone so that a hold of that attempt arriving late is refused.
   */
  async voidAttempt(reservationId: string, attempt: number, actor: Actor): Promise<void> {
    const { levels, holds } = this.stores;
    await this.changes.mutate((now) => {
      const hold = holds.read(reservationId);
      if (hold !== null && hold.attempt > attempt) return;
      if (hold !== null && hold.status === "committed") return;
      const level = levels.read();
      if (hold !== null && level !== null && countsAsReserved(hold.status)) {
        this.finish(level, hold, "voided", now, actor);
      }
      holds.write({ reservationId, attempt, quantity: hold?.quantity ?? 0, status: "voided", expiresAt: hold?.expiresAt ?? 0 }, now);
    });
  }

  /** Inside every mutation's transaction, first (src/stock/changes.ts): holds past their time expire. */
  expireDue(now: number): void {
    const due = this.stores.holds.expired(now);
    if (due.length === 0) return;
    let level = this.stores.levels.read();
    for (const hold of due) {
      if (level === null) break;
      // The service's own change: no actor.
      level = this.finish(level, hold, "expired", now, null);
    }
  }

  /** Alarm duty, inside its transaction: finished holds past the idempotency window go. */
  forgetFinished(now: number): void {
    this.stores.holds.deleteFinished(now - IDEMPOTENCY_WINDOW_MS);
  }

  /** Alarm duty: the next hold's expiry. */
  nextDue(): number | null {
    return this.stores.holds.nextExpiry();
  }

  /** Ends a live hold: its units go back to available, with one event. */
  private finish(level: Level, hold: Hold, status: "released" | "expired" | "voided", now: number, actor: Actor): Level {
    const type = status === "expired" ? "reservation.expired" : "reservation.released";
    const after = this.changes.record(level, releaseChange(hold.reservationId, hold.quantity, type), now, actor);
    this.stores.holds.write({ ...hold, status }, now);
    return after;
  }

  /** What a hold here may take: a member its allocation's free part, a pooled parent what no member has. */
  private freeToHold(level: Level): number {
    if (this.membership.role === null && this.membership.pooled) return this.stores.pool.readPool()?.unallocated ?? 0;
    return available(level);
  }
}

export interface HoldRequest {
  sku: string;
  warehouse: string;
  reservationId: string;
  attempt: number;
  quantity: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Addressed to pool member `member` of a pooled item (src/stock/pool.ts), not to the item. */
  member?: number;
  /** To a pooled item's own object: hold here, from what no member has (the last units). */
  lastUnits?: boolean;
  /**
   * Units that must stay available after the hold: a sales channel's safety stock, enforced
   * here in the item's transaction rather than trusted to the chooser's view. A pool member or
   * a pooled item's last units keep it back from their own share, which never sells safety
   * stock but may refuse while the units above it are spread over other members.
   */
  keep?: number;
  /** Who asked for the hold (an API key's id, `root`), recorded on its event. */
  actor?: Actor;
}

/** A line change's new quantity for one item (see `HoldsProtocol.resize`). */
export interface ResizeRequest {
  sku: string;
  warehouse: string;
  reservationId: string;
  /** The placement attempt that holds; written on a hold this change creates. */
  attempt: number;
  /** The line change's number: tentative growth and reverts are keyed by it. */
  change: number;
  /** What the reservation holds here after the change (more or less than now, or new). */
  quantity: number;
  /** The reservation's expiry, for a hold this change creates. */
  expiresAt: number;
  keep?: number;
  member?: number;
  actor?: Actor;
}

export type HoldResult =
  | { ok: true }
  | { ok: false; reason: "insufficient"; available: number }
  /** The hold exists but is over, or a void of this attempt came first. */
  | { ok: false; reason: "refused"; status: HoldStatus }
  /**
   * The item is pooled: hold at one of its `shards` members instead (or ask with `lastUnits`).
   * `members`: a regional pool's active members and their regions (src/stock/pool-demand.ts);
   * absent, the members are 0..shards-1.
   */
  | { ok: false; reason: "pooled"; shards: number; members?: MemberPlace[] }
  /** This member is no longer one of the item's members. */
  | { ok: false; reason: "retired" };

export type HoldOpResult = { ok: true; status: HoldStatus } | { ok: false; status: HoldStatus | "missing" };
