import type { Region } from "../regions/regions";
import { COMMIT_LATENCY_MS, roundTripMs } from "./round-trips";

/**
 * The simulated network of the geo bench: the one seam where the delay of a deployed network is
 * put back into a single-machine run. Objects are called, and commit, through it; when the Worker
 * variable `SIMULATE_GEO` is not "true" (every deployment: the deploy refuses `SIMULATE_*`),
 * `simulatedNetwork` answers `null` and the callers skip it, so the deployed path pays one
 * string comparison per call.
 *
 * What it simulates, and nothing more:
 * - a call from region A to an object in region B waits the round trip A–B (src/geo/round-trips.ts),
 *   with ±10 % jitter from a seeded generator (`SIMULATE_GEO_SEED`), so a run repeats;
 * - an object lives where its first call came from, or where its location hint says, and never
 *   moves (Cloudflare's placement);
 * - a storage write is confirmed after the commit latency (the output gate: the answer waits, the
 *   object does not).
 * Locally the Worker and every object share one isolate, so the placement table below is one table.
 */
export interface SimulatedNetwork {
  /** Wait as a call from `from` to an object in `to` would, there and back. */
  roundTrip(from: Region, to: Region): Promise<void>;
  /** Wait as the confirmation of a storage write would. */
  commit(): Promise<void>;
  /** The region of the object `name`: its hint, else the region of its first caller, recorded then. */
  placement(name: string, caller: Region, hint?: Region): Region;
}

export interface GeoVars {
  SIMULATE_GEO?: string;
  SIMULATE_GEO_SEED?: string;
}

let shared: { seed: string; network: SimulatedNetwork } | null = null;

export function simulatedNetwork(env: GeoVars): SimulatedNetwork | null {
  if (env.SIMULATE_GEO !== "true") return null;
  const seed = env.SIMULATE_GEO_SEED ?? "1";
  if (shared?.seed !== seed) shared = { seed, network: createNetwork(seed) };
  return shared.network;
}

function createNetwork(seed: string): SimulatedNetwork {
  const random = seededRandom(seed);
  const placements = new Map<string, Region>();
  const jittered = (ms: number) => ms * (0.9 + 0.2 * random());
  return {
    roundTrip: (from, to) => sleep(jittered(roundTripMs(from, to))),
    commit: () => sleep(jittered(COMMIT_LATENCY_MS)),
    placement(name, caller, hint) {
      const known = placements.get(name);
      if (known) return known;
      const region = hint ?? caller;
      placements.set(name, region);
      return region;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A seeded generator of numbers in [0, 1): the same seed draws the same sequence (the geo bench's too). */
export function seededRandom(seed: string): () => number {
  return mulberry32(hashSeed(seed));
}

function hashSeed(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A small seeded generator (mulberry32): the same seed draws the same jitter. */
function mulberry32(state: number): () => number {
  let s = state;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
