import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { Principal } from "../keys/scopes";
import { problems } from "./problem";

/** `principal`: who is calling, set by the auth middleware (src/http/auth.ts) for every `/v1` route. */
export type AppEnv = { Bindings: Env; Variables: { principal: Principal } };

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
