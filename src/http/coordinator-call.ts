import type { Context, MiddlewareHandler } from "hono";
import { simulatedNetwork } from "../geo/network";
import type { Region } from "../regions/regions";
import { coordinatorAddress, coordinatorAt } from "../reservations/address";
import type { StockCallTiming } from "../reservations/ReservationCoordinator";
import type { AppEnv } from "./router";
import { type ObjectTiming, serverTiming } from "./server-timing";

type Coordinator = ReturnType<typeof coordinatorAt>;

/**
 * The Worker's call to a reservation's coordinator (src/reservations/address.ts finds it from the
 * id alone), measured for the answer's `Server-Timing` header (contract "Regions (v1.2)"):
 * `coordinator;dur=…` is how long the Worker waited for it, followed by the `item` and `pool`
 * calls the coordinator made (its answer's `timings`, absent from a coordinator older than
 * regions). A route calling twice (a line change that needs its channel) shows both.
 *
 * Geo simulation only (`SIMULATE_GEO` = "true"): before the call, the round trip from the
 * caller's region to the coordinator's simulated placement (its location hint, else the region
 * of its first caller), included in the measured time; the entry then names that region. Off,
 * the cost is the one comparison inside `simulatedNetwork`.
 */
export async function callCoordinator<P extends PromiseLike<unknown>>(
  c: Context<AppEnv>,
  id: string,
  call: (coordinator: Coordinator, region: Region) => P,
): Promise<Awaited<P>> {
  const region = c.get("region");
  const address = coordinatorAddress(id);
  const network = simulatedNetwork(c.env);
  const timings = c.get("timings") ?? [];
  c.set("timings", timings);
  const start = Date.now();
  let placed: Region | undefined;
  let answer: Awaited<P> | undefined;
  try {
    if (network !== null) {
      placed = network.placement(address.name, region, address.hint ?? undefined);
      await network.roundTrip(region, placed);
    }
    answer = await call(coordinatorAt(c.env, address), region);
  } finally {
    const dur = Date.now() - start;
    timings.push(placed === undefined ? { name: "coordinator", dur } : { name: "coordinator", dur, desc: placed });
  }
  const stockCalls = (answer as { timings?: StockCallTiming[] } | null)?.timings;
  if (Array.isArray(stockCalls)) timings.push(...stockCalls);
  return answer as Awaited<P>;
}

/**
 * Answers `Server-Timing` on every response of the routes it guards that called a coordinator,
 * problem answers included: it runs after the app's `onError` has turned a thrown Problem into
 * the response.
 */
export function serverTimingHeader(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const timings: ObjectTiming[] | undefined = c.get("timings");
    if (timings !== undefined) c.header("server-timing", serverTiming(c.get("region"), timings));
  };
}
