import { stockItem, stockPoolMember } from "../stock/address";
import { available } from "../stock/ledger";
import { allocationsOf, type Line, type PendingChange, type ReservationRecord } from "./lifecycle";

/**
 * Where the coordinator calls stock objects: a stock item (one per SKU + warehouse) or a member
 * of its pool (src/stock/pool.ts). The protocols decide what to call, when, and what to record
 * first; this module only obtains the objects and fans the calls out, one call per line, lines
 * in parallel. It records nothing and keeps no state beyond the binding.
 *
 * Every stub the coordinator uses comes from `at`, so this is the one seam where a call leaves
 * the coordinator (the place to measure or delay calls per object called).
 */

/** The binding the gateway needs: stock items and pool members share the StockItem namespace. */
export type StockBindings = Pick<Env, "STOCK_ITEM">;

export type StockObject = ReturnType<typeof stockItem>;

/** A stock item: one SKU in one warehouse. */
export interface ObjectAddress {
  sku: string;
  warehouse: string;
}

/** A stock object could not be reached; the step stays recorded and is re-driven later. */
export class StockItemUnreachable extends Error {}

export class StockGateway {
  constructor(private readonly env: StockBindings) {}

  /** The item itself, or member `member` of its pool. */
  at(item: ObjectAddress, member: number | null = null): StockObject {
    return member === null ? stockItem(this.env, item.sku, item.warehouse) : stockPoolMember(this.env, item.sku, item.warehouse, member);
  }

  /** The object that holds allocation `i` of `record`: its pool member, or the item. */
  holderOf(record: ReservationRecord, i: number): StockObject {
    const member = record.placements?.[i];
    return this.at(allocationsOf(record)[i] as Line, typeof member === "number" ? member : null);
  }

  /**
   * What each item could hold now (read, nothing held), all read at once; `null` for an item
   * that could not be reached. Only items are read, never pool members: an item's level counts
   * its whole pool.
   */
  async availableAt(items: readonly ObjectAddress[]): Promise<(number | null)[]> {
    const levels = await Promise.allSettled(items.map((item) => this.at(item).getLevel()));
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
        this.atItemAndMember(allocations[i] as Line, record.placements?.[i], (o) =>
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
        return this.atItemAndMember(g, change.placements[i], (o) => o.revertChange(record.id, change.number, record.actor ?? null));
      }),
    );
  }

  /** The same call at the item and, when `member` is a number, at that member: to undo what either may hold. */
  private atItemAndMember<T>(item: ObjectAddress, member: number | null | undefined, call: (o: StockObject) => PromiseLike<T>) {
    const calls = [call(this.at(item))];
    if (typeof member === "number") calls.push(call(this.at(item, member)));
    return calls;
  }
}

/** Waits for every call (none is left in flight), then fails if any could not be made. */
export async function settleAll<T>(calls: PromiseLike<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(calls);
  const failed = outcomes.find((o) => o.status === "rejected");
  if (failed !== undefined) throw new StockItemUnreachable(String(failed.reason));
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
