import { audit } from "../audit";
import type { Item } from "../ledger";
import { runLoad } from "../lib/load";
import { itemsOf, pick, type Row, type RunContext, reserveRequest, scopeOf, seed, settle } from "./common";

/** The items of the wide scenario, also read (and written) by the reads scenario. */
export function wideItems(ctx: RunContext): Item[] {
  const { skus, skusThroughDevProxy, warehousesPerSku, onHand } = ctx.profile.wide;
  return itemsOf("WIDE", ctx.target.key === "wrangler" ? skusThroughDevProxy : skus, warehousesPerSku, onHand);
}

/** Many items, random single-line reservations: no contention, every call a different object. */
export async function wide(ctx: RunContext, items: Item[]): Promise<Row[]> {
  const seeded = await seed(ctx, `wide: seed ${items.length.toLocaleString("en-US")} items (PUT)`, items);
  const settled = await settle(ctx, ctx.profile.settleSeconds);
  seeded.row.notes.push(`then ${settled.toFixed(0)} s until the target's background work (events to D1) was done`);
  const load = await runLoad(
    {
      label: `${ctx.target.label}: wide`,
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      seconds: ctx.profile.wide.seconds,
      requests: [
        reserveRequest(ctx, "wide", () => {
          const item = pick(items);
          return [{ sku: item.sku, warehouse: item.warehouse, quantity: 1 }];
        }),
      ],
      pids: ctx.target.pids(),
    },
    ctx.progress,
  );
  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, ["wide"], items), ctx.progress);
  return [
    seeded.row,
    {
      scenario: "wide: 1-line reservations",
      load,
      audit: result,
      notes: [`random item of ${items.length.toLocaleString("en-US")}, quantity 1`],
    },
  ];
}
