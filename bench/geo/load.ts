import { seededRandom as seededSequence } from "../../src/geo/network";
import type { Region } from "../../src/regions/regions";
import type { Line } from "../ledger";
import type { Progress } from "../lib/progress";
import type { Design, Outcome } from "./designs";

/**
 * Buyers: in each region, `buyers` closed loops (send, wait for the answer, send the next), so
 * the simulated round trips set the pace, not a request rate. What each buyer sends is drawn
 * from a generator seeded by the run's seed, the design, the workload, the region and the
 * buyer: the same seed sends the same lines in the same order.
 */

export type Workload = "single" | "order3" | "flash" | "flash-last-units";
export type Op = "reserve" | "commit";

export interface Sample {
  design: Design["key"];
  workload: Workload;
  buyer: Region;
  op: Op;
  outcome: Outcome;
}

/** What the audit needs to know of every reservation sent. */
export interface Sent {
  design: Design["key"];
  workload: Workload;
  lines: Line[];
  /** 201 from the service. */
  held: boolean;
  /** 200 to its commit. */
  committed: boolean;
  /** The answer was neither a hold, a refusal for stock nor a commit: settle it in the audit. */
  unsettled: boolean;
  id?: string;
  /** The refusal (409 insufficient_stock) of a reservation. */
  refused: boolean;
}

export function seededRandom(...parts: (string | number)[]): () => number {
  return seededSequence(parts.join("|"));
}

export interface PhaseSpec {
  design: Design;
  workload: Workload;
  regions: readonly Region[];
  /** Reservations per region. */
  perRegion: number;
  buyersPerRegion: number;
  seed: string;
  runTag: string;
  /** The lines of the next reservation. */
  lines(random: () => number): Line[];
  /** Commit each held reservation right after (the buyer pays). */
  commit: boolean;
  /** Every buyer stops once any of them is refused for stock (a sell-out). */
  stopOnRefusal?: boolean;
  /** Not measured: warms objects up (samples are dropped, the audit still counts the holds). */
  warmup?: boolean;
}

export async function runPhase(spec: PhaseSpec, sent: Sent[], progress: Progress): Promise<Sample[]> {
  const samples: Sample[] = [];
  let refusedOnce = false;
  let done = 0;
  const total = spec.regions.length * spec.perRegion;
  const label = `${spec.design.label}: ${spec.workload}${spec.warmup ? " (warm-up)" : ""}`;
  const timer = setInterval(() => progress.update(`${label}: ${done}/${total}`), 1_000);
  const buyer = async (region: Region, index: number) => {
    const random = seededRandom(spec.seed, spec.design.key, spec.workload, region, index, spec.warmup ? "w" : "m");
    for (let n = index; n < spec.perRegion; n += spec.buyersPerRegion) {
      if (spec.stopOnRefusal && refusedOnce) return;
      const lines = spec.lines(random);
      const clientId = `order-${spec.runTag}-${spec.design.number}-${spec.workload}-${region}-${n}${spec.warmup ? "-w" : ""}`;
      const record: Sent = {
        design: spec.design.key,
        workload: spec.workload,
        lines,
        held: false,
        committed: false,
        unsettled: false,
        refused: false,
      };
      sent.push(record);
      const placed = await spec.design
        .reserve(region, lines, clientId)
        .catch((error: unknown): Outcome => ({ status: 0, ms: 0, path: emptyPath(region), detail: String(error) }));
      if (!spec.warmup) samples.push({ design: spec.design.key, workload: spec.workload, buyer: region, op: "reserve", outcome: placed });
      done++;
      if (placed.id !== undefined) record.id = placed.id;
      if (placed.status === 201) record.held = true;
      else if (placed.status === 409 && (placed.detail ?? "").includes("insufficient_stock")) {
        record.refused = true;
        refusedOnce = true;
        continue;
      } else {
        record.unsettled = true;
        continue;
      }
      if (!spec.commit || placed.id === undefined) continue;
      const committed = await spec.design
        .commit(region, placed.id, lines.length)
        .catch((error: unknown): Outcome => ({ status: 0, ms: 0, path: emptyPath(region), detail: String(error) }));
      if (!spec.warmup) samples.push({ design: spec.design.key, workload: spec.workload, buyer: region, op: "commit", outcome: committed });
      if (committed.status === 200) record.committed = true;
      else record.unsettled = true;
    }
  };
  try {
    await Promise.all(spec.regions.flatMap((region) => Array.from({ length: spec.buyersPerRegion }, (_, i) => buyer(region, i))));
  } finally {
    clearInterval(timer);
  }
  return samples;
}

function emptyPath(buyer: Region) {
  return { visible: false, buyer, coordinator: null, objects: [], crossRegionTrips: 0, expectedMs: 0 };
}
