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
import { StockItemStore } from "./StockItemStore";
import { deliverAlerts } from "../webhooks/delivery";
import { recordCrossings } from "../webhooks/outbox";
import { WebhookRepository } from "../webhooks/subscriptions";

/** Events wait this long for company before the alarm ships them, so bursts ship in batches. */
const SHIP_DELAY_MS = 200;
/** After a failed Queue send the alarm tries again this much later. */
const SHIP_RETRY_MS = 5_000;
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
  | { ok: false; code: "not_found" };

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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new StockItemStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** The level as of now: holds past their expiry are released first. */
  async getLevel(): Promise<Level | null> {
    return this.mutate(() => this.store.readLevel());
  }

  async setCount(sku: string, warehouse: string, input: SetCount): Promise<Level> {
    if (this.store.readLevel() === null) {
      // Registered before the first write, so the SKU's totals never miss this item.
      await skuDirectory(this.env, sku).addWarehouse(sku, warehouse);
    }
    return this.mutate((now) => {
      const { level, change } = setCount(this.store.readLevel(), { sku, warehouse }, input, now);
      return this.persist(level, change);
    });
  }

  async adjust(input: AdjustInput, idempotencyKey?: string): Promise<AdjustResult> {
    return this.mutate((now) => {
      if (idempotencyKey !== undefined) {
        const first = this.store.readAdjustmentOutcome(idempotencyKey);
        if (first !== null) return JSON.parse(first) as AdjustResult;
      }
      const level = this.store.readLevel();
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
    let shipFailed = false;
    try {
      await this.shipEvents();
    } catch (error) {
      shipFailed = true;
      console.error("stock item: shipping events to the queue failed; retrying", error);
    }
    try {
      await this.confirmShipped();
    } catch (error) {
      shipFailed = true;
      console.error("stock item: confirming shipped events in D1 failed; retrying", error);
    }
    await this.deliverAlerts();
    // Always set the next alarm here rather than trust the mirror: an alarm that a request
    // set while this handler was awaiting should not depend on surviving the handler's end.
    this.alarmAt = null;
    await this.scheduleFollowUp(shipFailed ? Date.now() + SHIP_RETRY_MS : null);
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
    recordCrossings(this.store, after);
    return after;
  }

  /** Runs `fn` in one transaction after expiring due holds, then arms the alarm for what is due. */
  private async mutate<T>(fn: (now: number) => T): Promise<T> {
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() => {
      this.expireDue(now);
      return fn(now);
    });
    await this.scheduleFollowUp(null);
    return result;
  }

  private async shipEvents(): Promise<void> {
    for (;;) {
      const batch = this.store.pendingEvents(SHIP_BATCH);
      const last = batch.at(-1);
      if (last === undefined) return;
      await this.env.EVENTS_QUEUE.sendBatch(batch.map((event) => ({ body: event, contentType: "json" })));
      this.store.markEventsShipped(last.seq, Date.now());
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

  private async scheduleFollowUp(retryAt: number | null): Promise<void> {
    // The hot path: under load the alarm is already due within the ship delay, which is as
    // soon as anything a mutation creates needs it, so there is nothing to look up.
    if (retryAt === null && this.alarmAt !== null && this.alarmAt <= Date.now() + SHIP_DELAY_MS) return;
    const candidates = [this.store.nextHoldExpiry(), retryAt, this.store.nextAlertWorkAt()];
    if (retryAt === null && this.store.hasPendingEvents()) candidates.push(Date.now() + SHIP_DELAY_MS);
    const shipped = this.store.oldestShipment();
    if (retryAt === null && shipped !== null) candidates.push(shipped + CONFIRM_AFTER_MS);
    const due = candidates.filter((t): t is number => t !== null);
    if (due.length === 0) return;
    const next = Math.min(...due);
    if (this.alarmAt !== null && this.alarmAt <= next) return;
    this.alarmAt = next;
    await this.ctx.storage.setAlarm(next);
  }
}
