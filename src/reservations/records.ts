import type { SimulatedNetwork } from "../geo/network";
import { isRegion, type Region } from "../regions/regions";
import { compact, forgetAt, isInterrupted, type ReservationRecord } from "./lifecycle";
import { ReservationStore } from "./ReservationStore";

/** How long an interrupted step waits before the alarm re-drives it. */
const REDRIVE_AFTER_MS = 5_000;
/** Records one alarm run looks at; the alarm re-arms at once when more are due. */
export const ALARM_BATCH = 100;

/**
 * The coordinator's records and its one alarm. Every protocol writes through `save`, which
 * stores the record with when the alarm must look at it next (soon for a step a crash may have
 * interrupted, else when its retention ends) and brings the alarm forward when that is earlier
 * than it is set to. So a write of an intent is also the arming of its re-drive: there is no
 * moment at which an intent is stored and nothing will come back to it.
 *
 * It also keeps the coordinator's own region (`ownRegion`): a coordinator of the global pool
 * (address.ts) was created near its first request and never moves, so the region of the first
 * caller that reached it after regions were introduced is recorded once and names where it is
 * (an approximation: an object created before that keeps the place of its real first request).
 *
 * Geo simulation only (`network` not null): a write is confirmed after the simulated commit
 * latency, and, as Cloudflare's output gate does, nothing leaves the object (a stock call, the
 * answer) before the writes made so far are confirmed: `confirmed()`. Writes made together wait
 * one commit. Without the simulation `save` pays one null check.
 */
export class ReservationRecords {
  private readonly store: ReservationStore;
  /** Mirror of the scheduled alarm, so a save arms it only when it must ring earlier. */
  private alarmAt: number | null = null;
  /** Simulation: a write not yet under confirmation, and the confirmation under way. */
  private unconfirmed = false;
  private confirming: Promise<void> = Promise.resolve();
  /** `ownRegion`, once read or recorded. */
  private region: Region | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly network: SimulatedNetwork | null = null,
  ) {
    this.store = new ReservationStore(storage.sql);
  }

  /** Creates the schema and reads the alarm; run under blockConcurrencyWhile before anything is served. */
  async open(): Promise<void> {
    this.store.migrate();
    this.alarmAt = await this.storage.getAlarm();
  }

  load(id: string): ReservationRecord | null {
    return this.store.load(id);
  }

  /** Writes the record with when the alarm must look at it next: soon to re-drive, else to forget. */
  save(record: ReservationRecord): ReservationRecord {
    const dueAt = isInterrupted(record.phase) ? Date.now() + REDRIVE_AFTER_MS : forgetAt(record);
    this.store.save(compact(record), dueAt);
    void this.armAlarm(dueAt, false);
    if (this.network !== null) this.unconfirmed = true;
    return record;
  }

  /** Resolves once every write so far is confirmed (at once without the simulation). */
  confirmed(): Promise<void> {
    if (this.unconfirmed && this.network !== null) {
      this.unconfirmed = false;
      this.confirming = this.network.commit();
    }
    return this.confirming;
  }

  /**
   * The coordinator's own region: the one recorded, else `caller` (recorded now, once), else
   * null (a Worker older than regions called, and none was recorded yet).
   */
  ownRegion(caller: Region | null): Region | null {
    if (this.region !== null) return this.region;
    const known = this.store.fact("region");
    if (isRegion(known)) this.region = known;
    else if (caller !== null) {
      const recorded = this.store.recordFactOnce("region", caller);
      this.region = isRegion(recorded) ? recorded : caller;
      if (this.network !== null) this.unconfirmed = true;
    }
    return this.region;
  }

  delete(id: string): void {
    this.store.delete(id);
  }

  /** Looks at the record again at `dueAt` (a re-drive that could not finish). */
  postpone(id: string, dueAt: number): void {
    this.store.postpone(id, dueAt);
  }

  /** The alarm rang: the ids due by `now`, earliest first, at most ALARM_BATCH. */
  alarmRang(now: number): string[] {
    this.alarmAt = null;
    return this.store.due(now, ALARM_BATCH);
  }

  /** After an alarm run over `looked` records: rings again at once if the batch was full, else at the next due record. */
  async rearm(looked: number): Promise<void> {
    const next = looked === ALARM_BATCH ? Date.now() : this.store.nextDue();
    if (next !== null) await this.armAlarm(next, true);
  }

  /** Sets the alarm only when it must ring earlier than it is set to (or when told to). */
  private async armAlarm(at: number, always: boolean): Promise<void> {
    if (!always && this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.storage.setAlarm(at);
  }
}
