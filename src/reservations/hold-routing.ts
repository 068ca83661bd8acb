import { nearestFirst } from "../geo/round-trips";
import { poolMember } from "../objects/pool";
import type { Region } from "../regions/regions";
import { stockItemName } from "../stock/address";
import { type MemberPlace, membersFor } from "../stock/pool-demand";
import type { HoldResult } from "../stock/StockItem";
import { allocationsOf, type Line, type ReservationRecord } from "./lifecycle";
import type { ReservationRecords } from "./records";
import type { StockGateway } from "./stock-gateway";

/**
 * Where one allocation of a placement is held: at its stock item, or at a member of the item's
 * pool (src/stock/pool.ts), chosen by the reservation id so one reservation's lines spread, and,
 * for a regional pool (src/stock/pool-demand.ts), by the buyer's region: a member of the buyer's
 * own region if it is listed, else of the nearest listed region (`nearestFirst`).
 *
 * Protocol, per allocation `i`, bounded (never a loop):
 *   1. `hold` at the item (or straight at the planned member, when the item is known pooled);
 *   2. the item answers `pooled` (with its regional layout, if any): the member is written to
 *      `record.placements[i]` and saved, then `hold` at that member;
 *   3. a regional pool's member is short even after asking its parent for more, or cannot be
 *      reached: the next listed region's member, nearest first, each recorded before it is
 *      called (one per region, at most nine);
 *   4. every candidate short: `hold` with `lastUnits` at the item itself, which reclaims what
 *      members do not hold, so no buyer is refused while units remain anywhere (the placement
 *      then goes back to null: the item holds it);
 *   5. the member is retired (the pool shrank, or its region changed): the placement is cleared
 *      and saved, and the item is asked again (once).
 * A member is always recorded before it is called, so a crash leaves every object that may
 * hold named in the record, and the placement's void (at the item and the member) is complete.
 * One exception, written down: a member that could not be reached may still have held (the
 * call arrived, the answer was lost). The detour records the next member in its place and asks
 * the unreachable one to void the attempt, best effort; if it cannot hear that either, its hold
 * ends at the reservation's expiry. Units are held twice for that while, never sold twice.
 * A v1.1 pool (no regions) has one candidate and behaves as before: an unreachable member fails
 * the placement (re-driven), a short one goes to the item's last units.
 */
export class HoldRouting {
  /** Items (by object name) found pooled, with their layout: their lines go to a member at once. */
  private readonly pooledItems = new Map<string, PoolShape>();

  constructor(
    private readonly records: ReservationRecords,
    private readonly stock: StockGateway,
  ) {}

  /** The member a line of an item known to be pooled goes to first: by the buyer's region, spread by the reservation id. */
  plannedMember(reservationId: string, line: Line): number | null {
    const shape = this.pooledItems.get(itemKey(line));
    if (shape === undefined || (shape.members === undefined && shape.shards <= 1)) return null;
    return memberChoices(reservationId, shape, this.buyer(reservationId))[0] ?? null;
  }

  /** Holds allocation `i` of `record`, keeping `keep` units free at the item (a channel's safety stock). */
  async hold(record: ReservationRecord, i: number, keep: number): Promise<HoldResult> {
    const line = allocationsOf(record)[i] as Line;
    const placements = record.placements as (number | null)[];
    const request = {
      ...line,
      reservationId: record.id,
      attempt: record.attempt,
      expiresAt: record.expiresAt,
      actor: record.actor ?? null,
      ...(keep > 0 ? { keep } : {}),
    };
    const item = this.stock.at(line, null, record.id);
    const place = (member: number | null) => {
      placements[i] = member;
      this.records.save({ ...record, placements: [...placements] });
    };
    const atItemsLastUnits = async () => {
      const answer = await item.hold({ ...request, lastUnits: true });
      // Held at the item itself: that is where it is committed or released (the record of the
      // intent still names the member, whose void is harmless).
      if (answer.ok) placements[i] = null;
      return answer;
    };
    for (let round = 0; round < 2; round++) {
      if (typeof placements[i] !== "number") {
        const answer = await item.hold(request);
        if (answer.ok || answer.reason !== "pooled") return answer;
        const shape: PoolShape = { shards: answer.shards, ...(answer.members === undefined ? {} : { members: answer.members }) };
        this.pooledItems.set(itemKey(line), shape);
        place(memberChoices(record.id, shape, this.buyer(record.id))[0] ?? null);
        if (typeof placements[i] !== "number") return atItemsLastUnits();
      }
      const first = placements[i] as number;
      const shape = this.pooledItems.get(itemKey(line));
      // The planned member first, then (regional pools only) one of each other listed region, nearest first.
      const others = shape?.members === undefined ? [] : memberChoices(record.id, shape, this.buyer(record.id));
      const candidates = [first, ...others.filter((m) => m !== first)];
      let retired = false;
      for (const [n, member] of candidates.entries()) {
        if (n > 0) place(member);
        let answer: HoldResult;
        try {
          answer = await this.stock.at(line, member, record.id).hold({ ...request, member });
        } catch (error) {
          // Only a regional pool detours; v1.1's one member fails the placement, as before.
          if (candidates.length === 1) throw error;
          this.stock
            .at(line, member)
            .voidAttempt(record.id, record.attempt, record.actor ?? null)
            .catch(() => undefined);
          continue;
        }
        if (answer.ok || answer.reason === "refused") return answer;
        if (answer.reason === "retired") {
          retired = true;
          break;
        }
      }
      if (!retired) return atItemsLastUnits();
      // Retired: the item has other members now. Ask the item again (its void is recorded too).
      this.pooledItems.delete(itemKey(line));
      place(null);
    }
    return atItemsLastUnits();
  }

  /** The buyer's region, as the coordinator's open operation says (null: unknown). */
  private buyer(reservationId: string): Region | null {
    return this.stock.operation(reservationId)?.caller ?? null;
  }
}

/** What a `pooled` answer says of an item's members. */
interface PoolShape {
  shards: number;
  /** A regional pool's layout; absent: members 0..shards-1. */
  members?: MemberPlace[];
}

/**
 * The members to try for a line of reservation `id` bought from `buyer`, best first. A v1.1 pool:
 * one, by the id. A regional pool: a member of each listed region, nearest region first, each
 * picked among its region's members by the id.
 */
export function memberChoices(id: string, shape: PoolShape, buyer: Region | null): number[] {
  if (shape.members === undefined) return [poolMember(id, shape.shards)];
  return membersFor(shape.members, buyer, (count) => poolMember(id, count), nearestFirst);
}

function itemKey(line: Line): string {
  return stockItemName(line.sku, line.warehouse);
}
