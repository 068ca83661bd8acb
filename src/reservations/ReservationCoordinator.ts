import { DurableObject } from "cloudflare:workers";
import { poolMember } from "../objects/pool";
import { stockItem, stockItemName, stockPoolMember } from "../stock/address";
import { available } from "../stock/ledger";
import type { HoldOpResult, HoldResult } from "../stock/StockItem";
import { legacyReservation } from "./address";
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
import { ReservationStore } from "./ReservationStore";

/** How long an interrupted step waits before the alarm re-drives it. */
const REDRIVE_AFTER_MS = 5_000;
/** How long to wait again when a re-drive could not reach every stock item. */
const REDRIVE_RETRY_MS = 30_000;
/** Records one alarm run looks at; the alarm re-arms at once when more are due. */
const ALARM_BATCH = 100;
/** Items remembered as short of stock (see `shortItems`); the oldest is forgotten past this. */
const SHORT_ITEMS_REMEMBERED = 10_000;

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
 * Coordinates reservations across the stock items of their lines. One of a fixed pool
 * (src/reservations/address.ts): it keeps the records of every id that hashes to it.
 *
 * For each reservation it records its intent before calling any item and its outcome after
 * the last, calls the items in parallel (one call per line), and is the only writer of the
 * record; operations on one id run one at a time, operations on different ids interleave.
 * A crash between intent and outcome leaves the intent, which the next call on that id or
 * the alarm re-drives; each item also expires its holds on its own, so no unit stays held
 * past `expiresAt` even if this object never runs again.
 */
export class ReservationCoordinator extends DurableObject<Env> {
  private readonly store: ReservationStore;
  /** The tail of each id's queue of operations, dropped when it drains. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Mirror of the scheduled alarm, so a save arms it only when it must ring earlier. */
  private alarmAt: number | null = null;
  /**
   * Items (by object name) whose last hold from here was refused for lack of stock. A
   * placement touching one reads its lines first and, if one is still short, is refused
   * without recording anything: after a sell-out a refusal costs one read per line and no
   * write. The read is exact, so the hint can be stale without harm: an item with stock
   * again is read once more, then held as usual and forgotten here.
   */
  private readonly shortItems = new Set<string>();
  /** Items (by object name) found pooled, with their member count: their lines go to a member. */
  private readonly pooledItems = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ReservationStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  async place(input: PlaceInput): Promise<PlaceResult> {
    return this.serially(input.id, async (): Promise<PlaceResult> => {
      const existing = await this.current(input.id, this.legacyPlacementsPossible());
      if (existing !== null && existing.phase !== "rejected") {
        if (!sameLines(existing.lines, input.lines)) return { kind: "idempotency_conflict" };
        const reservation = viewAt(existing, Date.now());
        return reservation === null ? { kind: "unavailable" } : { kind: "existing", reservation };
      }
      if (input.lines.some((line) => this.shortItems.has(itemKey(line)))) {
        const shortages = await this.shortagesNow(input.lines);
        if (shortages === null) return { kind: "unavailable" };
        if (shortages.length > 0) return { kind: "insufficient_stock", shortages };
      }
      const now = Date.now();
      const placing: ReservationRecord = {
        id: input.id,
        attempt: (existing?.attempt ?? 0) + 1,
        phase: "placing",
        lines: input.lines,
        // Lines of items known to be pooled go to their member: written down before it is called.
        placements: input.lines.map((line) => this.plannedMember(input.id, line)),
        createdAt: now,
        expiresAt: now + input.ttlSeconds * 1000,
      };
      this.save(placing);
      const outcomes = await Promise.allSettled(placing.lines.map((_, i) => this.holdLine(placing, i)));
      const shortages: Shortage[] = [];
      outcomes.forEach((o, i) => {
        const line = placing.lines[i] as Line;
        if (o.status === "fulfilled" && !o.value.ok && o.value.reason === "insufficient") {
          shortages.push({ sku: line.sku, warehouse: line.warehouse, requested: line.quantity, available: o.value.available });
          this.rememberShort(line);
        } else if (o.status === "fulfilled" && o.value.ok) {
          this.shortItems.delete(itemKey(line));
        }
      });
      if (outcomes.every((o) => o.status === "fulfilled" && o.value.ok)) {
        const held = this.save({ ...placing, placements: [...(placing.placements ?? [])], phase: "held" });
        return { kind: "created", reservation: viewAt(held, now) as ReservationView };
      }
      // A line that answered "no" holds nothing of this attempt and its call is over, so
      // only lines that held, or whose answer never came, need voiding: a refusal on a sold-out
      // item then costs that item one call, not two.
      const unsettled = placing.lines.flatMap((_, i) => {
        const o = outcomes[i];
        return o === undefined || o.status === "rejected" || o.value.ok ? [i] : [];
      });
      // A first attempt that every item simply refused left no trace anywhere: the record goes
      // too, so refusals do not pile up here. Otherwise it stays (`rejected`) to keep the
      // attempt count, which the items' tombstones of earlier attempts are keyed by.
      const traceless =
        placing.attempt === 1 &&
        unsettled.length === 0 &&
        outcomes.every((o) => o.status === "fulfilled" && !o.value.ok && o.value.reason === "insufficient");
      try {
        if (traceless) this.store.delete(placing.id);
        else await this.voidPlacement(placing, unsettled);
      } catch {
        return { kind: "unavailable" };
      }
      return shortages.length > 0 ? { kind: "insufficient_stock", shortages } : { kind: "unavailable" };
    });
  }

  /** What each line's item could not cover right now, read without holding; null if an item was unreachable. */
  private async shortagesNow(lines: Line[]): Promise<Shortage[] | null> {
    const levels = await Promise.allSettled(lines.map((line) => stockItem(this.env, line.sku, line.warehouse).getLevel()));
    const shortages: Shortage[] = [];
    for (const [i, outcome] of levels.entries()) {
      if (outcome.status === "rejected") return null;
      const line = lines[i] as Line;
      const free = outcome.value === null ? 0 : available(outcome.value);
      if (free >= line.quantity) {
        this.shortItems.delete(itemKey(line));
      } else {
        shortages.push({ sku: line.sku, warehouse: line.warehouse, requested: line.quantity, available: free });
      }
    }
    return shortages;
  }

  private rememberShort(line: Line): void {
    const key = itemKey(line);
    this.shortItems.delete(key);
    this.shortItems.add(key);
    if (this.shortItems.size > SHORT_ITEMS_REMEMBERED) {
      const oldest = this.shortItems.values().next().value;
      if (oldest !== undefined) this.shortItems.delete(oldest);
    }
  }

  async get(id: string): Promise<ReservationView | null> {
    return this.serially(id, async () => {
      const record = await this.current(id, true);
      return record === null ? null : viewAt(record, Date.now());
    });
  }

  async commit(id: string): Promise<ChangeResult> {
    return this.change(id, "commit");
  }

  async release(id: string): Promise<ChangeResult> {
    return this.change(id, "release");
  }

  /**
   * Takes over a record kept by a v0.1 per-id object (src/reservations/LegacyReservation.ts).
   * A record already here is newer than any copy the old object kept, and one whose
   * retention has passed stays forgotten.
   */
  async adopt(record: ReservationRecord): Promise<void> {
    await this.serially(record.id, async () => {
      if (this.store.load(record.id) !== null || Date.now() >= forgetAt(record)) return;
      this.save(record);
    });
  }

  /** Re-drives interrupted steps and forgets records whose retention has passed. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const due = this.store.due(now, ALARM_BATCH);
    await Promise.all(due.map((id) => this.serially(id, () => this.tend(id, now))));
    const next = due.length === ALARM_BATCH ? Date.now() : this.store.nextDue();
    if (next !== null) await this.armAlarm(next, true);
  }

  private async tend(id: string, now: number): Promise<void> {
    try {
      // `current` finishes an interrupted step, so what is left is due only at its forgetting.
      const record = await this.current(id, false);
      if (record === null) return;
      if (now >= forgetAt(record)) this.store.delete(id);
      else this.store.postpone(id, forgetAt(record));
    } catch (error) {
      console.error(`reservation ${id}: re-drive failed; trying again later`, error);
      this.store.postpone(id, Date.now() + REDRIVE_RETRY_MS);
    }
  }

  private async change(id: string, request: Request): Promise<ChangeResult> {
    return this.serially(id, async (): Promise<ChangeResult> => {
      let record: ReservationRecord | null;
      try {
        record = await this.current(id, true);
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
    const items = record.lines.map((_, i) => this.holder(record, i));
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
      record.lines.map((_, i) => this.holder(record, i).release(record.id)),
    );
    return this.save({ ...record, phase: "released" });
  }

  /**
   * Voids the attempt on the lines at `indices` (all of them when recovering: what happened is
   * unknown). A line of a pooled item is voided at its member and at the item itself, since
   * its last units may have been held there.
   */
  private async voidPlacement(record: ReservationRecord, indices = record.lines.map((_, i) => i)): Promise<ReservationRecord> {
    await settleAll(
      indices.flatMap((i) => {
        const line = record.lines[i] as Line;
        const item = stockItem(this.env, line.sku, line.warehouse);
        const member = record.placements?.[i];
        const calls = [item.voidAttempt(record.id, record.attempt)];
        if (typeof member === "number") {
          calls.push(stockPoolMember(this.env, line.sku, line.warehouse, member).voidAttempt(record.id, record.attempt));
        }
        return calls;
      }),
    );
    return this.save({ ...record, phase: "rejected" });
  }

  /** The object that holds line `i`: its pool member, or the item. */
  private holder(record: ReservationRecord, i: number) {
    const line = record.lines[i] as Line;
    const member = record.placements?.[i];
    return typeof member === "number"
      ? stockPoolMember(this.env, line.sku, line.warehouse, member)
      : stockItem(this.env, line.sku, line.warehouse);
  }

  /** The member a line of an item known to be pooled goes to: spread by the reservation id. */
  private plannedMember(reservationId: string, line: Line): number | null {
    const shards = this.pooledItems.get(itemKey(line));
    return shards === undefined || shards <= 1 ? null : poolMember(reservationId, shards);
  }

  /**
   * Holds line `i`, at most four calls, never a loop: at the item, which may answer that it is
   * pooled; then at the line's member (recorded in the record first); a member short even after
   * asking its parent for more sends the line to the item's own last units, so no buyer is
   * refused while units remain anywhere. A line that held at the item leaves its placement null.
   */
  private async holdLine(record: ReservationRecord, i: number): Promise<HoldResult> {
    const line = record.lines[i] as Line;
    const placements = record.placements as (number | null)[];
    const request = { ...line, reservationId: record.id, attempt: record.attempt, expiresAt: record.expiresAt };
    const item = stockItem(this.env, line.sku, line.warehouse);
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
        this.save({ ...record, placements: [...placements] });
        continue;
      }
      const answer = await stockPoolMember(this.env, line.sku, line.warehouse, member).hold({ ...request, member });
      if (answer.ok || answer.reason === "refused") return answer;
      if (answer.reason === "insufficient") return atItemsLastUnits();
      // Retired: the item has fewer members now. Ask the item again (its void is recorded too).
      this.pooledItems.delete(itemKey(line));
      placements[i] = null;
      this.save({ ...record, placements: [...placements] });
    }
    return atItemsLastUnits();
  }

  /**
   * The record of `id`, with any step a crash interrupted finished first. When this pool
   * has none and `askLegacy` holds, a record the v0.1 per-id object still keeps is taken over.
   */
  private async current(id: string, askLegacy: boolean): Promise<ReservationRecord | null> {
    let record = this.store.load(id);
    if (record === null && askLegacy) record = await this.takeOverLegacy(id);
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

  /**
   * Moves a v0.1 record here: saved first, then the old object forgets it, so a crash in
   * between leaves two copies, of which this one wins (`adopt` ignores the old one later).
   */
  private async takeOverLegacy(id: string): Promise<ReservationRecord | null> {
    const legacy = legacyReservation(this.env, id);
    const record = await legacy.handOver();
    if (record === null || Date.now() >= forgetAt(record)) return null;
    this.save(record);
    await legacy.forget();
    return record;
  }

  /**
   * Placements ask the v0.1 objects only while `LEGACY_RESERVATIONS_UNTIL` (set by an operator
   * upgrading a deployment that ran v0.1) lies ahead: asking costs a call to a per-id object,
   * exactly what pooling saves, and is needed only so an id placed before the upgrade and
   * repeated after it is still recognised. Reads, commits and releases always ask, which costs
   * something only for an id this pool does not know.
   */
  private legacyPlacementsPossible(): boolean {
    const until = Date.parse(this.env.LEGACY_RESERVATIONS_UNTIL ?? "");
    return Number.isFinite(until) && Date.now() < until;
  }

  /** Writes the record with when the alarm must look at it next: soon to re-drive, else to forget. */
  private save(record: ReservationRecord): ReservationRecord {
    const dueAt = isInterrupted(record.phase) ? Date.now() + REDRIVE_AFTER_MS : forgetAt(record);
    this.store.save(record, dueAt);
    void this.armAlarm(dueAt, false);
    return record;
  }

  /** Sets the alarm only when it must ring earlier than it is set to (or when told to). */
  private async armAlarm(at: number, always: boolean): Promise<void> {
    if (!always && this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private serially<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const tail = this.queues.get(id) ?? Promise.resolve();
    const run = tail.then(operation, operation);
    const settled = run.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return run;
  }
}

function itemKey(line: Line): string {
  return stockItemName(line.sku, line.warehouse);
}

/** Waits for every call (none is left in flight), then fails if any could not be made. */
async function settleAll<T>(calls: PromiseLike<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(calls);
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed !== undefined) throw new StockItemUnreachable(String(failed.reason));
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
