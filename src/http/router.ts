import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { Principal } from "../keys/scopes";
import type { Region } from "../regions/regions";
import { problems } from "./problem";
import type { ObjectTiming } from "./server-timing";

/**
 * `principal`: who is calling, set by the auth middleware (src/http/auth.ts) for every `/v1` route.
 * `region`: where the request comes from (src/http/region.ts), for every `/v1` route.
 * `timings`: the objects a reservation route called and how long each took (src/http/coordinator-call.ts),
 * answered as `Server-Timing`.
 */
export type AppEnv = { Bindings: Env; Variables: { principal: Principal; region: Region; timings?: ObjectTiming[] } };

function fieldErrors(error: ZodError) {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/**
 * A router whose validation failures become `400 invalid_request` problems. Every route
 * module builds on this, so no route answers a bad input in its own way.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw problems.invalidRequest(fieldErrors(result.error));
    },
  });
}
