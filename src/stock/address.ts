import { poolMember } from "../objects/pool";
import type { Region } from "../regions/regions";

/**
 * How a stock item is addressed: one Durable Object per SKU + warehouse.
 * `/` cannot appear in either identifier, so the name is unambiguous.
 */
export function stockItemName(sku: string, warehouse: string): string {
  return `${sku}/${warehouse}`;
}

export function stockItem(env: Pick<Env, "STOCK_ITEM">, sku: string, warehouse: string) {
  return env.STOCK_ITEM.get(env.STOCK_ITEM.idFromName(stockItemName(sku, warehouse)));
}

/** The object name of member `shard` of a pooled item; `#` is in no identifier. */
export function stockPoolMemberName(sku: string, warehouse: string, shard: number): string {
  return `${stockItemName(sku, warehouse)}#${shard}`;
}

/**
 * Member `shard` of a pooled item (src/stock/pool.ts): a StockItem object of its own. `region`,
 * when the item has regions, is the member's location hint: whoever reaches it first creates it
 * there (src/stock/pool-demand.ts); an object, once made, never moves.
 */
export function stockPoolMember(env: Pick<Env, "STOCK_ITEM">, sku: string, warehouse: string, shard: number, region?: Region | null) {
  const id = env.STOCK_ITEM.idFromName(stockPoolMemberName(sku, warehouse, shard));
  return region === undefined || region === null ? env.STOCK_ITEM.get(id) : env.STOCK_ITEM.get(id, { locationHint: region });
}

/** SKUs' warehouse lists are pooled like coordinators (see src/objects/pool.ts on the size). */
export const SKU_DIRECTORY_POOL_SIZE = 64;

export function skuDirectory(env: Pick<Env, "SKU_DIRECTORY">, sku: string) {
  return env.SKU_DIRECTORY.get(env.SKU_DIRECTORY.idFromName(`directory:${poolMember(sku, SKU_DIRECTORY_POOL_SIZE)}`));
}

/** The per-SKU index of v0.1, read once per SKU by the directory. */
export function legacySkuIndex(env: Pick<Env, "SKU_INDEX">, sku: string) {
  return env.SKU_INDEX.get(env.SKU_INDEX.idFromName(sku));
}
