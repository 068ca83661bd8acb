import type { StockEvent } from "../events/event";
import { isRegion, type Region } from "../regions/regions";
import type { MemberTotals } from "./pool";
import { type MemberPlace, plainLayout } from "./pool-demand";

/**
 * What a pooled item (src/stock/pool.ts) keeps, and what its parent and members tell each
 * other. A parent has `pool` and one `pool_members` row per member it ever had; a member has
 * `pool_role`. Both sides write these inside the transaction of the change that moves them.
 */
export class PoolStore {
  constructor(private readonly sql: SqlStorage) {}

  readPool(): PoolState | null {
    const row = this.sql
      .exec<{ shards: number; unallocated: number; regions: string | null; layout: string | null }>(
        "SELECT shards, unallocated, regions, layout FROM pool WHERE id = 1",
      )
      .toArray()[0];
    if (row === undefined) return null;
    return {
      shards: row.shards,
      unallocated: row.unallocated,
      regions: row.regions === null ? null : (JSON.parse(row.regions) as unknown[]).filter(isRegion),
      layout: row.layout === null ? null : (JSON.parse(row.layout) as MemberPlace[]),
    };
  }

  writePool(pool: PoolState): void {
    this.sql.exec(
      `INSERT INTO pool (id, shards, unallocated, regions, layout) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET shards = excluded.shards, unallocated = excluded.unallocated,
         regions = excluded.regions, layout = excluded.layout`,
      pool.shards,
      pool.unallocated,
      pool.regions === null ? null : JSON.stringify(pool.regions),
      pool.layout === null ? null : JSON.stringify(pool.layout),
    );
  }

  readMembers(): PoolMember[] {
    return this.sql
      .exec<{
        shard: number;
        granted_total: number;
        returned_seen: number;
        absorbed_changes: number;
        absorbed_on_hand: number;
        absorbed_reserved: number;
        region: string | null;
      }>("SELECT * FROM pool_members ORDER BY shard")
      .toArray()
      .map((row) => ({
        shard: row.shard,
        region: isRegion(row.region) ? row.region : null,
        grantedTotal: row.granted_total,
        returnedSeen: row.returned_seen,
        absorbed: { changes: row.absorbed_changes, onHandDelta: row.absorbed_on_hand, reserved: row.absorbed_reserved },
      }));
  }

  writeMember(member: PoolMember): void {
    this.sql.exec(
      `INSERT INTO pool_members (shard, granted_total, returned_seen, absorbed_changes, absorbed_on_hand, absorbed_reserved, region)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (shard) DO UPDATE SET granted_total = excluded.granted_total, returned_seen = excluded.returned_seen,
         absorbed_changes = excluded.absorbed_changes, absorbed_on_hand = excluded.absorbed_on_hand,
         absorbed_reserved = excluded.absorbed_reserved, region = excluded.region`,
      member.shard,
      member.grantedTotal,
      member.returnedSeen,
      member.absorbed.changes,
      member.absorbed.onHandDelta,
      member.absorbed.reserved,
      member.region,
    );
  }

  readRole(): PoolRole | null {
    const row = this.sql
      .exec<{ shard: number; received_total: number; returned_total: number; retired: number; frozen: number }>(
        "SELECT * FROM pool_role WHERE id = 1",
      )
      .toArray()[0];
    return row === undefined
      ? null
      : {
          shard: row.shard,
          receivedTotal: row.received_total,
          returnedTotal: row.returned_total,
          retired: row.retired === 1,
          frozen: row.frozen === 1,
        };
  }

  writeRole(role: PoolRole): void {
    this.sql.exec(
      `INSERT INTO pool_role (id, shard, received_total, returned_total, retired, frozen) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET received_total = excluded.received_total, returned_total = excluded.returned_total,
         retired = excluded.retired, frozen = excluded.frozen`,
      role.shard,
      role.receivedTotal,
      role.returnedTotal,
      role.retired ? 1 : 0,
      role.frozen ? 1 : 0,
    );
  }
}

/**
 * Which side of a pool this object is on, kept in memory (read from storage when the object
 * starts): every protocol of the item asks it, so it is one object they share.
 */
export interface Membership {
  /** This item is pooled: it has ever had `shards` > 1. */
  pooled: boolean;
  /** Set when this object is a member of a pooled item rather than an item. */
  role: PoolRole | null;
}

export interface PoolState {
  shards: number;
  unallocated: number;
  /** The regions the item's members are spread over (contract v1.2), or null. */
  regions: Region[] | null;
  /** The active members and their regions (src/stock/pool-demand.ts); null: 0..shards-1, as in v1.1. */
  layout: MemberPlace[] | null;
}

/** The active members of a pool: its layout, or v1.1's 0..shards-1. */
export function activeMembers(pool: PoolState): MemberPlace[] {
  return pool.layout ?? plainLayout(pool.shards);
}

/** The parent's view of one member. */
export interface PoolMember {
  shard: number;
  /** Where it was placed (null: no regions when it was made). */
  region: Region | null;
  grantedTotal: number;
  returnedSeen: number;
  /** The member's totals as of the last of its changes the parent absorbed. */
  absorbed: MemberTotals;
}

/** A member's own record of its place in the pool. */
export interface PoolRole {
  shard: number;
  receivedTotal: number;
  returnedTotal: number;
  /** No longer among the item's `shards`: gets no grant, so it stays frozen. */
  retired: boolean;
  /**
   * The parent reclaimed its free units (the item ran short, was counted, or this member
   * retired): it takes no new hold and gives back whatever frees up until the parent grants it
   * units again. Without this a unit freed here after a count had left the parent in debt
   * could be sold twice.
   */
  frozen: boolean;
}

/** What a member tells its parent: its changes since the last it heard absorbed, and its totals. */
export interface MemberReport {
  shard: number;
  totals: MemberTotals;
  receivedTotal: number;
  returnedTotal: number;
  events: StockEvent[];
  /** Units it would like granted (0: none). */
  want: number;
  /** Its recent sales, units per second (src/stock/pool-demand.ts); absent from a v1.1 member. */
  rate?: number;
}

export interface SyncAnswer {
  grantedTotal: number;
  /** The member's changes absorbed so far: its events up to this seq may go. */
  absorbedChanges: number;
  retired: boolean;
  /** The item has regions: the member sizes its refills by its demand (absent from a v1.1 parent). */
  regional?: boolean;
}

export interface ShardView {
  shard: number;
  /** Where the member lives (null: the item has no regions). */
  region: Region | null;
  allocated: number;
  reserved: number;
  available: number;
  requests: number;
}
