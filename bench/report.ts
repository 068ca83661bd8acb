import { AVAILABILITY } from "./scenarios/availability";
import type { AloneCost } from "./scenarios/ceiling";
import type { KeyRound, LiveRound, Row, Spread } from "./scenarios/common";
import type { CostsResult } from "./scenarios/costs";
import { LARGEST_SHARE_GOAL } from "./scenarios/flash";
import { KEYS, KEYS_GOAL } from "./scenarios/keys";
import { LIVE, LIVE_GOAL, LIVE_INTERVAL_MS } from "./scenarios/live";
import type { ProfileResult } from "./scenarios/profile";
import type { IsolateCost } from "./scenarios/sellout";
import { SOURCED_COVERS, SOURCED_MIX } from "./scenarios/sourced";
import { WORKERD, WORKERD_TMPFS } from "./targets/worker";

/** What one target gave: its rows, or why it could not be measured. */
export interface TargetReport {
  key: string;
  label: string;
  kind: "worker" | "baseline";
  notes: string[];
  rows: Row[];
  ceilingRps?: number;
  /**
   * The bare ceiling (issue 22): the same bundle without wrangler.toml's [assets], so no asset
   * router in front. Every share of the ceiling is against it when it was measured.
   */
  bareCeilingRps?: number;
  /** The bare health route one call at a time (CPU per call), beside the bare ceiling. */
  bareHealth?: AloneCost;
  /** Billed units and CPU by role per operation (the metered path, issue 22). */
  costs?: CostsResult;
  /** Set when the target could not be started or a scenario failed outright. */
  error?: string;
  /** Where the time goes (Miniflare path, when profiling). */
  profile?: ProfileResult;
}

/** One line, no terminal colours, no table breakers: for error messages in a cell. */
export function oneLine(text: string, max = 200): string {
  // wrangler colours its errors even in a pipe
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what ANSI colour codes start with
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "").split("\n")[0] ?? "";
  return plain.replaceAll("|", "/").slice(0, max);
}

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function answers(row: Row): string {
  if (row.load === undefined) return "";
  const parts = Object.entries(row.load.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${n0(count)}`);
  if (row.load.unanswered > 0) parts.push(`unanswered×${n0(row.load.unanswered)}`);
  return parts.join(" ");
}

function auditCell(row: Row): string {
  if (row.audit === undefined) return "";
  const failed = row.audit.checks.filter((c) => !c.pass).length;
  return failed === 0 ? `PASS (${row.audit.checks.length} checks)` : `**FAIL** (${failed}/${row.audit.checks.length})`;
}

/** What shares of the ceiling divide by: the bare ceiling when measured, else the path's own. */
export function ceilingOf(report: TargetReport): number | undefined {
  return report.bareCeilingRps ?? report.ceilingRps;
}

export function ratio(row: Row, ceiling: number | undefined): number | undefined {
  if (row.load === undefined || ceiling === undefined || ceiling <= 0) return undefined;
  return row.load.rps / ceiling;
}

export function mainTable(reports: TargetReport[]): string {
  const lines = [
    "| path | scenario | req/s | of ceiling | of ceiling with assets | p50 ms | p95 ms | p99 ms | answers | audit |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const report of reports) {
    if (report.rows.length === 0) {
      lines.push(`| ${report.label} | not measured: ${oneLine(report.error ?? "unavailable")} | | | | | | | | |`);
      continue;
    }
    for (const row of report.rows) {
      const r = ratio(row, ceilingOf(report));
      const withAssets = report.bareCeilingRps === undefined ? undefined : ratio(row, report.ceilingRps);
      const load = row.load;
      const pct = (x: number | undefined) => (x === undefined ? "" : `${(x * 100).toFixed(0)}%`);
      lines.push(
        `| ${report.label} | ${row.scenario} | ${load ? n0(load.rps) : ""} | ${pct(r)} | ${pct(withAssets)} | ` +
          `${load ? ms(load.p50) : ""} | ${load ? ms(load.p95) : ""} | ${load ? ms(load.p99) : ""} | ${answers(row)} | ${auditCell(row)} |`,
      );
    }
    if (report.error !== undefined) lines.push(`| ${report.label} | stopped early: ${oneLine(report.error)} | | | | | | | | |`);
  }
  return lines.join("\n");
}

export function notesList(reports: TargetReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    for (const row of report.rows) {
      for (const note of row.notes) lines.push(`- ${report.label}, ${row.scenario}: ${note}`);
    }
  }
  return lines.join("\n");
}

export function auditTable(reports: TargetReport[]): string {
  const lines = ["| path | scenario | check | result | detail |", "|---|---|---|---|---|"];
  for (const report of reports) {
    for (const row of report.rows) {
      for (const check of row.audit?.checks ?? []) {
        lines.push(
          `| ${report.label} | ${row.scenario} | ${check.name} | ${check.pass ? "PASS" : "**FAIL**"} | ${check.detail.replaceAll("|", "/")} |`,
        );
      }
    }
  }
  return lines.join("\n");
}

export function cpuTable(reports: TargetReport[]): string {
  const lines = [
    "| path | scenario | server CPU ms/req | server cores | load generator cores | other processes (cores) |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const report of reports) {
    for (const row of report.rows) {
      const cpu = row.load?.cpu;
      if (cpu === undefined || cpu.wallMs === 0) continue;
      lines.push(
        `| ${report.label} | ${row.scenario} | ${(cpu.targetMsPerRequest ?? 0).toFixed(2)} | ${cpu.targetCores.toFixed(2)} | ` +
          `${cpu.benchCores.toFixed(2)} | ${cpu.otherCores.toFixed(2)} |`,
      );
    }
  }
  return lines.join("\n");
}

function find(report: TargetReport | undefined, prefix: string): Row | undefined {
  return report?.rows.find((row) => row.scenario.startsWith(prefix));
}

/** The brief's targets, each with the measured value: reported, never asserted. */
export function targetsTable(reports: TargetReport[]): string {
  const lines = ["| target | path | measured | met |", "|---|---|---|---|"];
  const share = (report: TargetReport, prefix: string, goal: number, label: string) => {
    const row = find(report, prefix);
    const r = row === undefined ? undefined : ratio(row, ceilingOf(report));
    if (r === undefined) return;
    lines.push(
      `| ${label} ≥ ${goal * 100}% of ceiling | ${report.label} | ${(r * 100).toFixed(0)}% (${n0(row?.load?.rps ?? 0)} of ${n0(ceilingOf(report) ?? 0)} req/s) | ${r >= goal ? "yes" : "no"} |`,
    );
  };
  for (const report of reports.filter((r) => r.kind === "worker")) {
    share(report, "hot SKU: sell-out", 0.7, "hot SKU sell-out");
    share(report, "wide: 1-line", 0.6, "wide");
    share(report, "orders: 3-line", 0.6, "orders");
  }
  for (const report of reports) {
    const checks = report.rows.flatMap((row) => row.audit?.checks ?? []).filter((c) => c.name === "no oversell");
    if (checks.length === 0) continue;
    const failed = checks.filter((c) => !c.pass).length;
    lines.push(
      `| zero oversell | ${report.label} | ${failed === 0 ? `0 in ${checks.length} audits` : `${failed} audits found oversell`} | ${failed === 0 ? "yes" : "no"} |`,
    );
  }
  const postgres = reports.find((r) => r.key === "postgres");
  const pgHot = find(postgres, "hot SKU: sell-out")?.load?.rps;
  for (const report of reports.filter((r) => r.kind === "worker")) {
    const hot = find(report, "hot SKU: sell-out")?.load?.rps;
    if (hot === undefined) continue;
    lines.push(
      pgHot === undefined
        ? `| hot SKU ahead of PostgreSQL | ${report.label} | ${n0(hot)} req/s; PostgreSQL not measured | n/a |`
        : `| hot SKU ahead of PostgreSQL | ${report.label} | ${n0(hot)} vs ${n0(pgHot)} req/s (${(hot / pgHot).toFixed(2)}×) | ${hot > pgHot ? "yes" : "no"} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Issue 10's targets. They are set on the workerd (Miniflare) path: through wrangler dev the
 * dev proxy, not the Worker, sets the ceiling. The shares of the ceiling are also given for
 * the same path with its state on tmpfs, where this VM's disk fsyncs do not weigh on them.
 * Every figure divides two measurements of the same path in the same run (a rate by the
 * ceiling, a CPU time by the health route's), so it does not depend on how fast or how busy
 * the machine is.
 */
export interface Issue10Figure {
  /** The label of the path it was measured on. */
  path: string;
  figure: string;
  /** "min": the measured value must be at least `goal`; "max": at most. */
  bound: "min" | "max";
  goal: number;
  /** "share": a fraction of the ceiling; "times": a multiple of the health route's CPU. */
  unit: "share" | "times";
  measured?: number;
  /** When `measured` is absent: why. */
  notMeasured?: string;
  /** What was divided by what. */
  basis?: string;
  /**
   * CPU ratios only: the range /proc's 10 ms ticks allow (±1 tick over each step's calls,
   * on both sides of the division); the upper end is null when the health route's CPU may be 0.
   */
  range?: [number, number | null];
  met?: boolean;
}

/** One Worker path's hot-SKU sell-out rate against the PostgreSQL baseline's, same run. */
export interface VersusPostgres {
  path: string;
  hotRps?: number;
  postgresRps?: number;
  /** hotRps / postgresRps. */
  ratio?: number;
  notMeasured?: string;
}

export interface Issue10 {
  targets: Issue10Figure[];
  versusPostgres: VersusPostgres[];
}

/**
 * Why a path that ran has no figure: it could not be had at all (say why, as the main table
 * does), it stopped early (say how), or it ran without producing one.
 */
function missing(report: TargetReport, otherwise: string): string {
  if (report.error === undefined) return otherwise;
  return report.rows.length === 0 ? oneLine(report.error, 120) : `the path stopped early: ${oneLine(report.error, 120)}`;
}

/** A path issue 10 looks at: its key in the run, its label in the section. */
type Issue10Path = { key: string; label: string };

function shareOfCeiling(reports: TargetReport[], path: Issue10Path, prefix: string, figure: string, goal: number): Issue10Figure {
  const base = { path: path.label, figure, bound: "min", goal, unit: "share" } as const;
  const report = reports.find((r) => r.key === path.key);
  if (report === undefined) return { ...base, notMeasured: "this path did not run" };
  const row = find(report, prefix);
  const share = row === undefined ? undefined : ratio(row, ceilingOf(report));
  if (row?.load === undefined || share === undefined) {
    return { ...base, notMeasured: missing(report, row === undefined ? `no "${prefix}" row` : "no ceiling measured") };
  }
  return { ...base, measured: share, met: share >= goal, basis: `${n0(row.load.rps)} of ${n0(ceilingOf(report) ?? 0)} req/s` };
}

const HEALTH_STEP = "GET /v1/health";

function cpuOverHealth(reports: TargetReport[], path: Issue10Path, prefix: string, figure: string, goal: number): Issue10Figure {
  const base = { path: path.label, figure, bound: "max", goal, unit: "times" } as const;
  const report = reports.find((r) => r.key === path.key);
  if (report === undefined) return { ...base, notMeasured: "this path did not run" };
  const steps = report.profile?.steps;
  if (steps === undefined) return { ...base, notMeasured: missing(report, "no timing breakdown in this run (--quick or --no-profile)") };
  const step = steps.find((s) => s.step.startsWith(prefix));
  const health = steps.find((s) => s.step.startsWith(HEALTH_STEP));
  if (step === undefined || health === undefined) {
    return { ...base, notMeasured: `no "${step === undefined ? prefix : HEALTH_STEP}" step in the timing breakdown` };
  }
  const [a, h] = [step.cpuMsPerCall, health.cpuMsPerCall];
  // With few calls the health route can use less than one 10 ms tick in all: no ratio then.
  if (h <= 0) return { ...base, notMeasured: `${HEALTH_STEP} used no measurable CPU (/proc counts 10 ms ticks)` };
  const [ta, th] = [10 / step.calls, 10 / health.calls];
  const measured = a / h;
  return {
    ...base,
    measured,
    met: measured <= goal,
    basis: `${a.toFixed(2)} / ${h.toFixed(2)} ms`,
    range: [Math.max(0, a - ta) / (h + th), h - th > 0 ? (a + ta) / (h - th) : null],
  };
}

/** The three shares of the ceiling issue 10 asks for, on one path. */
function sharesOfCeiling(reports: TargetReport[], path: Issue10Path): Issue10Figure[] {
  return [
    shareOfCeiling(reports, path, "hot SKU: sell-out", "hot SKU sell-out, req/s as a share of the ceiling", 0.15),
    shareOfCeiling(reports, path, "wide: 1-line", "wide 1-line reservations, req/s as a share of the ceiling", 0.15),
    shareOfCeiling(reports, path, "orders: 3-line", "orders 3-line + commit/release, req/s as a share of the ceiling", 0.1),
  ];
}

/**
 * Issue 10's figures: the workerd path's (state on disk) rows and timing breakdown, then the
 * shares of the ceiling of the same path with its state on tmpfs (not profiled), and each
 * Worker path against the PostgreSQL baseline.
 */
export function issue10(reports: TargetReport[]): Issue10 {
  const targets = [
    ...sharesOfCeiling(reports, WORKERD),
    cpuOverHealth(reports, WORKERD, "POST /v1/reservations, new id", "server CPU per call: a new reservation id (201) ÷ health", 5),
    cpuOverHealth(reports, WORKERD, "POST /v1/reservations, sold out", "server CPU per call: sold out (409) ÷ health", 3),
    cpuOverHealth(reports, WORKERD, "PUT /v1/stock/{sku}/{wh}, new item", "server CPU per call: a new stock item (PUT) ÷ health", 15),
    ...sharesOfCeiling(reports, WORKERD_TMPFS),
  ];
  const postgres = reports.find((r) => r.key === "postgres");
  const pgRps = find(postgres, "hot SKU: sell-out")?.load?.rps;
  const pgMissing =
    postgres === undefined ? "the PostgreSQL baseline did not run" : missing(postgres, "the PostgreSQL baseline has no hot SKU figure");
  const workers = reports.filter((r) => r.kind === "worker");
  const versusPostgres: VersusPostgres[] = workers.map((report) => {
    const hotRps = find(report, "hot SKU: sell-out")?.load?.rps;
    const figures = {
      path: report.label,
      ...(hotRps === undefined ? {} : { hotRps }),
      ...(pgRps === undefined ? {} : { postgresRps: pgRps }),
    };
    if (hotRps === undefined) return { ...figures, notMeasured: missing(report, "no hot SKU figure on this path") };
    if (pgRps === undefined || pgRps <= 0) return { ...figures, notMeasured: pgMissing };
    return { ...figures, ratio: hotRps / pgRps };
  });
  if (workers.length === 0) versusPostgres.push({ path: "Worker", notMeasured: "no Worker path ran" });
  return { targets, versusPostgres };
}

function figureValue(f: Issue10Figure): string {
  if (f.measured === undefined) return `not measured: ${(f.notMeasured ?? "").replaceAll("|", "/")}`;
  if (f.unit === "share") return `${(f.measured * 100).toFixed(1)}% (${f.basis})`;
  const range =
    f.range === undefined
      ? ""
      : `; ${f.range[0].toFixed(1)}–${f.range[1] === null ? "∞" : f.range[1].toFixed(1)}× within /proc's 10 ms ticks`;
  return `${f.measured.toFixed(1)}× (${f.basis}${range})`;
}

function figureGoal(f: Issue10Figure): string {
  return f.unit === "share" ? `≥ ${(f.goal * 100).toFixed(0)}%` : `≤ ${f.goal}×`;
}

/** met / missed, and by how much: for a missed target, what the figure would have to become. */
function figureVerdict(f: Issue10Figure): string {
  const m = f.measured;
  if (m === undefined) return "not measured";
  let verdict: string;
  if (f.unit === "share") {
    const points = `${(Math.abs(m - f.goal) * 100).toFixed(1)} points`;
    verdict = f.met
      ? `met, by ${points}`
      : `missed by ${points}${m > 0 ? ` (the rate would have to grow ${(f.goal / m).toFixed(1)}×)` : ""}`;
  } else {
    verdict = f.met
      ? `met, ${((1 - m / f.goal) * 100).toFixed(0)}% under`
      : `missed by ${(m / f.goal).toFixed(1)}× (the CPU per call would have to fall ${((1 - f.goal / m) * 100).toFixed(0)}%)`;
  }
  // A ratio of two few-tick CPU times can land on either side of the target by resolution alone.
  const [low, high] = f.range ?? [m, m];
  const inconclusive = f.bound === "max" && low <= f.goal && (high === null || high > f.goal);
  return inconclusive ? `${verdict}; the ticks' range spans the target` : verdict;
}

export function issue10Section(figures: Issue10): string {
  return [
    `Measured on the ${WORKERD.label} path: rates as a share of its own ceiling (\`GET /v1/health\`; the bare one, without the assets router, when it was measured), ` +
      "server CPU per call from its timing breakdown divided by the health route's. " +
      `Then the same shares on the ${WORKERD_TMPFS.label} path (its own ceiling; no timing breakdown there): ` +
      "the Worker's cost without this VM's disk fsyncs.",
    "",
    "| path | figure | measured | target | result |",
    "|---|---|---|---|---|",
    ...figures.targets.map((f) => `| ${f.path} | ${f.figure} | ${figureValue(f)} | ${figureGoal(f)} | ${figureVerdict(f)} |`),
    "",
    "| path | hot SKU sell-out | PostgreSQL hot SKU | against PostgreSQL |",
    "|---|---:|---:|---|",
    ...figures.versusPostgres.map(
      (v) =>
        `| ${v.path} | ${v.hotRps === undefined ? "not measured" : `${n0(v.hotRps)} req/s`} | ` +
        `${v.postgresRps === undefined ? "not measured" : `${n0(v.postgresRps)} req/s`} | ` +
        `${v.ratio === undefined ? `not measured: ${(v.notMeasured ?? "").replaceAll("|", "/")}` : `${v.ratio.toFixed(2)}× PostgreSQL`} |`,
    ),
  ].join("\n");
}

/** Issue 11, flash-sale pools: one Worker path's two flash-sale rows side by side. */
export interface FlashSaleFigure {
  path: string;
  /** Sell-out req/s with `shards` 1, and with `shards` (8). */
  oneShardRps?: number;
  shardsRps?: number;
  shards?: number;
  /** shardsRps / oneShardRps. */
  ratio?: number;
  /** The largest share of the reservation calls one member served, with `shards`. */
  largestShare?: number;
  goal: number;
  met?: boolean;
  /** When a figure is absent: why. */
  notMeasured?: string;
}

const FLASH_ONE = "flash sale: 1 shard";
const FLASH_MANY = "flash sale: ";

export function flashSaleFigures(reports: TargetReport[]): FlashSaleFigure[] {
  const workers = reports.filter((r) => r.kind === "worker");
  if (workers.length === 0) return [{ path: "Worker", goal: LARGEST_SHARE_GOAL, notMeasured: "no Worker path ran" }];
  return workers.map((report) => {
    const base = { path: report.label, goal: LARGEST_SHARE_GOAL };
    const one = report.rows.find((row) => row.scenario === FLASH_ONE);
    const many = report.rows.find((row) => row.scenario.startsWith(FLASH_MANY) && row.scenario !== FLASH_ONE);
    const oneRps = one?.load?.rps;
    const manyRps = many?.load?.rps;
    const spread = many?.pool;
    const figure: FlashSaleFigure = {
      ...base,
      ...(oneRps === undefined ? {} : { oneShardRps: oneRps }),
      ...(manyRps === undefined ? {} : { shardsRps: manyRps }),
      ...(spread === undefined ? {} : { shards: spread.shards }),
      ...(oneRps !== undefined && manyRps !== undefined && oneRps > 0 ? { ratio: manyRps / oneRps } : {}),
      ...(spread?.largestShare === undefined ? {} : { largestShare: spread.largestShare, met: spread.largestShare <= LARGEST_SHARE_GOAL }),
    };
    if (one === undefined || many === undefined) {
      return { ...figure, notMeasured: missing(report, `no "${one === undefined ? FLASH_ONE : `${FLASH_MANY}N shards`}" row`) };
    }
    if (spread?.largestShare === undefined) return { ...figure, notMeasured: spread?.notMeasured ?? "no spread measured" };
    return figure;
  });
}

export function flashSaleSection(figures: FlashSaleFigure[]): string {
  return [
    "Per Worker path, same run, same stock: the sell-out rate of an item with 8 shards against that of an item with 1, and the " +
      "largest share of the reservation calls one pool member served with 8 shards (`requests` of `GET /v1/stock/{sku}/{wh}/shards` " +
      "after the load: every call that reached a member, refused ones included; the item's own object is not counted).",
    "",
    "| path | 1 shard | 8 shards | 8 shards ÷ 1 shard | largest share, 8 shards | target | result |",
    "|---|---:|---:|---:|---:|---|---|",
    ...figures.map((f) => {
      const rps = (x: number | undefined) => (x === undefined ? "not measured" : `${n0(x)} req/s`);
      const share = f.largestShare === undefined ? "not measured" : `${(f.largestShare * 100).toFixed(1)}%`;
      const result =
        f.largestShare === undefined
          ? `not measured: ${(f.notMeasured ?? "").replaceAll("|", "/")}`
          : f.met
            ? `met, by ${(Math.abs(f.goal - f.largestShare) * 100).toFixed(1)} points`
            : `missed by ${(Math.abs(f.largestShare - f.goal) * 100).toFixed(1)} points`;
      return (
        `| ${f.path} | ${rps(f.oneShardRps)} | ${rps(f.shardsRps)} | ${f.ratio === undefined ? "not measured" : `${f.ratio.toFixed(2)}×`} | ` +
        `${share} | ≤ ${(f.goal * 100).toFixed(0)}% | ${result} |`
      );
    }),
  ].join("\n");
}

export function allPassed(reports: TargetReport[]): boolean {
  return reports.every((report) => report.rows.every((row) => row.audit === undefined || row.audit.pass));
}

export function profileSection(reports: TargetReport[]): string {
  const out: string[] = [];
  for (const report of reports) {
    const p = report.profile;
    if (p === undefined) continue;
    out.push(
      `Timing breakdown on ${report.label}: each call alone, one at a time (${p.steps[0]?.calls ?? 0} calls each), with workerd's CPU per call ` +
        `(/proc counts in 10 ms ticks, so ±${(10 / (p.steps[0]?.calls ?? 1)).toFixed(2)} ms).`,
      "",
      "| call | what it involves | p50 ms | mean ms | server CPU ms/call |",
      "|---|---|---:|---:|---:|",
      ...p.steps.map((s) => `| ${s.step} | ${s.what} | ${ms(s.p50)} | ${ms(s.mean)} | ${s.cpuMsPerCall.toFixed(2)} |`),
      "",
    );
    if (p.hot !== undefined) {
      const top = p.hot.summary;
      out.push(
        `V8 CPU profile of the Worker's isolate during a hot-SKU load (${n0(p.hot.rps)} req/s, ${(top.totalMs / 1000).toFixed(1)} s sampled; ` +
          "one isolate thread runs the Worker and every Durable Object locally):",
        "",
        "| where (by source, via the bundle's source map) | share of samples |",
        "|---|---:|",
        ...top.buckets.slice(0, 12).map((b) => `| ${b.bucket} | ${(b.share * 100).toFixed(1)}% |`),
        "",
        "| function (self time) | source | share |",
        "|---|---|---:|",
        ...top.top.slice(0, 12).map((f) => `| ${f.fn} | ${f.source || "(native)"} | ${(f.share * 100).toFixed(1)}% |`),
        "",
      );
      if (p.hot.file !== undefined)
        out.push(`Full profile (open in Chrome DevTools, Performance tab): \`${p.hot.file.replace(/^.*\/bench\//, "bench/")}\``, "");
    }
  }
  return out.join("\n");
}

/**
 * Issue 12: what sourcing costs, per Worker path, against the plain orders of the same run
 * (same shape, same load, same items), and the batch availability reads' latency.
 */
export interface SourcingFigure {
  path: string;
  /** The sourced row's scenario. */
  scenario: string;
  rps?: number;
  cpuMsPerRequest?: number;
  plainRps?: number;
  plainCpuMsPerRequest?: number;
  /** Sourced ÷ plain server CPU per request. */
  cpuRatio?: number;
  /** Plain ÷ sourced req/s. */
  rpsRatio?: number;
  notMeasured?: string;
}

export interface AvailabilityFigure {
  path: string;
  scenario: string;
  rps?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  cpuMsPerRequest?: number;
  notMeasured?: string;
}

export interface Issue12 {
  sourcing: SourcingFigure[];
  availability: AvailabilityFigure[];
}

const PLAIN_ORDERS = "orders: 3-line";

export function issue12(reports: TargetReport[]): Issue12 {
  const workers = reports.filter((r) => r.kind === "worker");
  const sourcing: SourcingFigure[] = [];
  const availabilityFigures: AvailabilityFigure[] = [];
  for (const report of workers) {
    const plain = find(report, PLAIN_ORDERS)?.load;
    for (const scenario of [SOURCED_COVERS, SOURCED_MIX]) {
      const load = report.rows.find((row) => row.scenario === scenario)?.load;
      const base = { path: report.label, scenario };
      if (load === undefined || plain === undefined) {
        sourcing.push({ ...base, notMeasured: missing(report, `no "${load === undefined ? scenario : PLAIN_ORDERS}" row`) });
        continue;
      }
      const cpu = load.cpu.targetMsPerRequest;
      const plainCpu = plain.cpu.targetMsPerRequest;
      sourcing.push({
        ...base,
        rps: load.rps,
        plainRps: plain.rps,
        ...(load.rps > 0 ? { rpsRatio: plain.rps / load.rps } : {}),
        ...(cpu === undefined ? {} : { cpuMsPerRequest: cpu }),
        ...(plainCpu === undefined ? {} : { plainCpuMsPerRequest: plainCpu }),
        ...(cpu !== undefined && plainCpu !== undefined && plainCpu > 0 ? { cpuRatio: cpu / plainCpu } : {}),
      });
    }
    const reads = report.rows.filter((row) => row.scenario.startsWith(AVAILABILITY) && !row.scenario.includes("seed"));
    if (reads.length === 0)
      availabilityFigures.push({ path: report.label, scenario: "availability", notMeasured: missing(report, "no availability rows") });
    for (const row of reads) {
      const load = row.load;
      if (load === undefined) continue;
      availabilityFigures.push({
        path: report.label,
        scenario: row.scenario,
        rps: load.rps,
        p50: load.p50,
        p95: load.p95,
        p99: load.p99,
        ...(load.cpu.targetMsPerRequest === undefined ? {} : { cpuMsPerRequest: load.cpu.targetMsPerRequest }),
      });
    }
  }
  if (workers.length === 0) {
    sourcing.push({ path: "Worker", scenario: "sourced orders", notMeasured: "no Worker path ran" });
    availabilityFigures.push({ path: "Worker", scenario: "availability", notMeasured: "no Worker path ran" });
  }
  return { sourcing, availability: availabilityFigures };
}

export function issue12Section(figures: Issue12): string {
  const cpu = (x: number | undefined) => (x === undefined ? "?" : x.toFixed(2));
  const notMeasured = (f: { notMeasured?: string }) => `not measured: ${(f.notMeasured ?? "").replaceAll("|", "/")}`;
  return [
    "Per Worker path, same run: the sourced orders (lines naming a channel, no warehouse) against the plain orders " +
      `("${PLAIN_ORDERS} + commit/release": same shape, same load, same items). Server CPU per request from /proc, as in the CPU table; ` +
      "every HTTP call counts as a request in both.",
    "",
    "| path | sourced orders | req/s: plain → sourced | plain ÷ sourced req/s | server CPU ms/req: plain → sourced | sourced ÷ plain CPU/req |",
    "|---|---|---:|---:|---:|---:|",
    ...figures.sourcing.map((f) =>
      f.rps === undefined
        ? `| ${f.path} | ${f.scenario} | ${notMeasured(f)} | | | |`
        : `| ${f.path} | ${f.scenario.replace(/^sourced orders: /, "")} | ${n0(f.plainRps ?? 0)} → ${n0(f.rps)} | ` +
          `${f.rpsRatio === undefined ? "?" : `${f.rpsRatio.toFixed(2)}×`} | ${cpu(f.plainCpuMsPerRequest)} → ${cpu(f.cpuMsPerRequest)} | ` +
          `${f.cpuRatio === undefined ? "?" : `${f.cpuRatio.toFixed(2)}×`} |`,
    ),
    "",
    "Batch availability (`POST /v1/availability`), every connection of the usual load, no writes meanwhile (the latency of one call at a time is in the notes above):",
    "",
    "| path | read | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req |",
    "|---|---|---:|---:|---:|---:|---:|",
    ...figures.availability.map((f) =>
      f.rps === undefined
        ? `| ${f.path} | ${f.scenario} | ${notMeasured(f)} | | | | |`
        : `| ${f.path} | ${f.scenario.slice(AVAILABILITY.length)} | ${n0(f.rps)} | ${ms(f.p50 ?? 0)} | ${ms(f.p95 ?? 0)} | ${ms(f.p99 ?? 0)} | ${cpu(f.cpuMsPerRequest)} |`,
    ),
  ].join("\n");
}

const median = (values: number[]): number | undefined => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const times = (x: number | undefined, digits = 2) => (x === undefined ? "not measured" : `${x.toFixed(digits)}×`);
const rangeOf = (values: number[], digits = 2) =>
  values.length < 2 ? "" : ` (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

/** One round of the live scenario or the keys scenario, as the sections show it. */
export interface RoundFigure {
  round: number;
  /** "no watchers" / "1,000 watchers" / "root key" / "scoped keys". */
  what: string;
  rps: number;
  p99: number;
  cpuMsPerRequest?: number;
  serverCores: number;
  benchCores: number;
  otherCores: number;
  /** Live rounds with watchers: the watchers' own process (counted in otherCores). */
  watcherCores?: number;
  rateLimited?: number;
  maxPerKeyPer10s?: number;
}

function roundFigure(row: Row, what: string): RoundFigure | undefined {
  const load = row.load;
  if (load === undefined) return undefined;
  const watcherCores = row.live?.watch?.watcherCores;
  return {
    round: row.live?.round ?? row.keys?.round ?? 0,
    what,
    rps: load.rps,
    p99: load.p99,
    ...(load.cpu.targetMsPerRequest === undefined ? {} : { cpuMsPerRequest: load.cpu.targetMsPerRequest }),
    serverCores: load.cpu.targetCores,
    benchCores: load.cpu.benchCores,
    otherCores: load.cpu.otherCores,
    ...(watcherCores === undefined ? {} : { watcherCores }),
    ...(row.keys === undefined ? {} : { rateLimited: row.keys.rateLimited }),
    ...(row.keys?.maxPerKeyPer10s === undefined ? {} : { maxPerKeyPer10s: row.keys.maxPerKeyPer10s }),
  };
}

/**
 * Issue 13, per Worker path: the hot SKU's sell-out with 1,000 watchers on the item against
 * without, same run, alternating rounds (each round with watchers against the mean of the
 * rounds without just before and after it), and the watchers' latency from the 201s.
 */
export interface Issue13Figure {
  path: string;
  watchers?: number;
  rounds: RoundFigure[];
  /** Per round with watchers: its req/s ÷ the mean of its neighbours' (without). */
  rpsRatios: number[];
  /** Per round with watchers: its server CPU per request ÷ the mean of its neighbours'. */
  cpuRatios: number[];
  /** Medians of the above. */
  rpsRatio?: number;
  cpuRatio?: number;
  /** Every round with watchers together. */
  perSale?: Spread;
  perMessage?: Spread;
  finalLevel?: { ok: number; of: number };
  mapping?: string;
  /** With the profiler on: one more round without and one with, under the isolate's profiler. */
  profiled?: LiveRound["profiled"];
  /** The watchers must not slow selling by more than 10 %: rpsRatio ≥ goal. */
  goal: number;
  met?: boolean;
  notMeasured?: string;
}

function neighbourRatios(rows: Row[], isWith: (row: Row) => boolean, value: (row: Row) => number | undefined): number[] {
  const ratios: number[] = [];
  rows.forEach((row, i) => {
    if (!isWith(row)) return;
    const own = value(row);
    const around = [rows[i - 1], rows[i + 1]]
      .filter((r): r is Row => r !== undefined && !isWith(r))
      .map(value)
      .filter((x): x is number => x !== undefined && x > 0);
    if (own === undefined || around.length === 0) return;
    ratios.push(own / (around.reduce((s, x) => s + x, 0) / around.length));
  });
  return ratios;
}

export function issue13(reports: TargetReport[]): Issue13Figure[] {
  const workers = reports.filter((r) => r.kind === "worker");
  if (workers.length === 0)
    return [{ path: "Worker", rounds: [], rpsRatios: [], cpuRatios: [], goal: LIVE_GOAL, notMeasured: "no Worker path ran" }];
  return workers.map((report) => {
    const rows = report.rows.filter((row) => row.scenario.startsWith(LIVE) && row.live !== undefined);
    const base: Issue13Figure = { path: report.label, rounds: [], rpsRatios: [], cpuRatios: [], goal: LIVE_GOAL };
    if (rows.length === 0) return { ...base, notMeasured: missing(report, "no live rows (--scenarios without live)") };
    const isWith = (row: Row) => (row.live?.watchers ?? 0) > 0;
    const rounds = rows
      .map((row) => roundFigure(row, isWith(row) ? `${n0(row.live?.watchers ?? 0)} watchers` : "no watchers"))
      .filter((r): r is RoundFigure => r !== undefined);
    const rpsRatios = neighbourRatios(rows, isWith, (row) => row.load?.rps);
    const cpuRatios = neighbourRatios(rows, isWith, (row) => row.load?.cpu.targetMsPerRequest);
    const watched = rows
      .filter(isWith)
      .map((row) => row.live?.watch)
      .filter((w) => w !== undefined);
    const pooled = rows[rows.length - 1]?.live?.pooled;
    const rpsRatio = median(rpsRatios);
    const cpuRatio = median(cpuRatios);
    const figure: Issue13Figure = {
      ...base,
      ...(watched[0] === undefined ? {} : { watchers: watched[0].watchers, mapping: watched[0].mapping }),
      rounds,
      rpsRatios,
      cpuRatios,
      ...(rpsRatio === undefined ? {} : { rpsRatio, met: rpsRatio >= LIVE_GOAL }),
      ...(cpuRatio === undefined ? {} : { cpuRatio }),
      ...(pooled === undefined ? {} : { perSale: pooled.perSale, perMessage: pooled.perMessage }),
      ...(rows[rows.length - 1]?.live?.profiled === undefined ? {} : { profiled: rows[rows.length - 1]?.live?.profiled }),
      ...(watched.length === 0
        ? {}
        : {
            finalLevel: {
              ok: watched.reduce((s, w) => s + w.finalLevel.ok, 0),
              of: watched.reduce((s, w) => s + w.finalLevel.of, 0),
            },
          }),
    };
    if (rpsRatio === undefined) return { ...figure, notMeasured: missing(report, "no round with watchers between rounds without") };
    return figure;
  });
}

function roundsTable(figures: { path: string; rounds: RoundFigure[] }[], extra: "watchers" | "keys"): string[] {
  const header =
    extra === "watchers"
      ? [
          "| path | round | load | req/s | p99 ms | server CPU ms/req | server cores | bench cores | watchers' process cores | other processes (cores, watchers excluded) |",
          "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
      : [
          "| path | round | key | req/s | p99 ms | server CPU ms/req | server cores | bench cores | other processes (cores) | busiest key per 10 s | 429s |",
          "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ];
  const lines = [...header];
  for (const f of figures) {
    for (const r of f.rounds) {
      const common = `| ${f.path} | ${r.round} | ${r.what} | ${n0(r.rps)} | ${ms(r.p99)} | ${r.cpuMsPerRequest === undefined ? "?" : r.cpuMsPerRequest.toFixed(2)} | ${r.serverCores.toFixed(2)} | ${r.benchCores.toFixed(2)} |`;
      lines.push(
        extra === "watchers"
          ? `${common} ${r.watcherCores === undefined ? "" : r.watcherCores.toFixed(2)} | ${Math.max(0, r.otherCores - (r.watcherCores ?? 0)).toFixed(2)} |`
          : `${common} ${r.otherCores.toFixed(2)} | ${r.maxPerKeyPer10s === undefined ? "" : n0(r.maxPerKeyPer10s)} | ${r.rateLimited ?? 0} |`,
      );
    }
  }
  return lines;
}

export function issue13Section(figures: Issue13Figure[]): string {
  const spread = (s: Spread | undefined) =>
    s === undefined
      ? "not measured"
      : `${ms(s.p50)} / ${ms(s.p99)} ms (min ${ms(s.min)}, max ${ms(s.max)}; ${(s.negative * 100).toFixed(1)}% before the 201; ${n0(s.count)} pairs)`;
  return [
    "Per Worker path, same run: the hot SKU's sell-out (same shape: one item, single-unit reservations, every connection, exactly `stock` requests; " +
      "a fresh item with the same stock each round) without and with the watchers on the item being sold, alternating. Each round with watchers is " +
      "compared with the mean of the rounds without just before and after it; the figure is the median of those. The watchers run in a process of " +
      "their own (its CPU is in the last columns but one), all on this machine's 2 cores with workerd and the load generator.",
    "",
    ...roundsTable(figures, "watchers"),
    "",
    `Latency from a reservation's \`201\` (read by the load generator) to a watcher's message showing it (read by the watchers' process; same monotonic clock). ` +
      `The server sends at most one message per socket per ${LIVE_INTERVAL_MS} ms, so up to ~${LIVE_INTERVAL_MS} ms of it is by design.`,
    "",
    "| path | watchers | with ÷ without req/s | target | result | with ÷ without server CPU/req | 201 → message, per (watcher, unit sold): p50 / p99 | per (watcher, message), from the earliest 201 it shows: p50 / p99 | last message = final level |",
    "|---|---:|---:|---|---|---:|---|---|---|",
    ...figures.map((f) => {
      const result =
        f.rpsRatio === undefined
          ? `not measured: ${(f.notMeasured ?? "").replaceAll("|", "/")}`
          : f.met
            ? `met (${((1 - f.rpsRatio) * 100).toFixed(1)}% slower)`
            : `missed: ${((1 - f.rpsRatio) * 100).toFixed(1)}% slower`;
      return (
        `| ${f.path} | ${f.watchers === undefined ? "" : n0(f.watchers)} | ${times(f.rpsRatio)}${rangeOf(f.rpsRatios)} | ≥ ${f.goal.toFixed(2)}× (at most 10 % slower) | ${result} | ` +
        `${times(f.cpuRatio)}${rangeOf(f.cpuRatios)} | ${spread(f.perSale)} | ${spread(f.perMessage)} | ` +
        `${f.finalLevel === undefined ? "not measured" : `${n0(f.finalLevel.ok)} of ${n0(f.finalLevel.of)}`} |`
      );
    }),
    ...profiledLines(
      figures.map((f) => ({ path: f.path, a: f.profiled?.without, b: f.profiled?.with })),
      "no watchers",
      `${n0(figures[0]?.watchers ?? 0)} watchers`,
    ),
  ].join("\n");
}

/** The profiled pair of rounds (profiler on only), per path: where the time went in the isolate. */
function profiledLines(pairs: { path: string; a?: IsolateCost; b?: IsolateCost }[], aName: string, bName: string): string[] {
  const present = pairs.filter((p): p is { path: string; a: IsolateCost; b: IsolateCost } => p.a !== undefined && p.b !== undefined);
  if (present.length === 0) return [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const labels = present[0]?.b.shares.map((s) => s.label) ?? [];
  return [
    "",
    "One more round of each under the isolate's CPU profiler (not in the rates above; V8 samples wall-clock time, so these are shares of the " +
      "isolate's busy samples, not CPU milliseconds), beside workerd's CPU per request from /proc:",
    "",
    `| path | workerd CPU ms/req: ${aName} → ${bName} | req/s under the profiler | ${labels.map((l) => `share with ${l} on the stack`).join(" | ")} | top functions by self time, ${bName} |`,
    `|---|---:|---:|${labels.map(() => "---:|").join("")}---|`,
    ...present.map(
      ({ path, a, b }) =>
        `| ${path} | ${a.processMsPerRequest.toFixed(2)} → ${b.processMsPerRequest.toFixed(2)} | ${n0(a.rps)} → ${n0(b.rps)} | ` +
        `${b.shares.map((s, k) => `${pct(a.shares[k]?.share ?? 0)} → ${pct(s.share)}`).join(" | ")} | ` +
        `${b.top
          .slice(0, 5)
          .map((t) => `${t.fn} (${t.source || "native"}) ${pct(t.share)}`)
          .join("; ")
          .replaceAll("|", "/")} |`,
    ),
  ];
}

/**
 * Issue 14, per Worker path: the hot SKU's sell-out with scoped keys against the root key, same
 * run, alternating rounds (root, key, key, root, …), each adjacent pair compared.
 */
export interface Issue14Figure {
  path: string;
  keys?: number;
  rounds: RoundFigure[];
  /** Per adjacent (root, key) pair: root ÷ key req/s, key ÷ root server CPU per request. */
  rpsRatios: number[];
  cpuRatios: number[];
  rpsRatio?: number;
  cpuRatio?: number;
  rootRps?: number;
  keyRps?: number;
  rootCpuMsPerRequest?: number;
  keyCpuMsPerRequest?: number;
  rateLimited: number;
  /** The key check alone, one call at a time (an invalid body, refused before any object). */
  alone?: KeyRound["alone"];
  goal: number;
  /** Both ratios within the goal. */
  met?: boolean;
  notMeasured?: string;
}

export function issue14(reports: TargetReport[]): Issue14Figure[] {
  const workers = reports.filter((r) => r.kind === "worker");
  const base = { rounds: [], rpsRatios: [], cpuRatios: [], rateLimited: 0, goal: KEYS_GOAL };
  if (workers.length === 0) return [{ path: "Worker", ...base, notMeasured: "no Worker path ran" }];
  return workers.map((report) => {
    const rows = report.rows.filter((row) => row.scenario.startsWith(KEYS) && row.keys !== undefined);
    if (rows.length === 0) return { path: report.label, ...base, notMeasured: missing(report, "no keys rows (--scenarios without keys)") };
    const rounds = rows
      .map((row) => roundFigure(row, row.keys?.auth === "root" ? "root key" : `scoped keys (${row.keys?.keys ?? 0})`))
      .filter((r): r is RoundFigure => r !== undefined);
    const rpsRatios: number[] = [];
    const cpuRatios: number[] = [];
    for (let i = 0; i + 1 < rows.length; i += 2) {
      const pair = [rows[i], rows[i + 1]] as Row[];
      const root = pair.find((r) => r.keys?.auth === "root")?.load;
      const key = pair.find((r) => r.keys?.auth === "key")?.load;
      if (root === undefined || key === undefined) continue;
      if (key.rps > 0) rpsRatios.push(root.rps / key.rps);
      const [rc, kc] = [root.cpu.targetMsPerRequest, key.cpu.targetMsPerRequest];
      if (rc !== undefined && kc !== undefined && rc > 0) cpuRatios.push(kc / rc);
    }
    const of = (auth: "root" | "key", f: (r: Row) => number | undefined) =>
      median(
        rows
          .filter((r) => r.keys?.auth === auth)
          .map(f)
          .filter((x): x is number => x !== undefined),
      );
    const rpsRatio = median(rpsRatios);
    const cpuRatio = median(cpuRatios);
    const figure: Issue14Figure = {
      path: report.label,
      ...base,
      keys: rows.find((r) => r.keys?.auth === "key")?.keys?.keys ?? 0,
      rounds,
      rpsRatios,
      cpuRatios,
      ...(rpsRatio === undefined ? {} : { rpsRatio }),
      ...(cpuRatio === undefined ? {} : { cpuRatio }),
      rateLimited: rows.reduce((s, r) => s + (r.keys?.rateLimited ?? 0), 0),
      ...(rows[rows.length - 1]?.keys?.alone === undefined ? {} : { alone: rows[rows.length - 1]?.keys?.alone }),
    };
    const add = (name: "rootRps" | "keyRps" | "rootCpuMsPerRequest" | "keyCpuMsPerRequest", value: number | undefined) => {
      if (value !== undefined) figure[name] = value;
    };
    add(
      "rootRps",
      of("root", (r) => r.load?.rps),
    );
    add(
      "keyRps",
      of("key", (r) => r.load?.rps),
    );
    add(
      "rootCpuMsPerRequest",
      of("root", (r) => r.load?.cpu.targetMsPerRequest),
    );
    add(
      "keyCpuMsPerRequest",
      of("key", (r) => r.load?.cpu.targetMsPerRequest),
    );
    if (rpsRatio === undefined || cpuRatio === undefined)
      return { ...figure, notMeasured: missing(report, "no complete (root, key) pair") };
    return { ...figure, met: rpsRatio <= KEYS_GOAL && cpuRatio <= KEYS_GOAL };
  });
}

export function issue14Section(figures: Issue14Figure[]): string {
  const cpu = (x: number | undefined) => (x === undefined ? "?" : x.toFixed(2));
  return [
    "Per Worker path, same run: the hot SKU's sell-out (same shape; a fresh item with the same stock each round) with the root key (`API_TOKEN`) and with " +
      "scoped keys (`stock:read` + `reservations`), in the order root, key, key, root, root, key, …; each adjacent pair is compared and the figure is the " +
      "median of the pairs. The key rounds send their requests with the keys in turn, so each key stays far below its 1,000 requests per 10 s.",
    "",
    ...roundsTable(figures, "keys"),
    "",
    "| path | req/s: root → key (medians) | root ÷ key req/s | server CPU ms/req: root → key (medians) | key ÷ root CPU/req | target | result | 429s |",
    "|---|---:|---:|---:|---:|---|---|---:|",
    ...figures.map((f) => {
      const result =
        f.met === undefined
          ? `not measured: ${(f.notMeasured ?? "").replaceAll("|", "/")}`
          : f.met
            ? "met"
            : `missed: ${[
                (f.rpsRatio ?? 0) > f.goal ? `${(((f.rpsRatio ?? 1) - 1) * 100).toFixed(1)}% fewer req/s` : "",
                (f.cpuRatio ?? 0) > f.goal ? `${(((f.cpuRatio ?? 1) - 1) * 100).toFixed(1)}% more CPU per request` : "",
              ]
                .filter((s) => s !== "")
                .join(", ")}`;
      return (
        `| ${f.path} | ${f.rootRps === undefined ? "?" : n0(f.rootRps)} → ${f.keyRps === undefined ? "?" : n0(f.keyRps)} | ${times(f.rpsRatio)}${rangeOf(f.rpsRatios)} | ` +
        `${cpu(f.rootCpuMsPerRequest)} → ${cpu(f.keyCpuMsPerRequest)} | ${times(f.cpuRatio)}${rangeOf(f.cpuRatios)} | both ≤ ${f.goal.toFixed(2)}× | ${result} | ${f.rateLimited} |`
      );
    }),
    ...(figures.some((f) => f.alone !== undefined)
      ? [
          "",
          "The key check alone, one call at a time, workerd's CPU per call from /proc: `POST /v1/reservations` with an empty `lines` (refused 400 by the " +
            "schema after authentication, before any object) with the root key and with a scoped key; the same refused 401 with a wrong token and with a " +
            "well-formed `sfk_` token no key has (its SHA-256 and the cache lookup, no rate-limit call).",
          "",
          "| path | calls each | 400: root → scoped key | the key check | 401: wrong token → unknown key | its hash + cache lookup | the rest (rate-limit call, scope, principal) | p50 ms: root → key |",
          "|---|---:|---:|---:|---:|---:|---:|---:|",
          ...figures
            .filter((f) => f.alone !== undefined)
            .map((f) => {
              const a = f.alone as NonNullable<Issue14Figure["alone"]>;
              const x = (v: number) => v.toFixed(3);
              const signed = (v: number) => `${v < 0 ? "−" : "+"}${Math.abs(v).toFixed(3)}`;
              const check = a.keyCpuMs - a.rootCpuMs;
              const lookup = a.unknownKeyCpuMs - a.wrongCpuMs;
              return (
                `| ${f.path} | ${n0(a.calls)} | ${x(a.rootCpuMs)} → ${x(a.keyCpuMs)} ms | ${signed(check)} ms | ${x(a.wrongCpuMs)} → ${x(a.unknownKeyCpuMs)} ms | ` +
                `${signed(lookup)} ms | ${signed(check - lookup)} ms | ${a.rootP50.toFixed(2)} → ${a.keyP50.toFixed(2)} |`
              );
            }),
          "",
          `(/proc counts 10 ms ticks: each CPU figure ±${(20 / (figures.find((f) => f.alone !== undefined)?.alone?.calls ?? 1000)).toFixed(3)} ms.)`,
        ]
      : []),
  ].join("\n");
}
