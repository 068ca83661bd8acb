import type { ChangeLog } from "./changes";
import { decideResize } from "./holds";
import type { HoldResult, ResizeRequest } from "./holds-protocol";
import { available, emptyLevel, type Level } from "./ledger";
import { lowWater, type MemberTotals, memberTotals } from "./pool";
import { type Demand, excess, MIN_SLICE, NO_DEMAND, rateAt, recordSale, refillWant } from "./pool-demand";
import type { PoolLinks } from "./pool-links";
import type { MemberReport, Membership, PoolRole, ShardView } from "./pool-store";
import type { ItemStores } from "./schema";

/** Events a member sends its parent per report, at most. */
const REPORT_EVENTS = 500;

/**
 * Pool member: a StockItem object named `sku/warehouse#k` that sells a slice of a pooled
 * item (src/stock/pool.ts). Its level's `onHand` is its allocation, so holds, commits,
 * releases and expiry work here exactly as on any item. RPC: `memberTotalsNow`, `surrender`,
 * `memberView`; `hold`/`resize` addressed with `member`. Stores: `pool_role`
 * (src/stock/pool-store.ts); its outbox holds its changes until the parent absorbs them.
 * Alarm duty: none of its own; its shipping (src/stock/shipping.ts) is a sync with the parent.
 *
 * Guarantees:
 * - Never holds more than it was granted: units arrive only by a grant the parent recorded
 *   first, and leave only as returns the member records (`returnedTotal`) before reporting.
 * - Its events stay in its outbox until the parent answers that it absorbed them
 *   (`absorbedChanges`): a crash before the answer, or a lost answer, sends them again, and
 *   the parent absorbs each seq once.
 * - A grant is applied once: `receivedTotal` is cumulative, so an answer repeated after a
 *   crash adds only what it did not have. The report is built in one transaction, the answer
 *   applied in another; a crash between leaves the member as before the sync, to sync again.
 * - Frozen (the parent reclaimed its free units) it takes no new hold and gives back what
 *   frees up, until a grant thaws it: a unit freed after a count can never be sold twice.
 *
 * Regional pools (src/stock/pool-demand.ts; the parent says so in its sync answers): the member
 * keeps, in memory, an exponentially weighted rate of the units it sells, reports it, and asks
 * for a refill sized by it, ahead of need. `trim` (RPC) gives back what it holds free beyond its
 * own demand, recorded (`returnedTotal`) before it answers, like a surrender but without freezing.
 * `memberPlaced` (RPC) is the parent's first call to a member it laid out in a region: it joins
 * and asks for a first slice. A restart forgets the rate: the member then refills as v1.1 did
 * until it sells again.
 */
export class PoolMemberProtocol {
  /** Reservation calls served since this object started (`GET …/shards`). */
  private requests = 0;
  /** Syncs with the parent run one after another. */
  private syncing: Promise<unknown> = Promise.resolve();
  /** The last grant: it asks for more when what it may hold falls below a quarter of it. */
  private lastGrant = 0;
  /** Its recent sales (regional pools size refills by it). */
  private demand: Demand = NO_DEMAND;
  /** The parent said its item has regions: refills follow demand. */
  private regional = false;

  constructor(
    private readonly links: PoolLinks,
    private readonly storage: DurableObjectStorage,
    private readonly stores: Pick<ItemStores, "levels" | "holds" | "outbox" | "pool">,
    private readonly changes: ChangeLog,
    private readonly membership: Membership,
  ) {}

  /** RPC `memberTotalsNow`: its totals as of now (due holds expired first), for the parent's exact read. */
  totalsNow(): Promise<MemberTotals> {
    return this.changes.mutate(() => {
      const level = this.stores.levels.read();
      const role = this.membership.role;
      return level === null || role === null
        ? { changes: 0, onHandDelta: 0, reserved: 0 }
        : memberTotals(level, role.receivedTotal, role.returnedTotal);
    });
  }

  /** RPC `surrender`: gives back every unit it does not hold (and stops taking holds if `retire`); answers its report. */
  surrender(retire: boolean): Promise<MemberReport | null> {
    return this.changes.mutate(() => {
      const role = this.membership.role;
      const level = this.stores.levels.read();
      if (role === null || level === null) return null;
      this.writeRole({ ...role, retired: role.retired || retire, frozen: true });
      this.giveBack(level, available(level));
      return this.report(0);
    });
  }

  /** RPC `trim`: gives back what it holds free beyond its own recent demand (not frozen); answers its report. */
  trim(): Promise<MemberReport | null> {
    return this.changes.mutate((now) => {
      const level = this.stores.levels.read();
      if (this.membership.role === null || level === null) return null;
      this.giveBack(level, excess(available(level), this.demand, now));
      return this.report(0);
    });
  }

  /** RPC `memberPlaced`: the parent laid this member out in a region; it joins and asks for a first slice. */
  async placed(item: { sku: string; warehouse: string }, shard: number): Promise<void> {
    this.regional = true;
    this.join(item, shard);
    if (this.membership.role?.retired || this.membership.role?.frozen) return;
    const level = this.stores.levels.read();
    if (level !== null && available(level) === 0) await this.sync(MIN_SLICE);
  }

  /** RPC `memberView`: what `GET …/shards` shows of it (the parent adds its region). */
  view(shard: number): Promise<Omit<ShardView, "region">> {
    return this.changes.mutate(() => {
      const level = this.stores.levels.read();
      const allocated = level?.onHand ?? 0;
      const reserved = level?.reserved ?? 0;
      return { shard, allocated, reserved, available: allocated - reserved, requests: this.requests };
    });
  }

  /**
   * A hold (or a line change's growth) placed from this member's allocation. Short, it asks
   * the parent for a slice (a frozen member first gives back what it has free) and tries once
   * more; still short or frozen, the coordinator goes to the item's last units.
   */
  async hold<R extends { sku: string; warehouse: string }>(
    request: R,
    shard: number,
    place: (request: R) => Promise<HoldResult>,
    want: number,
  ): Promise<HoldResult> {
    this.requests++;
    this.join(request, shard);
    if (this.membership.role?.retired) return { ok: false, reason: "retired" };
    if (this.membership.role?.frozen !== true) {
      const first = await place(request);
      if (first.ok || first.reason !== "insufficient") return this.sold(first, want);
    }
    await this.sync(want);
    if (this.membership.role?.retired) return { ok: false, reason: "retired" };
    if (this.membership.role?.frozen) return { ok: false, reason: "insufficient", available: 0 };
    return this.sold(await place(request), want);
  }

  /** A hold placed here counts toward the member's demand (a refused one too: a buyer wanted it here). */
  private sold(result: HoldResult, units: number): HoldResult {
    if (result.ok || result.reason === "insufficient") this.demand = recordSale(this.demand, units, Date.now());
    return result;
  }

  /** A line change at a member: only growth needs the allocation (and may need a slice); a shrink or repeat applies as it is, frozen or not. */
  resize(request: ResizeRequest, shard: number, apply: (request: ResizeRequest) => Promise<HoldResult>): Promise<HoldResult> {
    const decision = decideResize(this.stores.holds.read(request.reservationId), request.change);
    if (decision.kind !== "resize" || request.quantity <= decision.from) return apply(request);
    return this.hold(request, shard, apply, request.quantity);
  }

  /** The member's shipping: reports to the parent (a refill when running low). */
  ship(): Promise<void> {
    return this.sync(this.refillWant());
  }

  /** A member's first call makes it one: its role and an empty allocation. */
  private join(item: { sku: string; warehouse: string }, shard: number): void {
    if (this.membership.role !== null) return;
    this.storage.transactionSync(() => {
      this.writeRole({ shard, receivedTotal: 0, returnedTotal: 0, retired: false, frozen: false });
      if (this.stores.levels.read() === null) this.stores.levels.write(emptyLevel(item, Date.now()));
    });
  }

  private writeRole(role: PoolRole): void {
    this.stores.pool.writeRole(role);
    this.membership.role = role;
  }

  /** Allocation moves are not changes of the item: no event, no version. */
  private giveBack(level: Level, units: number): void {
    const role = this.membership.role;
    if (role === null || units <= 0) return;
    this.stores.levels.write({ ...level, onHand: level.onHand - units });
    this.writeRole({ ...role, returnedTotal: role.returnedTotal + units });
  }

  /** Units to ask for with the next sync: a retired or frozen member none; one running low its last slice. */
  private refillWant(): number {
    const level = this.stores.levels.read();
    const role = this.membership.role;
    if (role === null || role.retired || role.frozen || level === null) return 0;
    if (this.regional) return refillWant(available(level), this.demand, this.lastGrant, Date.now());
    return available(level) < lowWater(this.lastGrant) ? Math.max(1, this.lastGrant) : 0;
  }

  private report(want: number): MemberReport | null {
    const role = this.membership.role;
    const level = this.stores.levels.read();
    if (role === null || level === null) return null;
    return {
      shard: role.shard,
      totals: memberTotals(level, role.receivedTotal, role.returnedTotal),
      receivedTotal: role.receivedTotal,
      returnedTotal: role.returnedTotal,
      events: this.stores.outbox.eventsAfter(0, REPORT_EVENTS),
      want: role.retired ? 0 : want,
      rate: rateAt(this.demand, Date.now()),
    };
  }

  /** Reports to the parent (its changes, returns) and takes what it grants. One at a time. */
  private sync(want: number): Promise<void> {
    const run = this.syncing.then(() => this.syncOnce(want));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  private async syncOnce(want: number): Promise<void> {
    const { levels, outbox } = this.stores;
    const report = this.storage.transactionSync(() => {
      const level = levels.read();
      // A frozen member gives back whatever frees up (a release, an expiry) as it goes.
      if (this.membership.role?.frozen && level !== null) this.giveBack(level, available(level));
      return this.report(want);
    });
    const level = levels.read();
    if (report === null || level === null) return;
    // The output gate (simulation only): the report's transaction is confirmed before it leaves.
    await this.links.confirmed();
    const answer = await this.links.toParent(level, report.shard, (parent) => parent.poolSync(report));
    if (answer.regional !== undefined) this.regional = answer.regional;
    this.storage.transactionSync(() => {
      const role = this.membership.role as PoolRole;
      const current = levels.read() as Level;
      const granted = answer.grantedTotal - role.receivedTotal;
      if (granted > 0) {
        levels.write({ ...current, onHand: current.onHand + granted });
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
      outbox.deleteThrough(answer.absorbedChanges);
    });
  }
}
