/**
 * `npm run bench` (about 10 minutes) and `npm run bench -- --quick` (under 2 minutes):
 * the real Worker through `wrangler dev` and through workerd without the dev proxy (its
 * state on disk, and on tmpfs), side by side with a Redis Lua and a PostgreSQL baseline,
 * every scenario audited for correctness.
 * See bench/README.md. Options:
 *   --quick              small and short, sampled audits (development)
 *   --only a,b           only these paths: wrangler, miniflare, memory, redis, postgres
 *   --scenarios a,b      only these scenarios (the ceiling always runs): hot, flash, wide,
 *                        orders, sourced-orders, availability, reads, live, keys, costs; reads brings
 *                        wide, sourced-orders brings orders (they run over those items)
 *   --connections N      concurrent connections per load (default 32)
 *   --no-write           do not write bench/results/<date>.json
 *   --profile, --no-profile  timing breakdown + CPU profile on the Miniflare path
 *                        (default: on for the full run, off for --quick)
 * Environment: BENCH_COMMIT names the commit when the bench runs outside a git checkout (an
 * export of a commit, `git archive`), where it cannot read it.
 */
import { execFileSync } from "node:child_process";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { hasEventsApi } from "./audit";
import { ensureBaselines } from "./baselines/install";
import { startPostgresBaseline, startRedisBaseline } from "./baselines/start";
import { FULL, type Profile, QUICK } from "./config";
import { Ledger } from "./ledger";
import { Api } from "./lib/api";
import { killAllNow, stopAll } from "./lib/procs";
import { Progress } from "./lib/progress";
import {
  allPassed,
  auditTable,
  cpuTable,
  flashSaleFigures,
  flashSaleSection,
  issue10,
  issue10Section,
  issue12,
  issue12Section,
  issue13,
  issue13Section,
  issue14,
  issue14Section,
  mainTable,
  notesList,
  oneLine,
  profileSection,
  type TargetReport,
  targetsTable,
} from "./report";
import { issue22, issue22Section } from "./report-issue22";
import { availability } from "./scenarios/availability";
import { bareCeiling, ceiling } from "./scenarios/ceiling";
import type { Row, RunContext } from "./scenarios/common";
import { costs } from "./scenarios/costs";
import { flashSale } from "./scenarios/flash";
import { hotSku } from "./scenarios/hot";
import { keys } from "./scenarios/keys";
import { live } from "./scenarios/live";
import { orders } from "./scenarios/orders";
import { profileWorker } from "./scenarios/profile";
import { reads } from "./scenarios/reads";
import { sourcedOrders } from "./scenarios/sourced";
import { wide, wideItems } from "./scenarios/wide";
import type { Target } from "./targets/target";
import {
  snapshotSources,
  startMiniflare,
  startMiniflareOnTmpfs,
  startWranglerDev,
  TMPFS,
  WORKERD,
  WORKERD_BARE,
  WORKERD_METERED,
  WORKERD_TMPFS,
  WORKERD_TMPFS_BARE,
} from "./targets/worker";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PATHS = ["wrangler", WORKERD.key, WORKERD_TMPFS.key, "redis", "postgres"] as const;
type PathKey = (typeof PATHS)[number];
const SCENARIOS = ["hot", "flash", "wide", "orders", "sourced-orders", "availability", "reads", "live", "keys", "costs"] as const;
type ScenarioKey = (typeof SCENARIOS)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    scenarios: { type: "string" },
    connections: { type: "string" },
    // --no-write (allowNegative) turns it off
    write: { type: "boolean", default: true },
    profile: { type: "boolean" },
  },
  allowNegative: true,
});
const profile: Profile = { ...(args.quick ? QUICK : FULL) };
if (args.connections !== undefined) profile.connections = Math.max(4, Number(args.connections));
/** The timing breakdown and CPU profile: part of the full run, on request with --quick. */
const profiling = args.profile ?? !args.quick;
const only = new Set((args.only ?? PATHS.join(",")).split(",").map((s) => s.trim()) as PathKey[]);
const scenarios = new Set((args.scenarios ?? SCENARIOS.join(",")).split(",").map((s) => s.trim()) as ScenarioKey[]);
const unknownScenarios = [...scenarios].filter((s) => !(SCENARIOS as readonly string[]).includes(s));
if (unknownScenarios.length > 0) {
  console.error(`--scenarios: unknown ${unknownScenarios.join(", ")} (known: ${SCENARIOS.join(", ")})`);
  process.exit(2);
}
// Scenarios that run over another's items bring it along.
if (scenarios.has("reads")) scenarios.add("wide");
if (scenarios.has("sourced-orders")) scenarios.add("orders");
/** Not every path, or not every scenario: a partial run, written apart from the full one of the day. */
const partial = only.size < PATHS.length || scenarios.size < SCENARIOS.length;
const progress = new Progress();

// Nothing the bench started may outlive it: Ctrl-C and kill stop every server first.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupted) {
      killAllNow();
      process.exit(130);
    }
    interrupted = true;
    progress.log(`${signal}: stopping every server the bench started…`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on("exit", () => killAllNow());

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

interface Plan {
  key: PathKey;
  label: string;
  kind: "worker" | "baseline";
  start: () => Promise<Target>;
  /** The same path without wrangler.toml's [assets]: the bare ceiling (issue 22). */
  bare?: () => Promise<Target>;
  /** The same path with the bundle wrapped in the meter: per-role CPU and billed units (issue 22). */
  metered?: () => Promise<Target>;
}

async function measure(plan: Plan, runTag: string, stamp: string): Promise<TargetReport> {
  const report: TargetReport = { key: plan.key, label: plan.label, kind: plan.kind, notes: [], rows: [] };
  const add = (rows: Row[]) => {
    report.rows.push(...rows);
    for (const row of rows) {
      const load = row.load;
      const audit = row.audit === undefined ? "" : row.audit.pass ? ", audit PASS" : ", audit FAIL";
      progress.log(`${plan.label}: ${row.scenario}: ${load ? `${Math.round(load.rps)} req/s, p99 ${load.p99.toFixed(0)} ms` : ""}${audit}`);
    }
  };
  try {
    progress.log(`${plan.label}: starting`);
    const started = performance.now();
    const target = await plan.start();
    report.notes.push(...target.notes, `started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const api = new Api(target.baseUrl, target.token);
    const events = plan.kind === "worker" && (await hasEventsApi(api));
    if (plan.kind === "worker") {
      report.notes.push(events ? "events pipeline present: D1 events audited" : "events pipeline absent (GET /v1/events 404): not audited");
    }
    const ctx: RunContext = { target, api, ledger: new Ledger(), profile, progress, events, runTag };
    add([await ceiling(ctx)]);
    report.ceilingRps = ctx.ceilingRps;
    if (plan.bare !== undefined) {
      const bare = await bareCeiling(ctx, plan.bare, args.quick ? 100 : 300);
      add([bare.row]);
      report.bareCeilingRps = bare.row.load?.rps;
      report.bareHealth = bare.alone;
      ctx.ceilingRps = report.bareCeilingRps;
    }
    const hot = scenarios.has("hot") ? await hotSku(ctx) : [];
    add(hot);
    if (plan.kind === "worker") {
      // Flash-sale pools (issue 11): the hot SKU's sell-out with 1 shard, then 8.
      if (scenarios.has("flash")) add(await flashSale(ctx, hot.find((row) => row.scenario.startsWith("hot SKU: sell-out"))?.load?.rps));
      // Issue 13: the hot SKU's sell-out without and with 1,000 live watchers; issue 14: with
      // the root key and with scoped keys. Both in rounds of their own, right after the hot SKU.
      if (scenarios.has("live")) add(await live(ctx));
      if (scenarios.has("keys")) add(await keys(ctx));
      const items = wideItems(ctx);
      if (scenarios.has("wide")) add(await wide(ctx, items));
      if (scenarios.has("orders")) add(await orders(ctx));
      // Issue 12: sourced orders right after the plain ones, over their items; then batch availability.
      if (scenarios.has("sourced-orders")) add(await sourcedOrders(ctx));
      if (scenarios.has("availability")) add(await availability(ctx));
      if (scenarios.has("reads")) add(await reads(ctx, items));
      if (profiling && target.inspectorUrl !== undefined) {
        report.profile = await profileWorker(ctx, {
          inspectorUrl: target.inspectorUrl,
          bundle: target.bundle,
          calls: args.quick ? 50 : 300,
          seconds: args.quick ? 2 : 4,
          ...(args.write ? { save: join(ROOT, "bench/results", `${stamp}-hot-sku.cpuprofile`) } : {}),
        });
        progress.log(`${plan.label}: timing breakdown and CPU profile done`);
      }
      // Issue 22: billed units and CPU by role per operation, on a metered workerd of its own.
      if (scenarios.has("costs") && plan.metered !== undefined) {
        try {
          report.costs = await costs(ctx, plan.metered, {
            ops: args.quick ? 30 : 150,
            pairedOps: args.quick ? 30 : 300,
            concurrency: 8,
            blocks: args.quick ? 2 : 3,
          });
          progress.log(`${plan.label}: costs per operation measured (${WORKERD_METERED.label})`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          report.notes.push(`costs (metered path) failed: ${oneLine(message, 300)}`);
          progress.log(`${plan.label}: costs failed: ${message}`);
        }
      }
    } else if (scenarios.has("orders")) {
      add(await orders(ctx));
    }
    for (const [scenario, counts] of ctx.ledger.unexpected) {
      const bodies = ctx.ledger.unexpectedBodies.get(scenario) ?? [];
      report.notes.push(
        `${scenario}: unexpected answers ${JSON.stringify(counts)}${bodies.length > 0 ? `, e.g. ${bodies.join(" / ")}` : ""}`,
      );
    }
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    progress.log(`${plan.label}: ${report.error}`);
  } finally {
    await stopAll(true);
  }
  return report;
}

async function main(): Promise<number> {
  const date = new Date();
  const loadBefore = loadavg();
  progress.log(
    `stockflare bench (${profile.name}) on ${cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}; ` +
      `${profile.connections} connections per load`,
  );
  for (const caveat of profile.caveats) progress.log(caveat);
  const needBaselines = only.has("redis") || only.has("postgres");
  const binaries = needBaselines ? await ensureBaselines(progress) : { problems: {} as Record<string, string> };
  // Every Worker path serves the sources as they are now, whatever is edited meanwhile: the
  // commit and the uncommitted changes are read now too (others may commit during the run).
  // Outside a git checkout (an export of a commit: `git archive <commit>` with a bench/ beside
  // it, to measure a commit while others edit the checkout), BENCH_COMMIT names the commit and
  // the bench/ is taken as the only change.
  const fromGit = git(["rev-parse", "HEAD"]);
  const exported = fromGit === "" && process.env.BENCH_COMMIT !== undefined && process.env.BENCH_COMMIT !== "";
  const commit = exported ? (process.env.BENCH_COMMIT as string) : fromGit;
  const changed = exported
    ? ["bench/"]
    : git(["status", "--porcelain"])
        .split("\n")
        .filter((line) => line.trim() !== "")
        // "XY path" (git() trims the output, and with it the first line's leading blank)
        .map((line) => line.replace(/^\s*\S{1,2}\s+/, ""));
  const changedOutsideBench = changed.filter((path) => !path.startsWith("bench/"));
  const snapshot = await snapshotSources(ROOT);
  const unavailable = (reason: string) => () => Promise.reject(new Error(reason));
  const plans: Plan[] = [
    { key: "wrangler", label: "wrangler dev", kind: "worker", start: () => startWranglerDev(ROOT, snapshot) },
    {
      key: WORKERD.key,
      label: WORKERD.label,
      kind: "worker",
      start: () => startMiniflare(ROOT, snapshot, { inspector: profiling }),
      bare: () => startMiniflare(ROOT, snapshot, { inspector: false, assets: false, path: WORKERD_BARE }),
      metered: () => startMiniflare(ROOT, snapshot, { inspector: true, meter: true, path: WORKERD_METERED }),
    },
    // The same, its state on tmpfs: the Worker's cost without this VM's disk fsyncs.
    {
      key: WORKERD_TMPFS.key,
      label: WORKERD_TMPFS.label,
      kind: "worker",
      start: () => startMiniflareOnTmpfs(ROOT, snapshot),
      bare: () => startMiniflare(ROOT, snapshot, { inspector: false, assets: false, parent: TMPFS, path: WORKERD_TMPFS_BARE }),
    },
    {
      key: "redis",
      label: "Redis Lua",
      kind: "baseline",
      start:
        "redisServer" in binaries && binaries.redisServer !== undefined
          ? () => startRedisBaseline(ROOT, binaries.redisServer as string)
          : unavailable(binaries.problems.redis ?? "redis-server unavailable"),
    },
    {
      key: "postgres",
      label: "PostgreSQL",
      kind: "baseline",
      start:
        "postgresBin" in binaries && binaries.postgresBin !== undefined
          ? () => startPostgresBaseline(ROOT, binaries.postgresBin as string)
          : unavailable(binaries.problems.postgres ?? "postgresql unavailable"),
    },
  ];
  const runTag = `b${date.getTime().toString(36)}`;
  const reports: TargetReport[] = [];
  const stamp = `${date.toISOString().slice(0, 10)}${profile.name === "quick" ? "-quick" : ""}${partial ? "-partial" : ""}`;
  await mkdir(join(ROOT, "bench/results"), { recursive: true });
  for (const plan of plans.filter((p) => only.has(p.key))) {
    if (interrupted) break;
    reports.push(await measure(plan, runTag, stamp));
  }
  progress.clear();

  const loadAfter = loadavg();
  const title = `stockflare bench, ${profile.name} run, ${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const header = [
    `## ${title}`,
    "",
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), Node ${process.version}; load average before ${loadBefore
      .map((l) => l.toFixed(2))
      .join(
        " ",
      )}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}. ${profile.connections} connections per load; commit ${commit.slice(0, 7)}${
      changed.length === 0
        ? ""
        : ` (with uncommitted changes${
            changedOutsideBench.length === 0
              ? ": bench/ only"
              : `, outside bench/: ${changedOutsideBench.slice(0, 8).join(", ")}${changedOutsideBench.length > 8 ? `, and ${changedOutsideBench.length - 8} more` : ""}`
          })`
    } when the run started.`,
    ...profile.caveats.map((c) => `- ${c}`),
    ...(scenarios.size < SCENARIOS.length
      ? [
          `- --scenarios: only ${SCENARIOS.filter((s) => scenarios.has(s)).join(", ")} (and the ceiling); every other figure reads "not measured"`,
        ]
      : []),
    "",
    ...reports.map((r) => `- **${r.label}**: ${[...r.notes, ...(r.error ? [`error: ${oneLine(r.error, 500)}`] : [])].join("; ")}`),
  ];
  // Computed once: the Markdown prints them, the JSON keeps them (with what they divide).
  const issue10Figures = issue10(reports);
  const flashFigures = flashSaleFigures(reports);
  const issue12Figures = issue12(reports);
  const issue13Figures = issue13(reports);
  const issue14Figures = issue14(reports);
  const issue22Figures = issue22(reports);
  const output = [
    ...header,
    "",
    "### Throughput, latency, audit",
    "",
    mainTable(reports),
    "",
    notesList(reports),
    "",
    "### Targets (reported, not asserted)",
    "",
    targetsTable(reports),
    "",
    "### Targets of issue 10 (reported, not asserted)",
    "",
    issue10Section(issue10Figures),
    "",
    "### Flash-sale pools (issue 11, reported, not asserted)",
    "",
    flashSaleSection(flashFigures),
    "",
    "### Sourcing and batch availability (issue 12, reported, not asserted)",
    "",
    issue12Section(issue12Figures),
    "",
    "### Live watchers on the hot SKU (issue 13, reported, not asserted)",
    "",
    issue13Section(issue13Figures),
    "",
    "### Scoped keys on the hot SKU (issue 14, reported, not asserted)",
    "",
    issue14Section(issue14Figures),
    "",
    "### Bare ceiling, CPU by role, cost per million, production model (issue 22, reported, not asserted)",
    "",
    issue22Section(issue22Figures),
    "",
    ...(reports.some((r) => r.profile !== undefined) ? ["### Where the time goes (workerd)", "", profileSection(reports), ""] : []),
    "### Audit details",
    "",
    auditTable(reports),
    "",
    "### Where the CPU went (from /proc; 2 cores = 2.00)",
    "",
    cpuTable(reports),
    "",
  ].join("\n");
  process.stdout.write(`\n${output}\n`);

  if (args.write) {
    const file = join(ROOT, "bench/results", `${stamp}.json`);
    const json = {
      title,
      date: date.toISOString(),
      profile,
      machine: { cores: cpus().length, model: cpus()[0]?.model, node: process.version, loadBefore, loadAfter },
      commit,
      dirty: changed.length > 0,
      changed,
      targets: reports,
      issue10: issue10Figures,
      flashSale: flashFigures,
      issue12: issue12Figures,
      issue13: issue13Figures,
      issue14: issue14Figures,
      issue22: issue22Figures,
      scenarios: SCENARIOS.filter((s) => scenarios.has(s)),
      markdown: output,
    };
    await writeFile(`${file}.tmp`, `${JSON.stringify(json, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
    progress.log(`results written to ${file}`);
  }
  const passed = allPassed(reports);
  if (!passed) progress.log("an audit FAILED: see the audit details above");
  return passed ? 0 : 1;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exit(2);
  });
