import { type DriftReason, type ExpectedState, judge, type ProjectedState } from "./drift";
import { EventsReader, type ProjectionState } from "./queries";

/** Past this long after an object's last change, D1 still missing its events is drift, not lag. */
export const LAG_GRACE_MS = 60_000;
/** Projections read, and objects asked, per round. */
const PAGE = 49;

export interface ItemReport {
  sku: string;
  warehouse: string;
  expected: { onHand: number; reserved: number; version: number } | null;
  projected: { onHand: number; reserved: number; lastSeq: number; events: number } | null;
}

export interface ReconcileReport {
  checked: number;
  drifted: (ItemReport & { reason: DriftReason })[];
  /** D1 is behind but the object changed recently: events still on their way. */
  lagging: ItemReport[];
}

/**
 * An item's level as its Durable Object holds it now (the stock item's `getLevel`), or null
 * when it was never set. Given by the caller: events sit below stock and do not address it.
 */
export type LevelReader = (
  sku: string,
  warehouse: string,
) => Promise<{ onHand: number; reserved: number; version: number; updatedAt: number } | null>;

export interface ReconcileOptions {
  /** Only these items (also ones D1 has never heard of); otherwise every item D1 knows. */
  items?: readonly { sku: string; warehouse: string }[];
  now?: () => number;
  graceMs?: number;
}

/**
 * Compares D1's projection of each item with the item's Durable Object. D1 is read before
 * the object, so the object is never older than what D1 shows: a projection ahead of its
 * object is then real drift, not a race.
 */
export async function reconcile(env: Pick<Env, "DB">, levelOf: LevelReader, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const reader = new EventsReader(env.DB);
  const report: ReconcileReport = { checked: 0, drifted: [], lagging: [] };
  const check = async (items: readonly { sku: string; warehouse: string }[], projections: ProjectionState[]) => {
    const byItem = new Map(projections.map((p) => [`${p.sku}/${p.warehouse}`, p]));
    const levels = await Promise.all(items.map((i) => levelOf(i.sku, i.warehouse)));
    const now = (options.now ?? Date.now)();
    items.forEach((item, index) => {
      const level = levels[index] ?? null;
      const projection = byItem.get(`${item.sku}/${item.warehouse}`) ?? null;
      const expected: ExpectedState | null =
        level === null ? null : { onHand: level.onHand, reserved: level.reserved, version: level.version, updatedAt: level.updatedAt };
      const projected: ProjectedState | null =
        projection === null
          ? null
          : { onHand: projection.onHand, reserved: projection.reserved, lastSeq: projection.lastSeq, events: projection.events };
      const entry: ItemReport = {
        sku: item.sku,
        warehouse: item.warehouse,
        expected: expected === null ? null : { onHand: expected.onHand, reserved: expected.reserved, version: expected.version },
        projected,
      };
      report.checked += 1;
      const verdict = judge(expected, projected, now, options.graceMs ?? LAG_GRACE_MS);
      if (verdict.status === "drift") report.drifted.push({ ...entry, reason: verdict.reason });
      else if (verdict.status === "lagging") report.lagging.push(entry);
    });
  };

  if (options.items !== undefined) {
    for (let i = 0; i < options.items.length; i += PAGE) {
      const items = options.items.slice(i, i + PAGE);
      await check(items, await reader.projectionsOf(items));
    }
    return report;
  }
  let after: { sku: string; warehouse: string } | null = null;
  for (;;) {
    const page = await reader.projectionsAfter(after, PAGE);
    await check(page, page);
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return report;
    after = { sku: last.sku, warehouse: last.warehouse };
  }
}
