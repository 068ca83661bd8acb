import { type RequestLocation, regionFromLocation } from "./from-cf";
import { DEFAULT_LOCAL_REGION, isRegion, type Region } from "./regions";

/**
 * The region a request comes from (contract "Regions (v1.2)"), decided by the Worker alone:
 *
 * 1. The geo simulation (`SIMULATE_GEO` = "true", set only by the geo bench's own configuration;
 *    a deploy refuses every `SIMULATE_*` variable) takes the region the simulated buyer names in
 *    the `SIMULATED_REGION_HEADER` header.
 * 2. Local development (`LOCAL_REGION`, set in `.dev.vars` for `npm start` and never deployed:
 *    `.dev.vars` stays on the developer's machine): every request comes from that region, or from
 *    `weur` when the value is not a region.
 * 3. Deployed: from where Cloudflare received the request (`request.cf`, src/regions/from-cf.ts).
 *
 * No header or parameter chooses the region outside the simulation.
 */
export const SIMULATED_REGION_HEADER = "x-stockflare-simulated-region";

export interface RegionVars {
  LOCAL_REGION?: string;
  SIMULATE_GEO?: string;
}

export function callerRegion(request: Request, env: RegionVars): Region {
  if (env.SIMULATE_GEO === "true") {
    const simulated = request.headers.get(SIMULATED_REGION_HEADER);
    if (isRegion(simulated)) return simulated;
  }
  if (env.LOCAL_REGION !== undefined && env.LOCAL_REGION !== "") {
    return isRegion(env.LOCAL_REGION) ? env.LOCAL_REGION : DEFAULT_LOCAL_REGION;
  }
  return regionFromLocation(request.cf as RequestLocation | undefined);
}
