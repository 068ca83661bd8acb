import { DurableObject } from "cloudflare:workers";
import type { Actor, StockEvent } from "../events/event";
import { EventsReader } from "../events/queries";
import { deliverAlerts } from "../webhooks/delivery";
import { recordCrossings } from "../webhooks/outbox";
import { WebhookRepository } from "../webhooks/subscriptions";
import { skuDirectory, stockItem, stockPoolMember } from "./address";
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
import {
  type AdjustmentReason,
  adjust,
  applyChange,
  available,
  type Change,
  canHold,
  commitChange,
  emptyLevel,
  eventFor,
  holdChange,
  type Level,
  releaseChange,
  type SetCount,
  setCount,
} from "./ledger";
import { answeredSubprotocol, isWebSocketUpgrade, LiveWatchers } from "./live";
import { exactLevel, grantFor, lowWater, type MemberTotals, memberTotals, unallocatedDelta } from "./pool";
import { type Precondition, preconditionHolds } from "./precondition";
import { type PoolMember, type PoolRole, type PoolState, StockItemStore } from "./StockItemStore";

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

/** A line change's new quantity for one item (see `StockItem.resize`). */
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
  /** The item is pooled: hold at one of its `shards` members instead (or ask with `lastUnits`). */
  | { ok: false; reason: "pooled"; shards: number }
  /** This member is no longer one of the item's members. */
  | { ok: false; reason: "retired" };

/** What a member tells its parent: its changes since the last it heard absorbed, and its totals. */
export interface MemberReport {
  shard: number;
  totals: MemberTotals;
  receivedTotal: number;
  returnedTotal: number;
  events: StockEvent[];
  /** Units it would like granted (0: none). */
  want: number;
}

export interface SyncAnswer {
  grantedTotal: number;
  /** The member's changes absorbed so far: its events up to this seq may go. */
  absorbedChanges: number;
  retired: boolean;
}

export interface ShardView {
  shard: number;
  allocated: number;
  reserved: number;
  available: number;
  requests: number;
}

export type HoldOpResult = { ok: true; status: HoldStatus } | { ok: false; status: HoldStatus | "missing" };

export interface AdjustInput {
  delta: number;
  reason: AdjustmentReason;
  reference?: string;
  /** Who asked (an API key's id, `root`), recorded on the change's event. */
  actor?: Actor;
}

export type AdjustResult =
  | { ok: true; level: Level }
  | { ok: false; code: "negative_on_hand"; onHand: number }
  | { ok: false; code: "not_found" }
  | PreconditionFailed;

/** An `If-Match` / `If-None-Match` that did not hold: nothing changed; `level` is the current one. */
export type PreconditionFailed = { ok: false; code: "precondition_failed"; level: Level | null };

export type SetCountResult = { ok: true; level: LevelView } | PreconditionFailed;

/** A level as the item answers it: a pooled item says how many members it has. */
export type LevelView = Level & { shards?: number };

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
  /** This item is pooled (src/stock/pool.ts): it has ever had `shards` > 1. */
  private pooled = false;
  /** Set when this object is a member of a pooled item rather than an item. */
  private role: PoolRole | null = null;
  /** Member: reservation calls served since this object started (`GET …/shards`). */
  private requests = 0;
  /** A member's syncs with its parent run one after another. */
  private syncing: Promise<unknown> = Promise.resolve();
  /** The parent's reclaiming of members' free units under way, if any. */
  private reclaiming: Promise<void> | null = null;
  /** A member's last grant: it asks for more when what it may hold falls below a quarter of it. */
  private lastGrant = 0;
  /**
   * Parent: counts and adjustments under way. They freeze every member first; no grant may
   * thaw one before the count is applied, or a member could sell units the count takes away.
   */
  private counting = 0;
  /**
   * Live watchers (`GET …/live`, src/stock/live.ts): told after every committed change of the
   * level. A pooled item's messages carry the parent's own level, the changes it has absorbed
   * (see `fetch`), never the exact read: that would cost a call to every member per message.
   */
  private readonly live: LiveWatchers;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new StockItemStore(ctx.storage.sql);
    this.live = new LiveWatchers({ sockets: () => ctx.getWebSockets(), level: () => this.answered(this.store.readLevel()) });
    // Answered by the runtime without waking the object: a client's keep-alive costs the item nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.confirmInD1 = env.CONFIRM_EVENTS_IN_D1 === "true";
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.pooled = this.store.readPool() !== null;
      this.role = this.store.readRole();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * The level as of now: holds past their expiry are released first. A pooled item adds
   * what each member did since its parent last absorbed from it, so the read reflects every
   * hold acknowledged before it, wherever it was placed.
   */
  async getLevel(): Promise<LevelView | null> {
    if (!this.pooled) return this.mutate(() => this.store.readLevel());
    const snapshot = await this.mutate(() => ({ level: this.store.readLevel(), members: this.store.readMembers() }));
    if (snapshot.level === null) return null;
    const { level, members } = snapshot;
    const totals = await Promise.all(members.map((m) => stockPoolMember(this.env, level.sku, level.warehouse, m.shard).memberTotalsNow()));
    return this.answered(
      exactLevel(
        level,
        members.map((m) => m.absorbed),
        totals,
      ),
    );
  }

  /**
   * The object's one fetch handler: a live watcher's WebSocket upgrade (`GET …/live`), which
   * cannot travel over RPC. Every other call is RPC. The socket is accepted through the
   * Hibernation API, so watchers cost nothing between changes.
   *
   * The first message is the level as `GET` answers it, exact even for a pooled item (one
   * read per connection, like a GET); later ones are the parent's absorbed level, which trails
   * members' changes until they report (about SHIP_COALESCE_MS after each) and is equal to the
   * exact level once the item is quiet. A later level is sent only when its version is above
   * what the socket last got, so versions never go backwards and the last message of a burst
   * is the final level.
   */
  override async fetch(request: Request): Promise<Response> {
    if (!isWebSocketUpgrade(request.headers)) return new Response("Expected a WebSocket upgrade.", { status: 426 });
    // A pool member never has watchers: the Worker addresses the item itself.
    if (this.role !== null) return new Response("A pool member has no live level.", { status: 404 });
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    // Accepted before the level is read: a change committed meanwhile reaches this socket too.
    this.ctx.acceptWebSocket(server);
    this.live.joined(server);
    let level: LevelView | null;
    try {
      level = await this.getLevel();
    } catch (error) {
      // A member out of reach: the parent's own level still answers (it reads no member).
      console.error("stock item: exact level for a live watcher failed; sending the absorbed one", error);
      level = this.answered(this.store.readLevel());
    }
    this.live.welcome(server, level);
    const protocol = answeredSubprotocol(request.headers.get("sec-websocket-protocol"));
    return new Response(null, {
      status: 101,
      webSocket: client,
      ...(protocol === null ? {} : { headers: { "sec-websocket-protocol": protocol } }),
    });
  }

  /** Watchers only listen; a `ping` is answered by the runtime (the auto-response above). */
  override async webSocketMessage(): Promise<void> {}

  /** The runtime has already answered the close (compatibility date ≥ 2026-04-07); nothing to forget. */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code);
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011);
    } catch {
      // already closed
    }
  }

  /** A count: sets `onHand` absolutely, when `precondition` (if any) holds. */
  async setCount(
    sku: string,
    warehouse: string,
    input: SetCount & { shards?: number; actor?: Actor },
    precondition?: Precondition,
  ): Promise<SetCountResult> {
    const before = this.store.readLevel();
    if (before === null && preconditionHolds(before, precondition)) {
      // Registered before the first write, so the SKU's totals never miss this item.
      await skuDirectory(this.env, sku).addWarehouse(sku, warehouse);
    }
    // A count is absolute: every member change so far is absorbed first, so it counts against them all.
    this.counting++;
    try {
      if (this.pooled) await this.absorbAllMembers();
      return await this.applyCount(sku, warehouse, input, precondition);
    } finally {
      this.counting--;
    }
  }

  private async applyCount(
    sku: string,
    warehouse: string,
    input: SetCount & { shards?: number; actor?: Actor },
    precondition?: Precondition,
  ): Promise<SetCountResult> {
    const result = await this.mutate((now): SetCountResult => {
      const current = this.store.readLevel();
      if (!preconditionHolds(current, precondition)) return { ok: false, code: "precondition_failed", level: current };
      const { level, change } = setCount(current, { sku, warehouse }, input, now);
      const after = this.persist(level, change, input.actor ?? null);
      if (input.shards !== undefined) this.setShards(after, input.shards);
      return { ok: true, level: after };
    });
    if (!result.ok || !this.pooled) return { ...result, level: this.answered(result.level) } as SetCountResult;
    const pool = this.store.readPool();
    // Fewer members now, or fewer units than members hold: what members do not hold comes back.
    if (pool !== null && (pool.unallocated < 0 || this.store.readMembers().some((m) => m.shard >= pool.shards))) {
      await this.reclaimFromMembers();
    }
    return { ok: true, level: this.answered(this.store.readLevel() as Level) };
  }

  /** A level as answered: a pooled item's says how many members it has (a plain item's: none, read as 1). */
  private answered(level: Level): LevelView;
  private answered(level: Level | null): LevelView | null;
  private answered(level: Level | null): LevelView | null {
    if (level === null || !this.pooled) return level;
    return { ...level, shards: this.store.readPool()?.shards ?? 1 };
  }

  async adjust(input: AdjustInput, idempotencyKey?: string, precondition?: Precondition): Promise<AdjustResult> {
    this.counting++;
    try {
      if (this.pooled) await this.absorbAllMembers();
      const result = await this.applyAdjustment(input, idempotencyKey, precondition);
      if (result.ok || result.code === "precondition_failed") return { ...result, level: this.answered(result.level) } as AdjustResult;
      return result;
    } finally {
      this.counting--;
    }
  }

  private applyAdjustment(input: AdjustInput, idempotencyKey?: string, precondition?: Precondition): Promise<AdjustResult> {
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
        ? { ok: true, level: this.persist(outcome.level, outcome.change, input.actor ?? null) }
        : outcome;
      if (idempotencyKey !== undefined) {
        this.store.writeAdjustmentOutcome(idempotencyKey, JSON.stringify(result), now);
      }
      return result;
    });
  }

  /** Places a reservation line's hold: all of `quantity` or nothing. Idempotent per attempt. */
  async hold(request: HoldRequest): Promise<HoldResult> {
    if (request.member !== undefined) return this.asMember(request, request.member, (r) => this.placeHold(r), request.quantity);
    if (!this.pooled) return this.placeHold(request);
    const shards = this.store.readPool()?.shards ?? 1;
    if (shards > 1 && request.lastUnits !== true) return { ok: false, reason: "pooled", shards };
    const first = await this.placeHold(request);
    if (first.ok || first.reason !== "insufficient") return first;
    // The last units may sit with members: they give back what they do not hold, then try once more.
    await this.reclaimFromMembers();
    return this.placeHold(request);
  }

  private placeHold(request: HoldRequest): Promise<HoldResult> {
    return this.mutate((now): HoldResult => {
      const decision = decidePlace(this.store.readHold(request.reservationId), request.attempt);
      if (decision.kind === "refused") return { ok: false, reason: "refused", status: "voided" };
      if (decision.kind === "recorded") {
        const s = decision.status;
        return countsAsReserved(s) || s === "committed" ? { ok: true } : { ok: false, reason: "refused", status: s };
      }
      if (request.expiresAt <= now) return { ok: false, reason: "refused", status: "expired" };
      let level = this.store.readLevel();
      if (decision.supersedes !== undefined && level !== null) {
        level = this.finishHold(level, decision.supersedes, "voided", now, request.actor ?? null);
      }
      const free = level === null ? 0 : this.freeToHold(level);
      if (level === null || !canHold(free - (request.keep ?? 0), request.quantity)) {
        return { ok: false, reason: "insufficient", available: free };
      }
      this.record(level, holdChange(request.reservationId, request.quantity), now, request.actor ?? null);
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
    return this.applyHoldOp(reservationId, "pin", null);
  }

  /** `actor`: who asked (an API key's id, `root`), recorded on the change's event. */
  async commit(reservationId: string, actor: Actor = null): Promise<HoldOpResult> {
    return this.applyHoldOp(reservationId, "commit", actor);
  }

  async release(reservationId: string, actor: Actor = null): Promise<HoldOpResult> {
    return this.applyHoldOp(reservationId, "release", actor);
  }

  /**
   * Extends a held hold to `until` (never earlier). Refused once the hold has expired: the
   * coordinator then expires the whole reservation. No event: the level does not change.
   */
  async extend(reservationId: string, until: number): Promise<HoldOpResult> {
    return this.mutate((now): HoldOpResult => {
      const hold = this.store.readHold(reservationId);
      if (hold === null) return { ok: false, status: "missing" };
      const step = extension(hold, until);
      if (step.kind === "refused") return { ok: false, status: step.status };
      if (step.expiresAt !== hold.expiresAt) this.store.writeHold({ ...hold, expiresAt: step.expiresAt }, now);
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
  async resize(request: ResizeRequest): Promise<HoldResult> {
    if (request.member !== undefined) {
      // Only growth needs the member's allocation (and may need a slice): a shrink or a repeat
      // applies as it is, frozen or not.
      const decision = decideResize(this.store.readHold(request.reservationId), request.change);
      if (decision.kind !== "resize" || request.quantity <= decision.from) return this.applyResize(request);
      return this.asMember(request, request.member, (r) => this.applyResize(r), request.quantity);
    }
    if (this.pooled && (this.store.readPool()?.shards ?? 1) > 1) {
      const hold = this.store.readHold(request.reservationId);
      // The reservation's units here are the item's last ones (a placement's fallback): they change here.
      if (hold === null || !countsAsReserved(hold.status))
        return { ok: false, reason: "pooled", shards: this.store.readPool()?.shards ?? 1 };
    }
    return this.applyResize(request);
  }

  private applyResize(request: ResizeRequest): Promise<HoldResult> {
    return this.mutate((now): HoldResult => {
      const hold = this.store.readHold(request.reservationId);
      const decision = decideResize(hold, request.change);
      if (decision.kind === "recorded") return { ok: true };
      if (decision.kind === "refused") return { ok: false, reason: "refused", status: decision.status };
      const level = this.store.readLevel();
      if (level === null) return { ok: false, reason: "insufficient", available: 0 };
      const delta = request.quantity - decision.from;
      const base = {
        reservationId: request.reservationId,
        attempt: hold?.attempt ?? request.attempt,
        expiresAt: hold !== null && countsAsReserved(hold.status) ? hold.expiresAt : request.expiresAt,
        status: hold !== null && countsAsReserved(hold.status) ? hold.status : ("held" as const),
        change: request.change,
      };
      if (delta > 0) {
        const free = this.freeToHold(level);
        if (!canHold(free - (request.keep ?? 0), delta)) return { ok: false, reason: "insufficient", available: free };
        this.record(level, holdChange(request.reservationId, delta), now, request.actor ?? null);
        this.store.writeHold({ ...base, quantity: request.quantity, previous: decision.from }, now);
      } else {
        if (delta < 0) this.record(level, releaseChange(request.reservationId, -delta, "reservation.released"), now, request.actor ?? null);
        this.store.writeHold({ ...base, quantity: request.quantity, previous: null }, now);
      }
      return { ok: true };
    });
  }

  /** Undoes line change `change` here: gives back what it added, and refuses it if it arrives later. */
  async revertChange(reservationId: string, change: number, actor: Actor = null): Promise<void> {
    await this.mutate((now) => {
      const hold = this.store.readHold(reservationId);
      const decision = decideRevert(hold, change);
      if (hold === null) {
        this.store.writeHold({ reservationId, attempt: 0, quantity: 0, status: "voided", expiresAt: 0, reverted: change }, now);
        return;
      }
      const level = this.store.readLevel();
      if (decision.kind === "restore" && level !== null && decision.release > 0) {
        this.record(level, releaseChange(reservationId, decision.release, "reservation.released"), now, actor);
      }
      const restored =
        decision.kind === "restore" ? { quantity: decision.to, status: decision.to === 0 ? ("voided" as const) : hold.status } : {};
      this.store.writeHold({ ...hold, ...restored, previous: null, reverted: Math.max(hold.reverted ?? 0, change) }, now);
    });
  }

  /**
   * Cancels an attempt that was never acknowledged to the client: releases its hold if it
   * was placed, and leaves a tombstone so that a hold of that attempt arriving late is refused.
   */
  async voidAttempt(reservationId: string, attempt: number, actor: Actor = null): Promise<void> {
    await this.mutate((now) => {
      const hold = this.store.readHold(reservationId);
      if (hold !== null && hold.attempt > attempt) return;
      if (hold !== null && hold.status === "committed") return;
      const level = this.store.readLevel();
      if (hold !== null && level !== null && countsAsReserved(hold.status)) {
        this.finishHold(level, hold, "voided", now, actor);
      }
      this.store.writeHold(
        { reservationId, attempt, quantity: hold?.quantity ?? 0, status: "voided", expiresAt: hold?.expiresAt ?? 0 },
        now,
      );
    });
  }

  // ── Flash-sale pools (src/stock/pool.ts) ───────────────────────────────────────────────
  // Member side: a member is this same class, its level's onHand being its allocation.

  /** Member: its totals as of now (due holds expired first), for the parent's exact read. */
  async memberTotalsNow(): Promise<MemberTotals> {
    return this.mutate(() => {
      const level = this.store.readLevel();
      const role = this.role;
      return level === null || role === null
        ? { changes: 0, onHandDelta: 0, reserved: 0 }
        : memberTotals(level, role.receivedTotal, role.returnedTotal);
    });
  }

  /** Member: gives back every unit it does not hold (and stops taking holds if `retire`); answers its report. */
  async surrender(retire: boolean): Promise<MemberReport | null> {
    return this.mutate(() => {
      const role = this.role;
      const level = this.store.readLevel();
      if (role === null || level === null) return null;
      this.writeRole({ ...role, retired: role.retired || retire, frozen: true });
      this.giveBack(level, available(level));
      return this.memberReport(0);
    });
  }

  /** Member: what `GET …/shards` shows of it. */
  async memberView(shard: number): Promise<ShardView> {
    return this.mutate(() => {
      const level = this.store.readLevel();
      const allocated = level?.onHand ?? 0;
      const reserved = level?.reserved ?? 0;
      return { shard, allocated, reserved, available: allocated - reserved, requests: this.requests };
    });
  }

  /**
   * Member: a hold (or a line change's growth) placed from this member's allocation. Short, it
   * asks the parent for a slice (a frozen member first gives back what it has free) and tries
   * once more; still short or frozen, the coordinator goes to the item's last units.
   */
  private async asMember<R extends { sku: string; warehouse: string }>(
    request: R,
    shard: number,
    place: (request: R) => Promise<HoldResult>,
    want: number,
  ): Promise<HoldResult> {
    this.requests++;
    this.joinPool(request, shard);
    if (this.role?.retired) return { ok: false, reason: "retired" };
    if (this.role?.frozen !== true) {
      const first = await place(request);
      if (first.ok || first.reason !== "insufficient") return first;
    }
    await this.syncWithParent(want);
    if (this.role?.retired) return { ok: false, reason: "retired" };
    if (this.role?.frozen) return { ok: false, reason: "insufficient", available: 0 };
    return place(request);
  }

  /** A member's first call makes it one: its role and an empty allocation. */
  private joinPool(item: { sku: string; warehouse: string }, shard: number): void {
    if (this.role !== null) return;
    this.ctx.storage.transactionSync(() => {
      this.writeRole({ shard, receivedTotal: 0, returnedTotal: 0, retired: false, frozen: false });
      if (this.store.readLevel() === null) this.store.writeLevel(emptyLevel(item, Date.now()));
    });
  }

  private writeRole(role: PoolRole): void {
    this.store.writeRole(role);
    this.role = role;
  }

  /** Allocation moves are not changes of the item: no event, no version. */
  private giveBack(level: Level, units: number): void {
    const role = this.role;
    if (role === null || units <= 0) return;
    this.store.writeLevel({ ...level, onHand: level.onHand - units });
    this.writeRole({ ...role, returnedTotal: role.returnedTotal + units });
  }

  /** Units to ask for with the next sync: a retired or frozen member none; one running low its last slice. */
  private refillWant(): number {
    const level = this.store.readLevel();
    if (this.role === null || this.role.retired || this.role.frozen || level === null) return 0;
    return available(level) < lowWater(this.lastGrant) ? Math.max(1, this.lastGrant) : 0;
  }

  private memberReport(want: number): MemberReport | null {
    const role = this.role;
    const level = this.store.readLevel();
    if (role === null || level === null) return null;
    return {
      shard: role.shard,
      totals: memberTotals(level, role.receivedTotal, role.returnedTotal),
      receivedTotal: role.receivedTotal,
      returnedTotal: role.returnedTotal,
      events: this.store.eventsAfter(0, SHIP_BATCH * 5),
      want: role.retired ? 0 : want,
    };
  }

  /** Member: reports to the parent (its changes, returns) and takes what it grants. One at a time. */
  private syncWithParent(want: number): Promise<void> {
    const run = this.syncing.then(() => this.syncOnce(want));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  private async syncOnce(want: number): Promise<void> {
    const report = this.ctx.storage.transactionSync(() => {
      const level = this.store.readLevel();
      // A frozen member gives back whatever frees up (a release, an expiry) as it goes.
      if (this.role?.frozen && level !== null) this.giveBack(level, available(level));
      return this.memberReport(want);
    });
    const level = this.store.readLevel();
    if (report === null || level === null) return;
    const answer = await stockItem(this.env, level.sku, level.warehouse).poolSync(report);
    this.ctx.storage.transactionSync(() => {
      const role = this.role as PoolRole;
      const current = this.store.readLevel() as Level;
      const granted = answer.grantedTotal - role.receivedTotal;
      if (granted > 0) {
        this.store.writeLevel({ ...current, onHand: current.onHand + granted });
        this.lastGrant = granted;
      }
      const retired = role.retired || answer.retired;
      this.writeRole({
        ...role,
        receivedTotal: Math.max(role.receivedTotal, answer.grantedTotal),
        retired,
        // Units granted again: it sells again. A grant that was only answered again (already
        // applied) does not thaw it: the parent has not decided anything new.
        frozen: retired || (role.frozen && granted <= 0),
      });
      this.store.deleteEventsThrough(answer.absorbedChanges);
    });
  }

  // Parent side.

  /** Parent: a member's report: its changes become the item's, returns come back, a slice may be granted. */
  async poolSync(report: MemberReport): Promise<SyncAnswer> {
    return this.mutate((now) => this.applyReport(report, now));
  }

  /** Parent: `GET …/shards`. */
  async poolView(): Promise<{ unallocated: number; shards: ShardView[] } | null> {
    const level = await this.getLevel();
    if (level === null) return null;
    const pool = this.store.readPool();
    if (pool === null) return { unallocated: available(level), shards: [] };
    const views = await Promise.all(
      this.store.readMembers().map((m) => stockPoolMember(this.env, level.sku, level.warehouse, m.shard).memberView(m.shard)),
    );
    // Retired members are shown while they still have units (holds to finish, or units on their way back).
    return { unallocated: pool.unallocated, shards: views.filter((v) => v.shard < pool.shards || v.allocated !== 0) };
  }

  /** Inside a transaction. Idempotent: events up to what was absorbed, and totals already seen, count once. */
  private applyReport(report: MemberReport, now: number): SyncAnswer {
    const pool = this.store.readPool();
    let level = this.store.readLevel();
    if (pool === null || level === null) return { grantedTotal: report.receivedTotal, absorbedChanges: 0, retired: true };
    const member: PoolMember = this.store.readMembers().find((m) => m.shard === report.shard) ?? {
      shard: report.shard,
      grantedTotal: 0,
      returnedSeen: 0,
      absorbed: { changes: 0, onHandDelta: 0, reserved: 0 },
    };
    for (const event of [...report.events].sort((a, b) => a.seq - b.seq)) {
      if (event.seq <= member.absorbed.changes) continue;
      if (event.seq !== member.absorbed.changes + 1) break;
      const change: Change = {
        type: event.type,
        onHandDelta: event.onHandDelta,
        reservedDelta: event.reservedDelta,
        ...(event.reservationId === undefined ? {} : { reservationId: event.reservationId }),
        ...(event.reason === undefined ? {} : { reason: event.reason as AdjustmentReason }),
      };
      level = this.persist(applyChange(level, change, now), change, event.actor ?? null, false);
      member.absorbed = {
        changes: event.seq,
        onHandDelta: member.absorbed.onHandDelta + event.onHandDelta,
        reserved: member.absorbed.reserved + event.reservedDelta,
      };
    }
    let unallocated = pool.unallocated;
    if (report.returnedTotal > member.returnedSeen) {
      unallocated += report.returnedTotal - member.returnedSeen;
      member.returnedSeen = report.returnedTotal;
    }
    const retired = report.shard >= pool.shards;
    // A grant still on its way (answered, not yet applied there) is answered again, not doubled.
    if (!retired && this.counting === 0 && report.want > 0 && member.grantedTotal <= report.receivedTotal) {
      const granted = grantFor(unallocated, report.want, pool.shards);
      member.grantedTotal += granted;
      unallocated -= granted;
    }
    this.store.writePool({ ...pool, unallocated });
    this.store.writeMember(member);
    return { grantedTotal: member.grantedTotal, absorbedChanges: member.absorbed.changes, retired };
  }

  /** Parent, inside the count's transaction: becomes pooled, or changes how many members it has. */
  private setShards(level: Level, shards: number): void {
    const pool = this.store.readPool();
    if (pool === null && shards <= 1) return;
    this.store.writePool({ shards, unallocated: pool?.unallocated ?? available(level) });
    this.pooled = true;
    const known = new Set(this.store.readMembers().map((m) => m.shard));
    for (let k = 0; k < shards; k++) {
      if (!known.has(k))
        this.store.writeMember({ shard: k, grantedTotal: 0, returnedSeen: 0, absorbed: { changes: 0, onHandDelta: 0, reserved: 0 } });
    }
  }

  /** Parent: every member reports, so the parent holds every change made so far (before a count). */
  private async absorbAllMembers(): Promise<void> {
    const level = this.store.readLevel();
    if (level === null) return;
    // `surrender` also hands back the members' free units: harmless (the next refill grants
    // them again), and the count then starts from every unit at the parent.
    const reports = await Promise.all(
      this.store.readMembers().map((m) => stockPoolMember(this.env, level.sku, level.warehouse, m.shard).surrender(false)),
    );
    await this.mutate((now) => {
      for (const report of reports) if (report !== null) this.applyReport(report, now);
    });
  }

  /** Parent: members give back what they do not hold; those past `shards` retire. Coalesced. */
  private reclaimFromMembers(): Promise<void> {
    if (this.reclaiming !== null) return this.reclaiming;
    const level = this.store.readLevel();
    const pool = this.store.readPool();
    if (level === null || pool === null) return Promise.resolve();
    const run = (async () => {
      try {
        const reports = await Promise.allSettled(
          this.store
            .readMembers()
            .map((m) => stockPoolMember(this.env, level.sku, level.warehouse, m.shard).surrender(m.shard >= pool.shards)),
        );
        await this.mutate((now) => {
          for (const outcome of reports) if (outcome.status === "fulfilled" && outcome.value !== null) this.applyReport(outcome.value, now);
        });
      } finally {
        this.reclaiming = null;
      }
    })();
    this.reclaiming = run;
    return run;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.eventWritten = false;
    this.ctx.storage.transactionSync(() => {
      this.expireDue(now);
      this.store.deleteFinishedHolds(now - IDEMPOTENCY_WINDOW_MS);
      this.store.deleteAdjustmentKeys(now - IDEMPOTENCY_WINDOW_MS);
    });
    // Expiries are changes: watchers hear of them like any other.
    if (this.eventWritten) this.live.changed();
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
        directory: new WebhookRepository(this.env.DB, this.env.WEBHOOK_SECRET_KEYS),
        transaction: (fn) => this.ctx.storage.transactionSync(fn),
        fetch: (url, init) => fetch(url, init),
        now: () => Date.now(),
        random: () => Math.random(),
      });
    } catch (error) {
      console.error("stock item: webhook delivery failed; the alarm re-arms for it", error);
    }
  }

  private async applyHoldOp(reservationId: string, op: HoldOp, actor: Actor): Promise<HoldOpResult> {
    return this.mutate((now): HoldOpResult => {
      const hold = this.store.readHold(reservationId);
      const level = this.store.readLevel();
      if (hold === null || level === null) return { ok: false, status: "missing" };
      const step = transition(hold, op);
      if (step.kind === "refused") return { ok: false, status: step.status };
      if (step.kind === "same") return { ok: true, status: step.status };
      if (step.to === "committed") {
        this.record(level, commitChange(reservationId, hold.quantity), now, actor);
        this.store.writeHold({ ...hold, status: "committed" }, now);
      } else if (step.to === "released") {
        this.finishHold(level, hold, "released", now, actor);
      } else {
        this.store.writeHold({ ...hold, status: step.to }, now);
      }
      return { ok: true, status: step.to };
    });
  }

  /** Ends a live hold: its units go back to available, with one event. */
  private finishHold(level: Level, hold: Hold, status: "released" | "expired" | "voided", now: number, actor: Actor): Level {
    const type = status === "expired" ? "reservation.expired" : "reservation.released";
    const after = this.record(level, releaseChange(hold.reservationId, hold.quantity, type), now, actor);
    this.store.writeHold({ ...hold, status }, now);
    return after;
  }

  private expireDue(now: number): void {
    const due = this.store.expiredHolds(now);
    if (due.length === 0) return;
    let level = this.store.readLevel();
    for (const hold of due) {
      if (level === null) break;
      // The service's own change: no actor.
      level = this.finishHold(level, hold, "expired", now, null);
    }
  }

  /** Applies a change to `before`, writing the level and its event in the caller's transaction. */
  private record(before: Level, change: Change, now: number, actor: Actor): Level {
    return this.persist(applyChange(before, change, now), change, actor);
  }

  /**
   * Writes a level the ledger already computed, with the event of the change that made it.
   * `own`: made here, not a pool member's change this parent absorbs (see src/stock/pool.ts).
   */
  private persist(after: Level, change: Change, actor: Actor, own = true): Level {
    this.store.writeLevel(after);
    const shards = this.role === null && this.pooled ? (this.store.readPool()?.shards ?? 1) : 1;
    this.store.appendEvent(eventFor(after, change, shards, actor));
    this.eventWritten = true;
    // A member's events go to its parent, which alerts on the item's total.
    if (this.role !== null) return after;
    if (this.pooled && own) {
      const pool = this.store.readPool() as PoolState;
      this.store.writePool({ ...pool, unallocated: pool.unallocated + unallocatedDelta(change) });
    }
    if (recordCrossings(this.store, after).length > 0) this.alertRecorded = true;
    return after;
  }

  /** What a hold here may take: a member its allocation's free part, a pooled parent what no member has. */
  private freeToHold(level: Level): number {
    if (this.role === null && this.pooled) return this.store.readPool()?.unallocated ?? 0;
    return available(level);
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
      // Every committed change of the level passes here (a pooled parent's absorbed member
      // changes too: `applyReport` runs inside `mutate`), or in `alarm`. Never throws.
      this.live.changed();
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
    if (this.role !== null) return this.syncWithParent(this.refillWant());
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
