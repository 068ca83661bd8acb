import { Hono } from "hono";
import { activeFaults, clearFaults, FAULT_NAMES, faultInjectionEnabled, isFaultName, MAX_FAULT_MS, setFault } from "../faults/faults";
import { problems } from "./problem";
import type { AppEnv } from "./router";

/**
 * The soak's handle on the fault switches (src/faults/faults.ts), for local development only:
 *
 *   GET    /v1/admin/faults                       200 { faults: [{ name, until }] }
 *   POST   /v1/admin/faults { name, seconds }     200 { faults }: `name` on for `seconds` (0 turns it off)
 *   DELETE /v1/admin/faults                       200 { faults: [] }
 *
 * Unless the Worker has `FAULT_INJECTION = "true"` every call answers 404, as if the route did
 * not exist, and it is left out of the OpenAPI document. Only the root key may use it.
 */
/** The routes above, which the public API (and so the OpenAPI document) does not have. */
export const LOCAL_ONLY_ROUTES = ["GET /v1/admin/faults", "POST /v1/admin/faults", "DELETE /v1/admin/faults"];

export const faultRoutes = new Hono<AppEnv>();

faultRoutes.use("/v1/admin/faults", async (c, next) => {
  if (!faultInjectionEnabled(c.env)) throw problems.notFound();
  if (!c.get("principal").root) throw problems.forbidden("admin", "Fault switches need the root key.");
  await next();
});

faultRoutes.get("/v1/admin/faults", (c) => c.json({ faults: activeFaults() }));

faultRoutes.post("/v1/admin/faults", async (c) => {
  const body = (await c.req.json().catch(() => null)) as { name?: unknown; seconds?: unknown } | null;
  const seconds = body?.seconds;
  const errors = [];
  if (!isFaultName(body?.name)) errors.push({ path: "name", message: `one of ${FAULT_NAMES.join(", ")}` });
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds * 1000 > MAX_FAULT_MS) {
    errors.push({ path: "seconds", message: `a number of seconds, 0..${MAX_FAULT_MS / 1000}` });
  }
  if (errors.length > 0 || !isFaultName(body?.name) || typeof seconds !== "number") throw problems.invalidRequest(errors);
  setFault(body.name, seconds * 1000);
  return c.json({ faults: activeFaults() });
});

faultRoutes.delete("/v1/admin/faults", (c) => {
  clearFaults();
  return c.json({ faults: activeFaults() });
});
