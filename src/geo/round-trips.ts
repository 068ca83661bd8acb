import { REGIONS, type Region } from "../regions/regions";

/**
 * Round-trip times between the nine regions, in ms, for the geo simulation (bench) and for
 * "the nearest listed region" (regional pools). One table, one place.
 *
 * Measured: the pairs among wnam, enam, sam, weur, apac and oc are the published averages of
 * "Latency Between AWS Global Regions" (April 2017, cloudping measurements between AWS regions;
 * reproduced in docs/regions.md with the exact figures), taking the nearest AWS region of each:
 * wnam = US West (N. California), enam = US East (N. Virginia), sam = South America (São Paulo),
 * weur = EU (Ireland), apac = Asia Pacific (Singapore), oc = Asia Pacific (Sydney). Among them:
 * Virginia–Ireland 80.5, Virginia–Sydney 230, Singapore–São Paulo 328.1 (Frankfurt–Sydney, not a
 * pair here, measured 323.5).
 *
 * Estimated: that table has no region in eastern Europe, Africa or the Middle East, so every pair
 * with eeur (Warsaw), afr (Johannesburg) or me (Dubai) is the great-circle distance times
 * 17.6 ms per 1,000 km, the factor that fits the measured pairs best (least squares; on them the
 * estimate is within −31 % to +37 %, so these rows are rough). Marked `~` below.
 */
const MEASURED_AND_ESTIMATED: Record<string, number> = {
  "wnam-enam": 72.7,
  "wnam-sam": 192.7,
  "wnam-weur": 153.2,
  "wnam-apac": 174,
  "wnam-oc": 157.5,
  "enam-sam": 119.5,
  "enam-weur": 80.5,
  "enam-apac": 216.7,
  "enam-oc": 230,
  "sam-weur": 191.3,
  "sam-apac": 328.1,
  "sam-oc": 322.5,
  "weur-apac": 239,
  "weur-oc": 309.6,
  "apac-oc": 175.3,
  // ~ estimated (great-circle distance × 17.6 ms / 1,000 km)
  "eeur-wnam": 166,
  "eeur-enam": 126,
  "eeur-sam": 187,
  "eeur-weur": 32,
  "eeur-apac": 165,
  "eeur-oc": 274,
  "eeur-afr": 154,
  "eeur-me": 73,
  "afr-wnam": 298,
  "afr-enam": 229,
  "afr-sam": 131,
  "afr-weur": 166,
  "afr-apac": 152,
  "afr-oc": 194,
  "afr-me": 113,
  "me-wnam": 230,
  "me-enam": 199,
  "me-sam": 215,
  "me-weur": 104,
  "me-apac": 103,
  "me-oc": 212,
};

/** A round trip between two objects of one region (Cloudflare data centres of one area). */
export const INTRA_REGION_RTT_MS = 6;

/** A confirmed write of a SQLite-backed object: 3 of 5 nearby followers acknowledge it. */
export const COMMIT_LATENCY_MS = 4;

export function roundTripMs(from: Region, to: Region): number {
  if (from === to) return INTRA_REGION_RTT_MS;
  const value = MEASURED_AND_ESTIMATED[`${from}-${to}`] ?? MEASURED_AND_ESTIMATED[`${to}-${from}`];
  if (value === undefined) throw new Error(`no round trip between ${from} and ${to}`);
  return value;
}

/** `candidates` ordered nearest first from `from` (ties in the table's region order). */
export function nearestFirst(from: Region, candidates: readonly Region[]): Region[] {
  const order = (region: Region) => REGIONS.indexOf(region);
  return [...candidates].sort((a, b) => roundTripMs(from, a) - roundTripMs(from, b) || order(a) - order(b));
}
