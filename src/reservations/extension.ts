import type { HoldOpResult } from "../stock/StockItem";
import type { ReservationRecord } from "./lifecycle";
import type { ReservationRecords } from "./records";
import type { Settlement } from "./settlement";
import type { StockGateway } from "./stock-gateway";

/**
 * Extension (`POST /v1/reservations/{id}/extend`): moves every allocation's hold to a later
 * expiry, or none.
 *
 * Records `extending` with `extendTo` (the new expiry) before any item is called, then calls
 * `extend` at every holder in parallel. Every one extended: `held` with the new `expiresAt`.
 * One refused (its hold had expired by the item's clock, which decides, as for a commit): the
 * reservation expires as a whole (settlement.ts `expire`: every line released, so no line
 * outlives the others).
 *
 * Crash points: after the intent, some holds may be extended and some not; re-drive
 * (redrive.ts) runs the extension again to the recorded `extendTo`, and extending twice to the
 * same time changes nothing. A holder that cannot be reached leaves the intent for re-drive.
 */
export class Extension {
  constructor(
    private readonly records: ReservationRecords,
    private readonly stock: StockGateway,
    private readonly settlement: Settlement,
  ) {}

  /** Extends `record`'s holds to `until` (epoch ms). */
  async extend(record: ReservationRecord, until: number): Promise<ReservationRecord> {
    const extending = this.records.save({ ...record, phase: "extending", extendTo: until });
    const answers = await this.stock.eachHolder<HoldOpResult>(record, (holder) => holder.extend(record.id, until));
    const { extendTo: _, ...rest } = extending;
    if (answers.every((a) => a.ok)) return this.records.save({ ...rest, phase: "held", expiresAt: until });
    return this.settlement.expire(rest);
  }
}
