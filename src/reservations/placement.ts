import { stockItemName } from "../stock/address";
import type { PlaceInput, PlaceResult, Shortage, SourcingChannel } from "./api";
import { HoldRouting } from "./hold-routing";
import {
  allocationsOf,
  type Line,
  type RequestedLine,
  type ReservationRecord,
  type ReservationView,
  sameRequest,
  viewAt,
} from "./lifecycle";
import type { ReservationRecords } from "./records";
import { RefusalMemory } from "./refusal-memory";
import { firstChoice, MAX_SOURCING_ROUNDS, nextRound } from "./sourcing-rounds";
import type { StockGateway } from "./stock-gateway";

/**
 * Placement (`POST /v1/reservations`): holds every allocation of a new reservation's lines, or
 * none. A line that names its warehouse is its own allocation; a sourced line is spread over its
 * channel's warehouses in rounds (sourcing-rounds.ts). Each allocation is held at its stock item
 * or at a member of the item's pool (hold-routing.ts), all of a round's at once.
 *
 * Guarantees: all or nothing across lines; idempotent per id (the same lines through the same
 * channel answer the existing reservation, other lines `idempotency_conflict`); an attempt that
 * is refused, or that a crash interrupts, leaves nothing held (and every item also expires its
 * holds on its own, so no unit stays held past `expiresAt` even if this coordinator never runs again).
 *
 * Records, then calls:
 *   1. the intent, `placing` with attempt n and the round's allocations (and each pool member
 *      already known), before any item is called; then `hold` at each allocation, in parallel;
 *   2. a pool member found during a hold, and each further sourcing round's allocations, are
 *      added to the record before their objects are called;
 *   3. every allocation held: `held`, keeping only the allocations that hold, and the answer is
 *      `created`. Otherwise `voidAttempt` (attempt n) at each allocation that held or never
 *      answered, then `rejected`; a first attempt every item simply refused leaves no record.
 *
 * Crash points: before (1), nothing happened. After (1) and before (3), the `placing` record
 * names every object that may hold attempt n; re-drive (redrive.ts) calls `void`, which voids
 * attempt n at all of them, item and member, and records `rejected`, so the id may be placed
 * again as attempt n + 1 (the items' tombstones are keyed by attempt). After (3), nothing is left.
 *
 * Before any of this, refusal memory (refusal-memory.ts) answers a placement that touches an item
 * lately refused for lack of stock from a read alone, recording nothing.
 */

/** Per allocation while placing: held, refused (holds nothing), or unsettled (no answer came: it may hold). */
type AllocationState = "held" | "refused" | "unsettled";

export class Placement {
  private readonly refusals: RefusalMemory;
  private readonly holds: HoldRouting;

  constructor(
    private readonly records: ReservationRecords,
    private readonly stock: StockGateway,
  ) {
    this.refusals = new RefusalMemory(stock);
    this.holds = new HoldRouting(records, stock);
  }

  /** Places `input`; `existing` is the id's record as re-drive left it (no step of it interrupted). */
  async place(input: PlaceInput, existing: ReservationRecord | null): Promise<PlaceResult> {
    const channel = input.channel ?? null;
    if (existing !== null && existing.phase !== "rejected") {
      if (!sameRequest(existing, input.lines, channel?.id ?? null)) return { kind: "idempotency_conflict" };
      const reservation = viewAt(existing, Date.now());
      return reservation === null ? { kind: "unavailable" } : { kind: "existing", reservation };
    }
    const named = input.lines.filter(namesWarehouse);
    if (this.refusals.anyShort(named)) {
      const shortages = await this.refusals.shortagesNow(named, input.id);
      if (shortages === null) return { kind: "unavailable" };
      if (shortages.length > 0) return { kind: "insufficient_stock", shortages };
    }
    const now = Date.now();
    const placing: ReservationRecord = {
      id: input.id,
      attempt: (existing?.attempt ?? 0) + 1,
      phase: "placing",
      lines: input.lines,
      channel: channel?.id ?? null,
      actor: input.actor ?? null,
      allocations: [],
      placements: [],
      createdAt: now,
      expiresAt: now + input.ttlSeconds * 1000,
    };
    return this.run(placing, channel, now);
  }

  /**
   * Voids the attempt on the allocations at `indices` (all of them when re-driving: what
   * happened is unknown) and records the placement `rejected`.
   */
  async void(record: ReservationRecord, indices = allocationsOf(record).map((_, i) => i)): Promise<ReservationRecord> {
    await this.stock.voidAttempt(record, indices);
    return this.records.save({ ...record, phase: "rejected" });
  }

  /**
   * The rounds: each written to the record before its items are called, so a crash leaves every
   * allocation that may hold named, and voiding them all is safe. The loop ends in a hold, in a
   * refusal the view proves, or (contention that outran every round) in `unavailable`.
   */
  private async run(record: ReservationRecord, channel: SourcingChannel | null, now: number): Promise<PlaceResult> {
    const allocations = record.allocations as Line[];
    const placements = record.placements as (number | null)[];
    const states: AllocationState[] = [];
    /** Each item's `available` as last seen (by a refusal or a read), by object name. */
    const view = new Map<string, number>();
    const safetyStock = channel?.safetyStock ?? 0;
    const sourced = new Set(record.lines.filter((line) => line.warehouse === null).map((line) => line.sku));
    const keepAt = (line: Line) => (sourced.has(line.sku) ? safetyStock : 0);
    const add = (line: Line) => {
      allocations.push(line);
      placements.push(this.holds.plannedMember(record.id, line));
      return allocations.length - 1;
    };

    let pending = record.lines.map((line) => add(namesWarehouse(line) ? line : firstChoice(line, channel)));
    let outcome: PlaceResult | null = null;
    for (let round = 1; outcome === null; round++) {
      this.records.save(record);
      const answers = await Promise.allSettled(pending.map((i) => this.holds.hold(record, i, keepAt(allocations[i] as Line))));
      const shortages: Shortage[] = [];
      let failed = false;
      answers.forEach((answer, n) => {
        const i = pending[n] as number;
        const line = allocations[i] as Line;
        const result = answer.status === "fulfilled" ? answer.value : null;
        if (result?.ok) {
          states[i] = "held";
          this.refusals.forget(line);
        } else if (result?.reason === "insufficient") {
          states[i] = "refused";
          view.set(stockItemName(line.sku, line.warehouse), result.available);
          this.refusals.remember(line);
          if (!sourced.has(line.sku)) {
            shortages.push({ sku: line.sku, warehouse: line.warehouse, requested: line.quantity, available: result.available });
          }
        } else {
          // Refused for another reason (a void of this attempt came first) holds nothing; an
          // answer that never came may hold.
          states[i] = answer.status === "rejected" ? "unsettled" : "refused";
          failed = true;
        }
      });
      if (shortages.length > 0) outcome = { kind: "insufficient_stock", shortages };
      else if (failed) outcome = { kind: "unavailable" };
      else {
        const held = allocations.filter((_, i) => states[i] === "held");
        const next = await nextRound(this.stock, record.lines, channel, held, view, record.id);
        if (next.kind === "allocate" && next.lines.length === 0) {
          return this.placed(record, states, now);
        }
        if (next.kind === "allocate" && round < MAX_SOURCING_ROUNDS) pending = next.lines.map(add);
        else outcome = next.kind === "allocate" ? { kind: "unavailable" } : next.result;
      }
    }
    return this.abandon(record, states, outcome);
  }

  /** Every allocation held: the record keeps the ones that hold, and the reservation is acknowledged. */
  private placed(record: ReservationRecord, states: AllocationState[], now: number): PlaceResult {
    const keep = (_: unknown, i: number) => states[i] === "held";
    const held = this.records.save({
      ...record,
      phase: "held",
      allocations: (record.allocations as Line[]).filter(keep),
      placements: (record.placements as (number | null)[]).filter(keep),
    });
    return { kind: "created", reservation: viewAt(held, now) as ReservationView };
  }

  /**
   * Voids what the attempt may hold. An allocation that answered "no" holds nothing of this
   * attempt and its call is over, so only those that held or never answered are voided: a
   * refusal on a sold-out item then costs that item one call, not two. A first attempt that
   * every item simply refused left no trace anywhere, so its record goes too and refusals do
   * not pile up here; otherwise the record stays (`rejected`) to keep the attempt count, which
   * the items' tombstones of earlier attempts are keyed by.
   */
  private async abandon(record: ReservationRecord, states: AllocationState[], outcome: PlaceResult): Promise<PlaceResult> {
    const unsettled = allocationsOf(record).flatMap((_, i) => (states[i] === "refused" ? [] : [i]));
    try {
      if (record.attempt === 1 && unsettled.length === 0 && outcome.kind === "insufficient_stock") {
        this.records.delete(record.id);
      } else {
        await this.void(record, unsettled);
      }
    } catch {
      return { kind: "unavailable" };
    }
    return outcome;
  }
}

function namesWarehouse(line: RequestedLine): line is Line {
  return line.warehouse !== null;
}
