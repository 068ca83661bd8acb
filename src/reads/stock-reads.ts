import { skuDirectory, stockItem } from "../stock/address";
import type { Level } from "../stock/ledger";
import { type Copy, ReadCopies } from "./copies";

/**
 * The storefront's reads of stock levels (availability, a level, a SKU's levels): from the
 * stock item itself when the caller asks for the exact figure (`maxAgeSeconds` 0), else through
 * this isolate's copies (src/reads/copies.ts). The reserve path never comes here.
 */
/** A level as the item answers it (a pooled item adds its `shards`), or null while never set. */
type ItemLevel = (Level & { shards?: number }) | null;

const levels = new ReadCopies<ItemLevel>();
const warehouseLists = new ReadCopies<string[]>();

type StockEnv = Pick<Env, "STOCK_ITEM" | "SKU_DIRECTORY">;

export function readLevel(env: StockEnv, sku: string, warehouse: string, maxAgeSeconds: number): Promise<Copy<ItemLevel>> {
  return levels.get(`${sku}/${warehouse}`, maxAgeSeconds, () => stockItem(env, sku, warehouse).getLevel());
}

export function readWarehouses(env: StockEnv, sku: string, maxAgeSeconds: number): Promise<Copy<string[]>> {
  return warehouseLists.get(sku, maxAgeSeconds, () => skuDirectory(env, sku).listWarehouses(sku));
}
