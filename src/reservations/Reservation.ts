import { DurableObject } from "cloudflare:workers";
import { stockItem } from "../stock/address";
import type { HoldOpResult } from "../stock/StockItem";
import {
  decide,
  forgetAt,
  isInterrupted,
  type Line,
  type ReservationRecord,
  type ReservationView,
  type Request,
  sameLines,
  type Status,
  statusAt,
  viewAt,
} from "./lifecycle";

/** How long an interrupted step waits before the alarm re-drives it. */
const REDRIVE_AFTER_MS = 5_000;
/** How long to wait again when a re-drive could not reach every stock item. */
const REDRIVE_RETRY_MS = 30_000;

export interface PlaceInput {
  id: string;
  lines: Line[];
  ttlSeconds: number;
}

export interface Shortage {
  sku: string;
  warehouse: string;
  requested: number;
  available: number;
}

export type PlaceResult =
  | { kind: "created"; reservation: ReservationView }
  | { kind: "existing"; reservation: ReservationView }
  | { kind: "idempotency_conflict" }
  | { kind: "insufficient_stock"; shortages: Shortage[] }
  | { kind: "unavailable" };

export type ChangeResult =
  | { kind: "ok"; reservation: ReservationView }
  | { kind: "not_found" }
  | { kind: "invalid_state"; status: Status }
  | { kind: "unavailable" };

/** A stock item could not be reached; the step stays recorded and is re-driven later. */
class StockItemUnreachable extends Error {}

/**
 * Coordinates one reservation (one id) across the stock items of its lines.
 *
 * It records its intent before calling any item and its outcome after the last, calls the
 * items in parallel (one call per line), and is the only writer of its record, with its
 * operations run one at a time. A crash between intent and outcome leaves the intent, which
 * the next call or the alarm re-drives; each item also expires its holds on its own, so no
 * unit stays held past `expiresAt` even if this object never runs again.
 */
export class Reservation extends DurableObject<Env> {
  /** Operations on one reservation run one after another, across their awaits. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS reservation (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)",
      );
    });
  }

  async place(input: PlaceInput): Promise<PlaceResult> {
    return this.serially(async (): Promise<PlaceResult> => {
      const existing = await this.current();
      if (existing !== null && existing.phase !== "rejected") {
        if (!sameLines(existing.lines, input.lines)) return { kind: "idempotency_conflict" };
        const reservation = viewAt(existing, Date.now());
        return reservation === null ? { kind: "unavailable" } : { kind: "existing", reservation };
      }
      const now = Date.now();
      const placing: ReservationRecord = {
        id: input.id,
        attempt: (existing?.attempt ?? 0) + 1,
        phase: "placing",
        lines: input.lines,
        createdAt: now,
        expiresAt: now + input.ttlSeconds * 1000,
      };
      this.save(placing);
      const outcomes = await Promise.allSettled(
        placing.lines.map((line) =>
          stockItem(this.env, line.sku, line.warehouse).hold({
            ...line,
            reservationId: placing.id,
            attempt: placing.attempt,
            expiresAt: placing.expiresAt,
          }),
        ),
      );
      if (outcomes.every((o) => o.status === "fulfilled" && o.value.ok)) {
        const held = this.save({ ...placing, phase: "held" });
        return { kind: "created", reservation: viewAt(held, now) as ReservationView };
      }
      const shortages: Shortage[] = [];
      outcomes.forEach((o, i) => {
        const line = placing.lines[i] as Line;
        if (o.status === "fulfilled" && !o.value.ok && o.value.reason === "insufficient") {
          shortages.push({ sku: line.sku, warehouse: line.warehouse, requested: line.quantity, available: o.value.available });
        }
      });
      // A line that answered "no" holds nothing of this attempt and its call is over, so
      // only lines that held, or whose answer never came, need voiding: a refusal on a sold-out
      // item then costs that item one call, not two.
      const unsettled = placing.lines.filter((_, i) => {
        const o = outcomes[i];
        return o === undefined || o.status === "rejected" || o.value.ok;
      });
      try {
        await this.voidPlacement(placing, unsettled);
      } catch {
        return { kind: "unavailable" };
      }
      return shortages.length > 0 ? { kind: "insufficient_stock", shortages } : { kind: "unavailable" };
    });
  }

  async get(): Promise<ReservationView | null> {
    return this.serially(async () => {
      const record = await this.current();
      return record === null ? null : viewAt(record, Date.now());
    });
  }

  async commit(): Promise<ChangeResult> {
    return this.change("commit");
  }

  async release(): Promise<ChangeResult> {
    return this.change("release");
  }

  /** Re-drives an interrupted step, or forgets a reservation whose retention has passed. */
  override async alarm(): Promise<void> {
    await this.serially(async () => {
      try {
        const record = await this.current();
        if (record === null) return;
        if (Date.now() < forgetAt(record)) {
          await this.ctx.storage.setAlarm(forgetAt(record));
          return;
        }
        this.ctx.storage.sql.exec("DELETE FROM reservation");
      } catch (error) {
        console.error("reservation: re-drive failed; trying again later", error);
        await this.ctx.storage.setAlarm(Date.now() + REDRIVE_RETRY_MS);
      }
    });
  }

  private async change(request: Request): Promise<ChangeResult> {
    return this.serially(async (): Promise<ChangeResult> => {
      let record: ReservationRecord | null;
      try {
        record = await this.current();
      } catch {
        return { kind: "unavailable" };
      }
      const status = record === null ? null : statusAt(record, Date.now());
      if (record === null || status === null) return { kind: "not_found" };
      const decision = decide(status, request);
      if (decision === "invalid_state") return { kind: "invalid_state", status };
      if (decision === "proceed") {
        try {
          record = request === "commit" ? await this.runCommit(record) : await this.runRelease(record);
        } catch {
          return { kind: "unavailable" };
        }
      }
      const after = viewAt(record, Date.now()) as ReservationView;
      return after.status === (request === "commit" ? "committed" : "released")
        ? { kind: "ok", reservation: after }
        : { kind: "invalid_state", status: after.status };
    });
  }

  /**
   * Commits every line or none. One line commits in one call. Several lines are pinned
   * first (a pinned hold cannot expire), then committed; if any line had already expired
   * the whole reservation is expired and every other line is released, so none of its
   * units stays held past that answer (an item's clock may run behind the one that expired).
   * This is what settles the race between a commit and an expiry falling due during it.
   */
  private async runCommit(record: ReservationRecord): Promise<ReservationRecord> {
    this.save({ ...record, phase: "committing" });
    const items = record.lines.map((line) => stockItem(this.env, line.sku, line.warehouse));
    if (items.length > 1) {
      const pins = await settleAll<HoldOpResult>(items.map((item) => item.pin(record.id)));
      if (!pins.every((pin) => pin.ok)) {
        await settleAll<HoldOpResult>(items.map((item) => item.release(record.id)));
        return this.save({ ...record, phase: "expired" });
      }
    }
    const commits = await settleAll<HoldOpResult>(items.map((item) => item.commit(record.id)));
    if (items.length === 1 && !commits[0]?.ok) return this.save({ ...record, phase: "expired" });
    if (!commits.every((c) => c.ok)) throw new StockItemUnreachable("a pinned line did not commit");
    return this.save({ ...record, phase: "committed" });
  }

  /** Release is per line and cannot half fail: a line already expired is as good as released. */
  private async runRelease(record: ReservationRecord): Promise<ReservationRecord> {
    this.save({ ...record, phase: "releasing" });
    await settleAll<HoldOpResult>(
      record.lines.map((line) => stockItem(this.env, line.sku, line.warehouse).release(record.id)),
    );
    return this.save({ ...record, phase: "released" });
  }

  /** Voids the attempt on `lines` (all of them when recovering: what happened is unknown). */
  private async voidPlacement(record: ReservationRecord, lines = record.lines): Promise<ReservationRecord> {
    await settleAll(
      lines.map((line) =>
        stockItem(this.env, line.sku, line.warehouse).voidAttempt(record.id, record.attempt),
      ),
    );
    return this.save({ ...record, phase: "rejected" });
  }

  /** The record, with any step a crash interrupted finished first. */
  private async current(): Promise<ReservationRecord | null> {
    const record = this.load();
    if (record === null || !isInterrupted(record.phase)) return record;
    switch (record.phase) {
      case "placing":
        return this.voidPlacement(record);
      case "committing":
        return this.runCommit(record);
      default:
        return this.runRelease(record);
    }
  }

  private load(): ReservationRecord | null {
    const row = this.ctx.storage.sql
      .exec<{ record: string }>("SELECT record FROM reservation WHERE id = 1")
      .toArray()[0];
    return row === undefined ? null : (JSON.parse(row.record) as ReservationRecord);
  }

  /** Writes the record and arms the alarm: soon to re-drive an unfinished step, else to forget the record. */
  private save(record: ReservationRecord): ReservationRecord {
    this.ctx.storage.sql.exec(
      "INSERT INTO reservation (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
      JSON.stringify(record),
    );
    void this.ctx.storage.setAlarm(isInterrupted(record.phase) ? Date.now() + REDRIVE_AFTER_MS : forgetAt(record));
    return record;
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Waits for every call (none is left in flight), then fails if any could not be made. */
async function settleAll<T>(calls: PromiseLike<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(calls);
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed !== undefined) throw new StockItemUnreachable(String(failed.reason));
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
