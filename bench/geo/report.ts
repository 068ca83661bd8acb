import { COMMIT_LATENCY_MS, INTRA_REGION_RTT_MS } from "../../src/geo/round-trips";
import { REGIONS, type Region } from "../../src/regions/regions";
import type { DesignAudit } from "./audit";
import type { DesignKey } from "./designs";
import type { Op, Sample, Workload } from "./load";

/**
 * The geo run's figures: one row per design, workload, buyer region and operation (the JSON the
 * issue asks for), the Markdown tables and the SVG chart made from them. Pure.
 */

export interface Row {
  design: DesignKey;
  workload: Workload;
  buyerRegion: Region;
  op: Op;
  p50Ms: number;
  p99Ms: number;
  n: number;
  /** Median, per call, of the calls that crossed regions on the buyer's path (Server-Timing). */
  crossRegionTrips: number;
  /** Share of calls that never left the buyer's region. */
  localShare: number;
  /** Median, per call, of what its path costs by arithmetic (matrix round trips + commits). */
  expectedMs: number;
  /** Answers other than the workload's expected ones (201/200, or 409 for stock). */
  errors: number;
  /** Calls whose answer showed no Server-Timing path (trips and expectation unknown). */
  invisible: number;
}

export const DESIGN_ORDER: readonly DesignKey[] = ["global", "regional", "regional-pool", "central-sql"];
export const DESIGN_NAMES: Record<DesignKey, string> = {
  global: "1 global coord.",
  regional: "2 regional coord.",
  "regional-pool": "3 regional + pools",
  "central-sql": "4 central SQL",
};
const COLOURS: Record<DesignKey, string> = {
  global: "#9e9e9e",
  regional: "#4f81bd",
  "regional-pool": "#2e9e5b",
  "central-sql": "#d9822b",
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function toRows(samples: readonly Sample[]): Row[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = [s.design, s.workload, s.buyer, s.op].join("|");
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  const rows: Row[] = [];
  for (const list of groups.values()) {
    const first = list[0] as Sample;
    const answered = list.filter((s) => (s.outcome.status >= 200 && s.outcome.status < 300) || s.outcome.status === 409);
    const visible = answered.filter((s) => s.outcome.path.visible);
    const ms = answered.map((s) => s.outcome.ms).sort((a, b) => a - b);
    const trips = visible.map((s) => s.outcome.path.crossRegionTrips).sort((a, b) => a - b);
    const expected = visible.map((s) => s.outcome.path.expectedMs).sort((a, b) => a - b);
    rows.push({
      design: first.design,
      workload: first.workload,
      buyerRegion: first.buyer,
      op: first.op,
      p50Ms: round1(percentile(ms, 50)),
      p99Ms: round1(percentile(ms, 99)),
      n: answered.length,
      crossRegionTrips: percentile(trips, 50),
      localShare:
        visible.length === 0
          ? 0
          : round1((100 * visible.filter((s) => s.outcome.path.crossRegionTrips === 0).length) / visible.length) / 100,
      expectedMs: round1(percentile(expected, 50)),
      errors: list.length - answered.length,
      invisible: answered.length - visible.length,
    });
  }
  const order = (r: Row) => [
    DESIGN_ORDER.indexOf(r.design),
    ["single", "order3", "flash", "flash-last-units"].indexOf(r.workload),
    REGIONS.indexOf(r.buyerRegion),
    r.op === "reserve" ? 0 : 1,
  ];
  return rows.sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if ((x[i] as number) !== (y[i] as number)) return (x[i] as number) - (y[i] as number);
    return 0;
  });
}

export function find(rows: readonly Row[], design: DesignKey, workload: Workload, region: Region, op: Op): Row | undefined {
  return rows.find((r) => r.design === design && r.workload === workload && r.buyerRegion === region && r.op === op);
}

const WORKLOAD_TITLES: Record<Workload, string> = {
  single: "Single-line reservations (one catalog item, 1 unit)",
  order3: "3-line orders (three catalog items)",
  flash: "Flash sale on one pooled SKU (1 unit each, stock ample)",
  "flash-last-units": "Flash sale, last units: one region buys until sold out",
};

function cell(row: Row | undefined): string {
  if (row === undefined || row.n === 0) return "–";
  const trips = row.invisible === row.n ? "?" : String(row.crossRegionTrips);
  const expected = row.invisible === row.n ? "?" : String(Math.round(row.expectedMs));
  return `${Math.round(row.p50Ms)} / ${Math.round(row.p99Ms)} · exp ${expected} · ${trips}×`;
}

/** One table per workload and operation: buyer regions down, designs across. */
export function latencyTables(rows: readonly Row[], designs: readonly DesignKey[]): string {
  const out: string[] = [];
  const workloads = [...new Set(rows.map((r) => r.workload))];
  for (const workload of workloads) {
    for (const op of ["reserve", "commit"] as const) {
      const some = rows.filter((r) => r.workload === workload && r.op === op);
      if (some.length === 0) continue;
      out.push(
        `**${WORKLOAD_TITLES[workload]}: ${op}**, ms p50 / p99 · expected from the matrix · cross-region trips (median per call)`,
        "",
      );
      out.push(`| buyer | ${designs.map((d) => DESIGN_NAMES[d]).join(" | ")} |`, `|---|${designs.map(() => "---").join("|")}|`);
      for (const region of REGIONS) {
        if (!some.some((r) => r.buyerRegion === region)) continue;
        out.push(`| ${region} | ${designs.map((d) => cell(find(rows, d, workload, region, op))).join(" | ")} |`);
      }
      out.push("");
    }
  }
  return out.join("\n");
}

/** Share of reservations that never left the buyer's region, per design and workload (all regions together, and the lowest region). */
export function localShareTable(rows: readonly Row[], designs: readonly DesignKey[]): string {
  const out = [`| workload | ${designs.map((d) => DESIGN_NAMES[d]).join(" | ")} |`, `|---|${designs.map(() => "---").join("|")}|`];
  for (const workload of ["single", "order3", "flash"] as const) {
    const cells = designs.map((d) => {
      const some = rows.filter((r) => r.design === d && r.workload === workload && r.op === "reserve" && r.n > r.invisible);
      if (some.length === 0) return "–";
      const total = some.reduce((sum, r) => sum + (r.n - r.invisible), 0);
      const local = some.reduce((sum, r) => sum + r.localShare * (r.n - r.invisible), 0);
      const lowest = some.reduce((low, r) => (r.localShare < low.localShare ? r : low));
      return `${Math.round((100 * local) / total)} % (lowest ${lowest.buyerRegion} ${Math.round(100 * lowest.localShare)} %)`;
    });
    out.push(`| ${workload} | ${cells.join(" | ")} |`);
  }
  return out.join("\n");
}

/**
 * The simulation against the arithmetic: per design, workload and operation, how far the measured
 * p50 lies above the p50 of what each call's path costs by the matrix alone. The difference is
 * this machine's own time (the Worker's and the objects' CPU, queueing behind other requests and
 * other processes on two shared cores, the HTTP hop from the bench), not the network's.
 */
export function overheadTable(rows: readonly Row[], designs: readonly DesignKey[]): string {
  const out = [
    "| design | workload | op | expected p50 (min–max over regions) | measured p50 − expected: median over regions (min–max) |",
    "|---|---|---|---|---|",
  ];
  for (const design of designs) {
    for (const workload of ["single", "order3", "flash"] as const) {
      for (const op of ["reserve", "commit"] as const) {
        const some = rows.filter((r) => r.design === design && r.workload === workload && r.op === op && r.n > r.invisible);
        if (some.length === 0) continue;
        const diffs = some.map((r) => r.p50Ms - r.expectedMs).sort((a, b) => a - b);
        const expected = some.map((r) => r.expectedMs);
        out.push(
          `| ${DESIGN_NAMES[design]} | ${workload} | ${op} | ${Math.round(Math.min(...expected))}–${Math.round(Math.max(...expected))} ms | ${Math.round(percentile(diffs, 50))} ms (${Math.round(diffs[0] ?? 0)} to ${Math.round(diffs.at(-1) ?? 0)}) |`,
        );
      }
    }
  }
  return out.join("\n");
}

export interface Goal {
  goal: string;
  met: boolean | null;
  figures: string;
}

/** The issue's goals, judged from the rows and the audits. `met: null`: the run cannot say. */
export function goals(
  rows: readonly Row[],
  audits: readonly DesignAudit[],
  lastUnits: string,
  regional: { calls: number; coordinatorAway: number } | null,
): Goal[] {
  const out: Goal[] = [];
  const bound = INTRA_REGION_RTT_MS + 2 * COMMIT_LATENCY_MS + 10;
  const pooled = REGIONS.map((r) => find(rows, "regional-pool", "flash", r, "reserve")).filter((r): r is Row => r !== undefined && r.n > 0);
  out.push({
    goal: `Design 3, pooled SKU: reserve p50 from every region ≤ ${INTRA_REGION_RTT_MS} + 2 × ${COMMIT_LATENCY_MS} + 10 = ${bound} ms`,
    met: pooled.length === REGIONS.length ? pooled.every((r) => r.p50Ms <= bound) : null,
    figures: pooled.map((r) => `${r.buyerRegion} ${Math.round(r.p50Ms)}`).join(", ") || "no rows",
  });
  const visiblePooled = pooled.filter((r) => r.invisible < r.n);
  const share =
    visiblePooled.length === 0
      ? null
      : visiblePooled.reduce((s, r) => s + r.localShare * (r.n - r.invisible), 0) /
        visiblePooled.reduce((s, r) => s + r.n - r.invisible, 0);
  out.push({
    goal: "Design 3, pooled SKU: ≥ 95 % of reservations never leave the buyer's region while the pool has stock there",
    met: share === null ? null : share >= 0.95 && visiblePooled.length === REGIONS.length,
    figures:
      share === null
        ? "no Server-Timing path in the answers"
        : `${(100 * share).toFixed(1)} % overall; per region ${visiblePooled.map((r) => `${r.buyerRegion} ${Math.round(100 * r.localShare)} %`).join(", ")}`,
  });
  // Design 2's only allowed crossings are calls to stock objects: every object entry is one, so
  // the check is that no call went to a coordinator outside the buyer's region (`regional`).
  const medians = (["single", "order3", "flash"] as const).flatMap((workload) =>
    (["reserve", "commit"] as const).map((op) => {
      const some = rows.filter((r) => r.design === "regional" && r.workload === workload && r.op === op && r.n > r.invisible);
      const trips = some.map((r) => r.crossRegionTrips).sort((a, b) => a - b);
      return some.length === 0 ? "" : `${workload} ${op} ${percentile(trips, 50)}`;
    }),
  );
  out.push({
    goal: "Design 2 (server-made ids): no cross-region trip other than to the item",
    met: regional === null ? null : regional.coordinatorAway === 0,
    figures:
      regional === null
        ? "no Server-Timing path in the answers"
        : `${regional.coordinatorAway} of ${regional.calls} calls went to a coordinator outside the buyer's region; every crossing was a call to a stock item or pool object (median crossings per call, over regions: ${medians.filter(Boolean).join(", ")}; a 3-line commit pins then commits each line)`,
  });
  // The ratio is to design 3 (design 2 when 3 did not run) on the flash sale's SKU, where design 3
  // is in its steady state (its catalog figures include each coordinator's first trip to an item).
  const versus: DesignKey = rows.some((r) => r.design === "regional-pool") ? "regional-pool" : "regional";
  const ratios = REGIONS.map((region) => {
    const central = find(rows, "central-sql", "flash", region, "reserve");
    const pool = find(rows, versus, "flash", region, "reserve");
    return { region, central, pool };
  }).filter((x) => x.central !== undefined);
  const far = ratios.filter((x) => (x.central?.expectedMs ?? 0) >= 200);
  out.push({
    goal: `Far-side buyers of the central database wait ≥ 200 ms at p50 (flash SKU reserve; ratio to design ${versus === "regional-pool" ? 3 : 2} per region)`,
    met: far.length === 0 ? null : far.every((x) => (x.central?.p50Ms ?? 0) >= 200),
    figures: ratios
      .map(
        (x) =>
          `${x.region} ${Math.round(x.central?.p50Ms ?? 0)} ms${x.pool && x.pool.p50Ms > 0 ? ` (${((x.central?.p50Ms ?? 0) / x.pool.p50Ms).toFixed(1)}×)` : ""}`,
      )
      .join(", "),
  });
  out.push({
    goal: "Zero oversell and no false sold-out in every geo audit",
    met:
      audits.length === 0
        ? null
        : audits.every((a) => a.checks.filter((c) => c.name !== "every reservation answered").every((c) => c.pass)),
    figures: audits
      .map(
        (a) =>
          `${DESIGN_NAMES[a.design]}: ${
            a.pass
              ? "pass"
              : `FAIL (${a.checks
                  .filter((c) => !c.pass)
                  .map((c) => c.name)
                  .join(", ")})`
          }`,
      )
      .join("; "),
  });
  out.push({
    goal: "A buyer region whose pool slice runs dry still buys the last units elsewhere",
    met: lastUnits.startsWith("met") ? true : lastUnits.startsWith("missed") ? false : null,
    figures: lastUnits,
  });
  return out;
}

export function goalsTable(list: readonly Goal[]): string {
  return [
    "| goal | met | figures |",
    "|---|---|---|",
    ...list.map((g) => `| ${g.goal} | ${g.met === null ? "cannot tell" : g.met ? "yes" : "**no**"} | ${g.figures} |`),
  ].join("\n");
}

/** Grouped bars: p50 reserve latency per buyer region, one bar per design, one panel per workload. */
export function chart(rows: readonly Row[], designs: readonly DesignKey[], workloads: readonly Workload[], caption: string): string {
  const panelHeight = 230;
  const width = 940;
  const left = 56;
  const top = 80;
  const gap = 46;
  const height = top + workloads.length * (panelHeight + gap) + 10;
  const max = Math.max(50, ...rows.filter((r) => r.op === "reserve" && workloads.includes(r.workload)).map((r) => r.p50Ms));
  const scaleMax = Math.ceil(max / 100) * 100;
  const plotWidth = width - left - 16;
  const groupWidth = plotWidth / REGIONS.length;
  const barWidth = (groupWidth - 14) / designs.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img">`,
    `<title>${xmlText(`Reserve latency p50 per buyer region and design: ${caption}`)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left}" y="20" font-size="15" font-weight="bold">Reserve latency p50 (ms) as the buyer sees it, per buyer region</text>`,
    `<text x="${left}" y="38" fill="#555">${xmlText(caption)}</text>`,
  ];
  out.push(
    `<line x1="${left + designs.length * 170}" x2="${left + designs.length * 170 + 14}" y1="52" y2="52" stroke="#111" stroke-width="2"/><text x="${left + designs.length * 170 + 18}" y="56">expected from the matrix</text>`,
  );
  designs.forEach((d, i) => {
    const x = left + i * 170;
    out.push(
      `<rect x="${x}" y="46" width="12" height="12" fill="${COLOURS[d]}"/><text x="${x + 16}" y="56">${xmlText(DESIGN_NAMES[d])}</text>`,
    );
  });
  workloads.forEach((workload, p) => {
    const y0 = top + 14 + p * (panelHeight + gap);
    const yOf = (ms: number) => y0 + panelHeight - (Math.min(ms, scaleMax) / scaleMax) * panelHeight;
    out.push(`<text x="${left}" y="${y0 - 4}" font-weight="bold">${xmlText(WORKLOAD_TITLES[workload])}</text>`);
    for (let tick = 0; tick <= scaleMax; tick += scaleMax / 5) {
      out.push(`<line x1="${left}" x2="${width - 16}" y1="${yOf(tick)}" y2="${yOf(tick)}" stroke="#e4e4e4"/>`);
      out.push(`<text x="${left - 6}" y="${yOf(tick) + 4}" text-anchor="end" fill="#555">${tick}</text>`);
    }
    REGIONS.forEach((region, g) => {
      const gx = left + g * groupWidth + 7;
      designs.forEach((d, i) => {
        const row = find(rows, d, workload, region, "reserve");
        if (row === undefined || row.n === 0) return;
        const x = gx + i * barWidth;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${yOf(row.p50Ms).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(y0 + panelHeight - yOf(row.p50Ms)).toFixed(1)}" fill="${COLOURS[d]}"><title>${xmlText(`${DESIGN_NAMES[d]}, ${region}: p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, expected ${row.expectedMs} ms`)}</title></rect>`,
        );
        // The arithmetic's p50 (matrix round trips + commits), as a tick across the bar.
        if (row.invisible < row.n) {
          out.push(
            `<line x1="${x.toFixed(1)}" x2="${(x + barWidth - 2).toFixed(1)}" y1="${yOf(row.expectedMs).toFixed(1)}" y2="${yOf(row.expectedMs).toFixed(1)}" stroke="#111" stroke-width="2"/>`,
          );
        }
        if (row.p50Ms >= 10) {
          out.push(
            `<text x="${(x + (barWidth - 2) / 2).toFixed(1)}" y="${(yOf(row.p50Ms) - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${Math.round(row.p50Ms)}</text>`,
          );
        }
      });
      out.push(`<text x="${(gx + (groupWidth - 14) / 2).toFixed(1)}" y="${y0 + panelHeight + 16}" text-anchor="middle">${region}</text>`);
    });
    out.push(`<line x1="${left}" x2="${width - 16}" y1="${y0 + panelHeight}" y2="${y0 + panelHeight}" stroke="#333"/>`);
  });
  out.push("</svg>", "");
  return out.join("\n");
}

function xmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
