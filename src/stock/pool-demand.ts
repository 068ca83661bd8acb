import type { Region } from "../regions/regions";

/**
 * Regional pools (contract "Regions (v1.2)"): where a pooled item's members live, and how much
 * stock each should hold so that a region's buyers find it there. Pure arithmetic beside
 * src/stock/pool.ts; no runtime imports.
 *
 * Layout. An item with `regions` R (n of them) and `shards` s has s active members; the j-th
 * active member lives in region R[j mod n]. Member numbers are never reused for another region:
 * when `regions` change, a member whose region changes retires (keeps its holds until they end,
 * gives back what it does not hold) and a fresh number takes its place in the new region, so a
 * reservation that names member k keeps naming the object that holds its units.
 *
 * Demand. Each member keeps an exponentially weighted rate of the units it sold (held) per
 * second, with time constant DEMAND_TAU_S. It aims to hold HORIZON_S seconds of that demand
 * (never less than MIN_SLICE, nor its last slice), asks for a refill when its free units fall
 * below half of that (so the slice arrives, one round trip to the parent later, before the buyers
 * who need it), and, asked to trim, gives back what it holds beyond its demand's aim. A selling
 * region is thus refilled ahead of need, and an idle region's slice (nothing once idle) flows
 * back to where it sells.
 *
 * The parent grants by cumulative totals (src/stock/pool.ts): it never grants more than is
 * unallocated, and a grant is sized by the asking member's share of the whole pool's demand.
 */

/** How quickly a member forgets past sales (seconds): a sale 30 s old counts e⁻¹ of a new one. */
export const DEMAND_TAU_S = 30;
/** A member aims to hold this many seconds of its region's demand. */
export const HORIZON_S = 10;
/** The smallest slice a selling member aims for, so a slow region still holds a few units. */
export const MIN_SLICE = 4;
/** A member that sold nothing for this long (seconds) is idle: asked to trim, it keeps nothing free. */
export const IDLE_AFTER_S = 60;

/** A member's recent sales: units per second as of `at` (epoch ms). */
export interface Demand {
  rate: number;
  at: number;
  /** When it last sold (epoch ms; 0: never). */
  lastSaleAt: number;
}

export const NO_DEMAND: Demand = { rate: 0, at: 0, lastSaleAt: 0 };

/** The rate as of `now`: decayed since it was last updated. */
export function rateAt(demand: Demand, now: number): number {
  if (demand.rate <= 0) return 0;
  const dt = Math.max(0, now - demand.at) / 1000;
  return demand.rate * Math.exp(-dt / DEMAND_TAU_S);
}

/** After a sale of `units` at `now`: the decayed rate plus the sale spread over the time constant. */
export function recordSale(demand: Demand, units: number, now: number): Demand {
  return { rate: rateAt(demand, now) + Math.max(0, units) / DEMAND_TAU_S, at: now, lastSaleAt: now };
}

/** The units a member aims to hold free: HORIZON_S of its demand, at least MIN_SLICE while it sells. */
export function aim(demand: Demand, now: number): number {
  if (idle(demand, now)) return 0;
  return Math.max(MIN_SLICE, Math.ceil(rateAt(demand, now) * HORIZON_S));
}

export function idle(demand: Demand, now: number): boolean {
  return demand.lastSaleAt === 0 || now - demand.lastSaleAt > IDLE_AFTER_S * 1000;
}

/**
 * Units to ask the parent for with the next sync: none while at least half of the target is free
 * (the refill point, so the refill arrives ahead of the buyers), else enough to be back at the
 * target: its demand's aim, or its last slice if larger (a member whose demand is not measured
 * yet refills as v1.1 did).
 */
export function refillWant(free: number, demand: Demand, lastGrant: number, now: number): number {
  const target = Math.max(aim(demand, now), lastGrant);
  if (target <= 0) return 0;
  const refillPoint = Math.ceil(target / 2);
  return free < refillPoint ? Math.max(1, target - free) : 0;
}

/** Asked to trim (others ran dry): the free units a member gives back, keeping its aim. */
export function excess(free: number, demand: Demand, now: number): number {
  return Math.max(0, free - aim(demand, now));
}

/**
 * A grant to a member that wants `want` (src/stock/pool.ts `grantFor` with demand): at least
 * what it wants when there is that much, up to its share of the whole pool's demand of what is
 * left (half of it, so the last units spread), never more than is unallocated. `share` is the
 * member's part of the pool's rate (0..1); with no demand measured anywhere, 1/shards.
 */
export function grantByDemand(unallocated: number, want: number, share: number): number {
  if (unallocated <= 0 || want <= 0) return 0;
  const portion = Math.ceil((unallocated * Math.min(1, Math.max(0, share))) / 2);
  return Math.min(unallocated, Math.max(want, portion));
}

/** A member's part of the pool's demand, from the rates members last reported. */
export function demandShare(rates: readonly number[], own: number, members: number): number {
  const total = rates.reduce((sum, r) => sum + Math.max(0, r), 0);
  if (total <= 0) return 1 / Math.max(1, members);
  return Math.max(0, own) / total;
}

// ── Layout ──

/** One active member of a regional pool: its number and where it lives (null: no regions). */
export interface MemberPlace {
  shard: number;
  region: Region | null;
}

/**
 * The active members after setting `shards` and `regions`, given the current layout (`null`:
 * numbered 0..shards-1 as in v1.1, never laid out by region) and the highest member number ever
 * used. Kept: a member whose region is still wanted (in its slot if it can). New: a fresh
 * number, for a region no current member serves. An item that never had
 * regions keeps v1.1's numbering (`null` back).
 */
export function layoutFor(
  current: readonly MemberPlace[] | null,
  currentShards: number,
  shards: number,
  regions: readonly Region[] | null,
  highest: number,
): MemberPlace[] | null {
  if (current === null && regions === null) return null;
  const slots = current ?? plainLayout(currentShards);
  let next = Math.max(highest, ...slots.map((m) => m.shard)) + 1;
  const wanted = Array.from({ length: shards }, (_, j) => (regions === null ? null : (regions[j % regions.length] as Region)));
  const out: (MemberPlace | undefined)[] = wanted.map(() => undefined);
  const used = new Set<number>();
  // A member keeps its slot when its region stays there; else any slot wanting its region takes it.
  wanted.forEach((region, j) => {
    const same = slots[j];
    if (same !== undefined && same.region === region) {
      out[j] = same;
      used.add(same.shard);
    }
  });
  wanted.forEach((region, j) => {
    if (out[j] !== undefined) return;
    const moved = slots.find((m) => m.region === region && !used.has(m.shard));
    if (moved !== undefined) used.add(moved.shard);
    out[j] = moved ?? { shard: next++, region };
  });
  return out as MemberPlace[];
}

/** The layout of an item whose members were numbered 0..shards-1 (v1.1, or before regions). */
export function plainLayout(shards: number): MemberPlace[] {
  return Array.from({ length: shards }, (_, k) => ({ shard: k, region: null }));
}

/**
 * Members to try for a buyer in `buyer`, best first: its own region's members (one picked by
 * `pick` among them, so one region's buyers spread), then one of each other listed region,
 * nearest first (`nearest` orders regions by round trip). Without regions: the picked member.
 * A buyer of unknown region (null) starts at the member `pick` chooses among all.
 */
export function membersFor(
  layout: readonly MemberPlace[],
  buyer: Region | null,
  pick: (count: number) => number,
  nearest: (from: Region, candidates: readonly Region[]) => Region[],
): number[] {
  if (layout.length === 0) return [];
  const listed = [...new Set(layout.flatMap((m) => (m.region === null ? [] : [m.region])))];
  const picked = layout[pick(layout.length)] as MemberPlace;
  if (listed.length === 0) return [picked.shard];
  // A buyer of unknown region starts at the member its id picks, then the other regions as listed.
  const order = buyer === null ? [picked.region as Region, ...listed.filter((r) => r !== picked.region)] : nearest(buyer, listed);
  return order.map((region) => {
    const here = layout.filter((m) => m.region === region);
    return (here[pick(here.length)] as MemberPlace).shard;
  });
}
