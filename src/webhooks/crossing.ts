/**
 * Low-stock crossings, as pure decisions. The stock item calls `detectCrossings` inside the
 * transaction of every level change, with the alert state it keeps beside the level, and
 * writes the returned state and alerts in that same transaction.
 *
 * The rule (a Schmitt trigger with one state per item):
 *
 *   state    available after the change    alerts                              next state
 *   ───────  ────────────────────────────  ──────────────────────────────────  ──────────
 *   ok       ≤ 0                           stock.low (when T > 0), stock.out   out
 *   ok       1 … T                         stock.low                           low
 *   low      ≤ 0                           stock.out                           out
 *   low/out  > T + margin(T)               stock.replenished                   ok
 *   any      anything else                 none                                unchanged
 *
 * where T is `lowStockThreshold` and margin(T) = max(1, ⌈T / 10⌉).
 *
 * Why this shape:
 * - Alerts are edge-triggered: one per crossing, nothing while the stock stays on one side.
 * - `stock.low` and `stock.out` fire the moment their line is reached, never delayed, because
 *   they are what a purchaser acts on. When one change crosses both lines, both fire (low first):
 *   a subscriber filtering on `stock.low` alone still learns the item needs replenishing.
 * - Re-arming needs a real recovery: `stock.replenished` fires only when available exceeds
 *   T + margin (the margin is 1 unit, or 10 % of T for thresholds above 10). Carts holding and
 *   releasing a unit around the line therefore cannot storm alerts; an episode is at most
 *   low → out → replenished (three alerts), and a new one needs a swing across the whole band.
 * - `out` is sticky until replenished: stock that dribbles back to 1..T and out again is the
 *   same shortage, so it does not alert again.
 * - The threshold in force is the one after the change, so raising T above the current stock
 *   (or a new item counted below T) alerts too: the item does need replenishing.
 * - With T = 0 only `stock.out` and `stock.replenished` exist (replenished from 2 units on).
 */

export type AlertState = "ok" | "low" | "out";

export const ALERT_TYPES = ["stock.low", "stock.out", "stock.replenished"] as const;

export type AlertType = (typeof ALERT_TYPES)[number];

export interface LevelPoint {
  available: number;
  lowStockThreshold: number;
}

export interface CrossingOutcome {
  state: AlertState;
  alerts: AlertType[];
}

/** How far above the threshold stock must climb before the alerts re-arm. */
export function rearmMargin(lowStockThreshold: number): number {
  return Math.max(1, Math.ceil(lowStockThreshold / 10));
}

/** The smallest `available` at which an alerted item counts as replenished. */
export function replenishedAt(lowStockThreshold: number): number {
  return Math.max(0, lowStockThreshold) + rearmMargin(lowStockThreshold) + 1;
}

export function detectCrossings(state: AlertState, level: LevelPoint): CrossingOutcome {
  const { available } = level;
  const threshold = Math.max(0, level.lowStockThreshold);
  if (state === "ok") {
    if (available <= 0) {
      return { state: "out", alerts: threshold > 0 ? ["stock.low", "stock.out"] : ["stock.out"] };
    }
    if (available <= threshold) return { state: "low", alerts: ["stock.low"] };
    return { state, alerts: [] };
  }
  if (available >= replenishedAt(threshold)) return { state: "ok", alerts: ["stock.replenished"] };
  if (state === "low" && available <= 0) return { state: "out", alerts: ["stock.out"] };
  return { state, alerts: [] };
}

/**
 * What a purchaser should order: the configured `reorderQuantity` when there is one, else
 * enough to bring `available` back to where the item counts as replenished. A replenished
 * alert suggests nothing.
 */
export function suggestedReorderQuantity(type: AlertType, level: LevelPoint & { reorderQuantity: number }): number {
  if (type === "stock.replenished") return 0;
  if (level.reorderQuantity > 0) return level.reorderQuantity;
  return Math.max(0, replenishedAt(level.lowStockThreshold) - level.available);
}
