/**
 * `npm run bench` (about 10 minutes) and `npm run bench -- --quick` (under 2 minutes):
 * the real Worker through `wrangler dev` and through workerd without the dev proxy (its
 * state on disk, and on tmpfs), side by side with a Redis Lua and a PostgreSQL baseline,
 * every scenario audited for correctness.
 * See bench/README.md. Options:
 *   --quick              small and short, sampled audits (development)
 *   --only a,b           only these paths: wrangler, miniflare, memory, redis, postgres
 *   --connections N      concurrent connections per load (default 32)
 *   --no-write           do not write bench/results/<date>.json
 *   --profile, --no-profile  timing breakdown + CPU profile on the Miniflare path
 *                        (default: on for the full run, off for --quick)
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
  mainTable,
  notesList,
  oneLine,
  profileSection,
  type TargetReport,
  targetsTable,
} from "./report";
import { ceiling } from "./scenarios/ceiling";
import type { Row, RunContext } from "./scenarios/common";
import { flashSale } from "./scenarios/flash";
import { hotSku } from "./scenarios/hot";
import { orders } from "./scenarios/orders";
import { profileWorker } from "./scenarios/profile";
import { reads } from "./scenarios/reads";
import { wide, wideItems } from "./scenarios/wide";
import type { Target } from "./targets/target";
import {
  snapshotSources,
  startMiniflare,
  startMiniflareOnTmpfs,
  startWranglerDev,
  WORKERD,
  WORKERD_TMPFS,
} from "./targets/worker";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PATHS = ["wrangler", WORKERD.key, WORKERD_TMPFS.key, "redis", "postgres"] as const;
type PathKey = (typeof PATHS)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
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
    const hot = await hotSku(ctx);
    add(hot);
    if (plan.kind === "worker") {
      // Flash-sale pools (issue 11): the hot SKU's sell-out with 1 shard, then 8.
      add(await flashSale(ctx, hot.find((row) => row.scenario.startsWith("hot SKU: sell-out"))?.load?.rps));
      const items = wideItems(ctx);
      add(await wide(ctx, items));
      add(await orders(ctx));
      add(await reads(ctx, items));
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
    } else {
      add(await orders(ctx));
    }
    for (const [scenario, counts] of ctx.ledger.unexpected) {
      const bodies = ctx.ledger.unexpectedBodies.get(scenario) ?? [];
      report.notes.push(`${scenario}: unexpected answers ${JSON.stringify(counts)}${bodies.length > 0 ? `, e.g. ${bodies.join(" / ")}` : ""}`);
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
  // Every Worker path serves the sources as they are now, whatever is edited meanwhile.
  const snapshot = await snapshotSources(ROOT);
  const unavailable = (reason: string) => () => Promise.reject(new Error(reason));
  const plans: Plan[] = [
    { key: "wrangler", label: "wrangler dev", kind: "worker", start: () => startWranglerDev(ROOT, snapshot) },
    {
      key: WORKERD.key,
      label: WORKERD.label,
      kind: "worker",
      start: () => startMiniflare(ROOT, snapshot, { inspector: profiling }),
    },
    // The same, its state on tmpfs: the Worker's cost without this VM's disk fsyncs.
    { key: WORKERD_TMPFS.key, label: WORKERD_TMPFS.label, kind: "worker", start: () => startMiniflareOnTmpfs(ROOT, snapshot) },
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
  const stamp = `${date.toISOString().slice(0, 10)}${profile.name === "quick" ? "-quick" : ""}`;
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
      .join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}. ${profile.connections} connections per load; commit ${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain"]) === "" ? "" : " (with uncommitted changes)"}.`,
    ...profile.caveats.map((c) => `- ${c}`),
    "",
    ...reports.map((r) => `- **${r.label}**: ${[...r.notes, ...(r.error ? [`error: ${oneLine(r.error, 500)}`] : [])].join("; ")}`),
  ];
  // Computed once: the Markdown prints them, the JSON keeps them (with what they divide).
  const issue10Figures = issue10(reports);
  const flashFigures = flashSaleFigures(reports);
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
      commit: git(["rev-parse", "HEAD"]),
      dirty: git(["status", "--porcelain"]) !== "",
      targets: reports,
      issue10: issue10Figures,
      flashSale: flashFigures,
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
