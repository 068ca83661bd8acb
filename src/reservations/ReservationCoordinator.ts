import { DurableObject } from "cloudflare:workers";
import { channelAvailable, source } from "../channels/sourcing";
import type { Actor } from "../events/event";
import { poolMember } from "../objects/pool";
import { stockItemName } from "../stock/address";
import type { HoldOpResult, HoldResult, ResizeRequest } from "../stock/StockItem";
import { legacyReservation } from "./address";
import type { ChangeResult, LineChangeInput, LineChangeResult, PlaceInput, PlaceResult, Shortage, SourcingChannel } from "./api";
import {
  allocationsOf,
  decide,
  forgetAt,
  isInterrupted,
  type Line,
  type PendingChange,
  type Request,
  type RequestedLine,
  type ReservationRecord,
  type ReservationView,
  sameRequest,
  statusAt,
  viewAt,
} from "./lifecycle";
import { type ItemChange, planChange, reallocate, sourcedCeiling } from "./line-change";
import { ReservationRecords } from "./records";
import { StockGateway, StockItemUnreachable, settleAll } from "./stock-gateway";

export type { ChangeResult, LineChangeInput, LineChangeResult, PlaceInput, PlaceResult, Shortage, SourcingChannel } from "./api";

/** How long to wait again when a re-drive could not reach every stock item. */
const REDRIVE_RETRY_MS = 30_000;
/** Items remembered as short of stock (see `shortItems`); the oldest is forgotten past this. */
const SHORT_ITEMS_REMEMBERED = 10_000;

/** What a change of each kind leaves the reservation as, when it succeeds. */
const RESULTING_STATUS = { commit: "committed", release: "released", extend: "held", change: "held" } as const;

/** Per allocation while placing: held, refused (holds nothing), or unsettled (no answer came: it may hold). */
type AllocationState = "held" | "refused" | "unsettled";

/**
 * Rounds of holds one placement may take: the first, then one per re-plan after a sourced
 * allocation was refused on a view that had gone stale.
 */
const MAX_SOURCING_ROUNDS = 4;

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
  private readonly records: ReservationRecords;
  private readonly stock: StockGateway;
  /** The tail of each id's queue of operations, dropped when it drains. */
  private readonly queues = new Map<string, Promise<unknown>>();
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
    this.records = new ReservationRecords(ctx.storage);
    this.stock = new StockGateway(env);
    ctx.blockConcurrencyWhile(() => this.records.open());
  }

  async place(input: PlaceInput): Promise<PlaceResult> {
    return this.serially(input.id, async (): Promise<PlaceResult> => {
      const channel = input.channel ?? null;
      const existing = await this.current(input.id, this.legacyPlacementsPossible());
      if (existing !== null && existing.phase !== "rejected") {
        if (!sameRequest(existing, input.lines, channel?.id ?? null)) return { kind: "idempotency_conflict" };
        const reservation = viewAt(existing, Date.now());
        return reservation === null ? { kind: "unavailable" } : { kind: "existing", reservation };
      }
      const named = input.lines.filter(namesWarehouse);
      if (named.some((line) => this.shortItems.has(itemKey(line)))) {
        const shortages = await this.shortagesNow(named);
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
      return this.runPlacement(placing, channel, now);
    });
  }

  /**
   * Holds every allocation of `record`'s lines, or none. A line that names its warehouse is its
   * own allocation. A sourced line is planned by the channel's rule (src/channels/sourcing.ts):
   * first, optimistically, all of it at the channel's first warehouse (no read, so a sourced line
   * costs what a named one does while that warehouse has stock); when an item refuses, its answer
   * and a read of the others make the view the next round plans on. A round is written to the
   * record before its items are called, so a crash leaves every allocation that may hold named,
   * and voiding them all is safe. At most MAX_SOURCING_ROUNDS rounds: the items' own checks are
   * the truth, so the loop ends in a hold, in a refusal the view proves, or (contention that
   * outran every round) in `unavailable`, never in a refusal the channel could have covered.
   */
  private async runPlacement(record: ReservationRecord, channel: SourcingChannel | null, now: number): Promise<PlaceResult> {
    const allocations = record.allocations as Line[];
    const placements = record.placements as (number | null)[];
    /** Per allocation: held, refused (holds nothing), or unsettled (no answer: it may hold). */
    const states: AllocationState[] = [];
    /** Each item's `available` as last seen (by a refusal or a read), by object name. */
    const view = new Map<string, number>();
    const safetyStock = channel?.safetyStock ?? 0;
    const sourced = new Set(record.lines.filter((line) => line.warehouse === null).map((line) => line.sku));
    const keepAt = (line: Line) => (sourced.has(line.sku) ? safetyStock : 0);
    const add = (line: Line) => {
      allocations.push(line);
      placements.push(this.plannedMember(record.id, line));
      return allocations.length - 1;
    };

    let pending = record.lines.map((line) => add(namesWarehouse(line) ? line : this.firstChoice(line, channel)));
    let outcome: PlaceResult | null = null;
    for (let round = 1; outcome === null; round++) {
      this.records.save(record);
      const answers = await Promise.allSettled(pending.map((i) => this.holdLine(record, i, keepAt(allocations[i] as Line))));
      const shortages: Shortage[] = [];
      let failed = false;
      answers.forEach((answer, n) => {
        const i = pending[n] as number;
        const line = allocations[i] as Line;
        const result = answer.status === "fulfilled" ? answer.value : null;
        if (result?.ok) {
          states[i] = "held";
          this.shortItems.delete(itemKey(line));
        } else if (result?.reason === "insufficient") {
          states[i] = "refused";
          view.set(itemKey(line), result.available);
          this.rememberShort(line);
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
        const next = await this.planRemainders(record, channel, states, view);
        if (next.kind === "allocate" && next.lines.length === 0) {
          return this.placed(record, states, now);
        }
        if (next.kind === "allocate" && round < MAX_SOURCING_ROUNDS) pending = next.lines.map(add);
        else outcome = next.kind === "allocate" ? { kind: "unavailable" } : next.result;
      }
    }
    return this.abandonPlacement(record, states, outcome);
  }

  /**
   * The allocation a sourced line tries first: all of it at the channel's first warehouse. When
   * that warehouse is short, its refusal and reads of the others cost as many calls as reading
   * every warehouse first would, and while it has stock this costs one call, like a named line.
   */
  private firstChoice(line: RequestedLine, channel: SourcingChannel | null): Line {
    const first = channel?.warehouses[0];
    if (first === undefined) throw new Error(`line ${line.sku} names no warehouse and the placement has no channel`);
    return { sku: line.sku, warehouse: first, quantity: line.quantity };
  }

  /**
   * What the sourced lines still need after a round: new allocations (none: every line is
   * covered), or the refusal the view proves. Warehouses not yet seen are read first.
   */
  private async planRemainders(
    record: ReservationRecord,
    channel: SourcingChannel | null,
    states: AllocationState[],
    view: Map<string, number>,
  ): Promise<{ kind: "allocate"; lines: Line[] } | { kind: "refuse"; result: PlaceResult }> {
    if (channel === null) return { kind: "allocate", lines: [] };
    const allocations = record.allocations as Line[];
    const needs = record.lines.flatMap((line) => {
      if (line.warehouse !== null) return [];
      const holding = allocations.filter((a, i) => a.sku === line.sku && states[i] === "held");
      const need = line.quantity - holding.reduce((sum, a) => sum + a.quantity, 0);
      return need > 0 ? [{ line, need, holding: new Set(holding.map((a) => a.warehouse)) }] : [];
    });
    if (needs.length === 0) return { kind: "allocate", lines: [] };
    const unseen = needs.flatMap(({ line, holding }) =>
      channel.warehouses
        .filter((w) => !holding.has(w) && !view.has(stockItemName(line.sku, w)))
        .map((w) => ({ sku: line.sku, warehouse: w })),
    );
    const levels = await this.stock.availableAt(unseen);
    for (const [n, item] of unseen.entries()) {
      const free = levels[n];
      if (free === null || free === undefined) return { kind: "refuse", result: { kind: "unavailable" } };
      view.set(stockItemName(item.sku, item.warehouse), free);
    }
    const lines: Line[] = [];
    const shortages: Shortage[] = [];
    for (const { line, need, holding } of needs) {
      const stocks = channel.warehouses.map((warehouse) => ({
        warehouse,
        available: view.get(stockItemName(line.sku, warehouse)) ?? 0,
      }));
      const plan = source(
        need,
        stocks.filter((s) => !holding.has(s.warehouse)),
        channel.safetyStock,
      );
      if (plan !== null) {
        lines.push(...plan.map((a) => ({ sku: line.sku, warehouse: a.warehouse, quantity: a.quantity })));
      } else {
        const heldUnseen = allocations
          .filter((a, i) => a.sku === line.sku && states[i] === "held" && !view.has(stockItemName(a.sku, a.warehouse)))
          .reduce((sum, a) => sum + a.quantity, 0);
        const channelHas = channelAvailable(stocks, channel.safetyStock) + heldUnseen;
        shortages.push({ sku: line.sku, warehouse: null, requested: line.quantity, available: channelHas });
      }
    }
    return shortages.length > 0 ? { kind: "refuse", result: { kind: "insufficient_stock", shortages } } : { kind: "allocate", lines };
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
  private async abandonPlacement(record: ReservationRecord, states: AllocationState[], outcome: PlaceResult): Promise<PlaceResult> {
    const unsettled = allocationsOf(record).flatMap((_, i) => (states[i] === "refused" ? [] : [i]));
    try {
      if (record.attempt === 1 && unsettled.length === 0 && outcome.kind === "insufficient_stock") {
        this.records.delete(record.id);
      } else {
        await this.voidPlacement(record, unsettled);
      }
    } catch {
      return { kind: "unavailable" };
    }
    return outcome;
  }

  /** What each line's item could not cover right now, read without holding; null if an item was unreachable. */
  private async shortagesNow(lines: Line[]): Promise<Shortage[] | null> {
    const levels = await this.stock.availableAt(lines);
    const shortages: Shortage[] = [];
    for (const [i, line] of lines.entries()) {
      const free = levels[i];
      if (free === null || free === undefined) return null;
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

  /** `actor`: who asked (an API key's id, `root`), recorded on the items' events; the same for the methods below. */
  async commit(id: string, actor: Actor = null): Promise<ChangeResult> {
    return this.change(id, "commit", (record) => this.runCommit({ ...record, actor }));
  }

  async release(id: string, actor: Actor = null): Promise<ChangeResult> {
    return this.change(id, "release", (record) => this.runRelease({ ...record, actor }));
  }

  /** Moves `expiresAt` to the later of itself and now + `ttlSeconds`, on every allocation or, if one expired meanwhile, expires all. */
  async extend(id: string, ttlSeconds: number, actor: Actor = null): Promise<ChangeResult> {
    return this.change(id, "extend", (record) =>
      this.runExtend({ ...record, actor }, Math.max(record.expiresAt, Date.now() + ttlSeconds * 1000)),
    );
  }

  /**
   * Replaces a held reservation's lines, all or nothing (src/reservations/line-change.ts has the
   * protocol): items that must hold more grow first, tentatively, keeping what they held; only
   * once every one has, the change is decided and the others shrink or let go. One that cannot
   * grow reverts the change everywhere, and the reservation keeps its lines and holds exactly.
   */
  async changeLines(input: LineChangeInput): Promise<LineChangeResult> {
    return this.serially(input.id, async (): Promise<LineChangeResult> => {
      let record: ReservationRecord | null;
      try {
        record = await this.current(input.id, true);
      } catch {
        return { kind: "unavailable" };
      }
      const status = record === null ? null : statusAt(record, Date.now());
      if (record === null || status === null) return { kind: "not_found" };
      if (decide(status, "change") === "invalid_state") return { kind: "invalid_state", status };
      const sourced = input.lines.flatMap((line, i) => (line.warehouse === null ? [i] : []));
      const channelId = record.channel ?? null;
      if (sourced.length > 0 && channelId === null) return { kind: "unsourceable", indices: sourced };
      if (sourced.length > 0 && input.channel?.id !== channelId) return { kind: "needs_channel", channel: channelId as string };
      const channel = sourced.length > 0 ? (input.channel as SourcingChannel) : null;

      const next = await this.allocateChange(record, input.lines, channel);
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
        const outcome = await this.runLineChange(changing, (sku) => (sourcedSkus.has(sku) ? (channel?.safetyStock ?? 0) : 0));
        return outcome;
      } catch {
        return { kind: "unavailable" };
      }
    });
  }

  /**
   * The allocations the new lines need: a named line is its own; a sourced line keeps what its
   * SKU's sourced line held, giving back from the last or sourcing the extra from the channel's
   * warehouses as read now (src/reservations/line-change.ts `reallocate`).
   */
  private async allocateChange(
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
        const free = await this.stock.availableAt(ch.warehouses.map((warehouse) => ({ sku: line.sku, warehouse })));
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
   * decision, then shrinks and releases (new) or reverts (old). Re-driven after a crash: an
   * undecided change is reverted, since its client was never answered.
   */
  private async runLineChange(record: ReservationRecord, keepFor: (sku: string) => number): Promise<LineChangeResult> {
    let change = record.change as PendingChange;
    const plan = planChange(allocationsOf(record), change.allocations);
    let refusal: LineChangeResult | null = null;
    if (change.decided === undefined) {
      const answers = await Promise.allSettled(plan.grow.map((g) => this.growAt(record, change, g, keepFor(g.sku))));
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
      await settleAll<HoldOpResult>(
        allocationsOf(record).map((_, i) => this.stock.holderOf(record, i).release(record.id, record.actor ?? null)),
      );
      this.records.save({ ...rest, phase: "expired", changes });
      return refusal;
    }
    const after = this.records.save({ ...rest, phase: "held", changes });
    return refusal ?? { kind: "ok", reservation: viewAt(after, Date.now()) as ReservationView };
  }

  /** Grows one item's hold for change `change`: at its member when pooled (recorded first, as for a placement). */
  private async growAt(record: ReservationRecord, change: PendingChange, g: ItemChange, keep: number): Promise<HoldResult> {
    const i = change.allocations.findIndex((a) => a.sku === g.sku && a.warehouse === g.warehouse);
    const request = this.resizeRequest(record, change.number, g, keep);
    const member = change.placements[i];
    if (typeof member === "number") {
      return this.stock.at(g, member).resize({ ...request, member });
    }
    const answer = await this.stock.at(g).resize(request);
    if (answer.ok || answer.reason !== "pooled") return answer;
    const chosen = poolMember(record.id, answer.shards);
    change.placements[i] = chosen;
    this.records.save({ ...record, change: { ...change, placements: [...change.placements] } });
    return this.stock.at(g, chosen).resize({ ...request, member: chosen });
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

  /**
   * Takes over a record kept by a v0.1 per-id object (src/reservations/LegacyReservation.ts).
   * A record already here is newer than any copy the old object kept, and one whose
   * retention has passed stays forgotten.
   */
  async adopt(record: ReservationRecord): Promise<void> {
    await this.serially(record.id, async () => {
      if (this.records.load(record.id) !== null || Date.now() >= forgetAt(record)) return;
      this.records.save(record);
    });
  }

  /** Re-drives interrupted steps and forgets records whose retention has passed. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.records.alarmRang(now);
    await Promise.all(due.map((id) => this.serially(id, () => this.tend(id, now))));
    await this.records.rearm(due.length);
  }

  private async tend(id: string, now: number): Promise<void> {
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

  private async change(
    id: string,
    request: Request,
    run: (record: ReservationRecord) => Promise<ReservationRecord>,
  ): Promise<ChangeResult> {
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
          record = await run(record);
        } catch {
          return { kind: "unavailable" };
        }
      }
      const after = viewAt(record, Date.now()) as ReservationView;
      return after.status === RESULTING_STATUS[request]
        ? { kind: "ok", reservation: after }
        : { kind: "invalid_state", status: after.status };
    });
  }

  /**
   * Extends every allocation's hold to `until`, or none: each item refuses if its hold has
   * expired (the item's clock decides, as for a commit), and then the reservation is expired as
   * a whole and the holds that were extended are released, so no line outlives the others.
   * Written as an intent first (`extending`, with `extendTo`), so a crash midway is finished by
   * repeating it: extending twice to the same time changes nothing.
   */
  private async runExtend(record: ReservationRecord, until: number): Promise<ReservationRecord> {
    const extending = this.records.save({ ...record, phase: "extending", extendTo: until });
    const items = allocationsOf(record).map((_, i) => this.stock.holderOf(record, i));
    const answers = await settleAll<HoldOpResult>(items.map((item) => item.extend(record.id, until)));
    const { extendTo: _, ...rest } = extending;
    if (answers.every((a) => a.ok)) return this.records.save({ ...rest, phase: "held", expiresAt: until });
    await settleAll<HoldOpResult>(items.map((item) => item.release(record.id, record.actor ?? null)));
    return this.records.save({ ...rest, phase: "expired" });
  }

  /**
   * Commits every line or none. One line commits in one call. Several lines are pinned
   * first (a pinned hold cannot expire), then committed; if any line had already expired
   * the whole reservation is expired and every other line is released, so none of its
   * units stays held past that answer (an item's clock may run behind the one that expired).
   * This is what settles the race between a commit and an expiry falling due during it.
   */
  private async runCommit(record: ReservationRecord): Promise<ReservationRecord> {
    this.records.save({ ...record, phase: "committing" });
    const items = allocationsOf(record).map((_, i) => this.stock.holderOf(record, i));
    if (items.length > 1) {
      const pins = await settleAll<HoldOpResult>(items.map((item) => item.pin(record.id)));
      if (!pins.every((pin) => pin.ok)) {
        await settleAll<HoldOpResult>(items.map((item) => item.release(record.id, record.actor ?? null)));
        return this.records.save({ ...record, phase: "expired" });
      }
    }
    const commits = await settleAll<HoldOpResult>(items.map((item) => item.commit(record.id, record.actor ?? null)));
    if (items.length === 1 && !commits[0]?.ok) return this.records.save({ ...record, phase: "expired" });
    if (!commits.every((c) => c.ok)) throw new StockItemUnreachable("a pinned line did not commit");
    return this.records.save({ ...record, phase: "committed" });
  }

  /** Release is per line and cannot half fail: a line already expired is as good as released. */
  private async runRelease(record: ReservationRecord): Promise<ReservationRecord> {
    this.records.save({ ...record, phase: "releasing" });
    await settleAll<HoldOpResult>(
      allocationsOf(record).map((_, i) => this.stock.holderOf(record, i).release(record.id, record.actor ?? null)),
    );
    return this.records.save({ ...record, phase: "released" });
  }

  /**
   * Voids the attempt on the lines at `indices` (all of them when recovering: what happened is
   * unknown). A line of a pooled item is voided at its member and at the item itself, since
   * its last units may have been held there.
   */
  private async voidPlacement(record: ReservationRecord, indices = allocationsOf(record).map((_, i) => i)): Promise<ReservationRecord> {
    await this.stock.voidAttempt(record, indices);
    return this.records.save({ ...record, phase: "rejected" });
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
  private async holdLine(record: ReservationRecord, i: number, keep: number): Promise<HoldResult> {
    const line = allocationsOf(record)[i] as Line;
    const placements = record.placements as (number | null)[];
    const request = {
      ...line,
      reservationId: record.id,
      attempt: record.attempt,
      expiresAt: record.expiresAt,
      actor: record.actor ?? null,
      ...(keep > 0 ? { keep } : {}),
    };
    const item = this.stock.at(line);
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
        this.records.save({ ...record, placements: [...placements] });
        continue;
      }
      const answer = await this.stock.at(line, member).hold({ ...request, member });
      if (answer.ok || answer.reason === "refused") return answer;
      if (answer.reason === "insufficient") return atItemsLastUnits();
      // Retired: the item has fewer members now. Ask the item again (its void is recorded too).
      this.pooledItems.delete(itemKey(line));
      placements[i] = null;
      this.records.save({ ...record, placements: [...placements] });
    }
    return atItemsLastUnits();
  }

  /**
   * The record of `id`, with any step a crash interrupted finished first. When this pool
   * has none and `askLegacy` holds, a record the v0.1 per-id object still keeps is taken over.
   */
  private async current(id: string, askLegacy: boolean): Promise<ReservationRecord | null> {
    let record = this.records.load(id);
    if (record === null && askLegacy) record = await this.takeOverLegacy(id);
    if (record === null || !isInterrupted(record.phase)) return record;
    switch (record.phase) {
      case "placing":
        return this.voidPlacement(record);
      case "committing":
        return this.runCommit(record);
      case "extending":
        return this.runExtend(record, record.extendTo ?? record.expiresAt);
      case "changing": {
        // Undecided, the change is undone: its client was never answered, and growing again
        // could hold what nobody is waiting for.
        const change = record.change as PendingChange;
        const decided = change.decided === undefined ? this.records.save({ ...record, change: { ...change, decided: "old" } }) : record;
        await this.runLineChange(decided, () => 0);
        return this.records.load(record.id) as ReservationRecord;
      }
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
    this.records.save(record);
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

function namesWarehouse(line: RequestedLine): line is Line {
  return line.warehouse !== null;
}

function itemKey(line: Line): string {
  return stockItemName(line.sku, line.warehouse);
}
