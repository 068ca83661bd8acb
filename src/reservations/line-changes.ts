import type { HoldResult, ResizeRequest } from "../stock/StockItem";
import type { LineChangeInput, LineChangeResult, Shortage, SourcingChannel } from "./api";
import { memberChoices } from "./hold-routing";
import {
  allocationsOf,
  type Line,
  type PendingChange,
  type RequestedLine,
  type ReservationRecord,
  type ReservationView,
  viewAt,
} from "./lifecycle";
import { type ItemChange, planChange, reallocate, sourcedCeiling } from "./line-change";
import type { ReservationRecords } from "./records";
import type { Settlement } from "./settlement";
import { type StockGateway, settleAll } from "./stock-gateway";

/**
 * Line changes (`PUT /v1/reservations/{id}/lines`): replace a held reservation's lines, all or
 * nothing. The arithmetic (which items grow, shrink or let go; how a sourced line is re-spread)
 * is the pure rule in line-change.ts; this module runs the protocol around it.
 *
 * Guarantees: the reservation ends with its new lines held exactly, or with its old lines held
 * exactly; an item never lets go of what it held before the change is decided.
 *
 * Records, then calls:
 *   1. the intent, `changing` with `change` (number n, the new lines, allocations and pool
 *      members), before any item is called;
 *   2. `resize` at every item that must hold more, in parallel: it grows tentatively, keeping
 *      the old quantity beside the new (a pooled item answers `pooled`: its member is recorded,
 *      then resized);
 *   3. the decision, written once every growing item has answered: `decided: new` if all grew,
 *      else `decided: old`;
 *   4. new: `resize` down at the items that shrink and `release` at those dropped, then `held`
 *      with the new lines. Old: `revertChange` n at every item asked to grow (and its member),
 *      then `held` with the old lines; or, when a hold had expired by its item's clock, the
 *      reservation expires as a whole (settlement.ts).
 *
 * Crash points: before (3), re-drive (redrive.ts, `finish`) decides `old` and reverts, since
 * the client was never answered and growing again could hold what nobody waits for; after (3),
 * it carries out the recorded decision again. Items act idempotently per change number.
 */
export class LineChanges {
  constructor(
    private readonly records: ReservationRecords,
    private readonly stock: StockGateway,
    private readonly settlement: Settlement,
  ) {}

  /** Changes the lines of `record`, which the caller found held. */
  async change(record: ReservationRecord, input: LineChangeInput): Promise<LineChangeResult> {
    const sourced = input.lines.flatMap((line, i) => (line.warehouse === null ? [i] : []));
    const channelId = record.channel ?? null;
    if (sourced.length > 0 && channelId === null) return { kind: "unsourceable", indices: sourced };
    if (sourced.length > 0 && input.channel?.id !== channelId) return { kind: "needs_channel", channel: channelId as string };
    const channel = sourced.length > 0 ? (input.channel as SourcingChannel) : null;

    const next = await this.allocate(record, input.lines, channel);
    if (next.kind !== "allocations") return next.result;
    const held = allocationsOf(record);
    const heldPlacements = record.placements ?? held.map(() => null);
    const placements = next.allocations.map((a) => {
      const i = held.findIndex((h) => h.sku === a.sku && h.warehouse === a.warehouse);
      return i < 0 ? null : (heldPlacements[i] ?? null);
    });
    const number = (record.changes ?? 0) + 1;
    const changing = this.records.save({
      ...record,
      phase: "changing",
      actor: input.actor ?? null,
      change: { number, lines: input.lines, allocations: next.allocations, placements },
    });
    const sourcedSkus = new Set(input.lines.filter((l) => l.warehouse === null).map((l) => l.sku));
    try {
      return await this.run(changing, (sku) => (sourcedSkus.has(sku) ? (channel?.safetyStock ?? 0) : 0));
    } catch {
      return { kind: "unavailable" };
    }
  }

  /** Re-drives a `changing` record: an undecided change is decided `old`, then the decision is carried out. */
  async finish(record: ReservationRecord): Promise<ReservationRecord> {
    const change = record.change as PendingChange;
    const decided = change.decided === undefined ? this.records.save({ ...record, change: { ...change, decided: "old" } }) : record;
    await this.run(decided, () => 0);
    return this.records.load(record.id) as ReservationRecord;
  }

  /**
   * The allocations the new lines need: a named line is its own; a sourced line keeps what its
   * SKU's sourced line held, giving back from the last or sourcing the extra from the channel's
   * warehouses as read now (line-change.ts `reallocate`).
   */
  private async allocate(
    record: ReservationRecord,
    lines: RequestedLine[],
    channel: SourcingChannel | null,
  ): Promise<{ kind: "allocations"; allocations: Line[] } | { kind: "refused"; result: LineChangeResult }> {
    const held = allocationsOf(record);
    const wasSourced = new Set(record.lines.filter((l) => l.warehouse === null).map((l) => l.sku));
    const allocations: Line[] = [];
    const shortages: Shortage[] = [];
    for (const line of lines) {
      if (line.warehouse !== null) {
        allocations.push({ sku: line.sku, warehouse: line.warehouse, quantity: line.quantity });
        continue;
      }
      const current = wasSourced.has(line.sku) ? held.filter((a) => a.sku === line.sku) : [];
      const total = current.reduce((sum, a) => sum + a.quantity, 0);
      const ch = channel as SourcingChannel;
      let stocks: { warehouse: string; available: number }[] = [];
      if (line.quantity > total) {
        const free = await this.stock.availableAt(
          ch.warehouses.map((warehouse) => ({ sku: line.sku, warehouse })),
          record.id,
        );
        if (free.some((f) => f === null)) return { kind: "refused", result: { kind: "unavailable" } };
        stocks = ch.warehouses.map((warehouse, i) => ({ warehouse, available: free[i] as number }));
      }
      const plan = reallocate(current, line.quantity, stocks, ch.safetyStock);
      if (plan === null) {
        shortages.push({
          sku: line.sku,
          warehouse: null,
          requested: line.quantity,
          available: sourcedCeiling(current, stocks, ch.safetyStock),
        });
      } else {
        allocations.push(...plan.map((a) => ({ sku: line.sku, warehouse: a.warehouse, quantity: a.quantity })));
      }
    }
    return shortages.length > 0
      ? { kind: "refused", result: { kind: "insufficient_stock", shortages } }
      : { kind: "allocations", allocations };
  }

  /**
   * Carries out the recorded change `record.change`: grows (if not yet decided), records the
   * decision, then shrinks and releases (new) or reverts (old).
   */
  private async run(record: ReservationRecord, keepFor: (sku: string) => number): Promise<LineChangeResult> {
    let change = record.change as PendingChange;
    const plan = planChange(allocationsOf(record), change.allocations);
    let refusal: LineChangeResult | null = null;
    if (change.decided === undefined) {
      const answers = await Promise.allSettled(plan.grow.map((g) => this.grow(record, change, g, keepFor(g.sku))));
      const shortages: Shortage[] = [];
      let failed = false;
      let expired = false;
      for (const [n, answer] of answers.entries()) {
        const g = plan.grow[n] as ItemChange;
        const result = answer.status === "fulfilled" ? answer.value : null;
        if (result?.ok) continue;
        if (result?.reason === "insufficient") {
          shortages.push({ sku: g.sku, warehouse: g.warehouse, requested: g.to, available: g.from + result.available });
        } else if (result?.reason === "refused" && result.status === "expired") {
          expired = true;
        } else {
          failed = true;
        }
      }
      if (expired) refusal = { kind: "invalid_state", status: "expired" };
      else if (shortages.length > 0) refusal = { kind: "insufficient_stock", shortages };
      else if (failed) refusal = { kind: "unavailable" };
      change = { ...change, decided: refusal === null ? "new" : "old" };
      record = this.records.save({ ...record, change });
    }
    const { change: _, ...rest } = record;
    const changes = change.number;
    if (change.decided === "new") {
      const held = allocationsOf(record);
      const at = (item: { sku: string; warehouse: string }) => held.findIndex((h) => h.sku === item.sku && h.warehouse === item.warehouse);
      await settleAll<unknown>([
        ...plan.shrink.map((s) => {
          const member = record.placements?.[at(s)];
          const request = this.resizeRequest(record, change.number, s, 0);
          return this.stock.holderOf(record, at(s)).resize(typeof member === "number" ? { ...request, member } : request);
        }),
        ...plan.drop.map((d) => this.stock.holderOf(record, at(d)).release(record.id, record.actor ?? null)),
      ]);
      const after = this.records.save({
        ...rest,
        phase: "held",
        lines: change.lines,
        allocations: change.allocations,
        placements: change.placements,
        changes,
      });
      return { kind: "ok", reservation: viewAt(after, Date.now()) as ReservationView };
    }
    await this.stock.revertChange(record, change, plan.grow);
    if (refusal?.kind === "invalid_state") {
      // A hold expired (by its item's clock) before it could grow: the reservation expires as a
      // whole, as a commit meeting an expiry does, and no line keeps its units.
      await this.settlement.expire({ ...rest, changes });
      return refusal;
    }
    const after = this.records.save({ ...rest, phase: "held", changes });
    return refusal ?? { kind: "ok", reservation: viewAt(after, Date.now()) as ReservationView };
  }

  /** Grows one item's hold for change `change`: at its member when pooled (recorded first, as for a placement). */
  private async grow(record: ReservationRecord, change: PendingChange, g: ItemChange, keep: number): Promise<HoldResult> {
    const i = change.allocations.findIndex((a) => a.sku === g.sku && a.warehouse === g.warehouse);
    const request = this.resizeRequest(record, change.number, g, keep);
    const member = change.placements[i];
    if (typeof member === "number") return this.stock.at(g, member, record.id).resize({ ...request, member });
    const answer = await this.stock.at(g, null, record.id).resize(request);
    if (answer.ok || answer.reason !== "pooled") return answer;
    // A regional pool's member of the buyer's region (or the nearest listed one); else by the id, as v1.1.
    const chosen = memberChoices(record.id, answer, this.stock.operation(record.id)?.caller ?? null)[0] as number;
    change.placements[i] = chosen;
    this.records.save({ ...record, change: { ...change, placements: [...change.placements] } });
    return this.stock.at(g, chosen, record.id).resize({ ...request, member: chosen });
  }

  private resizeRequest(record: ReservationRecord, change: number, item: ItemChange, keep: number): ResizeRequest {
    return {
      sku: item.sku,
      warehouse: item.warehouse,
      reservationId: record.id,
      attempt: record.attempt,
      change,
      actor: record.actor ?? null,
      quantity: item.to,
      expiresAt: record.expiresAt,
      ...(keep > 0 ? { keep } : {}),
    };
  }
}
