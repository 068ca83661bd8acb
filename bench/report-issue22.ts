import { DO_MEMORY_GB, PRICES, type PriceKey } from "./pricing";
import { ceilingOf, oneLine, type TargetReport } from "./report";
import type { CostsResult, WorkloadCost } from "./scenarios/costs";
import { ROLE_NAMES } from "./scenarios/costs";

/**
 * Issue 22's figures: the bare ceiling beside the one with the assets router, the goals against
 * it, where the CPU of each operation goes (per role) with the SQL it runs, what a million of
 * each operation costs at Cloudflare's prices (bench/pricing.ts), and a production model
 * derived from the per-object figures. Every figure divides measurements of one run.
 */

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
const f2 = (n: number | undefined) => (n === undefined ? "?" : n.toFixed(2));
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

/** The Durable Objects' soft limit, per object (Cloudflare's limits page). */
export const OBJECT_REQUESTS_PER_SECOND = 1_000;
/** Coordinators a deployment runs (src/reservations/address.ts, COORDINATOR_POOL_SIZE). */
export const COORDINATORS = 64;

export interface CeilingFigure {
  path: string;
  withAssetsRps?: number;
  withAssetsCpuMs?: number;
  bareRps?: number;
  bareCpuMs?: number;
  bareAloneCpuMs?: number;
}

export interface GoalFigure {
  path: string;
  goal: string;
  measured?: string;
  met?: boolean;
  notMeasured?: string;
}

export interface ModelFigure {
  what: string;
  /** Operations per second it sustains, and what bounds it. */
  perSecond?: number;
  bound?: string;
  basis: string;
}

export interface Issue22 {
  ceilings: CeilingFigure[];
  goals: GoalFigure[];
  costs?: CostsResult;
  model: ModelFigure[];
}

const find = (report: TargetReport | undefined, prefix: string) => report?.rows.find((row) => row.scenario.startsWith(prefix));

export function issue22(reports: TargetReport[]): Issue22 {
  const workers = reports.filter((r) => r.kind === "worker");
  const ceilings: CeilingFigure[] = workers.map((r) => {
    const assets = find(r, "ceiling: GET /v1/health")?.load;
    const bare = find(r, "ceiling, no assets router")?.load;
    return {
      path: r.label,
      ...(assets === undefined ? {} : { withAssetsRps: assets.rps, withAssetsCpuMs: assets.cpu.targetMsPerRequest }),
      ...(bare === undefined ? {} : { bareRps: bare.rps, bareCpuMs: bare.cpu.targetMsPerRequest }),
      ...(r.bareHealth === undefined ? {} : { bareAloneCpuMs: r.bareHealth.cpuMsPerCall }),
    };
  });
  const goals: GoalFigure[] = [];
  const postgres = reports.find((r) => r.key === "postgres");
  const pgHot = find(postgres, "hot SKU: sell-out")?.load?.rps;
  for (const r of workers.filter((w) => w.bareCeilingRps !== undefined)) {
    const base = ceilingOf(r) ?? 0;
    const share = (prefix: string, goal: number, label: string) => {
      const load = find(r, prefix)?.load;
      if (load === undefined)
        return goals.push({ path: r.label, goal: `${label} ≥ ${goal * 100}% of the bare ceiling`, notMeasured: `no "${prefix}" row` });
      const s = load.rps / base;
      return goals.push({
        path: r.label,
        goal: `${label} ≥ ${goal * 100}% of the bare ceiling`,
        measured: `${pct(s)} (${n0(load.rps)} of ${n0(base)} req/s)`,
        met: s >= goal,
      });
    };
    share("hot SKU: sell-out", 0.25, "hot SKU sell-out");
    share("orders: 3-line", 0.1, "orders 3-line + commit/release");
    const hot = find(r, "hot SKU: sell-out")?.load?.cpu.targetMsPerRequest;
    const bare = find(r, "ceiling, no assets router")?.load?.cpu.targetMsPerRequest;
    if (hot !== undefined && bare !== undefined && bare > 0) {
      goals.push({
        path: r.label,
        goal: "server CPU per hot-SKU reservation ≤ 3× the bare health route's (both under the same load, /proc)",
        measured: `${(hot / bare).toFixed(1)}× (${hot.toFixed(2)} / ${bare.toFixed(2)} ms)`,
        met: hot / bare <= 3,
      });
    }
    const step = r.profile?.steps.find((s) => s.step.startsWith("POST /v1/reservations, new id"));
    const alone = r.bareHealth?.cpuMsPerCall;
    if (step !== undefined && alone !== undefined && alone > 0) {
      goals.push({
        path: r.label,
        goal: "the same, one call at a time (timing breakdown's new reservation ÷ bare health)",
        measured: `${(step.cpuMsPerCall / alone).toFixed(1)}× (${step.cpuMsPerCall.toFixed(2)} / ${alone.toFixed(2)} ms; ±10 ms ticks over ${step.calls} calls)`,
        met: step.cpuMsPerCall / alone <= 3,
      });
    }
    const hotRps = find(r, "hot SKU: sell-out")?.load?.rps;
    goals.push(
      hotRps === undefined || pgHot === undefined
        ? {
            path: r.label,
            goal: "hot SKU ≥ 0.5× PostgreSQL's rate, same run",
            notMeasured: pgHot === undefined ? "PostgreSQL did not run" : "no hot SKU row",
          }
        : {
            path: r.label,
            goal: "hot SKU ≥ 0.5× PostgreSQL's rate, same run",
            measured: `${(hotRps / pgHot).toFixed(2)}× (${n0(hotRps)} vs ${n0(pgHot)} req/s)`,
            met: hotRps / pgHot >= 0.5,
          },
    );
  }
  const costs = workers.find((r) => r.costs !== undefined)?.costs;
  if (costs !== undefined) {
    const checkout = costs.workloads.find((w) => w.key === "checkout");
    goals.push(
      checkout?.usdPerMillion === undefined
        ? {
            path: "metered",
            goal: "cost per million checkouts, largest line item named",
            notMeasured: checkout?.notMeasured ?? "no checkout workload",
          }
        : {
            path: "metered",
            goal: "cost per million checkouts, largest line item named",
            measured: `$${checkout.usdPerMillion.total.toFixed(2)} per million; largest: ${PRICES[checkout.usdPerMillion.largest].unit} ($${checkout.usdPerMillion.byUnit[checkout.usdPerMillion.largest].toFixed(2)})`,
            met: true,
          },
    );
  }
  return { ceilings, goals, ...(costs === undefined ? {} : { costs }), model: model(costs) };
}

const roleMs = (w: WorkloadCost | undefined, role: string) => w?.cpu?.roles.find((r) => r.role === role)?.msPerOp;
const classCounts = (w: WorkloadCost | undefined, className: string) => w?.meter?.objects[className];
const perOp = (w: WorkloadCost | undefined, value: number | undefined) =>
  w === undefined || value === undefined ? undefined : value / w.ops;

/** Rate one object sustains: its request limit and its CPU, whichever bounds first. */
function objectRate(requestsPerOp: number | undefined, cpuMsPerOp: number | undefined): { rate: number; bound: string } | undefined {
  if (requestsPerOp === undefined || cpuMsPerOp === undefined || requestsPerOp <= 0 || cpuMsPerOp <= 0) return undefined;
  const byRequests = OBJECT_REQUESTS_PER_SECOND / requestsPerOp;
  const byCpu = 1_000 / cpuMsPerOp;
  return byRequests <= byCpu
    ? { rate: byRequests, bound: `the object's ${n0(OBJECT_REQUESTS_PER_SECOND)} requests/s (${f2(requestsPerOp)} calls per operation)` }
    : { rate: byCpu, bound: `its CPU (${f2(cpuMsPerOp)} ms per operation)` };
}

/**
 * The production model: one object serves its calls on one thread, so it sustains at most
 * 1,000 requests/s (the platform's soft limit) and at most 1,000 ms of CPU per second. A
 * storage commit (confirmed by 3 of 5 nearby followers, a few ms) delays the answer but not the
 * next call: writes of calls that arrive meanwhile are committed together, so the commit is in
 * the latency, not in the rate. CPU is this machine's workerd CPU per role (V8 samples);
 * production's may differ.
 */
function model(costs: CostsResult | undefined): ModelFigure[] {
  if (costs === undefined) return [{ what: "production model", basis: "the metered path did not run" }];
  const w = (key: string) => costs.workloads.find((x) => x.key === key && x.meter !== undefined);
  const out: ModelFigure[] = [];
  const hot = w("hot");
  const busiestItem = hot?.meter?.busiest.StockItem?.[0];
  const itemCalls = perOp(hot, busiestItem?.requests);
  const itemCpu = roleMs(hot, "item or pool");
  const item = objectRate(itemCalls, itemCpu);
  out.push({
    what: "one item (hot SKU, single-unit reservations)",
    ...(item === undefined ? {} : { perSecond: item.rate, bound: item.bound }),
    basis: `item CPU ${f2(itemCpu)} ms and ${f2(itemCalls)} calls to the busiest item per reservation`,
  });
  const checkout = w("checkout");
  const coordCalls = perOp(checkout, classCounts(checkout, "ReservationCoordinator")?.requests);
  const coordCpu = roleMs(checkout, "coordinator");
  const coordinator = objectRate(coordCalls, coordCpu);
  out.push({
    what: "one coordinator (checkouts: place + commit)",
    ...(coordinator === undefined ? {} : { perSecond: coordinator.rate, bound: coordinator.bound }),
    basis: `coordinator CPU ${f2(coordCpu)} ms and ${f2(coordCalls)} coordinator calls per checkout`,
  });
  if (coordinator !== undefined) {
    out.push({
      what: `the ${COORDINATORS} coordinators (checkouts spread by id)`,
      perSecond: coordinator.rate * COORDINATORS,
      bound: `each coordinator: ${coordinator.bound}`,
      basis: `${COORDINATORS} × one coordinator`,
    });
  }
  const flash = w("flash");
  const flashCoordCalls = perOp(flash, classCounts(flash, "ReservationCoordinator")?.requests);
  const flashCoordinator = objectRate(flashCoordCalls, roleMs(flash, "coordinator"));
  const stock = classCounts(flash, "StockItem");
  const busiest = flash?.meter?.busiest.StockItem ?? [];
  // The pool's parent is the item's own object (named sku/warehouse); its members are named …#shard.
  const parent = busiest.find((b) => b.name !== undefined && !b.name.includes("#"));
  if (flash !== undefined && stock !== undefined && parent !== undefined) {
    const all = stock.requests / flash.ops;
    const parentCalls = parent.requests / flash.ops;
    const memberCalls = all - parentCalls;
    const cpu = roleMs(flash, "item or pool");
    // The pool role's CPU, shared between parent and members in proportion to their calls.
    const cpuOf = (calls: number) => (cpu === undefined || all <= 0 ? undefined : (cpu * calls) / all);
    for (const members of [8, 64]) {
      const member = objectRate(memberCalls / members, cpuOf(memberCalls / members));
      const parentRate = objectRate(parentCalls, cpuOf(parentCalls));
      const limits = [
        ...(member === undefined ? [] : [{ rate: member.rate, bound: `each of the ${members} members: ${member.bound}` }]),
        ...(parentRate === undefined ? [] : [{ rate: parentRate.rate, bound: `the item itself (the pool's parent): ${parentRate.bound}` }]),
        ...(flashCoordinator === undefined
          ? []
          : [{ rate: flashCoordinator.rate * COORDINATORS, bound: `the ${COORDINATORS} coordinators: ${flashCoordinator.bound} each` }]),
      ].sort((a, b) => a.rate - b.rate);
      out.push({
        what: `one pool of ${members} objects (flash sale)`,
        ...(limits[0] === undefined ? {} : { perSecond: limits[0].rate, bound: limits[0].bound }),
        basis:
          `per reservation ${f2(memberCalls)} calls to members and ${f2(parentCalls)} to the item itself (measured on 8 members: a coordinator ` +
          `new in the window asks the item first, and members ask it for more stock), pool CPU ${f2(cpu)} ms shared by calls` +
          `${members === 8 ? "" : `, members' share spread evenly over ${members}`}; then: ${limits
            .slice(1)
            .map((l) => `${l.bound} → ${n0(l.rate)}/s`)
            .join("; ")}`,
      });
    }
  }
  return out;
}

function costTable(costs: CostsResult): string[] {
  const keys = Object.keys(PRICES) as PriceKey[];
  const lines = [
    `| workload | ${keys.map((k) => PRICES[k].unit).join(" | ")} | total $ per million | largest line item |`,
    `|---|${keys.map(() => "---:").join("|")}|---:|---|`,
  ];
  for (const w of costs.workloads) {
    if (w.units === undefined || w.usdPerMillion === undefined) {
      lines.push(`| ${w.label} | not measured: ${oneLine(w.notMeasured ?? "", 160)} |${keys.map(() => "").join(" |")} | |`);
      continue;
    }
    const cells = keys.map((k) => {
      const units = w.units?.[k] ?? 0;
      const usd = w.usdPerMillion?.byUnit[k] ?? 0;
      return `${units < 10 ? units.toFixed(3) : units.toFixed(1)} → $${usd.toFixed(usd < 1 ? 3 : 2)}`;
    });
    const largest = w.usdPerMillion.largest;
    lines.push(
      `| ${w.label} | ${cells.join(" | ")} | **$${w.usdPerMillion.total.toFixed(2)}** | ${PRICES[largest].unit} (${pct(w.usdPerMillion.byUnit[largest] / w.usdPerMillion.total)}) |`,
    );
  }
  return lines;
}

function cpuTable(costs: CostsResult): string[] {
  const roles = ROLE_NAMES;
  const lines = [
    `| workload | workerd CPU ms/op (/proc, idle subtracted) | ${roles.join(" | ")} | other JS | runtime, outside JS | other JS starts in | idle cores subtracted | answers |`,
    `|---|---:|${roles.map(() => "---:").join("|")}|---:|---:|---|---:|---|`,
  ];
  for (const w of costs.workloads) {
    if (w.cpu === undefined) {
      lines.push(
        `| ${w.label} | ${w.notMeasured === undefined ? "no profile" : `not measured: ${oneLine(w.notMeasured, 120)}`} |${roles.map(() => "").join(" |")} | | | | | |`,
      );
      continue;
    }
    const cells = roles.map((role) => f2(w.cpu?.roles.find((r) => r.role === role)?.msPerOp));
    const answers = Object.entries(w.statuses)
      .map(([s, c]) => `${s}×${c}`)
      .join(" ");
    const roots = w.cpu.otherJsRoots
      .filter((r) => r.share >= 0.01)
      .slice(0, 3)
      .map((r) => `${r.root} ${pct(r.share)}`)
      .join("; ");
    lines.push(
      `| ${w.label} | ${f2(w.procCpuMsPerOp)} | ${cells.join(" | ")} | ${f2(w.cpu.otherJsMsPerOp)} | ${f2(w.cpu.runtimeMsPerOp)} | ${roots} | ${f2(w.idleCores)} | ${answers} |`,
    );
  }
  return lines;
}

function sqlTable(costs: CostsResult): string[] {
  const lines = [
    "| workload | object class | calls | alarms run | objects | constructed | SQL statements | rows read | rows written | alarms set | active ms |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const w of costs.workloads) {
    if (w.meter === undefined) continue;
    const m = w.meter;
    for (const [className, c] of Object.entries(m.objects)) {
      if (c.requests + c.alarms + c.statements === 0) continue;
      const per = (x: number) => (x / w.ops).toFixed(2);
      const calls = Object.entries(m.methods?.[className] ?? {})
        .sort((x, y) => y[1] - x[1])
        .map(([method, n]) => `${method} ${per(n)}`)
        .join(", ");
      lines.push(
        `| ${w.label} | ${className} | ${per(c.requests)}${calls === "" ? "" : ` (${calls})`} | ${per(c.alarms)} | ${m.distinctObjects[className] ?? 0} | ${c.constructed} | ${per(c.statements)} | ${per(c.rowsRead)} | ${per(c.rowsWritten)} | ${per(c.alarmsSet)} | ${per(c.activeMs)} |`,
      );
    }
    const q = m.queue;
    lines.push(
      `| ${w.label} | Worker, Queue, D1 | ${(m.worker.requests / w.ops).toFixed(2)} requests, ${(m.worker.queueBatches / w.ops).toFixed(3)} queue batches | | | | ` +
        `${(m.d1.queries / w.ops).toFixed(2)} D1 queries | ${(m.d1.rowsRead / w.ops).toFixed(2)} D1 | ${(m.d1.rowsWritten / w.ops).toFixed(2)} D1 | | ` +
        `${(q.messages / w.ops).toFixed(2)} messages sent, ${q.messages > 0 ? n0(q.bytes / q.messages) : 0} B each |`,
    );
  }
  return lines;
}

/** The SQL each object class ran per operation, the statements writing the most rows first. */
function statementsTable(costs: CostsResult, keys: string[], top: number): string[] {
  const lines = ["| workload | class | statement | runs/op | rows read/op | rows written/op |", "|---|---|---|---:|---:|---:|"];
  for (const w of costs.workloads.filter((x) => keys.includes(x.key))) {
    for (const [className, list] of Object.entries(w.meter?.statements ?? {})) {
      for (const st of list.slice(0, top)) {
        lines.push(
          `| ${w.label} | ${className} | \`${st.sql.replaceAll("|", "/").replaceAll("`", "'")}\` | ${(st.runs / w.ops).toFixed(2)} | ${(st.rowsRead / w.ops).toFixed(2)} | ${(st.rowsWritten / w.ops).toFixed(2)} |`,
        );
      }
    }
  }
  return lines;
}

export function issue22Section(figures: Issue22): string {
  const out: string[] = [
    "**The bare ceiling.** The same bundle on a second workerd started without wrangler.toml's `[assets]` (no asset router in front of the Worker), " +
      "measured with the same load right after the path's own ceiling; every share of the ceiling in this report is against it. " +
      "The ceiling with the asset router stays beside it for continuity.",
    "",
    "| path | ceiling with assets router: req/s, server CPU ms/req | bare ceiling: req/s, server CPU ms/req | bare health one at a time, CPU ms/call |",
    "|---|---:|---:|---:|",
    ...figures.ceilings.map(
      (c) =>
        `| ${c.path} | ${c.withAssetsRps === undefined ? "not measured" : `${n0(c.withAssetsRps)}, ${f2(c.withAssetsCpuMs)}`} | ` +
        `${c.bareRps === undefined ? "not measured" : `${n0(c.bareRps)}, ${f2(c.bareCpuMs)}`} | ${f2(c.bareAloneCpuMs)} |`,
    ),
    "",
    "| path | goal | measured | met |",
    "|---|---|---|---|",
    ...figures.goals.map(
      (g) =>
        `| ${g.path} | ${g.goal} | ${g.measured ?? `not measured: ${oneLine(g.notMeasured ?? "", 120)}`} | ${g.met === undefined ? "n/a" : g.met ? "yes" : "**no**"} |`,
    ),
    "",
  ];
  const costs = figures.costs;
  if (costs === undefined) {
    out.push("The metered path did not run: no per-role CPU, SQL counts or cost table.");
    return out.join("\n");
  }
  out.push(
    `**Where the CPU goes, per operation** (metered workerd, ${costs.notes.join("; ")}). workerd's CPU per operation from /proc ` +
      "(less its idle rate, measured for 3 s just before the window with the profiler on, over the window's length), " +
      "split in the shares of the isolate's busy samples (V8's profiler): each sample goes to the role whose code its stack starts in " +
      "(the Worker's handler, an object's RPC method or alarm, or the continuation of an `await` there); the runtime's own work " +
      'outside JavaScript (RPC serialisation, storage, I/O, GC) has no stack and is its own column; "bench meter" is the meter\'s own ' +
      "wrapping where no role's code is on the stack.",
    "",
    ...cpuTable(costs),
    "",
    "**Calls, SQL and rows per operation**, per Durable Object class (each cursor's `rowsRead` / `rowsWritten`, as billed), with the " +
      "Worker's requests, the queue consumer's batches, D1's rows and the Queue's messages. Active ms: wall time with a call or alarm " +
      "in flight, per object, summed (the floor of billed duration). Objects: how many distinct objects got a call; constructed: how many " +
      "times the class's constructor ran in the window (per window, not per operation).",
    "",
    ...sqlTable(costs),
    "",
    "The statements behind those rows (per class, the most rows written first; the checkout and the hot-SKU reservation):",
    "",
    ...statementsTable(costs, ["checkout", "hot"], 12),
    "",
    `**Cost per million operations** at Workers Paid prices (bench/pricing.ts; marginal prices, the plan's monthly inclusions not subtracted). ` +
      `Each cell: units per operation → dollars per million operations. Duration: active time × ${DO_MEMORY_GB * 1000} MB. ` +
      "Worker CPU: the Worker and queue-consumer roles' CPU measured here (a Durable Object's CPU is billed in its duration, not as CPU).",
    "",
    ...costTable(costs),
    "",
    `**Production model** (one object: at most ${n0(OBJECT_REQUESTS_PER_SECOND)} requests/s and 1,000 ms of CPU per second; ` +
      "a commit, confirmed by 3 of 5 nearby followers in a few ms, adds to the latency, not to the object's time, since the writes of " +
      "calls that arrive meanwhile are committed together; CPU is this machine's workerd per role):",
    "",
    "| what | sustains, operations/s | bounded by | from |",
    "|---|---:|---|---|",
    ...figures.model.map(
      (m) => `| ${m.what} | ${m.perSecond === undefined ? "not measured" : n0(m.perSecond)} | ${m.bound ?? ""} | ${m.basis} |`,
    ),
  );
  return out.join("\n");
}
