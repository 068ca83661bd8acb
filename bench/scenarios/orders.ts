import { audit } from "../audit";
import { runLoad } from "../lib/load";
import { changeRequest, itemsOf, pickDistinct, type Row, type RunContext, reserveRequest, scopeOf, seed, settle } from "./common";

/**
 * Orders: 3-line reservations over a set of items, each followed by a commit (50%) or a
 * release (40%), or left held (10%). Every HTTP call counts in req/s.
 */
export async function orders(ctx: RunContext): Promise<Row[]> {
  const { skus, warehousesPerSku, onHand, seconds } = ctx.profile.orders;
  const items = itemsOf("ORD", skus, warehousesPerSku, onHand);
  const seeded = await seed(ctx, `orders: seed ${items.length.toLocaleString("en-US")} items (PUT)`, items);
  const settled = await settle(ctx, ctx.profile.settleSeconds);
  if (ctx.target.kind === "worker") {
    seeded.row.notes.push(`then ${settled.toFixed(0)} s until the target's background work was done`);
  }
  const load = await runLoad(
    {
      label: `${ctx.target.label}: orders`,
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      seconds,
      requests: [
        reserveRequest(
          ctx,
          "orders",
          () =>
            pickDistinct(items, 3).map((item) => ({
              sku: item.sku,
              warehouse: item.warehouse,
              quantity: 1 + Math.floor(Math.random() * 3),
            })),
          () => {
            const r = Math.random();
            return r < 0.5 ? "commit" : r < 0.9 ? "release" : "hold";
          },
        ),
        changeRequest(ctx),
      ],
      pids: ctx.target.pids(),
    },
    ctx.progress,
  );
  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, ["orders"], items), ctx.progress);
  const placed = ctx.ledger.of("orders");
  const count = (state: string) => placed.filter((p) => p.state === state).length;
  return [
    seeded.row,
    {
      scenario: "orders: 3-line + commit/release",
      load,
      audit: result,
      notes: [
        `${(placed.length / load.seconds).toFixed(0)} orders/s; ${count("committed")} committed, ${count("released")} released, ${count("held")} held`,
      ],
    },
  ];
}
