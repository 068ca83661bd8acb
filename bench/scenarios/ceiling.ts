import { Api } from "../lib/api";
import { cpuBetween, snapshot } from "../lib/cpu";
import { runLoad } from "../lib/load";
import type { Target } from "../targets/target";
import { type Row, type RunContext, settle } from "./common";

/**
 * The ceiling of a path: `GET /v1/health` (no token, no storage), the hello-world route.
 * Every other figure of the same path is reported as a share of it.
 */
export async function ceiling(ctx: RunContext): Promise<Row> {
  await settle(ctx, ctx.profile.settleSeconds);
  const load = await healthLoad(ctx, ctx.target, `${ctx.target.label}: ceiling (GET /v1/health)`);
  ctx.ceilingRps = load.rps;
  return { scenario: "ceiling: GET /v1/health", load, notes: [] };
}

export const BARE_CEILING = "ceiling, no assets router: GET /v1/health";

/** One call at a time: how much CPU the health route costs without any queueing. */
export interface AloneCost {
  calls: number;
  p50: number;
  cpuMsPerCall: number;
}

/**
 * The bare ceiling: the same bundle served the same way, but without wrangler.toml's `[assets]`,
 * so no static-asset router sits in front of the Worker (deployed, that router is Cloudflare's
 * edge, not the Worker's CPU). Started next to the path's own target right after its ceiling,
 * measured with the same load, then stopped. Also times `calls` health calls one at a time.
 */
export async function bareCeiling(ctx: RunContext, start: () => Promise<Target>, calls: number): Promise<{ row: Row; alone: AloneCost }> {
  const bare = await start();
  try {
    const bareCtx: RunContext = { ...ctx, target: bare, api: new Api(bare.baseUrl, bare.token) };
    await settle(bareCtx, ctx.profile.settleSeconds);
    const load = await healthLoad(bareCtx, bare, `${bare.label}: bare ceiling (GET /v1/health)`);
    const latencies: number[] = [];
    const before = snapshot(bare.pids());
    for (let i = 0; i < calls; i++) {
      const answer = await bareCtx.api.get("/v1/health");
      latencies.push(answer.ms);
    }
    const cpu = cpuBetween(before, snapshot(bare.pids()));
    latencies.sort((a, b) => a - b);
    return {
      row: {
        scenario: BARE_CEILING,
        load,
        notes: [
          "the same bundle on a second workerd started without wrangler.toml's [assets], so no asset router in front; every share of the ceiling is against this one",
        ],
      },
      alone: { calls, p50: latencies[Math.floor(latencies.length / 2)] ?? 0, cpuMsPerCall: (cpu.targetCores * cpu.wallMs) / calls },
    };
  } finally {
    await bare.stop();
  }
}

function healthLoad(ctx: RunContext, target: Target, label: string) {
  return runLoad(
    {
      label,
      baseUrl: target.baseUrl,
      connections: ctx.profile.connections,
      seconds: ctx.profile.ceilingSeconds,
      requests: [{ method: "GET", path: "/v1/health" }],
      pids: target.pids(),
    },
    ctx.progress,
  );
}
