import { simulatedNetwork } from "../../src/geo/network";

/**
 * What the simulation's seam costs a deployed Worker: there `SIMULATE_GEO` is never "true", so
 * each call site pays `simulatedNetwork(env)` answering `null` (one string comparison) and a
 * branch on it. Measured here in Node (V8, as workerd): the seam's call against the same loop
 * calling an empty function, many million times, best of five.
 */
export interface SeamCost {
  calls: number;
  /** ns per `simulatedNetwork(env)` call with the simulation off. */
  seamNs: number;
  /** ns per call of an empty function taking the same argument (the loop's own cost). */
  emptyNs: number;
}

const empty = (env: { SIMULATE_GEO?: string }) => (env.SIMULATE_GEO === undefined ? null : null);

export function measureSeam(calls = 5_000_000): SeamCost {
  // Vars as a deployed Worker has them: other strings, and no SIMULATE_GEO.
  const env: { SIMULATE_GEO?: string; LOCAL_REGION?: string } = { LOCAL_REGION: undefined };
  const time = (fn: (e: typeof env) => unknown): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      let sink = 0;
      const started = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) if (fn(env) === null) sink++;
      const ns = Number(process.hrtime.bigint() - started) / calls;
      if (sink !== calls) throw new Error("the seam answered something other than null with the simulation off");
      best = Math.min(best, ns);
    }
    return best;
  };
  time(simulatedNetwork);
  time(empty);
  return { calls, seamNs: time(simulatedNetwork), emptyNs: time(empty) };
}
