import type { MiddlewareHandler } from "hono";
import { callerRegion } from "../regions/caller";
import type { AppEnv } from "./router";

/**
 * Sets `region`, the region the request comes from (contract "Regions (v1.2)"), for every `/v1`
 * route: from `request.cf` when deployed, `LOCAL_REGION` under `npm start`, the simulated
 * buyer's only when the geo simulation is configured on (src/regions/caller.ts has the rules).
 */
export function callerRegionOf(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("region", callerRegion(c.req.raw, c.env));
    await next();
  };
}
