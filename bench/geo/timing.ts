import { COMMIT_LATENCY_MS, roundTripMs } from "../../src/geo/round-trips";
import { isRegion, type Region } from "../../src/regions/regions";

/**
 * What a reservation answer says about its path (the `Server-Timing` header of contract
 * "Regions (v1.2)": `region;desc="weur", coordinator;dur=…;desc="enam", item;dur=…`), and what
 * the same path should cost by arithmetic alone: the matrix's round trips (src/geo/round-trips.ts)
 * plus the commits the protocol waits for. Pure.
 */

export interface TimingEntry {
  name: string;
  dur?: number;
  desc?: string;
}

export function parseServerTiming(header: string | null): TimingEntry[] {
  if (header === null || header.trim() === "") return [];
  const entries: TimingEntry[] = [];
  for (const part of header.split(",")) {
    const [rawName, ...params] = part.split(";").map((s) => s.trim());
    if (rawName === undefined || rawName === "") continue;
    const entry: TimingEntry = { name: rawName };
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1");
      if (key === "dur" && Number.isFinite(Number(value))) entry.dur = Number(value);
      if (key === "desc") entry.desc = value;
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * Commits on the buyer's path of one reservation call, besides the calls' round trips
 * (src/reservations/placement.ts and settlement.ts): the coordinator records its intent before
 * it calls any item (one commit: the output gate holds the calls until it is confirmed), each
 * stock item or pool object records its hold (one commit, all lines in parallel), then the
 * coordinator records the outcome (one commit, before the answer leaves): 3 commits in
 * sequence. A commit of a reservation has the same shape.
 */
export const COORDINATOR_COMMITS = 2;
export const ITEM_COMMITS = 1;

/** One call's path, as the answer shows it. */
export interface Path {
  /** Whether the answer carried a Server-Timing header with object entries at all. */
  visible: boolean;
  buyer: Region;
  coordinator: Region | null;
  /** The region of each item or pool object the coordinator called, in the order the calls ended. */
  objects: Region[];
  /** Calls that crossed regions: buyer's Worker → coordinator, coordinator → each object. */
  crossRegionTrips: number;
  /** The arithmetic: the matrix's round trips plus the commits waited for, in ms. */
  expectedMs: number;
}

/**
 * The path of one answer of a reservation with `lines` lines. Object entries whose `desc` is not a
 * region are taken to be in their caller's region (the contract's entries name the region of the
 * object called under the simulation).
 *
 * The coordinator calls its stock objects in rounds, one call per line in parallel, each round
 * after the last (a multi-line commit pins every line, then commits every one; a line of an item
 * not yet known pooled asks the item, then its pool object; a pooled line refused by one pool
 * object tries another). The entries come in the order the calls ended, so lines running their
 * rounds in parallel interleave: the `item` entries and the `pool` entries are each cut, in order,
 * into rounds of `lines`, and each round costs its slowest call. The expected value is the round
 * trip buyer → coordinator, the coordinator's commits, and each round's slowest round trip plus
 * its object's commit.
 */
export function pathOf(buyer: Region, entries: readonly TimingEntry[], bodyRegion: unknown, lines: number): Path {
  const coordinatorEntry = entries.find((e) => e.name === "coordinator");
  const objectEntries = entries.filter((e) => e.name === "item" || e.name === "pool");
  const visible = coordinatorEntry !== undefined || objectEntries.length > 0;
  const coordinator: Region | null = isRegion(coordinatorEntry?.desc)
    ? coordinatorEntry.desc
    : isRegion(bodyRegion)
      ? bodyRegion
      : visible
        ? buyer
        : null;
  const from = coordinator ?? buyer;
  const objects = objectEntries.map((e) => (isRegion(e.desc) ? e.desc : from));
  const crossRegionTrips = (coordinator !== null && coordinator !== buyer ? 1 : 0) + objects.filter((r) => r !== from).length;
  const perRound = Math.max(1, lines);
  let itemLegs = 0;
  for (const name of ["item", "pool"]) {
    const regions = objectEntries.flatMap((e, i) => (e.name === name ? [objects[i] as Region] : []));
    for (let i = 0; i < regions.length; i += perRound) {
      itemLegs += Math.max(...regions.slice(i, i + perRound).map((r) => roundTripMs(from, r) + ITEM_COMMITS * COMMIT_LATENCY_MS));
    }
  }
  const expectedMs = visible ? roundTripMs(buyer, from) + COORDINATOR_COMMITS * COMMIT_LATENCY_MS + itemLegs : 0;
  return { visible, buyer, coordinator, objects, crossRegionTrips, expectedMs };
}

/** The central database's path: one round trip from the buyer's region to the database's, and its commit. */
export function centralPath(buyer: Region, database: Region): Path {
  return {
    visible: true,
    buyer,
    coordinator: database,
    objects: [],
    crossRegionTrips: buyer === database ? 0 : 1,
    expectedMs: roundTripMs(buyer, database) + COMMIT_LATENCY_MS,
  };
}
