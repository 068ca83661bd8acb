import { DurableObject } from "cloudflare:workers";
import { coordinatorFor } from "./address";
import type { ReservationRecord } from "./lifecycle";

/**
 * The per-id coordinator of v0.1 (class `Reservation`, one object per reservation id),
 * kept so that reservations placed before the upgrade to pooled coordinators keep working.
 * It no longer coordinates anything: it hands its one record to the pooled coordinator of
 * its id (src/reservations/legacy.ts), which re-drives, commits, releases
 * and forgets it from then on.
 *
 * Records reach the pool two ways: a request for the id pulls the record (`handOver`, then
 * `forget`), and this object's own alarm, which v0.1 armed to re-drive or forget the record,
 * pushes it (`adopt`). Either way the pool saves it before this copy is deleted.
 *
 * It must never create storage: most ids it is asked about never had a v0.1 object, and
 * asking must leave nothing behind.
 */
export class Reservation extends DurableObject<Env> {
  handOver(): ReservationRecord | null {
    return this.hasV01Table() ? this.load() : null;
  }

  async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    const record = this.hasV01Table() ? this.load() : null;
    if (record !== null) await coordinatorFor(this.env, record.id).adopt(record);
    await this.forget();
  }

  private hasV01Table(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reservation'").toArray().length > 0;
  }

  /** v0.1 layout: `reservation (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)`. */
  private load(): ReservationRecord | null {
    const row = this.ctx.storage.sql.exec<{ record: string }>("SELECT record FROM reservation WHERE id = 1").toArray()[0];
    return row === undefined ? null : (JSON.parse(row.record) as ReservationRecord);
  }
}
