import type { Row } from "./scenarios/common";
import type { ProfileResult } from "./scenarios/profile";

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
