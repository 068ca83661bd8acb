import type { Item } from "../ledger";
import { inclusiveShares, profileWhile, summarize } from "../lib/inspector";
import { type LoadRequest, type LoadResult, runLoad } from "../lib/load";
import { type RunContext, reserveRequest, settle } from "./common";

/**
 * The hot SKU's shape (scenarios/hot.ts), for the scenarios that compare against it in rounds
 * (issue 13's live watchers, issue 14's scoped keys): a warm-up that sizes the stock, then any
 * number of sell-outs of fresh items with that stock, single-unit reservations from every
 * connection, exactly `stock` requests each.
 */
export const HOT_WAREHOUSE = "wh-1";

export async function setStock(ctx: RunContext, sku: string, onHand: number): Promise<{ version: number }> {
  const answer = await ctx.api.put(`/v1/stock/${sku}/${HOT_WAREHOUSE}`, { onHand });
  if (answer.status !== 200) throw new Error(`setting ${sku} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  ctx.ledger.setItem(sku, HOT_WAREHOUSE, onHand);
  const version = (answer.body as { version?: unknown } | null)?.version;
  return { version: typeof version === "number" ? version : 1 };
}

export interface WarmUp {
  item: Item;
  scenario: string;
  rps: number;
  stock: number;
  seconds: number;
}

/**
 * `seconds` of single-unit reservations on an item of its own (warms the target up), and the
 * stock that rate sells in `sellOutSeconds`, within the hot SKU's bounds. `requests` (optional)
 * turns the warm-up's request into another (e.g. with a scoped key).
 */
export async function warmUp(
  ctx: RunContext,
  prefix: string,
  sellOutSeconds: number,
  wrap: (request: LoadRequest) => LoadRequest = (r) => r,
): Promise<WarmUp> {
  const { warmupSeconds, minStock, maxStock } = ctx.profile.hot;
  const sku = `${prefix}-WARMUP`;
  const set = 1_000_000;
  await settle(ctx, ctx.profile.settleSeconds);
  await setStock(ctx, sku, set);
  const scenario = `${prefix.toLowerCase()}-warmup`;
  const load = await runLoad(
    {
      label: `${ctx.target.label}: ${prefix.toLowerCase()} warm-up`,
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      seconds: warmupSeconds,
      requests: [wrap(reserveRequest(ctx, scenario, () => [{ sku, warehouse: HOT_WAREHOUSE, quantity: 1 }]))],
      pids: ctx.target.pids(),
    },
    ctx.progress,
  );
  return {
    item: { sku, warehouse: HOT_WAREHOUSE, set },
    scenario,
    rps: load.rps,
    stock: Math.min(maxStock, Math.max(minStock, Math.round(load.rps * sellOutSeconds))),
    seconds: warmupSeconds,
  };
}

/** One sell-out: exactly `stock` single-unit reservations of `sku`, every connection. */
export function sellOut(ctx: RunContext, label: string, stock: number, sellOutSeconds: number, request: LoadRequest): Promise<LoadResult> {
  return runLoad(
    {
      label: `${ctx.target.label}: ${label}`,
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      amount: stock,
      seconds: sellOutSeconds * 4 + 10,
      requests: [request],
      pids: ctx.target.pids(),
    },
    ctx.progress,
  );
}

/**
 * Where one load's time went inside the Worker's isolate, from a V8 CPU profile (sampled over
 * wall-clock time, so on a busy machine it counts time waiting for a core too: shares, not
 * milliseconds), beside workerd's CPU per request from /proc.
 */
export interface IsolateCost {
  requests: number;
  rps: number;
  /** workerd's CPU per request, every thread and service (from /proc). */
  processMsPerRequest: number;
  /** Per pattern: the share of the isolate's busy samples with that source on the stack. */
  shares: { label: string; share: number }[];
  /** The functions with the most self time, as shares of the busy samples. */
  top: { fn: string; source: string; share: number }[];
}

/**
 * Runs `work` under the isolate's CPU profiler when the target has an inspector (the workerd
 * path with profiling on), and says where the time went; without one, just runs it.
 */
export async function profiledLoad(
  ctx: RunContext,
  work: () => Promise<LoadResult>,
  patterns: { label: string; source: RegExp }[],
): Promise<{ load: LoadResult; cost?: IsolateCost }> {
  const { inspectorUrl, bundle } = ctx.target;
  if (inspectorUrl === undefined || bundle === undefined) return { load: await work() };
  const { result: load, profile } = await profileWhile(inspectorUrl, work);
  const summary = await summarize(profile, bundle, `${bundle}.map`);
  const inclusive = await inclusiveShares(profile, bundle, `${bundle}.map`, patterns);
  const idle = summary.buckets.filter((b) => b.bucket.startsWith("(idle")).reduce((s, b) => s + b.ms, 0);
  const busy = summary.totalMs - idle;
  return {
    load,
    cost: {
      requests: load.requests,
      rps: load.rps,
      processMsPerRequest: load.cpu.targetMsPerRequest ?? 0,
      shares: inclusive.shares,
      top: summary.top
        .filter((f) => f.fn !== "(idle)")
        .slice(0, 8)
        .map((f) => ({ fn: f.fn, source: f.source, share: busy > 0 ? f.ms / busy : 0 })),
    },
  };
}

/** Two profiled loads side by side: for the notes. */
export function costLines(a: IsolateCost, aName: string, b: IsolateCost, bName: string): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `profiled rounds (not in the rates), ${aName} → ${bName}: workerd CPU ${a.processMsPerRequest.toFixed(2)} → ${b.processMsPerRequest.toFixed(2)} ms per request ` +
      `(${a.rps.toFixed(0)} → ${b.rps.toFixed(0)} req/s under the profiler); share of the isolate's busy samples with ` +
      b.shares.map((s, k) => `${s.label} on the stack ${pct(a.shares[k]?.share ?? 0)} → ${pct(s.share)}`).join(", "),
    `top functions by self time, ${bName}: ${b.top.map((t) => `${t.fn} (${t.source || "native"}) ${pct(t.share)}`).join("; ")}`,
  ];
}
