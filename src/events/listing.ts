import { and, asc, eq, gt, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { isRegion, type Region } from "../regions/regions";
import type { ItemKey } from "./listing-cursor";
import { stockProjection } from "./schema";

/**
 * `GET /v1/stock`: every item ever set, as D1's projection last saw it, in (sku, warehouse)
 * order. Eventually consistent by nature: it is as fresh as the Queue consumer.
 */

export type StockStatus = "low" | "out";

export interface ListingFilter {
  warehouse?: string;
  /** 1 or more printable ASCII characters (see `prefixEnd`). */
  prefix?: string;
  status?: StockStatus;
  after: ItemKey | null;
  limit: number;
}

/**
 * One item as the projection holds it: a stock level's fields (the stock item's `Level`),
 * `version` being the last seq recorded. Spelled out here because events sit below stock.
 */
export interface ListedLevel {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number;
  reorderQuantity: number;
  version: number;
  /** Epoch milliseconds. */
  updatedAt: number;
  shards: number;
  /** Regions its pool members are spread over (v1.2), or null. */
  regions: Region[] | null;
}

const available = sql`(${stockProjection.onHand} - ${stockProjection.reserved})`;

/**
 * The smallest string above every string that starts with `prefix`: the prefix with its last
 * character incremented ("AB" → "AC"). Matching by this range on the primary key instead of
 * LIKE, whose `_` is legal in a SKU and would match any character, and which cannot use the
 * index. Exact for printable ASCII, which SQLite's BINARY collation compares bytewise.
 */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class StockListing {
  private readonly db: DrizzleD1Database;

  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  /** A page of at most `limit` items after `after`; `more` tells whether another page follows. */
  async page(filter: ListingFilter): Promise<{ items: ListedLevel[]; more: boolean }> {
    const conditions: SQL[] = [];
    if (filter.after !== null) {
      conditions.push(sql`(${stockProjection.sku}, ${stockProjection.warehouse}) > (${filter.after.sku}, ${filter.after.warehouse})`);
    }
    if (filter.warehouse !== undefined) conditions.push(eq(stockProjection.warehouse, filter.warehouse));
    if (filter.prefix !== undefined) {
      conditions.push(gte(stockProjection.sku, filter.prefix), lt(stockProjection.sku, prefixEnd(filter.prefix)));
    }
    if (filter.status === "out") conditions.push(lte(available, 0));
    if (filter.status === "low") {
      conditions.push(gt(stockProjection.lowStockThreshold, 0), lte(available, stockProjection.lowStockThreshold));
    }
    const rows = await this.db
      .select({
        sku: stockProjection.sku,
        warehouse: stockProjection.warehouse,
        onHand: stockProjection.onHand,
        reserved: stockProjection.reserved,
        lowStockThreshold: stockProjection.lowStockThreshold,
        reorderQuantity: stockProjection.reorderQuantity,
        version: stockProjection.lastSeq,
        updatedAt: stockProjection.updatedAt,
        shards: stockProjection.shards,
        regions: stockProjection.regions,
      })
      .from(stockProjection)
      .where(and(...conditions))
      .orderBy(asc(stockProjection.sku), asc(stockProjection.warehouse))
      .limit(filter.limit + 1);
    const items = rows.slice(0, filter.limit).map((row) => ({ ...row, regions: parseRegions(row.regions) }));
    return { items, more: rows.length > filter.limit };
  }
}

/** The projection's JSON array of regions; anything else reads as none. */
function parseRegions(stored: string | null): Region[] | null {
  if (stored === null) return null;
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every(isRegion) ? parsed : null;
  } catch {
    return null;
  }
}
