import { DurableObject } from "cloudflare:workers";
import type { Actor } from "../events/event";
import { simulatedNetwork } from "../geo/network";
import type { Region } from "../regions/regions";
import { regionOfReservationId } from "../regions/reservation-id";
import type { AnsweredReservation, ChangeResult, LineChangeInput, LineChangeResult, PlaceInput, PlaceResult, Timed } from "./api";
import { Extension } from "./extension";
import { LegacyLookup } from "./legacy";
import { decide, type Request, type ReservationRecord, type ReservationView, statusAt, viewAt } from "./lifecycle";
import { LineChanges } from "./line-changes";
import { Placement } from "./placement";
import { ReservationRecords } from "./records";
import { Redrive } from "./redrive";
import { Settlement } from "./settlement";
import { StockGateway } from "./stock-gateway";

export type {
  AnsweredReservation,
  ChangeResult,
  LineChangeInput,
  LineChangeResult,
  PlaceInput,
  PlaceResult,
  Shortage,
  SourcingChannel,
  StockCallTiming,
  Timed,
} from "./api";

/** What a change of each kind leaves the reservation as, when it succeeds. */
const RESULTING_STATUS = { commit: "committed", release: "released", extend: "held", change: "held" } as const;

/** The record a change may proceed on (or answer unchanged, for a repeat), or why it may not. */
type Found =
  | { kind: "proceed"; record: ReservationRecord }
  | { kind: "repeat"; record: ReservationRecord }
  | Exclude<ChangeResult, { kind: "ok" }>;

/**
 * Coordinates reservations across the stock items of their lines. One of a fixed pool
 * (address.ts: a region's pool for server-made ids, the global pool for the others): it keeps
 * the records of every id that hashes to it, and is the only writer of those records.
 * Operations on one id run one at a time (`serially`), operations on different ids interleave.
 *
 * Every RPC may name the caller's region (optional: a Worker older than regions does not). Each
 * operation is opened at the stock gateway with it and with this coordinator's region (the id's,
 * or its own as records.ts keeps it); its answer carries `region` on the reservation and the
 * `timings` of its stock calls, for the Worker's `Server-Timing` header (docs/regions.md).
 *
 * This class only wires the protocols it speaks; each lives in a module whose opening comment
 * writes it down (what it guarantees, what it records before calling which item methods, what
 * each crash point leaves):
 *
 *   place            placement.ts          intent, then all-or-nothing holds across lines in parallel
 *                      sourcing-rounds.ts  lines without a warehouse, over the channel's warehouses
 *                      hold-routing.ts     one allocation at its item or at the item's pool member
 *                      refusal-memory.ts   a refusal after a sell-out from reads alone
 *   commit, release  settlement.ts         every line or none; expiry as a whole
 *   extend           extension.ts          every hold to the new expiry, or expired as a whole
 *   changeLines      line-changes.ts       grow tentatively, decide, shrink or revert (rule: line-change.ts)
 *   get, alarm       redrive.ts            finishes interrupted steps first; forgets past retention
 *   adopt            legacy.ts             records of the v0.1 per-id objects
 *
 * beside records.ts (the records and the one alarm) and stock-gateway.ts (every call to a stock
 * object goes through it). The state machine of a record is lifecycle.ts.
 */
export class ReservationCoordinator extends DurableObject<Env> {
  private readonly records: ReservationRecords;
  private readonly stock: StockGateway;
  private readonly legacy: LegacyLookup;
  private readonly placement: Placement;
  private readonly settlement: Settlement;
  private readonly extension: Extension;
  private readonly lineChanges: LineChanges;
  private readonly redrive: Redrive;
  /** The tail of each id's queue of operations, dropped when it drains. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const network = simulatedNetwork(env);
    this.records = new ReservationRecords(ctx.storage, network);
    this.stock = new StockGateway(env, () => this.records.confirmed());
    this.legacy = new LegacyLookup(env, this.records);
    this.placement = new Placement(this.records, this.stock);
    this.settlement = new Settlement(this.records, this.stock);
    this.extension = new Extension(this.records, this.stock, this.settlement);
    this.lineChanges = new LineChanges(this.records, this.stock, this.settlement);
    this.redrive = new Redrive(this.records, this.legacy, {
      placement: this.placement,
      settlement: this.settlement,
      extension: this.extension,
      lineChanges: this.lineChanges,
    });
    ctx.blockConcurrencyWhile(() => this.records.open());
  }

  async place(input: PlaceInput): Promise<Timed<PlaceResult>> {
    return this.operation(input.id, input.region, async () => {
      const existing = await this.redrive.current(input.id, this.legacy.placementsAsk());
      return this.placement.place(input, existing);
    });
  }

  /** `region`: the caller's (the same for the methods below). */
  async get(id: string, region?: Region): Promise<AnsweredReservation | null> {
    const answer = await this.operation(id, region, async () => {
      const record = await this.redrive.current(id, true);
      const reservation = record === null ? null : viewAt(record, Date.now());
      return reservation === null ? { kind: "not_found" as const } : { kind: "ok" as const, reservation };
    });
    return answer.kind === "ok" ? answer.reservation : null;
  }

  /** `actor`: who asked (an API key's id, `root`), recorded on the items' events; the same for the methods below. */
  async commit(id: string, actor: Actor = null, region?: Region): Promise<Timed<ChangeResult>> {
    return this.change(id, region, "commit", (record) => this.settlement.commit({ ...record, actor }));
  }

  async release(id: string, actor: Actor = null, region?: Region): Promise<Timed<ChangeResult>> {
    return this.change(id, region, "release", (record) => this.settlement.release({ ...record, actor }));
  }

  /** Moves `expiresAt` to the later of itself and now + `ttlSeconds`, on every allocation or, if one expired meanwhile, expires all. */
  async extend(id: string, ttlSeconds: number, actor: Actor = null, region?: Region): Promise<Timed<ChangeResult>> {
    return this.change(id, region, "extend", (record) =>
      this.extension.extend({ ...record, actor }, Math.max(record.expiresAt, Date.now() + ttlSeconds * 1000)),
    );
  }

  /** Replaces a held reservation's lines, all or nothing (line-changes.ts). */
  async changeLines(input: LineChangeInput): Promise<Timed<LineChangeResult>> {
    return this.operation(input.id, input.region, async (): Promise<LineChangeResult> => {
      const found = await this.find(input.id, "change");
      return found.kind === "proceed" || found.kind === "repeat" ? this.lineChanges.change(found.record, input) : found;
    });
  }

  /** Takes over a record pushed by a v0.1 per-id object (legacy.ts). */
  async adopt(record: ReservationRecord): Promise<void> {
    await this.serially(record.id, async () => this.legacy.adopt(record));
  }

  /** Re-drives interrupted steps and forgets records whose retention has passed (redrive.ts). */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const due = this.records.alarmRang(now);
    await Promise.all(due.map((id) => this.serially(id, () => this.redrive.tend(id, now))));
    await this.records.rearm(due.length);
  }

  /** Commit, release or extend: the id's record, the rule's decision (lifecycle.ts `decide`), then the step. */
  private async change(
    id: string,
    region: Region | undefined,
    request: Request,
    run: (record: ReservationRecord) => Promise<ReservationRecord>,
  ): Promise<Timed<ChangeResult>> {
    return this.operation(id, region, async (): Promise<ChangeResult> => {
      const found = await this.find(id, request);
      if (found.kind !== "proceed" && found.kind !== "repeat") return found;
      let record = found.record;
      if (found.kind === "proceed") {
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

  /** The record of `id` as `request` finds it, any interrupted step finished first. */
  private async find(id: string, request: Request): Promise<Found> {
    let record: ReservationRecord | null;
    try {
      record = await this.redrive.current(id, true);
    } catch {
      return { kind: "unavailable" };
    }
    const status = record === null ? null : statusAt(record, Date.now());
    if (record === null || status === null) return { kind: "not_found" };
    const decision = decide(status, request);
    if (decision === "invalid_state") return { kind: "invalid_state", status };
    return decision === "proceed" ? { kind: "proceed", record } : { kind: "repeat", record };
  }

  /**
   * Runs `run` as the one operation on `id` (serially), measured at the stock gateway: its answer
   * gains the stock calls' `timings` and, on the reservation, the region it is coordinated in.
   * It leaves once this object's writes are confirmed (at once outside the geo simulation).
   */
  private operation<T extends { kind: string; reservation?: AnsweredReservation }>(
    id: string,
    caller: Region | undefined,
    run: () => Promise<T>,
  ): Promise<Timed<T>> {
    return this.serially(id, async () => {
      const region = regionOfReservationId(id) ?? this.records.ownRegion(caller ?? null);
      const operation = this.stock.open(id, caller ?? null, region);
      try {
        const answer: Timed<T> = await run();
        await this.records.confirmed();
        if (answer.reservation !== undefined && region !== null) answer.reservation = { ...answer.reservation, region };
        answer.timings = operation.timings;
        return answer;
      } finally {
        this.stock.close(id);
      }
    });
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
