import { legacyReservation } from "./address";
import { forgetAt, type ReservationRecord } from "./lifecycle";
import type { ReservationRecords } from "./records";

/** What the legacy look-up needs: the v0.1 namespace and the operator's cut-off. */
export type LegacyBindings = Pick<Env, "RESERVATION" | "LEGACY_RESERVATIONS_UNTIL">;

/**
 * Legacy look-up: where else a record of this coordinator's ids may still be kept, and how it
 * moves here. Today that is the per-id object of v0.1 (LegacyReservation.ts), which no longer
 * coordinates anything and only hands its one record over.
 *
 * Two ways a record arrives, both saving it here before the old copy is deleted:
 *   - pull (`takeOver`): a request for an id this coordinator does not know calls `handOver` on
 *     the v0.1 object, saves what it answers, then calls `forget` there. A crash in between
 *     leaves two copies, of which this one wins;
 *   - push (`adopt`): the v0.1 object's own alarm sends its record. A record already here is
 *     newer than any copy the old object kept, and one whose retention has passed stays forgotten.
 * Asking creates no storage at the old object (it checks for its v0.1 table first).
 */
export class LegacyLookup {
  constructor(
    private readonly env: LegacyBindings,
    private readonly records: ReservationRecords,
  ) {}

  /** Moves the v0.1 record of `id` here, if there is one still within its retention. */
  async takeOver(id: string): Promise<ReservationRecord | null> {
    const legacy = legacyReservation(this.env, id);
    const record = await legacy.handOver();
    if (record === null || Date.now() >= forgetAt(record)) return null;
    this.records.save(record);
    await legacy.forget();
    return record;
  }

  /** Takes a record pushed by a v0.1 object (run serially per id by the caller). */
  adopt(record: ReservationRecord): void {
    if (this.records.load(record.id) !== null || Date.now() >= forgetAt(record)) return;
    this.records.save(record);
  }

  /**
   * Placements ask the v0.1 objects only while `LEGACY_RESERVATIONS_UNTIL` (set by an operator
   * upgrading a deployment that ran v0.1) lies ahead: asking costs a call to a per-id object,
   * exactly what pooling saves, and is needed only so an id placed before the upgrade and
   * repeated after it is still recognised. Reads, commits and releases always ask, which costs
   * something only for an id this pool does not know.
   */
  placementsAsk(): boolean {
    const until = Date.parse(this.env.LEGACY_RESERVATIONS_UNTIL ?? "");
    return Number.isFinite(until) && Date.now() < until;
  }
}
