import type { Actor } from "../events/event";
import { type SimulatedNetwork, simulatedNetwork } from "../geo/network";
import type { Region } from "../regions/regions";
import { stockItem, stockItemName, stockPoolMember } from "../stock/address";
import { available } from "../stock/ledger";
import type { HoldOpResult, HoldRequest, HoldResult, LevelView, ResizeRequest } from "../stock/StockItem";
import type { StockCallTiming } from "./api";
import { allocationsOf, type Line, type PendingChange, type ReservationRecord } from "./lifecycle";

/**
 * Where the coordinator calls stock objects: a stock item (one per SKU + warehouse) or a member
 * of its pool (src/stock/pool.ts). The protocols decide what to call, when, and what to record
 * first; this module only obtains the objects and fans the calls out, one call per line, lines
 * in parallel. It records nothing.
 *
 * Every stub the coordinator uses comes from `at`, so this is the one seam where a call leaves
 * the coordinator, and where it is measured and (in the geo simulation) delayed:
 *
 * - While an operation on a reservation id is open (`open`, by the coordinator, one operation
 *   per id at a time), `at(item, member, id)` answers a `MeasuredStockObject`: each call's wall
 *   time (Date.now() differences) is appended to the operation's `timings`, which the RPC answer
 *   carries to the Worker for its `Server-Timing` header (`item;dur=…` or `pool;dur=…`). Cost
 *   per call: the wrapper and one entry. Without an open operation (the alarm's re-drives, off
 *   the buyer's path), `at` answers the stub itself.
 * - The operation also says where it runs: `caller`, the buyer's region (what a regional pool
 *   chooses its member by), and `region`, the coordinator's own.
 * - Simulated network (src/geo/network.ts): only when `SIMULATE_GEO` is "true", read once when
 *   the object is constructed, so the deployed path pays one `null` check per call. Before each
 *   call the coordinator's unconfirmed writes are confirmed (`outputGate`: the output gate holds
 *   outgoing messages until storage has them), then the round trip from the coordinator's region
 *   to the object's placement is waited; the timing entry then names the object's region.
 */

/** The binding the gateway needs: stock items and pool members share the StockItem namespace. */
export type StockBindings = Pick<Env, "STOCK_ITEM"> & { SIMULATE_GEO?: string; SIMULATE_GEO_SEED?: string };

/** What the coordinator calls on a stock object (src/stock/StockItem.ts has the methods' meaning). */
export interface StockObject {
  getLevel(): Promise<LevelView | null>;
  hold(request: HoldRequest): Promise<HoldResult>;
  resize(request: ResizeRequest): Promise<HoldResult>;
  pin(reservationId: string): Promise<HoldOpResult>;
  commit(reservationId: string, actor?: Actor): Promise<HoldOpResult>;
  release(reservationId: string, actor?: Actor): Promise<HoldOpResult>;
  extend(reservationId: string, until: number): Promise<HoldOpResult>;
  revertChange(reservationId: string, change: number, actor?: Actor): Promise<void>;
  voidAttempt(reservationId: string, attempt: number, actor?: Actor): Promise<void>;
}

/** A stock item: one SKU in one warehouse. */
export interface ObjectAddress {
  sku: string;
  warehouse: string;
}

/** One operation on one reservation id, as the gateway sees it. */
export interface Operation {
  /** The buyer's region, as the Worker said it (`null`: a Worker older than regions called). */
  caller: Region | null;
  /** The coordinator's own region (`null` while it does not know it). */
  region: Region | null;
  /** Every stock call the operation made, in the order they ended. */
  timings: StockCallTiming[];
}

/** A stock object could not be reached; the step stays recorded and is re-driven later. */
export class StockItemUnreachable extends Error {}

export class StockGateway {
  /** The geo simulation, or null (every deployment). */
  readonly network: SimulatedNetwork | null;
  /** The operation open on each reservation id. */
  private readonly operations = new Map<string, Operation>();

  constructor(
    private env: StockBindings,
    /** Resolves once the coordinator's writes so far are confirmed (simulation only). */
    private readonly outputGate: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.network = simulatedNetwork(env);
  }

  /** Starts measuring the stock calls of an operation on `reservationId` (the caller runs one per id at a time). */
  open(reservationId: string, caller: Region | null, region: Region | null): Operation {
    const operation: Operation = { caller, region, timings: [] };
    this.operations.set(reservationId, operation);
    return operation;
  }

  close(reservationId: string): void {
    this.operations.delete(reservationId);
  }

  /** The operation open on `reservationId`, if any: who is buying from where. */
  operation(reservationId: string | undefined): Operation | undefined {
    return reservationId === undefined ? undefined : this.operations.get(reservationId);
  }

  /**
   * The item itself, or member `member` of its pool; measured (and, simulated, delayed) when
   * `reservationId` names an open operation.
   */
  at(item: ObjectAddress, member: number | null = null, reservationId?: string): StockObject {
    const stub: StockObject =
      member === null ? stockItem(this.env, item.sku, item.warehouse) : stockPoolMember(this.env, item.sku, item.warehouse, member);
    const operation = this.operation(reservationId);
    if (operation === undefined) return stub;
    return new MeasuredStockObject(stub, member === null ? "item" : "pool", operation, this.delay(item, member, operation));
  }

  /** The object that holds allocation `i` of `record`: its pool member, or the item. */
  holderOf(record: ReservationRecord, i: number): StockObject {
    const member = record.placements?.[i];
    return this.at(allocationsOf(record)[i] as Line, typeof member === "number" ? member : null, record.id);
  }

  /**
   * What each item could hold now (read, nothing held), all read at once; `null` for an item
   * that could not be reached. Only items are read, never pool members: an item's level counts
   * its whole pool. `reservationId`: the operation the reads are part of.
   */
  async availableAt(items: readonly ObjectAddress[], reservationId?: string): Promise<(number | null)[]> {
    const levels = await Promise.allSettled(items.map((item) => this.at(item, null, reservationId).getLevel()));
    return levels.map((level) => {
      if (level.status === "rejected") return null;
      return level.value === null ? 0 : available(level.value);
    });
  }

  /** Calls every allocation's holder at once; fails, once all have answered, if one could not be reached. */
  eachHolder<T>(record: ReservationRecord, call: (holder: StockObject) => PromiseLike<T>): Promise<T[]> {
    return settleAll(allocationsOf(record).map((_, i) => call(this.holderOf(record, i))));
  }

  /**
   * Voids the attempt on the allocations at `indices`. A line placed in a pool is voided at its
   * member and at the item itself, since its last units may have been held there.
   */
  async voidAttempt(record: ReservationRecord, indices: readonly number[]): Promise<void> {
    const allocations = allocationsOf(record);
    await settleAll(
      indices.flatMap((i) =>
        this.atItemAndMember(allocations[i] as Line, record.placements?.[i], record.id, (o) =>
          o.voidAttempt(record.id, record.attempt, record.actor ?? null),
        ),
      ),
    );
  }

  /** Reverts line change `change` at each of `grown`: at the item, and at its member when the change placed it in a pool. */
  async revertChange(record: ReservationRecord, change: PendingChange, grown: readonly ObjectAddress[]): Promise<void> {
    await settleAll(
      grown.flatMap((g) => {
        const i = change.allocations.findIndex((a) => a.sku === g.sku && a.warehouse === g.warehouse);
        return this.atItemAndMember(g, change.placements[i], record.id, (o) =>
          o.revertChange(record.id, change.number, record.actor ?? null),
        );
      }),
    );
  }

  /** The same call at the item and, when `member` is a number, at that member: to undo what either may hold. */
  private atItemAndMember<T>(
    item: ObjectAddress,
    member: number | null | undefined,
    reservationId: string,
    call: (o: StockObject) => PromiseLike<T>,
  ) {
    const calls = [call(this.at(item, null, reservationId))];
    if (typeof member === "number") calls.push(call(this.at(item, member, reservationId)));
    return calls;
  }

  /** The simulated trip to the object, or null (no simulation, or the coordinator's region unknown). */
  private delay(item: ObjectAddress, member: number | null, operation: Operation): SimulatedTrip | null {
    const network = this.network;
    if (network === null || operation.region === null) return null;
    const name = member === null ? stockItemName(item.sku, item.warehouse) : `${stockItemName(item.sku, item.warehouse)}#${member}`;
    return { network, from: operation.region, to: network.placement(name, operation.region), outputGate: this.outputGate };
  }
}

/** A call's way through the simulated network: the coordinator's output gate, then the round trip. */
interface SimulatedTrip {
  network: SimulatedNetwork;
  from: Region;
  to: Region;
  outputGate: () => Promise<void>;
}

/**
 * A stock object whose calls are timed into their operation (and, simulated, delayed first). The
 * entry is appended when the call ends, whether it answered or failed: the time was spent.
 */
class MeasuredStockObject implements StockObject {
  constructor(
    private readonly stub: StockObject,
    private readonly kind: "item" | "pool",
    private readonly operation: Operation,
    private readonly trip: SimulatedTrip | null,
  ) {}

  async getLevel() {
    const start = await this.depart();
    try {
      return await this.stub.getLevel();
    } finally {
      this.arrived(start);
    }
  }

  async hold(request: HoldRequest) {
    const start = await this.depart();
    try {
      return await this.stub.hold(request);
    } finally {
      this.arrived(start);
    }
  }

  async resize(request: ResizeRequest) {
    const start = await this.depart();
    try {
      return await this.stub.resize(request);
    } finally {
      this.arrived(start);
    }
  }

  async pin(reservationId: string) {
    const start = await this.depart();
    try {
      return await this.stub.pin(reservationId);
    } finally {
      this.arrived(start);
    }
  }

  async commit(reservationId: string, actor?: Actor) {
    const start = await this.depart();
    try {
      return await this.stub.commit(reservationId, actor);
    } finally {
      this.arrived(start);
    }
  }

  async release(reservationId: string, actor?: Actor) {
    const start = await this.depart();
    try {
      return await this.stub.release(reservationId, actor);
    } finally {
      this.arrived(start);
    }
  }

  async extend(reservationId: string, until: number) {
    const start = await this.depart();
    try {
      return await this.stub.extend(reservationId, until);
    } finally {
      this.arrived(start);
    }
  }

  async revertChange(reservationId: string, change: number, actor?: Actor) {
    const start = await this.depart();
    try {
      await this.stub.revertChange(reservationId, change, actor);
    } finally {
      this.arrived(start);
    }
  }

  async voidAttempt(reservationId: string, attempt: number, actor?: Actor) {
    const start = await this.depart();
    try {
      await this.stub.voidAttempt(reservationId, attempt, actor);
    } finally {
      this.arrived(start);
    }
  }

  /** When the call leaves: after the output gate and, simulated, the round trip, which the call's time includes. */
  private async depart(): Promise<number> {
    const trip = this.trip;
    if (trip === null) return Date.now();
    await trip.outputGate();
    const start = Date.now();
    await trip.network.roundTrip(trip.from, trip.to);
    return start;
  }

  private arrived(start: number): void {
    const dur = Date.now() - start;
    this.operation.timings.push(this.trip === null ? { name: this.kind, dur } : { name: this.kind, dur, desc: this.trip.to });
  }
}

/** Waits for every call (none is left in flight), then fails if any could not be made. */
export async function settleAll<T>(calls: PromiseLike<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(calls);
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed !== undefined) throw new StockItemUnreachable(String(failed.reason));
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
