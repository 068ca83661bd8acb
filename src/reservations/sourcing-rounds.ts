import { channelAvailable, source } from "../channels/sourcing";
import { stockItemName } from "../stock/address";
import type { PlaceResult, Shortage, SourcingChannel } from "./api";
import type { Line, RequestedLine } from "./lifecycle";
import type { StockGateway } from "./stock-gateway";

/**
 * Sourcing rounds: how a placement covers the lines that name no warehouse from its channel's
 * warehouses. The rule that spreads a quantity is pure (src/channels/sourcing.ts `source`);
 * this module decides what to read before applying it. The placement (placement.ts) runs the
 * rounds and records each before calling any item.
 *
 *   round 1: a sourced line tries all of it at the channel's first warehouse, without reading
 *            anything (`firstChoice`): while that warehouse has stock it costs one call, as a
 *            line that names its warehouse does;
 *   then:    a refusal reports the item's `available`; the warehouses not yet seen are read
 *            (`getLevel`, in parallel) and the rule plans what is still missing on that view
 *            (`nextRound`), never at a warehouse the line already holds at;
 *   ends:    when every line is covered, when the view proves the channel short (a refusal
 *            with the channel's own `available`), or after MAX_SOURCING_ROUNDS rounds in
 *            `unavailable`: the items' own checks are the truth, so contention that outran every
 *            round is never reported as a shortage the channel could have covered.
 *
 * Reads record nothing; a crash during one leaves only what the placement recorded.
 */

/** Rounds of holds one placement may take: the first, then one per re-plan after a sourced allocation was refused on a stale view. */
export const MAX_SOURCING_ROUNDS = 4;

/** What the next round holds (none: every line is covered), or the refusal the view proves. */
export type RoundPlan = { kind: "allocate"; lines: Line[] } | { kind: "refuse"; result: PlaceResult };

/**
 * The allocation a sourced line tries first: all of it at the channel's first warehouse. When
 * that warehouse is short, its refusal and reads of the others cost as many calls as reading
 * every warehouse first would, and while it has stock this costs one call, like a named line.
 */
export function firstChoice(line: RequestedLine, channel: SourcingChannel | null): Line {
  const first = channel?.warehouses[0];
  if (first === undefined) throw new Error(`line ${line.sku} names no warehouse and the placement has no channel`);
  return { sku: line.sku, warehouse: first, quantity: line.quantity };
}

/**
 * What the sourced lines of `requested` still need, given the allocations that hold (`held`)
 * and each item's `available` as last seen (`view`, by object name, completed here by reading
 * the warehouses not yet seen).
 */
export async function nextRound(
  stock: StockGateway,
  requested: readonly RequestedLine[],
  channel: SourcingChannel | null,
  held: readonly Line[],
  view: Map<string, number>,
  reservationId: string,
): Promise<RoundPlan> {
  if (channel === null) return { kind: "allocate", lines: [] };
  const needs = requested.flatMap((line) => {
    if (line.warehouse !== null) return [];
    const holding = held.filter((a) => a.sku === line.sku);
    const need = line.quantity - holding.reduce((sum, a) => sum + a.quantity, 0);
    return need > 0 ? [{ line, need, holding: new Set(holding.map((a) => a.warehouse)) }] : [];
  });
  if (needs.length === 0) return { kind: "allocate", lines: [] };
  const unseen = needs.flatMap(({ line, holding }) =>
    channel.warehouses
      .filter((w) => !holding.has(w) && !view.has(stockItemName(line.sku, w)))
      .map((w) => ({ sku: line.sku, warehouse: w })),
  );
  const levels = await stock.availableAt(unseen, reservationId);
  for (const [n, item] of unseen.entries()) {
    const available = levels[n];
    if (available === null || available === undefined) return { kind: "refuse", result: { kind: "unavailable" } };
    view.set(stockItemName(item.sku, item.warehouse), available);
  }
  const lines: Line[] = [];
  const shortages: Shortage[] = [];
  for (const { line, need, holding } of needs) {
    const stocks = channel.warehouses.map((warehouse) => ({
      warehouse,
      available: view.get(stockItemName(line.sku, warehouse)) ?? 0,
    }));
    const plan = source(
      need,
      stocks.filter((s) => !holding.has(s.warehouse)),
      channel.safetyStock,
    );
    if (plan !== null) {
      lines.push(...plan.map((a) => ({ sku: line.sku, warehouse: a.warehouse, quantity: a.quantity })));
    } else {
      const heldUnseen = held
        .filter((a) => a.sku === line.sku && !view.has(stockItemName(a.sku, a.warehouse)))
        .reduce((sum, a) => sum + a.quantity, 0);
      const channelHas = channelAvailable(stocks, channel.safetyStock) + heldUnseen;
      shortages.push({ sku: line.sku, warehouse: null, requested: line.quantity, available: channelHas });
    }
  }
  return shortages.length > 0 ? { kind: "refuse", result: { kind: "insufficient_stock", shortages } } : { kind: "allocate", lines };
}
