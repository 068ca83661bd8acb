import type { StockEvent } from "../events/event";
import type { MemberTotals } from "./pool";

/**
 * What a pooled item (src/stock/pool.ts) keeps, and what its parent and members tell each
 * other. A parent has `pool` and one `pool_members` row per member it ever had; a member has
 * `pool_role`. Both sides write these inside the transaction of the change that moves them.
 */
export class PoolStore {
  constructor(private readonly sql: SqlStorage) {}

  readPool(): PoolState | null {
    const row = this.sql.exec<{ shards: number; unallocated: number }>("SELECT shards, unallocated FROM pool WHERE id = 1").toArray()[0];
    return row === undefined ? null : { shards: row.shards, unallocated: row.unallocated };
  }

  writePool(pool: PoolState): void {
    this.sql.exec(
      "INSERT INTO pool (id, shards, unallocated) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET shards = excluded.shards, unallocated = excluded.unallocated",
      pool.shards,
      pool.unallocated,
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
      }>("SELECT * FROM pool_members ORDER BY shard")
      .toArray()
      .map((row) => ({
        shard: row.shard,
        grantedTotal: row.granted_total,
        returnedSeen: row.returned_seen,
        absorbed: { changes: row.absorbed_changes, onHandDelta: row.absorbed_on_hand, reserved: row.absorbed_reserved },
      }));
  }

  writeMember(member: PoolMember): void {
    this.sql.exec(
      `INSERT INTO pool_members (shard, granted_total, returned_seen, absorbed_changes, absorbed_on_hand, absorbed_reserved)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (shard) DO UPDATE SET granted_total = excluded.granted_total, returned_seen = excluded.returned_seen,
         absorbed_changes = excluded.absorbed_changes, absorbed_on_hand = excluded.absorbed_on_hand,
         absorbed_reserved = excluded.absorbed_reserved`,
      member.shard,
      member.grantedTotal,
      member.returnedSeen,
      member.absorbed.changes,
      member.absorbed.onHandDelta,
      member.absorbed.reserved,
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
}

/** The parent's view of one member. */
export interface PoolMember {
  shard: number;
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
