import { audit } from "../audit";
import { runLoad } from "../lib/load";
import { type Row, type RunContext, reserveRequest, scopeOf, settle, withCheck } from "./common";

const WAREHOUSE = "wh-1";

/**
 * One hot SKU. A short warm-up on a separate item measures the reservation rate (and warms
 * the target up); the hot SKU then gets the stock that rate sells in about
 * `sellOutSeconds`. Many concurrent single-unit reservations sell it out (exactly `stock`
 * requests), then the same requests keep coming and must all be refused (409
 * insufficient_stock): the two phases are measured apart.
 */
export async function hotSku(ctx: RunContext): Promise<Row[]> {
  const { warmupSeconds, sellOutSeconds, minStock, maxStock, rejectSeconds } = ctx.profile.hot;
  const base = { baseUrl: ctx.target.baseUrl, connections: ctx.profile.connections, pids: ctx.target.pids() };
  const setStock = async (sku: string, onHand: number) => {
    const answer = await ctx.api.put(`/v1/stock/${sku}/${WAREHOUSE}`, { onHand });
    if (answer.status !== 200) throw new Error(`setting ${sku} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    ctx.ledger.setItem(sku, WAREHOUSE, onHand);
  };

  await settle(ctx, ctx.profile.settleSeconds);
  const warmSku = "HOT-WARMUP";
  const warmStock = 1_000_000;
  await setStock(warmSku, warmStock);
  const warmup = await runLoad(
    {
      ...base,
      label: `${ctx.target.label}: hot SKU warm-up`,
      seconds: warmupSeconds,
      requests: [reserveRequest(ctx, "hot-warmup", () => [{ sku: warmSku, warehouse: WAREHOUSE, quantity: 1 }])],
    },
    ctx.progress,
  );
  const stock = Math.min(maxStock, Math.max(minStock, Math.round(warmup.rps * sellOutSeconds)));

  const sku = "HOT-1";
  await setStock(sku, stock);
  await settle(ctx, ctx.profile.settleSeconds);
  const request = reserveRequest(ctx, "hot", () => [{ sku, warehouse: WAREHOUSE, quantity: 1 }]);
  const sellOut = await runLoad(
    { ...base, label: `${ctx.target.label}: hot SKU sell-out`, amount: stock, seconds: sellOutSeconds * 4 + 10, requests: [request] },
    ctx.progress,
  );
  const rejections = await runLoad(
    { ...base, label: `${ctx.target.label}: hot SKU after sell-out`, seconds: rejectSeconds, requests: [request] },
    ctx.progress,
  );
  const result = await audit(
    ctx.api,
    ctx.ledger,
    scopeOf(
      ctx,
      ["hot-warmup", "hot"],
      [
        { sku: warmSku, warehouse: WAREHOUSE, set: warmStock },
        { sku, warehouse: WAREHOUSE, set: stock },
      ],
      2,
    ),
    ctx.progress,
  );
  const sold = ctx.ledger.of("hot").filter((p) => p.acknowledged).length;
  const checked = withCheck(result, {
    name: "sold out exactly",
    pass: sold === stock,
    detail: `${sold.toLocaleString("en-US")} units acknowledged (201) of ${stock.toLocaleString("en-US")} in stock`,
  });
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    {
      scenario: "hot SKU: sell-out (201s)",
      load: sellOut,
      notes: [`${n(stock)} units, 1 per reservation (sized from a ${warmupSeconds} s warm-up at ${n(Math.round(warmup.rps))} req/s)`],
    },
    { scenario: "hot SKU: after sell-out (409s)", load: rejections, audit: checked, notes: [] },
  ];
}
