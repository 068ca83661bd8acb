import type { Extension } from "./extension";
import type { LegacyLookup } from "./legacy";
import { forgetAt, isInterrupted, type ReservationRecord } from "./lifecycle";
import type { LineChanges } from "./line-changes";
import type { Placement } from "./placement";
import type { ReservationRecords } from "./records";
import type { Settlement } from "./settlement";

/** How long to wait again when a re-drive could not reach every stock item. */
const REDRIVE_RETRY_MS = 30_000;

/**
 * Re-drive: how a step a crash interrupted is finished. Every protocol records its intent
 * (`placing`, `committing`, `releasing`, `extending`, `changing`) before its first item call
 * and its outcome after the last, and the coordinator runs one operation per id at a time; so
 * finding an intent with no operation in flight on that id means the object stopped midway.
 *
 * `current` finishes such a step before anything else reads the record (every RPC reads
 * through it), by running the step again from the start, which every item answers
 * idempotently:
 *   placing   → void attempt n at every object that may hold it, then `rejected` (placement.ts);
 *   committing, releasing → commit or release again (settlement.ts);
 *   extending → extend again to the recorded `extendTo` (extension.ts);
 *   changing  → undecided: decide `old` and revert; decided: carry out the decision (line-changes.ts).
 *
 * The alarm (`tend`) comes back to every record when it falls due (records.ts: 5 s after an
 * intent is written, else at the end of its retention): it finishes what is interrupted,
 * forgets what is past retention, and sets the rest due at its forgetting. A re-drive that
 * cannot reach an item leaves the intent as it is and looks again 30 s later; a crash during
 * a re-drive leaves the intent too, so the next look does the same again.
 */
export class Redrive {
  constructor(
    private readonly records: ReservationRecords,
    private readonly legacy: LegacyLookup,
    private readonly steps: { placement: Placement; settlement: Settlement; extension: Extension; lineChanges: LineChanges },
  ) {}

  /**
   * The record of `id`, with any step a crash interrupted finished first. When this coordinator
   * has none and `askLegacy` holds, a record a v0.1 per-id object still keeps is taken over.
   * Throws when an item the unfinished step needs cannot be reached.
   */
  async current(id: string, askLegacy: boolean): Promise<ReservationRecord | null> {
    let record = this.records.load(id);
    if (record === null && askLegacy) record = await this.legacy.takeOver(id);
    if (record === null || !isInterrupted(record.phase)) return record;
    const { placement, settlement, extension, lineChanges } = this.steps;
    switch (record.phase) {
      case "placing":
        return placement.void(record);
      case "committing":
        return settlement.commit(record);
      case "extending":
        return extension.extend(record, record.extendTo ?? record.expiresAt);
      case "changing":
        return lineChanges.finish(record);
      default:
        return settlement.release(record);
    }
  }

  /** The alarm's look at one due record (run serially per id by the caller). */
  async tend(id: string, now: number): Promise<void> {
    try {
      // `current` finishes an interrupted step, so what is left is due only at its forgetting.
      const record = await this.current(id, false);
      if (record === null) return;
      if (now >= forgetAt(record)) this.records.delete(id);
      else this.records.postpone(id, forgetAt(record));
    } catch (error) {
      console.error(`reservation ${id}: re-drive failed; trying again later`, error);
      this.records.postpone(id, Date.now() + REDRIVE_RETRY_MS);
    }
  }
}
