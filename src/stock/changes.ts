import type { Actor } from "../events/event";
import { applyChange, type Change, eventFor, type Level } from "./ledger";
import { unallocatedDelta } from "./pool";
import type { Membership, PoolState } from "./pool-store";
import type { ItemStores } from "./schema";

/**
 * The change protocol: how every change of an item's level is written. Every other protocol
 * of the item (counts, holds, pool parent and member) changes the level through here.
 *
 * Guarantees:
 * - One change is one SQLite transaction (`transactionSync`): the new level, the change's event
 *   (an outbox row, src/stock/shipping.ts), the hold it touches, a pooled parent's
 *   `unallocated` and any low-stock alert it crosses into (src/stock/alerts.ts) land together
 *   or not at all. So counts are exact and no change lacks its event or its alert.
 * - Holds past their expiry are expired first, inside the same transaction, so no operation
 *   sees a hold that should have ended.
 * - The event's `seq` is the level's new `version`: the outbox runs 1, 2, 3 … with no gap.
 *
 * After the transaction, from memory and only when it wrote an event: live watchers are told,
 * the alarm is moved earlier if the change needs it sooner, and shipping is started. A crash
 * after the commit and before these leaves the event pending in the outbox and the alarm as it
 * was; the object's next start (any call, or the alarm already set) ships it. Nothing is lost,
 * only delayed to the backstop.
 *
 * Geo simulation only (src/geo/network.ts, `confirmed` not null): every mutation's answer waits
 * the simulated commit latency after its transaction, as the output gate holds a deployed
 * object's answer until its write is confirmed; the object itself goes on serving meanwhile.
 * A mutation that wrote nothing (a read that expired nothing) waits too: the simulation errs
 * by one commit on such reads. Without it, one null check.
 */
export interface ChangeHooks {
  /** First thing inside every mutation's transaction: holds past their expiry end. */
  sweep(now: number): void;
  /** Inside the transaction of every change of the item's own level (not a member's): alerts. */
  crossed(after: Level): void;
  /** After a transaction that wrote an event: watchers, the alarm, shipping. */
  committed(): Promise<void>;
}

export class ChangeLog {
  /** Set by a change in the current invocation: its event is shipped when the invocation's transaction is done. */
  private eventWritten = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly stores: Pick<ItemStores, "levels" | "outbox" | "pool">,
    private readonly membership: Membership,
    private readonly hooks: ChangeHooks,
    /** The simulated output gate (null: every deployment). */
    private readonly confirmed: () => Promise<void> | null = () => null,
  ) {}

  /**
   * Runs `fn` in one transaction after expiring due holds; when it changed the level, tells
   * the hooks (watchers, the alarm as the shipping's backstop, shipping shortly after, from
   * memory, without making the caller wait for the Queue).
   */
  async mutate<T>(fn: (now: number) => T): Promise<T> {
    const now = Date.now();
    this.eventWritten = false;
    const result = this.storage.transactionSync(() => {
      this.hooks.sweep(now);
      return fn(now);
    });
    // A change that wrote no event (a refused hold, a repeat) created nothing that is due.
    if (this.eventWritten) await this.hooks.committed();
    const gate = this.confirmed();
    if (gate !== null) await gate;
    return result;
  }

  /**
   * The alarm's transaction: expiries, then `housekeeping`. Answers whether it wrote an event
   * (an expiry), which watchers hear of like any other change.
   */
  sweep(now: number, housekeeping: () => void): boolean {
    this.eventWritten = false;
    this.storage.transactionSync(() => {
      this.hooks.sweep(now);
      housekeeping();
    });
    return this.eventWritten;
  }

  /** Applies a change to `before`, writing the level and its event in the caller's transaction. */
  record(before: Level, change: Change, now: number, actor: Actor): Level {
    return this.persist(applyChange(before, change, now), change, actor);
  }

  /**
   * Writes a level the ledger already computed, with the event of the change that made it.
   * `own`: made here, not a pool member's change this parent absorbs (see src/stock/pool.ts).
   */
  persist(after: Level, change: Change, actor: Actor, own = true): Level {
    const { levels, outbox, pool } = this.stores;
    const { role, pooled } = this.membership;
    levels.write(after);
    const state = role === null && pooled ? pool.readPool() : null;
    // The item's pool settings ride on its events to D1's projection (`GET /v1/stock`).
    outbox.append(eventFor(after, change, state?.shards ?? 1, actor, state?.regions ?? null));
    this.eventWritten = true;
    // A member's events go to its parent, which alerts on the item's total.
    if (role !== null) return after;
    if (pooled && own) {
      const state = pool.readPool() as PoolState;
      pool.writePool({ ...state, unallocated: state.unallocated + unallocatedDelta(change) });
    }
    this.hooks.crossed(after);
    return after;
  }
}
