import { stockPoolMember } from "./address";
import type { ChangeLog } from "./changes";
import { countsAsReserved } from "./holds";
import type { HoldRequest, HoldResult, ResizeRequest } from "./holds-protocol";
import { type AdjustmentReason, applyChange, available, type Change, type Level } from "./ledger";
import { exactLevel, grantFor } from "./pool";
import type { MemberReport, Membership, PoolMember, ShardView, SyncAnswer } from "./pool-store";
import type { ItemStores } from "./schema";

/** A level as the item answers it: a pooled item says how many members it has. */
export type LevelView = Level & { shards?: number };

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
 */
export class PoolParentProtocol {
  /** Counts and adjustments under way: no grant may thaw a member before the count is applied. */
  private counting = 0;
  /** The reclaiming of members' free units under way, if any. */
  private reclaiming: Promise<void> | null = null;

  constructor(
    private readonly env: () => Pick<Env, "STOCK_ITEM">,
    private readonly stores: Pick<ItemStores, "levels" | "pool" | "holds">,
    private readonly changes: ChangeLog,
    private readonly membership: Membership,
  ) {}

  /** A level as answered: a pooled item's says how many members it has (a plain item's: none, read as 1). */
  answered(level: Level): LevelView;
  answered(level: Level | null): LevelView | null;
  answered(level: Level | null): LevelView | null {
    if (level === null || !this.membership.pooled) return level;
    return { ...level, shards: this.stores.pool.readPool()?.shards ?? 1 };
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
    const totals = await Promise.all(members.map((m) => this.member(level, m.shard).memberTotalsNow()));
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

  /** Inside the count's transaction: becomes pooled, or changes how many members it has. */
  setShards(level: Level, shards: number): void {
    const { pool } = this.stores;
    const state = pool.readPool();
    if (state === null && shards <= 1) return;
    pool.writePool({ shards, unallocated: state?.unallocated ?? available(level) });
    this.membership.pooled = true;
    const known = new Set(pool.readMembers().map((m) => m.shard));
    for (let k = 0; k < shards; k++) {
      if (!known.has(k))
        pool.writeMember({ shard: k, grantedTotal: 0, returnedSeen: 0, absorbed: { changes: 0, onHandDelta: 0, reserved: 0 } });
    }
  }

  /** After a count: fewer members now, or fewer units than members hold: what members do not hold comes back. */
  async afterCount(): Promise<void> {
    const state = this.stores.pool.readPool();
    if (state !== null && (state.unallocated < 0 || this.stores.pool.readMembers().some((m) => m.shard >= state.shards))) {
      await this.reclaimFromMembers();
    }
  }

  /** A hold at the item's own object: a pooled item answers `pooled`, or (`lastUnits`) holds from what no member has. */
  async hold(request: HoldRequest, place: (request: HoldRequest) => Promise<HoldResult>): Promise<HoldResult> {
    if (!this.membership.pooled) return place(request);
    const shards = this.stores.pool.readPool()?.shards ?? 1;
    if (shards > 1 && request.lastUnits !== true) return { ok: false, reason: "pooled", shards };
    const first = await place(request);
    if (first.ok || first.reason !== "insufficient") return first;
    // The last units may sit with members: they give back what they do not hold, then try once more.
    await this.reclaimFromMembers();
    return place(request);
  }

  /** A line change at the item's own object: a pooled item changes only a hold of its last units here. */
  resize(request: ResizeRequest, apply: (request: ResizeRequest) => Promise<HoldResult>): Promise<HoldResult> {
    const shards = this.membership.pooled ? (this.stores.pool.readPool()?.shards ?? 1) : 1;
    if (shards > 1) {
      const hold = this.stores.holds.read(request.reservationId);
      // The reservation's units here are the item's last ones (a placement's fallback): they change here.
      if (hold === null || !countsAsReserved(hold.status)) return Promise.resolve({ ok: false, reason: "pooled", shards });
    }
    return apply(request);
  }

  /** RPC `poolSync`: a member's report: its changes become the item's, returns come back, a slice may be granted. */
  sync(report: MemberReport): Promise<SyncAnswer> {
    return this.changes.mutate((now) => this.applyReport(report, now));
  }

  /** RPC `poolView` (`GET …/shards`), given the item's exact level. */
  async view(level: LevelView | null): Promise<{ unallocated: number; shards: ShardView[] } | null> {
    if (level === null) return null;
    const pool = this.stores.pool.readPool();
    if (pool === null) return { unallocated: available(level), shards: [] };
    const views = await Promise.all(this.stores.pool.readMembers().map((m) => this.member(level, m.shard).memberView(m.shard)));
    // Retired members are shown while they still have units (holds to finish, or units on their way back).
    return { unallocated: pool.unallocated, shards: views.filter((v) => v.shard < pool.shards || v.allocated !== 0) };
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
          this.stores.pool.readMembers().map((m) => this.member(level, m.shard).surrender(m.shard >= pool.shards)),
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
    const reports = await Promise.all(this.stores.pool.readMembers().map((m) => this.member(level, m.shard).surrender(false)));
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
    const retired = report.shard >= pool.shards;
    // A grant still on its way (answered, not yet applied there) is answered again, not doubled.
    if (!retired && this.counting === 0 && report.want > 0 && member.grantedTotal <= report.receivedTotal) {
      const granted = grantFor(unallocated, report.want, pool.shards);
      member.grantedTotal += granted;
      unallocated -= granted;
    }
    poolStore.writePool({ ...pool, unallocated });
    poolStore.writeMember(member);
    return { grantedTotal: member.grantedTotal, absorbedChanges: member.absorbed.changes, retired };
  }

  private member(level: Level, shard: number) {
    return stockPoolMember(this.env(), level.sku, level.warehouse, shard);
  }
}
