import type { Region } from "./regions";

/**
 * The region of a request, from what Cloudflare says of where it received it (`request.cf`).
 *
 * The mapping, by continent first (the field every request carries), then country, then the
 * coordinates where a continent spans two regions:
 *
 * | `cf.continent` | region |
 * |---|---|
 * | NA (North America, Central America, Caribbean) | `wnam` west of 100° W (or, without coordinates, a western US state or Canadian province, or Mexico's Pacific side), else `enam` |
 * | SA | `sam` |
 * | EU | `eeur` for the countries listed in `EASTERN_EUROPE`, else `weur` |
 * | AS | `me` for the countries listed in `MIDDLE_EAST`, else `apac` |
 * | OC | `oc` |
 * | AF | `afr`, except Egypt and Libya (`me`: their traffic is served from the Middle East's side of the Mediterranean) |
 * | AN (Antarctica), T1 (Tor) or absent | the nearest region by coordinates, else `enam` |
 *
 * The fallback is only for requests the platform cannot place; it never chooses a region a client
 * asked for: nothing here reads a header or a parameter.
 */
export interface RequestLocation {
  continent?: string | null;
  country?: string | null;
  regionCode?: string | null;
  latitude?: string | number | null;
  longitude?: string | number | null;
}

/** ISO 3166-1 alpha-2 countries served from Eastern Europe (`eeur`). */
export const EASTERN_EUROPE: ReadonlySet<string> = new Set([
  "AL",
  "BA",
  "BG",
  "BY",
  "CZ",
  "EE",
  "FI",
  "GR",
  "HR",
  "HU",
  "LT",
  "LV",
  "MD",
  "ME",
  "MK",
  "PL",
  "RO",
  "RS",
  "RU",
  "SI",
  "SK",
  "UA",
  "XK",
  "CY",
]);

/** Countries on continent AS (and EG, LY) served from the Middle East (`me`). */
export const MIDDLE_EAST: ReadonlySet<string> = new Set([
  "AE",
  "BH",
  "IL",
  "IQ",
  "IR",
  "JO",
  "KW",
  "LB",
  "OM",
  "PS",
  "QA",
  "SA",
  "SY",
  "TR",
  "YE",
  "AM",
  "AZ",
  "GE",
  "EG",
  "LY",
]);

/** US states and Canadian provinces west of about 100° W, for a request without coordinates. */
const WESTERN_NORTH_AMERICA: ReadonlySet<string> = new Set([
  "US-AK",
  "US-AZ",
  "US-CA",
  "US-CO",
  "US-HI",
  "US-ID",
  "US-MT",
  "US-NM",
  "US-NV",
  "US-OR",
  "US-UT",
  "US-WA",
  "US-WY",
  "CA-AB",
  "CA-BC",
  "CA-NT",
  "CA-YT",
  "MX-BCN",
  "MX-BCS",
  "MX-SON",
  "MX-CHH",
  "MX-SIN",
]);

/** A point for each region, for requests the table above cannot place (Antarctica, Tor). */
const REGION_POINTS: ReadonlyArray<readonly [Region, number, number]> = [
  ["wnam", 37.4, -122.1],
  ["enam", 38.9, -77.0],
  ["sam", -23.5, -46.6],
  ["weur", 51.5, -0.1],
  ["eeur", 52.2, 21.0],
  ["apac", 1.35, 103.8],
  ["oc", -33.9, 151.2],
  ["afr", -26.2, 28.0],
  ["me", 25.2, 55.3],
];

export function regionFromLocation(location: RequestLocation | null | undefined): Region {
  const continent = location?.continent?.toUpperCase();
  const country = location?.country?.toUpperCase() ?? "";
  switch (continent) {
    case "NA":
      return isWestOfNorthAmerica(location ?? {}, country) ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return EASTERN_EUROPE.has(country) ? "eeur" : "weur";
    case "AS":
      return MIDDLE_EAST.has(country) ? "me" : "apac";
    case "OC":
      return "oc";
    case "AF":
      return MIDDLE_EAST.has(country) ? "me" : "afr";
    default:
      return nearestByCoordinates(location) ?? "enam";
  }
}

function isWestOfNorthAmerica(location: RequestLocation, country: string): boolean {
  const longitude = coordinate(location.longitude);
  if (longitude !== null) return longitude < -100;
  const code = location.regionCode?.toUpperCase();
  return code !== undefined && WESTERN_NORTH_AMERICA.has(`${country}-${code}`);
}

function coordinate(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

function nearestByCoordinates(location: RequestLocation | null | undefined): Region | null {
  const latitude = coordinate(location?.latitude);
  const longitude = coordinate(location?.longitude);
  if (latitude === null || longitude === null) return null;
  let best: Region | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [region, lat, lon] of REGION_POINTS) {
    const distance = greatCircle(latitude, longitude, lat, lon);
    if (distance < bestDistance) {
      best = region;
      bestDistance = distance;
    }
  }
  return best;
}

/** The central angle between two points (radians): enough to compare distances. */
function greatCircle(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(a)));
}
