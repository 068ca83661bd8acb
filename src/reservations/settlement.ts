import type { HoldOpResult } from "../stock/StockItem";
import { allocationsOf, type ReservationRecord } from "./lifecycle";
import type { ReservationRecords } from "./records";
import { type StockGateway, StockItemUnreachable } from "./stock-gateway";

/**
 * Settlement: how a held reservation ends. Commit (every line or none), release, and expiry as a
 * whole (every line released together, so no line outlives the others). Each step is written as
 * an intent (`committing`, `releasing`) before the first item is called and replaced by its
 * outcome after the last; every item answers `pin`, `commit` and `release` idempotently, so a
 * re-drive after a crash (redrive.ts) simply runs the step again from the start.
 *
 * Commit, recorded `committing`, then:
 *   - one line: `commit` at its holder; refused (its hold expired by the item's clock): `expired`;
 *   - several: `pin` at every holder (a pinned hold cannot expire), then `commit` at every one;
 *     a pin refused means a line already expired, so every line is released and the
 *     reservation is `expired`: that settles the race between a commit and an expiry falling
 *     due during it, and none of its units stays held past that answer (an item's clock may
 *     run behind the one that expired);
 *   then `committed`. A holder that cannot be reached throws: the record stays `committing`
 *   and is re-driven; a pinned line that does not commit is the same (pins hold until then).
 *
 * Release, recorded `releasing`, then `release` at every holder, then `released`. It cannot half
 * fail: a line already expired is as good as released.
 */
export class Settlement {
  constructor(
    private readonly records: ReservationRecords,
    private readonly stock: StockGateway,
  ) {}

  async commit(record: ReservationRecord): Promise<ReservationRecord> {
    this.records.save({ ...record, phase: "committing" });
    const actor = record.actor ?? null;
    const lines = allocationsOf(record).length;
    if (lines > 1) {
      const pins = await this.stock.eachHolder<HoldOpResult>(record, (holder) => holder.pin(record.id));
      if (!pins.every((pin) => pin.ok)) return this.expire(record);
    }
    const commits = await this.stock.eachHolder<HoldOpResult>(record, (holder) => holder.commit(record.id, actor));
    if (lines === 1 && !commits[0]?.ok) return this.records.save({ ...record, phase: "expired" });
    if (!commits.every((c) => c.ok)) throw new StockItemUnreachable("a pinned line did not commit");
    return this.records.save({ ...record, phase: "committed" });
  }

  async release(record: ReservationRecord): Promise<ReservationRecord> {
    this.records.save({ ...record, phase: "releasing" });
    await this.stock.eachHolder<HoldOpResult>(record, (holder) => holder.release(record.id, record.actor ?? null));
    return this.records.save({ ...record, phase: "released" });
  }

  /**
   * Ends the reservation as expired, as a whole: every line's hold is released, then `record` is
   * saved `expired`. Called by a step that found one line's hold expired (a commit's pin, an
   * extension, a line change's growth); the caller's intent is still recorded until then, so a
   * crash re-drives that step, which expires it again.
   */
  async expire(record: ReservationRecord): Promise<ReservationRecord> {
    await this.stock.eachHolder<HoldOpResult>(record, (holder) => holder.release(record.id, record.actor ?? null));
    return this.records.save({ ...record, phase: "expired" });
  }
}
