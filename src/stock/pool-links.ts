import type { SimulatedNetwork } from "../geo/network";
import { DEFAULT_LOCAL_REGION, isRegion, type Region } from "../regions/regions";
import { stockItem, stockItemName, stockPoolMember, stockPoolMemberName } from "./address";

/**
 * The calls between a pooled item's parent and its members (grants, returns, reclaims, reads),
 * in one place: the stub, with the member's location hint when the item has regions, and, in
 * the geo simulation only (src/geo/network.ts), the round trip between the two objects' regions
 * waited before the call. Without the simulation (`network` null: every deployment) a call costs
 * one null check more than the stub itself.
 *
 * Where an object is, for the simulation: a member with a region is placed there (recorded when
 * the parent lays it out, before any buyer can reach it); the parent where its first caller was,
 * else `LOCAL_REGION`.
 */
export type LinkEnv = Pick<Env, "STOCK_ITEM" | "LOCAL_REGION">;

export interface ItemName {
  sku: string;
  warehouse: string;
}

export class PoolLinks {
  constructor(
    private readonly env: () => LinkEnv,
    readonly network: SimulatedNetwork | null,
  ) {}

  /** Member `shard` (in `region`, when the item has regions), called after the simulated trip from the parent. */
  async toMember<T>(
    item: ItemName,
    shard: number,
    region: Region | null,
    call: (member: ReturnType<typeof stockPoolMember>) => Promise<T>,
  ): Promise<T> {
    const stub = stockPoolMember(this.env(), item.sku, item.warehouse, shard, region);
    const network = this.network;
    if (network !== null) await network.roundTrip(this.parentRegion(network, item), this.memberRegion(network, item, shard, region));
    return call(stub);
  }

  /** The parent, called by member `shard` after the simulated trip. */
  async toParent<T>(item: ItemName, shard: number, call: (parent: ReturnType<typeof stockItem>) => Promise<T>): Promise<T> {
    const stub = stockItem(this.env(), item.sku, item.warehouse);
    const network = this.network;
    if (network !== null) await network.roundTrip(this.memberRegion(network, item, shard, null), this.parentRegion(network, item));
    return call(stub);
  }

  /** Records where a member with a region lives (simulation), before any caller can place it elsewhere. */
  placed(item: ItemName, shard: number, region: Region | null): void {
    if (this.network !== null && region !== null) this.memberRegion(this.network, item, shard, region);
  }

  /** The simulated output gate: a write is confirmed after the commit latency. */
  confirmed(): Promise<void> | null {
    return this.network === null ? null : this.network.commit();
  }

  private parentRegion(network: SimulatedNetwork, item: ItemName): Region {
    const local = this.env().LOCAL_REGION;
    return network.placement(stockItemName(item.sku, item.warehouse), isRegion(local) ? local : DEFAULT_LOCAL_REGION);
  }

  private memberRegion(network: SimulatedNetwork, item: ItemName, shard: number, region: Region | null): Region {
    const parent = this.parentRegion(network, item);
    return network.placement(stockPoolMemberName(item.sku, item.warehouse, shard), parent, region ?? undefined);
  }
}
