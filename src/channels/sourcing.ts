/**
 * Which warehouses of a sales channel take a line that names none (contract: "Channels and
 * sourcing"), as pure arithmetic. The coordinator calls it with what it knows of each
 * warehouse's stock; the stock items then hold, each checking its own safety stock, so a plan
 * made on a stale view can be refused and is made again with the answers (see
 * src/reservations/ReservationCoordinator.ts).
 *
 * The rule: the first warehouse, in the channel's priority order, whose stock above its safety
 * stock covers the whole line takes it; when none can alone, the line is filled in priority
 * order across warehouses. A warehouse whose stock is unknown is skipped.
 */

export interface WarehouseStock {
  warehouse: string;
  /** The item's `available` (onHand − reserved), which may be negative after a count. */
  available: number;
}

export interface Allocation {
  warehouse: string;
  quantity: number;
}

/** What a channel may sell from one warehouse: what is available above its safety stock. */
export function sellable(available: number, safetyStock: number): number {
  return Math.max(0, available - safetyStock);
}

/** The channel's availability of one SKU: Σ over its warehouses of what each may sell. */
export function channelAvailable(stocks: readonly WarehouseStock[], safetyStock: number): number {
  return stocks.reduce((sum, s) => sum + sellable(s.available, safetyStock), 0);
}

/**
 * The allocations that cover `quantity` from `stocks` (in priority order), or null when
 * together they cannot. One allocation per warehouse at most; none of zero units.
 */
export function source(quantity: number, stocks: readonly WarehouseStock[], safetyStock: number): Allocation[] | null {
  const whole = stocks.find((s) => sellable(s.available, safetyStock) >= quantity);
  if (whole !== undefined) return [{ warehouse: whole.warehouse, quantity }];
  const allocations: Allocation[] = [];
  let left = quantity;
  for (const s of stocks) {
    if (left === 0) break;
    const take = Math.min(left, sellable(s.available, safetyStock));
    if (take > 0) {
      allocations.push({ warehouse: s.warehouse, quantity: take });
      left -= take;
    }
  }
  return left === 0 ? allocations : null;
}

export interface WarehouseCounts {
  warehouse: string;
  onHand: number;
  reserved: number;
}

/**
 * A SKU's availability in a channel (`POST /v1/availability`): its warehouses' counts added up,
 * `available` being what the channel may sell, and that amount per warehouse.
 */
export function channelAvailability(counts: readonly WarehouseCounts[], safetyStock: number) {
  const warehouses = counts.map((c) => ({ warehouse: c.warehouse, available: sellable(c.onHand - c.reserved, safetyStock) }));
  return {
    onHand: counts.reduce((sum, c) => sum + c.onHand, 0),
    reserved: counts.reduce((sum, c) => sum + c.reserved, 0),
    available: warehouses.reduce((sum, w) => sum + w.available, 0),
    warehouses,
  };
}
