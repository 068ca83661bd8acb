/**
 * The nine regions of the API (contract "Regions (v1.2)"): Cloudflare's Durable Object location
 * hints. A region names where a coordinator or a pool object is placed and where a request came
 * from; nothing else. Pure: no runtime imports.
 */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;

export type Region = (typeof REGIONS)[number];

const KNOWN: ReadonlySet<string> = new Set(REGIONS);

export function isRegion(value: unknown): value is Region {
  return typeof value === "string" && KNOWN.has(value);
}

/** Where `npm start` says every request comes from when `LOCAL_REGION` is not set. */
export const DEFAULT_LOCAL_REGION: Region = "weur";
