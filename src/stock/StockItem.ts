import { DurableObject } from "cloudflare:workers";
import { eventFor } from "../events/event";
import { EventsReader } from "../events/queries";
import { skuDirectory } from "./address";
import { countsAsReserved, decidePlace, type Hold, type HoldOp, type HoldStatus, transition } from "./holds";
import {
  type AdjustmentReason,
  adjust,
  applyChange,
  available,
  type Change,
  canHold,
  commitChange,
  holdChange,
  type Level,
  releaseChange,
  type SetCount,
  setCount,
} from "./ledger";
import { type Precondition, preconditionHolds } from "./precondition";
import { StockItemStore } from "./StockItemStore";
import { deliverAlerts } from "../webhooks/delivery";
import { recordCrossings } from "../webhooks/outbox";
import { WebhookRepository } from "../webhooks/subscriptions";

/**
 * Events are shipped by the invocation that wrote them, right after it; the alarm is only
 * the backstop (a crash before the send, or a failed send) and ships whatever is still
 * pending this much later.
 */
const SHIP_BACKSTOP_MS = 5_000;
/** Changes wait this long in memory for company before shipping, so a busy item sends batches. */
const SHIP_COALESCE_MS = 100;
/** The Queue takes at most 100 messages per sendBatch. */
const SHIP_BATCH = 100;
/** Shipped events are looked up in D1 this long after shipping: deleted if there, sent again if not. */
const CONFIRM_AFTER_MS = 10_000;
/** Shipped events confirmed per D1 read. */
const CONFIRM_BATCH = 500;
/** Finished holds and adjustment keys are kept this long for idempotent repeats. */
const IDEMPOTENCY_WINDOW_MS = 7 * 24 * 3600 * 1000;

export interface HoldRequest {
  sku: string;
  warehouse: string;
  reservationId: string;
  attempt: number;
  quantity: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type HoldResult =
  | { ok: true }
  | { ok: false; reason: "insufficient"; available: number }
  /** The hold exists but is over, or a void of this attempt came first. */
  | { ok: false; reason: "refused"; status: HoldStatus };

export type HoldOpResult = { ok: true; status: HoldStatus } | { ok: false; status: HoldStatus | "missing" };

export interface AdjustInput {
  delta: number;
  reason: AdjustmentReason;
  reference?: string;
}

export type AdjustResult =
  | { ok: true; level: Level }
  | { ok: false; code: "negative_on_hand"; onHand: number }
  | { ok: false; code: "not_found" }
  | PreconditionFailed;

/** An `If-Match` / `If-None-Match` that did not hold: nothing changed; `level` is the current one. */
export type PreconditionFailed = { ok: false; code: "precondition_failed"; level: Level | null };

export type SetCountResult = { ok: true; level: Level } | PreconditionFailed;

/**
 * One SKU in one warehouse. Every decrement of its stock is serialized here, and every
 * mutation is one SQLite transaction: the level, the hold it touches and the change event
 * (the outbox row) are written together, so counts are exact and no change lacks its event.
 *
 * The one alarm does all deferred work: it expires holds at their time, ships the outbox
 * to the Queue, delivers low-stock webhooks, and is re-armed for whatever is due next.
 */
export class StockItem extends DurableObject<Env> {
  private readonly store: StockItemStore;
  /** Mirror of the scheduled alarm, to avoid re-setting it on every mutation. */
  private alarmAt: number | null = null;
  /**
   * Whether shipped events stay in the outbox until D1 is seen to hold them (see
   * `confirmShipped`). Needed where the Queue is not durable (Miniflare keeps it in memory:
   * `npm start`, tests); in production a Queue holds a message once `send` resolves.
   */
  private readonly confirmInD1: boolean;
  /** The shipping under way, if any; `shipAgain` asks it for one more round. */
  private shipping: Promise<void> | null = null;
  private shipAgain = false;
  /** A timer will start shipping (SHIP_COALESCE_MS after the first change waiting for it). */
  private shipTimer = false;
  /** Set by a change that recorded an alert: its first delivery is due at once. */
  private alertRecorded = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new StockItemStore(ctx.storage.sql);
    this.confirmInD1 = env.CONFIRM_EVENTS_IN_D1 === "true";
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** The level as of now: holds past their expiry are released first. */
  async getLevel(): Promise<Level | null> {
    return this.mutate(() => this.store.readLevel());
  }

  /** A count: sets `onHand` absolutely, when `precondition` (if any) holds. */
  async setCount(sku: string, warehouse: string, input: SetCount, precondition?: Precondition): Promise<SetCountResult> {
    const before = this.store.readLevel();
    if (before === null && preconditionHolds(before, precondition)) {
      // Registered before the first write, so the SKU's totals never miss this item.
      await skuDirectory(this.env, sku).addWarehouse(sku, warehouse);
    }
    return this.mutate((now): SetCountResult => {
      const current = this.store.readLevel();
      if (!preconditionHolds(current, precondition)) return { ok: false, code: "precondition_failed", level: current };
      const { level, change } = setCount(current, { sku, warehouse }, input, now);
      return { ok: true, level: this.persist(level, change) };
    });
  }

  async adjust(input: AdjustInput, idempotencyKey?: string, precondition?: Precondition): Promise<AdjustResult> {
    return this.mutate((now) => {
      if (idempotencyKey !== undefined) {
        const first = this.store.readAdjustmentOutcome(idempotencyKey);
        if (first !== null) return JSON.parse(first) as AdjustResult;
      }
      const current = this.store.readLevel();
      // Refused before anything is recorded, so a retry with a fresh version may reuse the key.
      if (!preconditionHolds(current, precondition)) return { ok: false, code: "precondition_failed", level: current } as const;
      const level = current;
      if (level === null) return { ok: false, code: "not_found" } as const;
      const outcome = adjust(level, input, now);
      const result: AdjustResult = outcome.ok
        ? { ok: true, level: this.persist(outcome.level, outcome.change) }
        : outcome;
      if (idempotencyKey !== undefined) {
        this.store.writeAdjustmentOutcome(idempotencyKey, JSON.stringify(result), now);
      }
      return result;
    });
  }

  /** Places a reservation line's hold: all of `quantity` or nothing. Idempotent per attempt. */
  async hold(request: HoldRequest): Promise<HoldResult> {
    return this.mutate((now): HoldResult => {
      const decision = decidePlace(this.store.readHold(request.reservationId), request.attempt);
      if (decision.kind === "refused") return { ok: false, reason: "refused", status: "voided" };
      if (decision.kind === "recorded") {
        const s = decision.status;
        return countsAsReserved(s) || s === "committed"
          ? { ok: true }
          : { ok: false, reason: "refused", status: s };
      }
      if (request.expiresAt <= now) return { ok: false, reason: "refused", status: "expired" };
      let level = this.store.readLevel();
      if (decision.supersedes !== undefined && level !== null) {
        level = this.finishHold(level, decision.supersedes, "voided", now);
      }
      if (level === null || !canHold(level, request.quantity)) {
        return { ok: false, reason: "insufficient", available: level === null ? 0 : available(level) };
      }
      this.record(level, holdChange(request.reservationId, request.quantity), now);
      this.store.writeHold(
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

  /** First phase of a multi-line commit: the hold can no longer expire. */
  async pin(reservationId: string): Promise<HoldOpResult> {
    return this.applyHoldOp(reservationId, "pin");
  }

  async commit(reservationId: string): Promise<HoldOpResult> {
    return this.applyHoldOp(reservationId, "commit");
  }

  async release(reservationId: string): Promise<HoldOpResult> {
    return this.applyHoldOp(reservationId, "release");
  }

  /**
   * Cancels an attempt that was never acknowledged to the client: releases its hold if it
   * was placed, and leaves a tombstone so that a hold of that attempt arriving late is refused.
   */
  async voidAttempt(reservationId: string, attempt: number): Promise<void> {
    await this.mutate((now) => {
      const hold = this.store.readHold(reservationId);
      if (hold !== null && hold.attempt > attempt) return;
      if (hold !== null && hold.status === "committed") return;
      const level = this.store.readLevel();
      if (hold !== null && level !== null && countsAsReserved(hold.status)) {
        this.finishHold(level, hold, "voided", now);
      }
      this.store.writeHold(
        { reservationId, attempt, quantity: hold?.quantity ?? 0, status: "voided", expiresAt: hold?.expiresAt ?? 0 },
        now,
      );
    });
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.expireDue(now);
      this.store.deleteFinishedHolds(now - IDEMPOTENCY_WINDOW_MS);
      this.store.deleteAdjustmentKeys(now - IDEMPOTENCY_WINDOW_MS);
    });
    await this.shipPending();
    if (this.confirmInD1) {
      try {
        await this.confirmShipped();
      } catch (error) {
        console.error("stock item: confirming shipped events in D1 failed; retrying", error);
      }
    }
    await this.deliverAlerts();
    // Always set the next alarm here rather than trust the mirror: an alarm that a request
    // set while this handler was awaiting should not depend on surviving the handler's end.
    this.alarmAt = null;
    await this.rearm();
  }

  /**
   * Low-stock webhooks (src/webhooks/delivery.ts). Subscriptions are read from D1 here, in
   * the alarm, afresh each time there is something to deliver; never on a request's path.
   */
  private async deliverAlerts(): Promise<void> {
    try {
      await deliverAlerts({
        outbox: this.store,
        directory: new WebhookRepository(this.env.DB),
        transaction: (fn) => this.ctx.storage.transactionSync(fn),
        fetch: (url, init) => fetch(url, init),
        now: () => Date.now(),
        random: () => Math.random(),
      });
    } catch (error) {
      console.error("stock item: webhook delivery failed; the alarm re-arms for it", error);
    }
  }

  private async applyHoldOp(reservationId: string, op: HoldOp): Promise<HoldOpResult> {
    return this.mutate((now): HoldOpResult => {
      const hold = this.store.readHold(reservationId);
      const level = this.store.readLevel();
      if (hold === null || level === null) return { ok: false, status: "missing" };
      const step = transition(hold, op);
      if (step.kind === "refused") return { ok: false, status: step.status };
      if (step.kind === "same") return { ok: true, status: step.status };
      if (step.to === "committed") {
        this.record(level, commitChange(reservationId, hold.quantity), now);
        this.store.writeHold({ ...hold, status: "committed" }, now);
      } else if (step.to === "released") {
        this.finishHold(level, hold, "released", now);
      } else {
        this.store.writeHold({ ...hold, status: step.to }, now);
      }
      return { ok: true, status: step.to };
    });
  }

  /** Ends a live hold: its units go back to available, with one event. */
  private finishHold(level: Level, hold: Hold, status: "released" | "expired" | "voided", now: number): Level {
    const type = status === "expired" ? "reservation.expired" : "reservation.released";
    const after = this.record(level, releaseChange(hold.reservationId, hold.quantity, type), now);
    this.store.writeHold({ ...hold, status }, now);
    return after;
  }

  private expireDue(now: number): void {
    const due = this.store.expiredHolds(now);
    if (due.length === 0) return;
    let level = this.store.readLevel();
    for (const hold of due) {
      if (level === null) break;
      level = this.finishHold(level, hold, "expired", now);
    }
  }

  /** Applies a change to `before`, writing the level and its event in the caller's transaction. */
  private record(before: Level, change: Change, now: number): Level {
    return this.persist(applyChange(before, change, now), change);
  }

  /** Writes a level the ledger already computed, with the event of the change that made it. */
  private persist(after: Level, change: Change): Level {
    this.store.writeLevel(after);
    this.store.appendEvent(eventFor(after, change));
    this.eventWritten = true;
    if (recordCrossings(this.store, after).length > 0) this.alertRecorded = true;
    return after;
  }

  /** Set by a change in the current invocation: its event is shipped when the invocation's transaction is done. */
  private eventWritten = false;

  /**
   * Runs `fn` in one transaction after expiring due holds; when it changed the level, arms
   * the alarm for what is due (the backstop of the shipping) and ships the events it wrote
   * shortly after, from memory, without making the caller wait for the Queue.
   */
  private async mutate<T>(fn: (now: number) => T): Promise<T> {
    const now = Date.now();
    this.eventWritten = false;
    const result = this.ctx.storage.transactionSync(() => {
      this.expireDue(now);
      return fn(now);
    });
    // A change that wrote no event (a refused hold, a repeat) created nothing that is due.
    if (this.eventWritten) {
      await this.scheduleFollowUp();
      this.shipSoon();
    }
    return result;
  }

  private shipSoon(): void {
    if (this.shipTimer) return;
    this.shipTimer = true;
    setTimeout(() => {
      this.shipTimer = false;
      void this.shipPending();
    }, SHIP_COALESCE_MS);
  }

  /**
   * Sends the outbox's pending events to the Queue, one round at a time: a change that
   * comes while a send is in flight asks for another round rather than a second concurrent
   * send of the same rows. Never throws; what failed stays pending for the alarm.
   */
  private shipPending(): Promise<void> {
    if (this.shipping !== null) {
      this.shipAgain = true;
      return this.shipping;
    }
    const run = async () => {
      try {
        do {
          this.shipAgain = false;
          await this.shipEvents();
        } while (this.shipAgain);
      } catch (error) {
        console.error("stock item: shipping events to the queue failed; the alarm retries", error);
      } finally {
        this.shipping = null;
      }
      // Shipped while quiet: the backstop is not needed, so the alarm moves to what is due next
      // instead of ringing for nothing.
      if (this.alarmAt !== null && !this.store.hasPendingEvents()) await this.rearm();
    };
    this.shipping = run();
    return this.shipping;
  }

  private async shipEvents(): Promise<void> {
    for (;;) {
      const batch = this.store.pendingEvents(SHIP_BATCH);
      const last = batch.at(-1);
      if (last === undefined) return;
      await this.env.EVENTS_QUEUE.sendBatch(batch.map((event) => ({ body: event, contentType: "json" })));
      if (this.confirmInD1) this.store.markEventsShipped(last.seq, Date.now());
      else this.store.deleteEventsThrough(last.seq);
    }
  }

  /**
   * The end-to-end acknowledgement of the outbox: events the Queue took a while ago are
   * deleted once D1 holds them and sent again if it does not (the consumer records a
   * repeat as a no-op), so an event lost after the Queue accepted it still reaches D1.
   */
  private async confirmShipped(): Promise<void> {
    const due = this.store.shippedEvents(Date.now() - CONFIRM_AFTER_MS, CONFIRM_BATCH);
    const first = due[0];
    const last = due.at(-1);
    const level = this.store.readLevel();
    if (first === undefined || last === undefined || level === null) return;
    const recorded = await new EventsReader(this.env.DB).recordedSeqs(level.sku, level.warehouse, first, last);
    this.ctx.storage.transactionSync(() => {
      for (const seq of due) {
        if (recorded.has(seq)) this.store.deleteEvent(seq);
        else this.store.unshipEvent(seq);
      }
    });
  }

  /** After a change: moves the alarm earlier if the change needs it sooner than it is set. */
  private async scheduleFollowUp(): Promise<void> {
    const alert = this.alertRecorded;
    this.alertRecorded = false;
    // The hot path: under load the alarm is already due within the backstop, which is as soon
    // as anything a change creates needs it (a new alert needs it now), so nothing is looked up.
    if (!alert && this.alarmAt !== null && this.alarmAt <= Date.now() + SHIP_BACKSTOP_MS) return;
    const next = this.nextDue();
    if (next === null || (this.alarmAt !== null && this.alarmAt <= next)) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }

  /** Sets the alarm to exactly what is due next (later or earlier than it was), or clears it. */
  private async rearm(): Promise<void> {
    const next = this.nextDue();
    if (next === this.alarmAt) return;
    this.alarmAt = next;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /** The earliest deferred work: a hold's expiry, alert work, the shipping backstop, a confirmation. */
  private nextDue(): number | null {
    const now = Date.now();
    const candidates = [this.store.nextHoldExpiry(), this.store.nextAlertWorkAt()];
    if (this.store.hasPendingEvents()) candidates.push(now + SHIP_BACKSTOP_MS);
    const shipped = this.confirmInD1 ? this.store.oldestShipment() : null;
    // Not sooner than the backstop: a confirmation that failed (D1 down) waits as long as a send.
    if (shipped !== null) candidates.push(Math.max(shipped + CONFIRM_AFTER_MS, now + SHIP_BACKSTOP_MS));
    const due = candidates.filter((t): t is number => t !== null);
    return due.length === 0 ? null : Math.min(...due);
  }
}
