/**
 * Worker variables that wrangler.toml never declares, so `npm run types` (which writes
 * worker-configuration.d.ts from wrangler.toml and a local .dev.vars) does not know them: they
 * are local-only switches the deploy script refuses in [vars] (scripts/deploy.ts). Merged into
 * the generated `Env`; each is absent in a deployed Worker.
 */
interface Env {
  /** `npm start` and the tests: the region every request comes from (src/regions/caller.ts). */
  LOCAL_REGION?: string;
  /** "true" only in the geo bench's own configuration: the simulated network (src/geo/network.ts). */
  SIMULATE_GEO?: string;
  /** The simulation's seed, so a run repeats. */
  SIMULATE_GEO_SEED?: string;
}
