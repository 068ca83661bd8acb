import { itemKey } from "../ledger";
import type { Design } from "./designs";
import type { Sent, Workload } from "./load";

/**
 * The geo run's audit, per design, against the service's own levels afterwards (the ideas of
 * bench/audit.ts and bench/ledger.ts: what the client was told, compared with what is left):
 *  - every reservation got a final answer (a hold, a refusal for stock, a commit): anything else
 *    makes the counts below unprovable, and fails the audit;
 *  - per item: onHand = what was stocked − the units of committed reservations; reserved = the
 *    units of holds not committed; available ≥ 0; and the units ever acknowledged never exceed
 *    what was stocked (no oversell);
 *  - no false sold-out: the steady workloads are stocked well above their demand, so any refusal
 *    there is false; the last-units phase ends (every buyer stops at the first refusal) with
 *    `available` 0, or the refusal came while units were left.
 */

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export interface DesignAudit {
  design: Design["key"];
  pass: boolean;
  checks: Check[];
}

export interface StockedItem {
  sku: string;
  warehouse: string;
  onHand: number;
}

const STEADY: readonly Workload[] = ["single", "order3", "flash"];

export async function auditDesign(
  design: Design,
  items: readonly StockedItem[],
  sent: readonly Sent[],
  lastUnits?: { sku: string; warehouse: string },
): Promise<DesignAudit> {
  const mine = sent.filter((s) => s.design === design.key);
  const checks: Check[] = [];
  const unsettled = mine.filter((s) => s.unsettled);
  checks.push({
    name: "every reservation answered",
    pass: unsettled.length === 0,
    detail: `${mine.length} sent, ${unsettled.length} without a final answer`,
  });
  const held = new Map<string, number>();
  const committed = new Map<string, number>();
  const acknowledged = new Map<string, number>();
  for (const s of mine) {
    if (!s.held) continue;
    for (const line of s.lines) {
      const key = itemKey(line.sku, line.warehouse);
      acknowledged.set(key, (acknowledged.get(key) ?? 0) + line.quantity);
      const into = s.committed ? committed : held;
      into.set(key, (into.get(key) ?? 0) + line.quantity);
    }
  }
  const wrong: string[] = [];
  const oversold: string[] = [];
  for (const item of items) {
    const key = itemKey(item.sku, item.warehouse);
    const level = await design.level(item.sku, item.warehouse);
    const onHand = item.onHand - (committed.get(key) ?? 0);
    const reserved = held.get(key) ?? 0;
    if (level.onHand !== onHand || level.reserved !== reserved || level.available !== onHand - reserved) {
      wrong.push(`${key}: service ${level.onHand}/${level.reserved}/${level.available}, client ${onHand}/${reserved}/${onHand - reserved}`);
    }
    if ((acknowledged.get(key) ?? 0) > item.onHand || level.available < 0)
      oversold.push(`${key}: ${acknowledged.get(key)} acknowledged of ${item.onHand}`);
  }
  checks.push({
    name: "levels match the acknowledged holds and commits",
    pass: wrong.length === 0,
    detail: wrong.length === 0 ? `${items.length} items, onHand/reserved/available all as the client counts` : wrong.slice(0, 3).join("; "),
  });
  checks.push({
    name: "no oversell",
    pass: oversold.length === 0,
    detail: oversold.length === 0 ? "no item promised more units than it was stocked with" : oversold.slice(0, 3).join("; "),
  });
  const falseRefusals = mine.filter((s) => s.refused && STEADY.includes(s.workload));
  checks.push({
    name: "no false sold-out (steady workloads)",
    pass: falseRefusals.length === 0,
    detail: `${falseRefusals.length} refusals for stock while every item was stocked above its demand`,
  });
  if (lastUnits !== undefined) {
    const level = await design.level(lastUnits.sku, lastUnits.warehouse);
    checks.push({
      name: "no false sold-out (last units)",
      pass: level.available === 0,
      detail: `after the first refusal: available ${level.available} (0 expected), reserved ${level.reserved}`,
    });
  }
  return { design: design.key, pass: checks.every((c) => c.pass), checks };
}
