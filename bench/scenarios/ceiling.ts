import { runLoad } from "../lib/load";
import { type Row, type RunContext, settle } from "./common";

/**
 * The ceiling of a path: `GET /v1/health` (no token, no storage), the hello-world route.
 * Every other figure of the same path is reported as a share of it.
 */
export async function ceiling(ctx: RunContext): Promise<Row> {
  await settle(ctx, ctx.profile.settleSeconds);
  const load = await runLoad(
    {
      label: `${ctx.target.label}: ceiling (GET /v1/health)`,
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      seconds: ctx.profile.ceilingSeconds,
      requests: [{ method: "GET", path: "/v1/health" }],
      pids: ctx.target.pids(),
    },
    ctx.progress,
  );
  ctx.ceilingRps = load.rps;
  return { scenario: "ceiling: GET /v1/health", load, notes: [] };
}
