import { AVAILABILITY } from "./scenarios/availability";
import type { Row } from "./scenarios/common";
import { LARGEST_SHARE_GOAL } from "./scenarios/flash";
import type { ProfileResult } from "./scenarios/profile";
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
  /** Set when the target could not be started or a scenario failed outright. */
  error?: string;
  /** Where the time goes (Miniflare path, when profiling). */
  profile?: ProfileResult;
}

/** One line, no terminal colours, no table breakers: for error messages in a cell. */
export function oneLine(text: string, max = 200): string {
  // wrangler colours its errors even in a pipe
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

export function ratio(row: Row, ceiling: number | undefined): number | undefined {
  if (row.load === undefined || ceiling === undefined || ceiling <= 0) return undefined;
  return row.load.rps / ceiling;
}

export function mainTable(reports: TargetReport[]): string {
  const lines = [
    "| path | scenario | req/s | of ceiling | p50 ms | p95 ms | p99 ms | answers | audit |",
    "|---|---|---:|---:|---:|---:|---:|---|---|",
  ];
  for (const report of reports) {
    if (report.rows.length === 0) {
      lines.push(`| ${report.label} | not measured: ${oneLine(report.error ?? "unavailable")} | | | | | | | |`);
      continue;
    }
    for (const row of report.rows) {
      const r = ratio(row, report.ceilingRps);
      const load = row.load;
      lines.push(
        `| ${report.label} | ${row.scenario} | ${load ? n0(load.rps) : ""} | ${r === undefined ? "" : `${(r * 100).toFixed(0)}%`} | ` +
          `${load ? ms(load.p50) : ""} | ${load ? ms(load.p95) : ""} | ${load ? ms(load.p99) : ""} | ${answers(row)} | ${auditCell(row)} |`,
      );
    }
    if (report.error !== undefined) lines.push(`| ${report.label} | stopped early: ${oneLine(report.error)} | | | | | | | |`);
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
        lines.push(`| ${report.label} | ${row.scenario} | ${check.name} | ${check.pass ? "PASS" : "**FAIL**"} | ${check.detail.replaceAll("|", "/")} |`);
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
    const r = row === undefined ? undefined : ratio(row, report.ceilingRps);
    if (r === undefined) return;
    lines.push(`| ${label} ≥ ${goal * 100}% of ceiling | ${report.label} | ${(r * 100).toFixed(0)}% (${n0(row?.load?.rps ?? 0)} of ${n0(report.ceilingRps ?? 0)} req/s) | ${r >= goal ? "yes" : "no"} |`);
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
    lines.push(`| zero oversell | ${report.label} | ${failed === 0 ? `0 in ${checks.length} audits` : `${failed} audits found oversell`} | ${failed === 0 ? "yes" : "no"} |`);
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
  const share = row === undefined ? undefined : ratio(row, report.ceilingRps);
  if (row?.load === undefined || share === undefined) {
    return { ...base, notMeasured: missing(report, row === undefined ? `no "${prefix}" row` : "no ceiling measured") };
  }
  return { ...base, measured: share, met: share >= goal, basis: `${n0(row.load.rps)} of ${n0(report.ceilingRps ?? 0)} req/s` };
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
    postgres === undefined
      ? "the PostgreSQL baseline did not run"
      : missing(postgres, "the PostgreSQL baseline has no hot SKU figure");
  const workers = reports.filter((r) => r.kind === "worker");
  const versusPostgres: VersusPostgres[] = workers.map((report) => {
    const hotRps = find(report, "hot SKU: sell-out")?.load?.rps;
    const figures = { path: report.label, ...(hotRps === undefined ? {} : { hotRps }), ...(pgRps === undefined ? {} : { postgresRps: pgRps }) };
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
  const range = f.range === undefined ? "" : `; ${f.range[0].toFixed(1)}–${f.range[1] === null ? "∞" : f.range[1].toFixed(1)}× within /proc's 10 ms ticks`;
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
    verdict = f.met ? `met, by ${points}` : `missed by ${points}${m > 0 ? ` (the rate would have to grow ${(f.goal / m).toFixed(1)}×)` : ""}`;
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
    `Measured on the ${WORKERD.label} path: rates as a share of its own ceiling (\`GET /v1/health\`), ` +
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
      if (p.hot.file !== undefined) out.push(`Full profile (open in Chrome DevTools, Performance tab): \`${p.hot.file.replace(/^.*\/bench\//, "bench/")}\``, "");
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
    if (reads.length === 0) availabilityFigures.push({ path: report.label, scenario: "availability", notMeasured: missing(report, "no availability rows") });
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
