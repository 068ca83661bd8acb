import { DurableObject } from "cloudflare:workers";
import type { Actor } from "../events/event";
import { faultyQueue } from "../faults/faults";
import { simulatedNetwork } from "../geo/network";
import type { Region } from "../regions/regions";
import { WebhookRepository } from "../webhooks/subscriptions";
import { AlarmSchedule } from "./alarm";
import { LowStockAlerts } from "./alerts";
import { ChangeLog } from "./changes";
import { type AdjustInput, type AdjustResult, CountsProtocol, type SetCountResult } from "./counts";
import { type HoldOpResult, type HoldRequest, type HoldResult, HoldsProtocol, type ResizeRequest } from "./holds-protocol";
import type { SetCount } from "./ledger";
import { acceptWatcher, closeQuietly, LiveWatchers } from "./live";
import type { MemberTotals } from "./pool";
import { PoolLinks } from "./pool-links";
import { PoolMemberProtocol } from "./pool-member";
import { type LevelView, PoolParentProtocol } from "./pool-parent";
import type { MemberReport, Membership, ShardView, SyncAnswer } from "./pool-store";
import type { Precondition } from "./precondition";
import { type ItemStores, migrateSchema, openStores } from "./schema";
import { EventShipping, SHIP_BACKSTOP_MS } from "./shipping";

export type { AdjustInput, AdjustResult, PreconditionFailed, SetCountResult } from "./counts";
export type { HoldOpResult, HoldRequest, HoldResult, ResizeRequest } from "./holds-protocol";
export type { LevelView } from "./pool-parent";
export type { MemberReport, ShardView, SyncAnswer } from "./pool-store";

/**
 * One SKU in one warehouse. Every decrement of its stock is serialized here, and every
 * mutation is one SQLite transaction: the level, the hold it touches and the change event
 * (the outbox row) are written together, so counts are exact and no change lacks its event.
 *
 * This class only wires the protocols the item speaks; each lives in a module of its own
 * whose opening comment writes the protocol down:
 *
 *   changes         ./changes.ts         every change: level + event (+ alert) in one transaction
 *   levels, counts  ./counts.ts          getLevel, setCount, adjust (preconditions, idempotency keys)
 *   holds, expiry   ./holds-protocol.ts  hold, pin, commit, release, extend, resize, revertChange, voidAttempt
 *   pool parent     ./pool-parent.ts     poolSync, poolView; routes holds of a pooled item
 *   pool member     ./pool-member.ts     memberTotalsNow, surrender, memberView; holds from a slice
 *   event shipping  ./shipping.ts        outbox → EVENTS_QUEUE, the alarm's backstop, D1 confirmation
 *   low-stock       ./alerts.ts          crossings recorded with their change; webhooks in the alarm
 *   live watchers   ./live.ts            fetch (WebSocket upgrade), told after every change
 *   the alarm       ./alarm.ts           one alarm, set for the earliest duty
 *
 * Storage: ./schema.ts (tables and migrations) and one store class per concern beside it.
 */
export class StockItem extends DurableObject<Env> {
  /** The Queue events ship to: one field, so it can be wrapped in one place. */
  private queue: Queue;
  private readonly stores: ItemStores;
  /** Which side of a pool this object is on (src/stock/pool-store.ts), shared by the protocols. */
  private readonly membership: Membership = { pooled: false, role: null };
  private readonly changes: ChangeLog;
  private readonly counts: CountsProtocol;
  private readonly holds: HoldsProtocol;
  private readonly parent: PoolParentProtocol;
  private readonly member: PoolMemberProtocol;
  private readonly shipping: EventShipping;
  private readonly alerts: LowStockAlerts;
  private readonly live: LiveWatchers;
  private readonly schedule: AlarmSchedule;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { storage } = ctx;
    const stores = openStores(storage.sql);
    const membership = this.membership;
    this.stores = stores;
    // A pass-through unless FAULT_INJECTION is "true" (the soak): then the Queue obeys its fault switches.
    this.queue = faultyQueue(env.EVENTS_QUEUE, env);
    // Parent ↔ member calls, with location hints; delayed only in the geo simulation (null otherwise).
    const links = new PoolLinks(() => this.env, simulatedNetwork(env));
    this.changes = new ChangeLog(
      storage,
      stores,
      membership,
      {
        sweep: (now) => this.holds.expireDue(now),
        crossed: (after) => this.alerts.crossed(after),
        // Every committed change of the level passes here (a pooled parent's absorbed member
        // changes too), or through the alarm's sweep. Never throws.
        committed: async () => {
          this.live.changed();
          await this.schedule.followUp(this.alerts.takeRecorded());
          this.shipping.soon();
        },
      },
      () => links.confirmed(),
    );
    this.holds = new HoldsProtocol(stores, this.changes, membership);
    this.parent = new PoolParentProtocol(links, stores, this.changes, membership);
    this.member = new PoolMemberProtocol(links, storage, stores, this.changes, membership);
    this.counts = new CountsProtocol(() => this.env, stores, this.changes, membership, this.parent);
    this.alerts = new LowStockAlerts(stores.alerts, () => new WebhookRepository(this.env.DB, this.env.WEBHOOK_SECRET_KEYS), storage);
    const due = (now: number) => [this.holds.nextDue(), this.alerts.nextDue(), this.shipping.nextDue(now)];
    this.schedule = new AlarmSchedule(storage, due, SHIP_BACKSTOP_MS);
    this.shipping = new EventShipping(
      {
        storage,
        outbox: stores.outbox,
        levels: stores.levels,
        alarm: this.schedule,
        queue: () => this.queue,
        db: () => this.env.DB,
        forward: () => (membership.role === null ? null : this.member.ship()),
      },
      env.CONFIRM_EVENTS_IN_D1 === "true",
    );
    // A pooled item's messages carry the parent's own (absorbed) level, never the exact read:
    // that would cost a call to every member per message.
    this.live = new LiveWatchers({ sockets: () => ctx.getWebSockets(), level: () => this.parent.answered(stores.levels.read()) });
    // Answered by the runtime without waking the object: a client's keep-alive costs the item nothing.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      migrateSchema(storage.sql);
      membership.pooled = stores.pool.readPool() !== null;
      membership.role = stores.pool.readRole();
      await this.schedule.load();
    });
  }

  // ── Levels and counts (./counts.ts) ──
  async getLevel(): Promise<LevelView | null> {
    return this.counts.level();
  }

  async setCount(
    sku: string,
    warehouse: string,
    input: SetCount & { shards?: number; regions?: Region[] | null; actor?: Actor },
    precondition?: Precondition,
  ): Promise<SetCountResult> {
    return this.counts.setCount(sku, warehouse, input, precondition);
  }

  async adjust(input: AdjustInput, idempotencyKey?: string, precondition?: Precondition): Promise<AdjustResult> {
    return this.counts.adjust(input, idempotencyKey, precondition);
  }

  // ── Holds and expiry (./holds-protocol.ts), routed by the pool's side first ──
  async hold(request: HoldRequest): Promise<HoldResult> {
    const place = (r: HoldRequest) => this.holds.place(r);
    if (request.member !== undefined) return this.member.hold(request, request.member, place, request.quantity);
    return this.parent.hold(request, place);
  }

  async pin(reservationId: string): Promise<HoldOpResult> {
    return this.holds.apply(reservationId, "pin", null);
  }

  async commit(reservationId: string, actor: Actor = null): Promise<HoldOpResult> {
    return this.holds.apply(reservationId, "commit", actor);
  }

  async release(reservationId: string, actor: Actor = null): Promise<HoldOpResult> {
    return this.holds.apply(reservationId, "release", actor);
  }

  async extend(reservationId: string, until: number): Promise<HoldOpResult> {
    return this.holds.extend(reservationId, until);
  }

  async resize(request: ResizeRequest): Promise<HoldResult> {
    const apply = (r: ResizeRequest) => this.holds.resize(r);
    if (request.member !== undefined) return this.member.resize(request, request.member, apply);
    return this.parent.resize(request, apply);
  }

  async revertChange(reservationId: string, change: number, actor: Actor = null): Promise<void> {
    return this.holds.revertChange(reservationId, change, actor);
  }

  async voidAttempt(reservationId: string, attempt: number, actor: Actor = null): Promise<void> {
    return this.holds.voidAttempt(reservationId, attempt, actor);
  }

  // ── Pool member (./pool-member.ts) ──
  async memberTotalsNow(): Promise<MemberTotals> {
    return this.member.totalsNow();
  }

  async surrender(retire: boolean): Promise<MemberReport | null> {
    return this.member.surrender(retire);
  }

  async memberView(shard: number): Promise<Omit<ShardView, "region">> {
    return this.member.view(shard);
  }

  async trim(): Promise<MemberReport | null> {
    return this.member.trim();
  }

  async memberPlaced(sku: string, warehouse: string, shard: number): Promise<void> {
    return this.member.placed({ sku, warehouse }, shard);
  }

  // ── Pool parent (./pool-parent.ts) ──
  async poolSync(report: MemberReport): Promise<SyncAnswer> {
    return this.parent.sync(report);
  }

  async poolView(): Promise<{ unallocated: number; shards: ShardView[] } | null> {
    return this.parent.view(await this.getLevel());
  }

  // ── Live watchers (./live.ts): the object's one fetch handler; every other call is RPC ──
  override async fetch(request: Request): Promise<Response> {
    const level = { exact: () => this.getLevel(), absorbed: () => this.parent.answered(this.stores.levels.read()) };
    return acceptWatcher(this.ctx, this.live, request, level, this.membership.role !== null);
  }

  /** Watchers only listen; a `ping` is answered by the runtime (the auto-response above). */
  override async webSocketMessage(): Promise<void> {}

  /** The runtime has already answered the close (compatibility date ≥ 2026-04-07); nothing to forget. */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeQuietly(ws, 1011);
  }

  // ── The alarm (./alarm.ts): each protocol's duty, then set again for what is due next ──
  override async alarm(): Promise<void> {
    await this.schedule.ring(async (now) => {
      const housekeeping = () => {
        this.holds.forgetFinished(now);
        this.counts.forgetKeys(now);
      };
      // Expiries are changes: watchers hear of them like any other.
      if (this.changes.sweep(now, housekeeping)) this.live.changed();
      await this.shipping.duty();
      await this.alerts.deliver();
    });
  }
}
