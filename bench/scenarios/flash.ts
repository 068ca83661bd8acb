import { audit } from "../audit";
import { runLoad } from "../lib/load";
import { type PoolSpread, type Row, type RunContext, reserveRequest, scopeOf, settle, withCheck } from "./common";

const WAREHOUSE = "wh-1";

/** The goal of issue 11: with 8 shards no single object serves more than this share of the calls. */
export const LARGEST_SHARE_GOAL = 0.2;

const n = (x: number) => x.toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

interface ShardsBody {
  unallocated: number;
  shards: { shard: number; allocated: number; reserved: number; available: number; requests: number }[];
}

function isShardsBody(body: unknown): body is ShardsBody {
  return typeof body === "object" && body !== null && Array.isArray((body as ShardsBody).shards);
}

/**
 * Flash sale (issue 11, flash-sale pools), Worker paths only: the hot SKU's sell-out on a
 * fresh item set with `shards` 1, then on another with `shards` 8 (the item's reservations
 * taken by 8 pool members in parallel). Both get the same stock: what the hot SKU's measured
 * sell-out rate sells in `flash.sellOutSeconds` (within the hot SKU's min..max), so the
 * 1-shard row sells out in about that time. Exactly `stock` single-unit reservations from
 * every connection, then the usual audit, with "sold out exactly". After the 8-shard load,
 * `GET …/shards` tells how many reservation calls each member served: the largest share of
 * them is the row's spread figure (goal ≤ 20 %).
 */
export async function flashSale(ctx: RunContext, hotRps: number | undefined): Promise<Row[]> {
  const { minStock, maxStock } = ctx.profile.hot;
  const { sellOutSeconds, shards } = ctx.profile.flash;
  const stock = Math.min(maxStock, Math.max(minStock, Math.round((hotRps ?? 0) * sellOutSeconds)));
  const sizing =
    hotRps === undefined
      ? `no hot SKU rate measured: the hot SKU's minimum`
      : `the hot SKU's sell-out rate, ${n(Math.round(hotRps))} req/s, × ${sellOutSeconds} s, within ${n(minStock)}..${n(maxStock)}`;
  const rows: Row[] = [];
  for (const count of [1, shards]) {
    rows.push(await sellOut(ctx, count, stock, sizing));
  }
  return rows;
}

/** One row: a fresh item with `shards`, sold out, its calls' spread read, audited. */
async function sellOut(ctx: RunContext, shards: number, stock: number, sizing: string): Promise<Row> {
  const sku = `FLASH-${shards}`;
  const scenario = `flash-${shards}`;
  const label = `flash sale: ${shards} shard${shards === 1 ? "" : "s"}`;
  await settle(ctx, ctx.profile.settleSeconds);
  const put = await ctx.api.put(`/v1/stock/${sku}/${WAREHOUSE}`, { onHand: stock, shards });
  if (put.status !== 200) throw new Error(`setting ${sku} (shards ${shards}) failed: ${put.status} ${JSON.stringify(put.body)}`);
  ctx.ledger.setItem(sku, WAREHOUSE, stock);
  const answered = typeof put.body === "object" && put.body !== null ? (put.body as { shards?: unknown }).shards : undefined;
  const spread: PoolSpread = {
    sku,
    warehouse: WAREHOUSE,
    stock,
    shards,
    ...(typeof answered === "number" ? { shardsAnswered: answered } : {}),
  };
  await settle(ctx, ctx.profile.settleSeconds);
  const load = await runLoad(
    {
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      pids: ctx.target.pids(),
      label: `${ctx.target.label}: ${label}`,
      amount: stock,
      seconds: ctx.profile.flash.sellOutSeconds * 4 + 10,
      requests: [reserveRequest(ctx, scenario, () => [{ sku, warehouse: WAREHOUSE, quantity: 1 }])],
    },
    ctx.progress,
  );

  // Read right after the load, before the audit's reads.
  if (shards === 1) spread.largestShare = 1;
  else Object.assign(spread, await poolSpread(ctx, sku, shards));

  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, [scenario], [{ sku, warehouse: WAREHOUSE, set: stock }], 1), ctx.progress);
  const sold = ctx.ledger.of(scenario).filter((p) => p.acknowledged).length;
  const checked = withCheck(result, {
    name: "sold out exactly",
    pass: sold === stock,
    detail: `${n(sold)} units acknowledged (201) of ${n(stock)} in stock`,
  });

  const notes = [`${n(stock)} units, 1 per reservation, shards ${shards} (stock: ${sizing})`];
  if (spread.shardsAnswered !== shards) {
    notes.push(`the PUT's answer says shards ${spread.shardsAnswered ?? "(absent)"}, not ${shards}`);
  }
  notes.push(spreadNote(spread));
  return { scenario: label, load, audit: checked, notes, pool: spread };
}

/** `GET …/shards` after the load: each member's reservation calls, and the largest share. */
async function poolSpread(ctx: RunContext, sku: string, shards: number): Promise<Partial<PoolSpread>> {
  const answer = await ctx.api.get(`/v1/stock/${sku}/${WAREHOUSE}/shards`);
  if (answer.status !== 200 || !isShardsBody(answer.body)) {
    return { notMeasured: `GET /v1/stock/${sku}/${WAREHOUSE}/shards: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}` };
  }
  const body = answer.body;
  const requests = Array.from({ length: shards }, (_, k) => body.shards.find((s) => s.shard === k)?.requests ?? 0);
  const total = requests.reduce((a, b) => a + b, 0);
  const figures = { requests, unallocated: body.unallocated };
  if (body.shards.length !== shards) {
    return { ...figures, notMeasured: `GET …/shards lists ${body.shards.length} members, not ${shards}` };
  }
  if (total === 0) return { ...figures, notMeasured: "GET …/shards counts no reservation call at any member" };
  return { ...figures, largestShare: Math.max(...requests) / total };
}

function spreadNote(spread: PoolSpread): string {
  const goal = `goal ≤ ${LARGEST_SHARE_GOAL * 100}% with 8 shards`;
  if (spread.shards === 1) return `largest share of the reservation calls served by one object: 100% (one object, the item) (${goal})`;
  const requests = spread.requests ?? [];
  const total = requests.reduce((a, b) => a + b, 0);
  const perMember =
    requests.length > 0 ? `; calls per member ${requests.map(n).join(" / ")} (Σ ${n(total)} for ${n(spread.stock)} reservations)` : "";
  const unallocated = spread.unallocated === undefined ? "" : `; unallocated after the load ${n(spread.unallocated)}`;
  const counted =
    "counted by GET …/shards `requests`: every reservation call that reached a member, refused ones included (a member short of units or retired); " +
    "the item's own object (each coordinator's first call, answered 'pooled', and the last units) is not in it";
  if (spread.largestShare === undefined)
    return `largest share of the reservation calls served by one member: not measured: ${spread.notMeasured ?? "?"}${perMember}${unallocated}`;
  const met = spread.largestShare <= LARGEST_SHARE_GOAL ? "met" : "missed";
  return `largest share of the reservation calls served by one member: ${pct(spread.largestShare)} (${goal}: ${met}; ${counted})${perMember}${unallocated}`;
}
