import { poolMember } from "../objects/pool";
import { stockItemName } from "../stock/address";
import type { HoldResult } from "../stock/StockItem";
import { allocationsOf, type Line, type ReservationRecord } from "./lifecycle";
import type { ReservationRecords } from "./records";
import type { StockGateway } from "./stock-gateway";

/**
 * Where one allocation of a placement is held: at its stock item, or at a member of the item's
 * pool (src/stock/pool.ts), chosen by the reservation id so one reservation's lines spread.
 *
 * Protocol, per allocation `i`, at most four calls and never a loop:
 *   1. `hold` at the item (or straight at the planned member, when the item is known pooled);
 *   2. the item answers `pooled`: the member is written to `record.placements[i]` and saved,
 *      then `hold` at that member;
 *   3. the member is short even after asking its parent for more: `hold` with `lastUnits` at
 *      the item itself, so no buyer is refused while units remain anywhere (the placement
 *      then goes back to null: the item holds it);
 *   4. the member is retired (the pool shrank): the placement is cleared and saved, and the
 *      item is asked again.
 * A member is always recorded before it is called, so a crash leaves every object that may
 * hold named in the record, and the placement's void (at the item and the member) is complete.
 */
export class HoldRouting {
  /** Items (by object name) found pooled, with their member count: their lines go to a member at once. */
  private readonly pooledItems = new Map<string, number>();

  constructor(
    private readonly records: ReservationRecords,
    private readonly stock: StockGateway,
  ) {}

  /** The member a line of an item known to be pooled goes to: spread by the reservation id. */
  plannedMember(reservationId: string, line: Line): number | null {
    const shards = this.pooledItems.get(itemKey(line));
    return shards === undefined || shards <= 1 ? null : poolMember(reservationId, shards);
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
    const item = this.stock.at(line);
    const atItemsLastUnits = async () => {
      const answer = await item.hold({ ...request, lastUnits: true });
      // Held at the item itself: that is where it is committed or released (the record of the
      // intent still names the member, whose void is harmless).
      if (answer.ok) placements[i] = null;
      return answer;
    };
    for (let round = 0; round < 2; round++) {
      const member = placements[i];
      if (typeof member !== "number") {
        const answer = await item.hold(request);
        if (answer.ok || answer.reason !== "pooled") return answer;
        this.pooledItems.set(itemKey(line), answer.shards);
        placements[i] = poolMember(record.id, answer.shards);
        this.records.save({ ...record, placements: [...placements] });
        continue;
      }
      const answer = await this.stock.at(line, member).hold({ ...request, member });
      if (answer.ok || answer.reason === "refused") return answer;
      if (answer.reason === "insufficient") return atItemsLastUnits();
      // Retired: the item has fewer members now. Ask the item again (its void is recorded too).
      this.pooledItems.delete(itemKey(line));
      placements[i] = null;
      this.records.save({ ...record, placements: [...placements] });
    }
    return atItemsLastUnits();
  }
}

function itemKey(line: Line): string {
  return stockItemName(line.sku, line.warehouse);
}
