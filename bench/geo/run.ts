/**
 * The geo bench (issue 21): `npm run bench:geo [-- --quick] [--seed S] [--designs 1,2,3,4]`.
 *
 * Runs the real Worker and its real objects on this machine with the simulated network of
 * src/geo/network.ts switched on by configuration (bench/geo/worker.ts), and buyers in all nine
 * regions, and puts four designs side by side in one run (bench/geo/designs.ts) for single-line
 * reservations, 3-line orders and a flash sale on one pooled SKU. Writes
 * bench/results/<date>-geo[-quick].json ({ meta, rows, goals, audits, seam }), the Markdown of
 * the tables to bench/geo/results.md and the chart to bench/geo/chart.svg (a quick run: both
 * beside its JSON, in bench/results/, which git ignores).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { COMMIT_LATENCY_MS, INTRA_REGION_RTT_MS } from "../../src/geo/round-trips";
import { REGIONS, type Region } from "../../src/regions/regions";
import { startPostgres } from "../baselines/datastores";
import { postgresBackend } from "../baselines/postgres-sql";
import type { Line } from "../ledger";
import { killAllNow, stopAll } from "../lib/procs";
import { Progress } from "../lib/progress";
import { auditDesign, type DesignAudit, type StockedItem } from "./audit";
import { GeoClient } from "./client";
import { CENTRAL_DB_REGION, centralDesign, type Design, OPERATOR_REGION, POOL_SHARDS, workerDesigns } from "./designs";
import { runPhase, type Sample, type Sent } from "./load";
import { chart, DESIGN_ORDER, goals, goalsTable, latencyTables, localShareTable, overheadTable, toRows } from "./report";
import { measureSeam } from "./seam-cost";
import { startGeoWorker } from "./worker";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const argValue = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seed = argValue("--seed") ?? "21";
const wanted = new Set((argValue("--designs") ?? "1,2,3,4").split(",").map(Number));

/**
 * How much each run sends. One buyer per region (nine requests in flight): the simulated waits
 * cost no CPU, but every request's own work does, and this machine's two cores are shared; more
 * buyers per region measure this machine's queueing, not the network (`--buyers N` to see it).
 */
const PROFILE = {
  ...(quick
    ? { perRegion: 8, catalog: 8, warmup: 1, flashWarmup: 16, lastUnitsBuyers: 3 }
    : { perRegion: 60, catalog: 18, warmup: 2, flashWarmup: 48, lastUnitsBuyers: 4 }),
  buyersPerRegion: Number(argValue("--buyers") ?? 1),
};
const CATALOG_ON_HAND = 100_000;
/** The flash SKU's stock for its measured phase, as a multiple of what that phase sells. */
const FLASH_MARGIN = 1.25;
const WAREHOUSE = "w1";
/** The region that buys the flash sale's last units, wherever they are. */
const LAST_UNITS_REGION: Region = "oc";

const progress = new Progress();
/** Clients to close before the servers they talk to are stopped. */
const closers: (() => Promise<void>)[] = [];
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupted) {
      killAllNow();
      process.exit(130);
    }
    interrupted = true;
    progress.log(`${signal}: stopping every server the geo bench started…`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on("exit", () => killAllNow());

function git(gitArgs: string[]): string {
  try {
    return execFileSync("git", gitArgs, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function findPostgresBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const version = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin/initdb")))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version === undefined ? undefined : join(base, version, "bin");
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

interface DesignRun {
  design: Design;
  audit: DesignAudit;
  lastUnits: { available: number; slice: number | null; bought: number; refusedAt: number; p50Ms: number };
  notes: string[];
}

async function runDesign(design: Design, runTag: string, sent: Sent[], samples: Sample[]): Promise<DesignRun> {
  const notes: string[] = [];
  const prefix = `geo-${runTag}-d${design.number}`;
  const catalog: StockedItem[] = Array.from({ length: PROFILE.catalog }, (_, i) => ({
    sku: `${prefix}-c${i}`,
    warehouse: WAREHOUSE,
    onHand: CATALOG_ON_HAND,
  }));
  // The flash sale's steady phase sells perRegion units in each region, after its warm-up: stocked
  // FLASH_MARGIN times that, so no region's slice needs to run dry; the last-units phase then
  // sells the rest.
  const flash: StockedItem = {
    sku: `${prefix}-flash`,
    warehouse: WAREHOUSE,
    onHand: REGIONS.length * PROFILE.flashWarmup + Math.ceil(FLASH_MARGIN * REGIONS.length * PROFILE.perRegion),
  };
  progress.update(`${design.label}: stocking ${catalog.length + 1} items from ${OPERATOR_REGION}`);
  await inBatches([...catalog, flash], 6, (item) => design.stock(item.sku, item.warehouse, item.onHand, item === flash));
  await design.place?.([...catalog, flash]);
  const slicesAtStart = design.slices === undefined ? undefined : await design.slices(flash.sku, flash.warehouse);
  const single = (random: () => number): Line[] => [{ sku: pick(catalog, random).sku, warehouse: WAREHOUSE, quantity: 1 }];
  const order3 = (random: () => number): Line[] => {
    const chosen = new Set<string>();
    while (chosen.size < 3) chosen.add(pick(catalog, random).sku);
    return [...chosen].map((sku) => ({ sku, warehouse: WAREHOUSE, quantity: 1 }));
  };
  const base = { design, regions: REGIONS, buyersPerRegion: PROFILE.buyersPerRegion, seed, runTag };
  // Warm-up: every region's first calls create its objects (not measured; deployed, they exist).
  await runPhase({ ...base, workload: "single", perRegion: PROFILE.warmup, lines: single, commit: true, warmup: true }, sent, progress);
  for (const [workload, lines] of [
    ["single", single],
    ["order3", order3],
  ] as const) {
    samples.push(...(await runPhase({ ...base, workload, perRegion: PROFILE.perRegion, lines, commit: true }, sent, progress)));
    progress.log(`${design.label}: ${workload} done`);
  }
  const flashLine = (): Line[] => [{ sku: flash.sku, warehouse: WAREHOUSE, quantity: 1 }];
  // The flash sale's warm-up (not measured, every design alike): a coordinator learns that an
  // item is pooled, and its layout, from the item itself on its first reservation of it (in
  // memory, src/reservations/hold-routing.ts), and a region has 16 coordinators (64 global).
  // Deployed, a sale's first few reservations per coordinator pay that; the steady state,
  // measured here, does not. The catalog workloads are not warmed this way: their figures
  // include those first trips (18 items × 16 coordinators per region is more than they send).
  await runPhase(
    { ...base, workload: "flash", perRegion: PROFILE.flashWarmup, lines: flashLine, commit: true, warmup: true },
    sent,
    progress,
  );
  samples.push(
    ...(await runPhase({ ...base, workload: "flash", perRegion: PROFILE.perRegion, lines: flashLine, commit: true }, sent, progress)),
  );
  progress.log(`${design.label}: flash done`);
  // Last units: one region buys (holds, no commit) until the first refusal; everything left
  // anywhere must be sold to it, whatever its own slice holds.
  const before = await design.level(flash.sku, flash.warehouse);
  const slices = design.slices === undefined ? {} : await design.slices(flash.sku, flash.warehouse);
  if (slicesAtStart !== undefined && Object.keys(slicesAtStart).length > 0) {
    notes.push(
      `flash SKU's available per region, stocked ${flash.onHand}: ${JSON.stringify(slicesAtStart)} at the start, ${JSON.stringify(slices)} before the last units`,
    );
  }
  const slice = slices[LAST_UNITS_REGION] ?? null;
  const lastSent: Sent[] = [];
  const lastSamples = await runPhase(
    {
      ...base,
      workload: "flash-last-units",
      regions: [LAST_UNITS_REGION],
      buyersPerRegion: PROFILE.lastUnitsBuyers,
      perRegion: before.available + 10 * PROFILE.lastUnitsBuyers,
      lines: flashLine,
      commit: false,
      stopOnRefusal: true,
    },
    lastSent,
    progress,
  );
  sent.push(...lastSent);
  samples.push(...lastSamples);
  const bought = lastSent.filter((s) => s.held).length;
  const ms = lastSamples
    .filter((s) => s.outcome.status === 201)
    .map((s) => s.outcome.ms)
    .sort((a, b) => a - b);
  progress.log(
    `${design.label}: last units: ${LAST_UNITS_REGION} bought ${bought} of ${before.available} left (its own slice ${slice ?? "n/a"})`,
  );
  const audit = await auditDesign(design, [...catalog, flash], sent, flash);
  progress.log(
    `${design.label}: audit ${audit.pass ? "pass" : "FAIL"}: ${audit.checks.map((c) => `${c.name} ${c.pass ? "ok" : `FAIL (${c.detail})`}`).join("; ")}`,
  );
  return {
    design,
    audit,
    lastUnits: {
      available: before.available,
      slice,
      bought,
      refusedAt: lastSent.filter((s) => s.refused).length,
      p50Ms: Math.round(ms[Math.floor(ms.length / 2)] ?? 0),
    },
    notes,
  };
}

async function main(): Promise<boolean> {
  const started = new Date();
  const date = started.toISOString().slice(0, 10);
  const runTag = started.getTime().toString(36);
  const commit = git(["rev-parse", "--short", "HEAD"]);
  const dirtySrc = git(["status", "--porcelain", "--", "src"])
    .split("\n")
    .filter((l) => l.trim() !== "").length;
  progress.log(
    `geo bench (${quick ? "quick" : "full"}), seed ${seed}, at ${commit}${dirtySrc > 0 ? ` + ${dirtySrc} uncommitted files in src/` : ""}`,
  );
  const seam = measureSeam();
  progress.log(`seam with the simulation off: ${seam.seamNs.toFixed(2)} ns per call (an empty call: ${seam.emptyNs.toFixed(2)} ns)`);

  const designs: Design[] = [];
  const notes: string[] = [];
  let workerNotes: string[] = [];
  let client: GeoClient | undefined;
  if ([1, 2, 3].some((n) => wanted.has(n))) {
    progress.update("building the Worker and starting it with SIMULATE_GEO on");
    const worker = await startGeoWorker(ROOT, seed, OPERATOR_REGION);
    workerNotes = worker.notes;
    client = new GeoClient(worker.baseUrl, worker.token);
    designs.push(...workerDesigns(client).filter((d) => wanted.has(d.number)));
  }
  if (wanted.has(4)) {
    const bin = findPostgresBin();
    if (bin === undefined) notes.push("design 4 skipped: no PostgreSQL on this machine");
    else {
      progress.update("starting PostgreSQL for design 4");
      const store = await startPostgres(bin);
      const admin = new pg.Client({ host: "127.0.0.1", port: store.port, user: "postgres", database: "postgres" });
      await admin.connect();
      await admin.query("ALTER SYSTEM SET synchronous_commit = off");
      await admin.query("SELECT pg_reload_conf()");
      await admin.end();
      const backend = await postgresBackend(store.port, 40);
      closers.push(() => backend.close());
      designs.push(centralDesign(backend, seed));
      notes.push(
        `design 4: ${store.version}, synchronous_commit off, in ${CENTRAL_DB_REGION}; its commit waits the model's ${COMMIT_LATENCY_MS} ms`,
      );
    }
  }

  const sent: Sent[] = [];
  const samples: Sample[] = [];
  const runs: DesignRun[] = [];
  for (const design of designs) {
    try {
      const run = await runDesign(design, runTag, sent, samples);
      runs.push(run);
      notes.push(...run.notes.map((note) => `${design.label}: ${note}`));
    } catch (error) {
      notes.push(`${design.label}: not run: ${String(error).slice(0, 400)}`);
      progress.log(`${design.label}: not run: ${String(error).slice(0, 400)}`);
    }
  }
  for (const design of designs.filter((d) => d.key !== "central-sql")) {
    const mine = samples.filter((s) => s.design === design.key && s.op === "reserve" && s.outcome.status >= 200 && s.outcome.status < 300);
    const withRegion = mine.filter((s) => s.outcome.region !== undefined).length;
    const withTiming = mine.filter((s) => s.outcome.path.visible).length;
    if (mine.length > 0 && withTiming < mine.length) {
      notes.push(
        `${design.label}: ${mine.length - withTiming} of ${mine.length} reservation answers had no Server-Timing object entries (trips and expected values unknown for them)`,
      );
    }
    if (mine.length > 0 && withRegion < mine.length)
      notes.push(`${design.label}: ${mine.length - withRegion} of ${mine.length} reservation answers had no \`region\``);
  }

  const rows = toRows(samples);
  const regional = samples.filter((s) => s.design === "regional" && s.outcome.path.visible);
  const coordinatorAway = regional.filter((s) => s.outcome.path.coordinator !== s.buyer).length;
  const last = runs.find((r) => r.design.key === "regional-pool")?.lastUnits;
  const lastUnits =
    last === undefined
      ? "design 3 did not run"
      : `${last.bought !== last.available ? "missed" : last.slice === null ? "cannot tell" : last.available > last.slice ? "met" : "untested (its slice held them all)"}: ${LAST_UNITS_REGION} bought ${last.bought} of the ${last.available} units left (its own region's pool slice held ${last.slice ?? "unknown"}), p50 ${last.p50Ms} ms while buying them`;
  const goalList = goals(
    rows,
    runs.map((r) => r.audit),
    lastUnits,
    regional.length === 0 ? null : { calls: regional.length, coordinatorAway },
  );
  // A few answers as they came, so a reader can check the trips and the arithmetic by hand.
  const examples = samples
    .filter((s) => s.outcome.serverTiming !== undefined && (s.buyer === "oc" || s.buyer === "enam"))
    .filter(
      (s, i, all) => all.findIndex((o) => o.design === s.design && o.workload === s.workload && o.op === s.op && o.buyer === s.buyer) === i,
    )
    .concat(
      // and the slowest of each design's last units, where the detours are
      DESIGN_ORDER.flatMap((design) =>
        samples
          .filter((s) => s.design === design && s.workload === "flash-last-units" && s.outcome.serverTiming !== undefined)
          .sort((a, b) => b.outcome.ms - a.outcome.ms)
          .slice(0, 1),
      ),
    )
    .map((s) => ({
      design: s.design,
      workload: s.workload,
      op: s.op,
      buyer: s.buyer,
      status: s.outcome.status,
      ms: Math.round(s.outcome.ms * 10) / 10,
      serverTiming: s.outcome.serverTiming,
      crossRegionTrips: s.outcome.path.crossRegionTrips,
      expectedMs: s.outcome.path.expectedMs,
    }));
  const shown = DESIGN_ORDER.filter((d) => runs.some((r) => r.design.key === d));
  const meta = {
    date: started.toISOString(),
    profile: quick ? "quick" : "full",
    seed,
    commit,
    uncommittedSrcFiles: dirtySrc,
    perRegion: PROFILE.perRegion,
    buyersPerRegion: PROFILE.buyersPerRegion,
    catalogItems: PROFILE.catalog,
    poolShards: POOL_SHARDS,
    operatorRegion: OPERATOR_REGION,
    centralDbRegion: CENTRAL_DB_REGION,
    lastUnitsRegion: LAST_UNITS_REGION,
    intraRegionRttMs: INTRA_REGION_RTT_MS,
    commitLatencyMs: COMMIT_LATENCY_MS,
    worker: workerNotes,
    notes,
  };
  const suffix = quick ? "-quick" : "";
  const caption = `${quick ? "quick run" : "full run"}, seed ${seed}, commit ${commit}${dirtySrc > 0 ? "+" : ""}, ${PROFILE.perRegion} reservations per region and design`;
  const markdown = [
    `Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC at commit \`${commit}\`${dirtySrc > 0 ? ` (with ${dirtySrc} uncommitted files in src/)` : ""}, seed ${seed}, ${quick ? "quick" : "full"} profile: ${PROFILE.perRegion} reservations per buyer region, design and workload, ${PROFILE.buyersPerRegion} buyer${PROFILE.buyersPerRegion === 1 ? "" : "s"} per region.`,
    "",
    latencyTables(rows, shown),
    "**The simulation against the arithmetic**",
    "",
    overheadTable(rows, shown),
    "",
    "**Reservations served without leaving the buyer's region** (from Server-Timing)",
    "",
    localShareTable(rows, shown),
    "",
    "**Goals**",
    "",
    goalsTable(goalList),
    "",
    "**Audits**",
    "",
    ...runs.map(
      (r) =>
        `- ${r.design.label}: ${r.audit.pass ? "pass" : "**FAIL**"}: ${r.audit.checks.map((c) => `${c.name}: ${c.pass ? "ok" : "FAIL"} (${c.detail})`).join("; ")}`,
    ),
    "",
    `**Seam cost with the simulation off**: \`simulatedNetwork(env)\` ${seam.seamNs.toFixed(2)} ns per call against ${seam.emptyNs.toFixed(2)} ns for an empty call (${(seam.calls / 1e6).toFixed(0)} M calls, best of 5, Node's V8).`,
    "",
    ...(notes.length > 0 ? ["**Notes**", "", ...notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n");
  await mkdir(join(ROOT, "bench/results"), { recursive: true });
  const jsonPath = join(ROOT, `bench/results/${date}-geo${suffix}.json`);
  await writeFile(
    jsonPath,
    `${JSON.stringify({ meta, rows, goals: goalList, audits: runs.map((r) => r.audit), lastUnits: runs.map((r) => ({ design: r.design.key, ...r.lastUnits })), seam, examples }, null, 2)}\n`,
  );
  // The full run's tables and chart live beside the bench (README shows them); a quick run's go
  // beside its JSON in bench/results/, which git ignores.
  const mdPath = quick ? `bench/results/${date}-geo-quick.md` : "bench/geo/results.md";
  const svgPath = quick ? `bench/results/${date}-geo-quick.svg` : "bench/geo/chart.svg";
  await writeFile(join(ROOT, mdPath), `${markdown}\n`);
  await writeFile(join(ROOT, svgPath), chart(rows, shown, ["single", "flash"], caption));
  progress.clear();
  process.stdout.write(`${markdown}\nwritten: ${jsonPath}, ${mdPath}, ${svgPath}\n`);
  return runs.every((r) => r.audit.pass) && runs.length === designs.length;
}

// Exit code: 0 when every design ran and passed its audit, 1 when one did not, 2 when the bench crashed.
let code = 2;
try {
  code = (await main()) ? 0 : 1;
} catch (error) {
  progress.log(`geo bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  // The database's clients first: its server stopping under open connections is an error event.
  for (const close of closers) await close().catch(() => undefined);
  await stopAll();
}
process.exit(code);
