import { EventsReader } from "../events/queries";
import { errorSummary } from "../logging/error-summary";
import type { LevelStore } from "./level-store";
import type { OutboxStore } from "./outbox-store";

/**
 * Events are shipped by the invocation that wrote them, right after it; the alarm is only
 * the backstop (a crash before the send, or a failed send) and ships whatever is still
 * pending this much later.
 */
export const SHIP_BACKSTOP_MS = 5_000;
/** Changes wait this long in memory for company before shipping, so a busy item sends batches. */
const SHIP_COALESCE_MS = 100;
/** The Queue takes at most 100 messages per sendBatch. */
const SHIP_BATCH = 100;
/** Shipped events are looked up in D1 this long after shipping: deleted if there, sent again if not. */
const CONFIRM_AFTER_MS = 10_000;
/** Shipped events confirmed per D1 read. */
const CONFIRM_BATCH = 500;

export interface ShippingDeps {
  storage: DurableObjectStorage;
  outbox: OutboxStore;
  levels: LevelStore;
  /** The Queue the events go to (the item's `queue` field), read at each send. */
  queue(): Queue;
  /** D1, where the consumer records events: read to confirm shipped ones. */
  db(): D1Database;
  /** A pool member ships to its parent instead (src/stock/pool-member.ts); null: not a member. */
  forward(): Promise<void> | null;
  /** The item's alarm (src/stock/alarm.ts): moved to what is due next once shipping leaves it idle. */
  alarm: { armed(): boolean; rearm(): Promise<void> };
}

/**
 * Event shipping: the item's outbox to the Queue (`EVENTS_QUEUE`), and from there by the
 * consumer (src/events/consumer.ts) to D1. No RPC of its own. Stores: the `outbox` rows
 * (src/stock/outbox-store.ts), appended by every change in its own transaction
 * (src/stock/changes.ts). Alarm duty: the backstop (ship what is still pending) and, with
 * `CONFIRM_EVENTS_IN_D1`, the confirmation of shipped events against D1.
 *
 * Guarantees: every event reaches D1 at least once, in seq order per item, and the consumer
 * records a repeat as a no-op, so D1 ends with each exactly once.
 * - An event is in the outbox before anything is sent (it committed with its change).
 * - It is sent with `sendBatch`; only after the Queue accepted the batch is it marked shipped
 *   (or, where the Queue is durable, deleted). A crash or failure before that leaves it
 *   pending: the next round or the alarm (SHIP_BACKSTOP_MS later) sends it again.
 * - With `CONFIRM_EVENTS_IN_D1` (a Queue that is not durable: Miniflare's, in memory), a
 *   shipped event stays until D1 is seen to hold it, CONFIRM_AFTER_MS after shipping: then
 *   deleted, or made pending again to be resent. A crash mid-confirmation changes nothing
 *   (the deletes and un-ships are one transaction).
 * - One send at a time: a change during a send asks for another round, never a second
 *   concurrent send of the same rows.
 */
export class EventShipping {
  /**
   * Whether shipped events stay in the outbox until D1 is seen to hold them (see
   * `confirmShipped`). Needed where the Queue is not durable (Miniflare keeps it in memory:
   * `npm start`, tests); in production a Queue holds a message once `send` resolves.
   */
  confirmInD1: boolean;
  /** The shipping under way, if any; `again` asks it for one more round. */
  private shipping: Promise<void> | null = null;
  private again = false;
  /** A timer will start shipping (SHIP_COALESCE_MS after the first change waiting for it). */
  private timer = false;

  constructor(
    private readonly deps: ShippingDeps,
    confirmInD1: boolean,
  ) {
    this.confirmInD1 = confirmInD1;
  }

  /** After a change: ships shortly, with whatever else comes meanwhile. */
  soon(): void {
    if (this.timer) return;
    this.timer = true;
    setTimeout(() => {
      this.timer = false;
      void this.pending();
    }, SHIP_COALESCE_MS);
  }

  /** Alarm duty: ships what is pending, then confirms what was shipped a while ago. Never throws. */
  async duty(): Promise<void> {
    await this.pending();
    if (this.confirmInD1) {
      try {
        await this.confirmShipped();
      } catch (error) {
        // One line, no stack: every item logs this on each backstop while D1 is down (see consumer.ts).
        console.error(`stock item: confirming shipped events in D1 failed; retrying: ${errorSummary(error)}`);
      }
    }
  }

  /** Alarm duty: the backstop while anything is pending, and the confirmation of what was shipped. */
  nextDue(now: number): number | null {
    const due: number[] = [];
    if (this.deps.outbox.hasPending()) due.push(now + SHIP_BACKSTOP_MS);
    const shipped = this.confirmInD1 ? this.deps.outbox.oldestShipment() : null;
    // Not sooner than the backstop: a confirmation that failed (D1 down) waits as long as a send.
    if (shipped !== null) due.push(Math.max(shipped + CONFIRM_AFTER_MS, now + SHIP_BACKSTOP_MS));
    return due.length === 0 ? null : Math.min(...due);
  }

  /**
   * Sends the outbox's pending events to the Queue, one round at a time: a change that
   * comes while a send is in flight asks for another round rather than a second concurrent
   * send of the same rows. Never throws; what failed stays pending for the alarm.
   */
  pending(): Promise<void> {
    if (this.shipping !== null) {
      this.again = true;
      return this.shipping;
    }
    const run = async () => {
      try {
        do {
          this.again = false;
          await this.ship();
        } while (this.again);
      } catch (error) {
        console.error("stock item: shipping events to the queue failed; the alarm retries", error);
      } finally {
        this.shipping = null;
      }
      // Shipped while quiet: the backstop is not needed, so the alarm moves to what is due next
      // instead of ringing for nothing.
      if (this.deps.alarm.armed() && !this.deps.outbox.hasPending()) await this.deps.alarm.rearm();
    };
    this.shipping = run();
    return this.shipping;
  }

  private async ship(): Promise<void> {
    const forwarded = this.deps.forward();
    if (forwarded !== null) return forwarded;
    const { outbox } = this.deps;
    for (;;) {
      const batch = outbox.pending(SHIP_BATCH);
      const last = batch.at(-1);
      if (last === undefined) return;
      await this.deps.queue().sendBatch(batch.map((event) => ({ body: event, contentType: "json" })));
      if (this.confirmInD1) outbox.markShipped(last.seq, Date.now());
      else outbox.deleteThrough(last.seq);
    }
  }

  /**
   * The end-to-end acknowledgement of the outbox: events the Queue took a while ago are
   * deleted once D1 holds them and sent again if it does not (the consumer records a
   * repeat as a no-op), so an event lost after the Queue accepted it still reaches D1.
   */
  private async confirmShipped(): Promise<void> {
    const { outbox, levels, storage } = this.deps;
    const due = outbox.shipped(Date.now() - CONFIRM_AFTER_MS, CONFIRM_BATCH);
    const first = due[0];
    const last = due.at(-1);
    const level = levels.read();
    if (first === undefined || last === undefined || level === null) return;
    const recorded = await new EventsReader(this.deps.db()).recordedSeqs(level.sku, level.warehouse, first, last);
    storage.transactionSync(() => {
      for (const seq of due) {
        if (recorded.has(seq)) outbox.delete(seq);
        else outbox.unship(seq);
      }
    });
  }
}
