import { stockItemName } from "../stock/address";
import type { Shortage } from "./api";
import type { Line } from "./lifecycle";
import type { StockGateway } from "./stock-gateway";

/** Items remembered as short of stock; the oldest is forgotten past this. */
const SHORT_ITEMS_REMEMBERED = 10_000;

/**
 * Refusal memory, the placement's fast path after a sell-out. It remembers (in memory only,
 * never stored) the items whose last hold from this coordinator was refused for lack of stock.
 * A placement touching one reads its lines first (`shortagesNow`, one `getLevel` per line, in
 * parallel) and, if one is still short, is refused without recording anything or holding
 * anywhere: a refusal costs one read per line and no write.
 *
 * The read is exact, so the memory can be stale without harm: an item with stock again is read
 * once more, then held as usual and forgotten here. Lost on eviction, which costs one hold.
 */
export class RefusalMemory {
  /** By object name, oldest first. */
  private readonly shortItems = new Set<string>();

  constructor(private readonly stock: StockGateway) {}

  anyShort(lines: readonly Line[]): boolean {
    return lines.some((line) => this.shortItems.has(itemKey(line)));
  }

  /** The item refused a hold for lack of stock. */
  remember(line: Line): void {
    const key = itemKey(line);
    this.shortItems.delete(key);
    this.shortItems.add(key);
    if (this.shortItems.size > SHORT_ITEMS_REMEMBERED) {
      const oldest = this.shortItems.values().next().value;
      if (oldest !== undefined) this.shortItems.delete(oldest);
    }
  }

  /** The item held. */
  forget(line: Line): void {
    this.shortItems.delete(itemKey(line));
  }

  /** What each line's item could not cover right now, read without holding; null if an item was unreachable. */
  async shortagesNow(lines: readonly Line[], reservationId: string): Promise<Shortage[] | null> {
    const free = await this.stock.availableAt(lines, reservationId);
    const shortages: Shortage[] = [];
    for (const [i, line] of lines.entries()) {
      const available = free[i];
      if (available === null || available === undefined) return null;
      if (available >= line.quantity) this.forget(line);
      else shortages.push({ sku: line.sku, warehouse: line.warehouse, requested: line.quantity, available });
    }
    return shortages;
  }
}

function itemKey(line: Line): string {
  return stockItemName(line.sku, line.warehouse);
}
