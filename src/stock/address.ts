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

export function skuIndex(env: Pick<Env, "SKU_INDEX">, sku: string) {
  return env.SKU_INDEX.get(env.SKU_INDEX.idFromName(sku));
}
