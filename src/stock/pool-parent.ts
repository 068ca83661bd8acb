import type { Region } from "../regions/regions";
import type { ChangeLog } from "./changes";
import { countsAsReserved } from "./holds";
import type { HoldRequest, HoldResult, ResizeRequest } from "./holds-protocol";
import { type AdjustmentReason, applyChange, available, type Change, type Level } from "./ledger";
import { exactLevel, grantFor } from "./pool";
import { demandShare, grantByDemand, layoutFor, type MemberPlace } from "./pool-demand";
import type { ItemName, PoolLinks } from "./pool-links";
import {
  activeMembers,
  type MemberReport,
  type Membership,
  type PoolMember,
  type PoolState,
  type ShardView,
  type SyncAnswer,
} from "./pool-store";
import type { ItemStores } from "./schema";

/** A level as the item answers it: a pooled item says how many members it has, and over which regions. */
export type LevelView = Level & { shards?: number; regions?: Region[] | null };

/**
 * Pool parent: the item's own object when it is pooled (src/stock/pool.ts has the arithmetic
 * and the no-oversell argument). RPC: `poolSync` (a member's report), `poolView`
 * (`GET …/shards`); it also routes `hold`/`resize` at a pooled item, answers the exact level
 * (`getLevel`) and freezes members around counts. Stores: `pool`, `pool_members`
 * (src/stock/pool-store.ts). Alarm duty: none (members drive the syncs).
 *
 * Guarantees:
 * - A member's changes become the item's exactly once: each report carries the member's
 *   events, absorbed in seq order up to the last contiguous one, with the member's cumulative
 *   totals; `absorbed.changes` is written in the same transaction as the changes absorbed,
 *   so a repeated or lost report moves nothing twice.
 * - Units move by cumulative totals (`grantedTotal`, `returnedSeen`): a lost answer is
 *   answered again, not doubled. A grant is written (unallocated down, grantedTotal up)
 *   before it is answered; a crash before the answer leaves it granted, and the member's next
 *   report, whose `receivedTotal` is still lower, gets the same grant again.
 * - Counts and adjustments are absolute over every member: first every member surrenders
 *   (reports and gives back its free units, frozen) and is absorbed, and no grant thaws a
 *   member while a count is under way (`counting`). A crash mid-way leaves members frozen with
 *   their holds; they thaw at the next grant.
 * - The parent records nothing before it calls a member (`surrender`, `memberTotalsNow`,
 *   `memberView`): the member records its returns (cumulative `returnedTotal`) and keeps its
 *   events before it answers, so a parent that crashes before absorbing an answer learns the
 *   same from the member's next report.
 *
 * Regional pools (src/stock/pool-demand.ts): with `regions`, the active members are laid out
 * over them (`layout`, written in the count's transaction with fresh member numbers where a
 * region changed) and the `pooled` answer carries the layout, so a coordinator picks its buyer's
 * region's member. Members whose region changed retire: they give back what they do not hold
 * and keep their holds until those end. New members are reached once, with their location hint,
 * right after the count (a crash before leaves them to be created by their first buyer, which
 * passes the same hint). A grant is sized by the member's share of the pool's recent demand;
 * when a member wants more than is unallocated, the other members trim to their own demand
 * (each records its return before answering, like a surrender) and the grant is topped up.
 */
export class PoolParentProtocol {
  /** Counts and adjustments under way: no grant may thaw a member before the count is applied. */
  private counting = 0;
  /** The reclaiming of members' free units under way, if any. */
  private reclaiming: Promise<void> | null = null;
  /** The trimming of members to their demand under way, if any. */
  private trimming: Promise<void> | null = null;
  /** Each member's recent sales (units/s), as it last reported them: the grants' weights. In memory. */
  private readonly rates = new Map<number, number>();

  constructor(
    private readonly links: PoolLinks,
    private readonly stores: Pick<ItemStores, "levels" | "pool" | "holds">,
    private readonly changes: ChangeLog,
    private readonly membership: Membership,
  ) {}

  /** A level as answered: a pooled item's says how many members it has (a plain item's: none, read as 1). */
  answered(level: Level): LevelView;
  answered(level: Level | null): LevelView | null;
  answered(level: Level | null): LevelView | null {
    if (level === null || !this.membership.pooled) return level;
    const pool = this.stores.pool.readPool();
    return { ...level, shards: pool?.shards ?? 1, regions: pool?.regions ?? null };
  }

  /**
   * A pooled item's level as of now: its own plus what each member did since the parent
   * last absorbed from it, so the read reflects every hold acknowledged before it.
   */
  async exactLevel(): Promise<LevelView | null> {
    const { levels, pool } = this.stores;
    const snapshot = await this.changes.mutate(() => ({ level: levels.read(), members: pool.readMembers() }));
    if (snapshot.level === null) return null;
    const { level, members } = snapshot;
    const totals = await Promise.all(members.map((m) => this.links.toMember(level, m.shard, m.region, (s) => s.memberTotalsNow())));
    return this.answered(
      exactLevel(
        level,
        members.map((m) => m.absorbed),
        totals,
      ),
    );
  }

  /** Runs a count or adjustment: a pooled item absorbs every member change first, so it counts against them all. */
  async whileCounting<T>(count: () => Promise<T>): Promise<T> {
    this.counting++;
    try {
      if (this.membership.pooled) await this.absorbAllMembers();
      return await count();
    } finally {
      this.counting--;
    }
  }

  /**
   * Whether `shards` and `regions` (undefined: kept) may be set together: a region needs a member.
   * Answers the message of a refusal, or null.
   */
  refusal(shards: number | undefined, regions: Region[] | null | undefined): string | null {
    const pool = this.stores.pool.readPool();
    const s = shards ?? pool?.shards ?? 1;
    const r = regions === undefined ? (pool?.regions ?? null) : regions;
    return r !== null && s < r.length ? `shards (${s}) must be at least the number of regions (${r.length})` : null;
  }

  /** Inside the count's transaction: becomes pooled, or changes its members (how many, where). */
  setShards(item: ItemName, startingUnallocated: number, shards: number | undefined, regions: Region[] | null | undefined): MemberPlace[] {
    const { pool } = this.stores;
    const state = pool.readPool();
    const nextShards = shards ?? state?.shards ?? 1;
    const nextRegions = regions === undefined ? (state?.regions ?? null) : regions;
    if (state === null && nextShards <= 1 && nextRegions === null) return [];
    const members = pool.readMembers();
    const highest = members.reduce((max, m) => Math.max(max, m.shard), -1);
    const current = state === null ? (nextRegions === null ? null : []) : state.layout;
    const layout = layoutFor(current, state?.shards ?? 0, nextShards, nextRegions, highest);
    pool.writePool({ shards: nextShards, unallocated: state?.unallocated ?? startingUnallocated, regions: nextRegions, layout });
    this.membership.pooled = true;
    const known = new Set(members.map((m) => m.shard));
    const added = (layout ?? activeMembers({ shards: nextShards, unallocated: 0, regions: null, layout: null })).filter(
      (m) => !known.has(m.shard),
    );
    for (const m of added) {
      pool.writeMember({
        shard: m.shard,
        region: m.region,
        grantedTotal: 0,
        returnedSeen: 0,
        absorbed: { changes: 0, onHandDelta: 0, reserved: 0 },
      });
      this.links.placed(item, m.shard, m.region);
    }
    return added.filter((m) => m.region !== null);
  }

  /**
   * After a count that laid out new regional members: each is reached once, with its location
   * hint, and takes a first slice, so a region's first buyers find stock there. Best effort: a
   * member not reached now is made by its first buyer (same hint) and asks then.
   */
  async placeMembers(level: Level, added: readonly MemberPlace[]): Promise<void> {
    await Promise.allSettled(
      added.map((m) => this.links.toMember(level, m.shard, m.region, (s) => s.memberPlaced(level.sku, level.warehouse, m.shard))),
    );
  }

  /** After a count: fewer members now, or fewer units than members hold: what members do not hold comes back. */
  async afterCount(): Promise<void> {
    const state = this.stores.pool.readPool();
    if (state !== null && (state.unallocated < 0 || this.stores.pool.readMembers().some((m) => !isActive(state, m.shard)))) {
      await this.reclaimFromMembers();
    }
  }

  /** A hold at the item's own object: a pooled item answers `pooled`, or (`lastUnits`) holds from what no member has. */
  async hold(request: HoldRequest, place: (request: HoldRequest) => Promise<HoldResult>): Promise<HoldResult> {
    if (!this.membership.pooled) return place(request);
    const pool = this.stores.pool.readPool();
    if (pool !== null && routesToMembers(pool) && request.lastUnits !== true) return pooledAnswer(pool);
    const first = await place(request);
    if (first.ok || first.reason !== "insufficient") return first;
    // The last units may sit with members: they give back what they do not hold, then try once more.
    await this.reclaimFromMembers();
    return place(request);
  }

  /** A line change at the item's own object: a pooled item changes only a hold of its last units here. */
  resize(request: ResizeRequest, apply: (request: ResizeRequest) => Promise<HoldResult>): Promise<HoldResult> {
    const pool = this.membership.pooled ? this.stores.pool.readPool() : null;
    if (pool !== null && routesToMembers(pool)) {
      const hold = this.stores.holds.read(request.reservationId);
      // The reservation's units here are the item's last ones (a placement's fallback): they change here.
      if (hold === null || !countsAsReserved(hold.status)) return Promise.resolve(pooledAnswer(pool));
    }
    return apply(request);
  }

  /** RPC `poolSync`: a member's report: its changes become the item's, returns come back, a slice may be granted. */
  async sync(report: MemberReport): Promise<SyncAnswer> {
    if (report.rate !== undefined) this.rates.set(report.shard, report.rate);
    const answer = await this.changes.mutate((now) => this.applyReport(report, now));
    const pool = this.stores.pool.readPool();
    const short = report.want > 0 && answer.grantedTotal - report.receivedTotal < report.want && !answer.retired;
    if (!short || pool === null || pool.regions === null || this.counting > 0) return answer;
    // Regional pools: the others keep what their own demand needs and give back the rest; then the grant is topped up.
    await this.trimMembers(report.shard);
    return this.changes.mutate((now) => this.applyReport(report, now));
  }

  /** RPC `poolView` (`GET …/shards`), given the item's exact level. */
  async view(level: LevelView | null): Promise<{ unallocated: number; shards: ShardView[] } | null> {
    if (level === null) return null;
    const pool = this.stores.pool.readPool();
    if (pool === null) return { unallocated: available(level), shards: [] };
    const members = this.stores.pool.readMembers();
    const views = await Promise.all(
      members.map(async (m) => ({
        ...(await this.links.toMember(level, m.shard, m.region, (s) => s.memberView(m.shard))),
        region: m.region,
      })),
    );
    // Retired members are shown while they still have units (holds to finish, or units on their way back).
    const order = new Map(activeMembers(pool).map((m, j) => [m.shard, j]));
    const shown = views.filter((v) => order.has(v.shard) || v.allocated !== 0);
    return {
      unallocated: pool.unallocated,
      shards: shown.sort((a, b) => (order.get(a.shard) ?? 1e9 + a.shard) - (order.get(b.shard) ?? 1e9 + b.shard)),
    };
  }

  /** Members give back what they do not hold; those past `shards` retire. Coalesced. */
  reclaimFromMembers(): Promise<void> {
    if (this.reclaiming !== null) return this.reclaiming;
    const level = this.stores.levels.read();
    const pool = this.stores.pool.readPool();
    if (level === null || pool === null) return Promise.resolve();
    const run = (async () => {
      try {
        const reports = await Promise.allSettled(
          this.stores.pool
            .readMembers()
            .map((m) => this.links.toMember(level, m.shard, m.region, (s) => s.surrender(!isActive(pool, m.shard)))),
        );
        await this.changes.mutate((now) => {
          for (const outcome of reports) if (outcome.status === "fulfilled" && outcome.value !== null) this.applyReport(outcome.value, now);
        });
      } finally {
        this.reclaiming = null;
      }
    })();
    this.reclaiming = run;
    return run;
  }

  /** Every member reports, so the parent holds every change made so far (before a count). */
  private async absorbAllMembers(): Promise<void> {
    const level = this.stores.levels.read();
    if (level === null) return;
    // `surrender` also hands back the members' free units: harmless (the next refill grants
    // them again), and the count then starts from every unit at the parent.
    const reports = await Promise.all(
      this.stores.pool.readMembers().map((m) => this.links.toMember(level, m.shard, m.region, (s) => s.surrender(false))),
    );
    await this.changes.mutate((now) => {
      for (const report of reports) if (report !== null) this.applyReport(report, now);
    });
  }

  /** Inside a transaction. Idempotent: events up to what was absorbed, and totals already seen, count once. */
  private applyReport(report: MemberReport, now: number): SyncAnswer {
    const { levels, pool: poolStore } = this.stores;
    const pool = poolStore.readPool();
    let level = levels.read();
    if (pool === null || level === null) return { grantedTotal: report.receivedTotal, absorbedChanges: 0, retired: true };
    const member: PoolMember = poolStore.readMembers().find((m) => m.shard === report.shard) ?? {
      shard: report.shard,
      region: null,
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
      level = this.changes.persist(applyChange(level, change, now), change, event.actor ?? null, false);
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
    const retired = !isActive(pool, report.shard);
    // A grant still on its way (answered, not yet applied there) counts toward what it wants:
    // answered again, not doubled; topped up only when it was short of the want.
    const inTransit = Math.max(0, member.grantedTotal - report.receivedTotal);
    if (!retired && this.counting === 0 && report.want > inTransit) {
      const granted = this.grantSize(pool, unallocated, report.want - inTransit, report.shard);
      member.grantedTotal += granted;
      unallocated -= granted;
    }
    poolStore.writePool({ ...pool, unallocated });
    poolStore.writeMember(member);
    return { grantedTotal: member.grantedTotal, absorbedChanges: member.absorbed.changes, retired, regional: pool.regions !== null };
  }

  /** v1.1's share of what is left; a regional pool's weighted by the member's part of the demand. */
  private grantSize(pool: PoolState, unallocated: number, want: number, shard: number): number {
    const active = activeMembers(pool).map((m) => m.shard);
    const rates = active.map((k) => this.rates.get(k) ?? 0);
    if (pool.regions === null || rates.every((r) => r <= 0)) return grantFor(unallocated, want, pool.shards);
    return grantByDemand(unallocated, want, demandShare(rates, this.rates.get(shard) ?? 0, active.length));
  }

  /** Every active member but `except` gives back what it holds beyond its own demand. Coalesced. */
  private trimMembers(except: number): Promise<void> {
    if (this.trimming !== null) return this.trimming;
    const level = this.stores.levels.read();
    const pool = this.stores.pool.readPool();
    if (level === null || pool === null) return Promise.resolve();
    const run = (async () => {
      try {
        // Only members that may have units free, as far as the parent last heard (a member that
        // sold out since answers with nothing to give): at a sold-out item a refill costs no calls.
        const known = new Map(this.stores.pool.readMembers().map((m) => [m.shard, m]));
        const others = activeMembers(pool).filter((m) => m.shard !== except && mayHaveFree(known.get(m.shard)));
        const reports = await Promise.allSettled(others.map((m) => this.links.toMember(level, m.shard, m.region, (s) => s.trim())));
        await this.changes.mutate((now) => {
          for (const outcome of reports) if (outcome.status === "fulfilled" && outcome.value !== null) this.applyReport(outcome.value, now);
        });
      } finally {
        this.trimming = null;
      }
    })();
    this.trimming = run;
    return run;
  }
}

/** A member's free units as of what the parent absorbed from it: granted, less returned, less sold and held. */
function mayHaveFree(member: PoolMember | undefined): boolean {
  if (member === undefined) return false;
  return member.grantedTotal - member.returnedSeen + member.absorbed.onHandDelta - member.absorbed.reserved > 0;
}

function isActive(pool: PoolState, shard: number): boolean {
  return pool.layout === null ? shard < pool.shards : pool.layout.some((m) => m.shard === shard);
}

/** Holds go to members: more than one, or any laid out by region. */
function routesToMembers(pool: PoolState): boolean {
  return pool.shards > 1 || pool.layout !== null;
}

function pooledAnswer(pool: PoolState): HoldResult {
  return pool.layout === null
    ? { ok: false, reason: "pooled", shards: pool.shards }
    : { ok: false, reason: "pooled", shards: pool.shards, members: pool.layout };
}
