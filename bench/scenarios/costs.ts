import { poolMember } from "../../src/objects/pool";
import { Api, pool } from "../lib/api";
import { cpuBetween, snapshot } from "../lib/cpu";
import { type CpuProfile, profileWhile, type RolePattern, roleTimes } from "../lib/inspector";
import { DO_MEMORY_GB, PRICES, type PriceKey } from "../pricing";
import { METER_PATH, type MeterCounts } from "../targets/meter";
import type { Target } from "../targets/target";
import { type RunContext, settle, TTL_SECONDS } from "./common";

/**
 * What each kind of operation costs, in the units Cloudflare bills, and where its CPU goes.
 * Runs on its own workerd (the metered path: the same bundle wrapped in targets/meter.ts,
 * with its inspector open), after the Miniflare path's scenarios. Per workload:
 *  1. a window of the meter is opened (its counters reset) and the isolate's CPU profiler started;
 *  2. `ops` operations run, `concurrency` at a time, over items seeded beforehand;
 *  3. the bench waits until the background work they caused is done (events shipped to the
 *     Queue, consumed, written to D1; alarms), still profiling, so that work counts too;
 *  4. the meter's window is read (Worker requests, Durable Object calls per class, SQL
 *     statements and rows, active time, Queue messages, D1 rows) and the profile split by role
 *     (lib/inspector.ts, roleTimes), and everything is divided by `ops`.
 * These operations are not audited (the other scenarios audit the same code paths); they only
 * count what the operations use. Any answer outside 2xx is counted and reported.
 */

export interface Workload {
  key: string;
  label: string;
  /** What one operation is, in HTTP calls. */
  what: string;
}

export const WORKLOADS = {
  checkout: { key: "checkout", label: "checkout: 1 line + commit", what: "POST /v1/reservations (1 line) + POST …/commit" },
  hot: { key: "hot", label: "hot SKU: 1-line reservation", what: "POST /v1/reservations, 1 unit of one SKU (no commit)" },
  order: { key: "order", label: "order: 3 lines + commit", what: "POST /v1/reservations (3 lines, 3 items) + POST …/commit" },
  sourced: {
    key: "sourced",
    label: "sourced order: 3 lines + commit",
    what: "the order above with lines naming no warehouse, sourced in a channel (wh-1, then wh-2)",
  },
  flash: {
    key: "flash",
    label: "flash sale: 1-unit reservation, 8-shard pool",
    what: "POST /v1/reservations, 1 unit of an item with shards 8",
  },
  availability: { key: "availability", label: "availability: 100 items, exact", what: "POST /v1/availability, 100 items" },
  cached: {
    key: "cached",
    label: "availability: 100 items, maxAgeSeconds 5",
    what: "POST /v1/availability, the same 100 items, maxAgeSeconds 5",
  },
  listing: { key: "listing", label: "listing page: 100 items", what: "GET /v1/stock?limit=100 (the D1 projection)" },
} as const satisfies Record<string, Workload>;

export type WorkloadKey = keyof typeof WORKLOADS;

/** Units per operation, keyed like PRICES. */
export type Units = Record<PriceKey, number>;

export interface RoleCpu {
  role: string;
  msPerOp: number;
}

export interface WorkloadCost extends Workload {
  ops: number;
  /** HTTP calls made and their answers by status. */
  calls: number;
  statuses: Record<string, number>;
  seconds: number;
  /** The meter's window: every count of the workload and its background work. */
  meter?: MeterCounts;
  /** workerd's CPU from /proc over the window, its idle rate subtracted, per operation. */
  procCpuMsPerOp?: number;
  /** That idle rate (cores, profiler on), measured just before the window. */
  idleCores?: number;
  /**
   * workerd's CPU per operation (/proc) split by role in the shares of the isolate's busy samples
   * (V8 profile, lib/inspector.ts). The profile's own busy time is wall time while busy: on a
   * shared machine it includes time the thread waited for a core, so only its shares are used.
   */
  cpu?: {
    roles: RoleCpu[];
    otherJsMsPerOp: number;
    runtimeMsPerOp: number;
    profileBusyMsPerOp: number;
    otherJsRoots: { root: string; share: number }[];
  };
  /** Billed units per operation. */
  units?: Units;
  /** US dollars per million operations, per unit and in all. */
  usdPerMillion?: { byUnit: Record<PriceKey, number>; total: number; largest: PriceKey };
  /** Why there are no figures. */
  notMeasured?: string;
}

export interface CostsResult {
  workloads: WorkloadCost[];
  concurrency: number;
  notes: string[];
}

/** The roles the profile is split into, by the sources their frames come from. */
export const ROLES: RolePattern[] = [
  { role: "Worker", source: /(?:^|\/)src\/(?:http|keys|isolate|regions|faults|index\.ts)|node_modules\/(?:hono|@hono|zod)\// },
  { role: "coordinator", source: /(?:^|\/)src\/reservations\// },
  { role: "item or pool", source: /(?:^|\/)src\/(?:stock\/(?!SkuDirectory|SkuIndex)|webhooks\/)/ },
  { role: "SKU directory", source: /(?:^|\/)src\/stock\/Sku(?:Directory|Index)/ },
  { role: "queue consumer", source: /(?:^|\/)src\/events\/consumer/ },
  // Shared code at the root of a stack (an await's continuation inside it) with no role's frame
  // above: D1's client is the Worker's (the listing, keys, events routes) or the queue consumer's,
  // both billed as Worker CPU; the meter wraps every handler and stub.
  { role: "Worker", source: /node_modules\/drizzle-orm\/|cloudflare-internal:d1-api/, fallback: true },
  { role: "bench meter", source: /bench-(?:meter|entry)\.js$/, fallback: true },
];
/** Each role once, in the order the tables show them. */
export const ROLE_NAMES = [...new Set(ROLES.map((r) => r.role))];
/** The roles whose CPU the Workers platform bills (a Durable Object's CPU is in its duration). */
const WORKER_BILLED_ROLES = new Set(["Worker", "queue consumer"]);

const JSON_HEADERS = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
/**
 * How long a window stays open after its last operation, before waiting for quiet: a coordinator
 * arms its alarm 5 s after a placement starts (src/reservations/records.ts, REDRIVE_AFTER_MS)
 * and that alarm runs even when the placement finished, so it belongs to the window that caused it.
 */
const ALARM_WAIT_MS = 6_000;
/** How long workerd's idle CPU is measured before each window. */
const IDLE_BASELINE_MS = 3_000;
/**
 * The profiler's sampling interval in the windows (V8's default): sampling costs workerd about
 * 0.05 cores at 500 µs even while idle, which the idle baseline subtracts; at 1 ms that
 * subtraction, and its error, is halved.
 */
const SAMPLING_INTERVAL_US = 1_000;

/** Reservations placed before the first window: 320 random ids miss a given one of 64 coordinators with odds (63/64)^320 ≈ 0.6 %. */
const WARM_COORDINATOR_CALLS = 320;
/** The coordinators' pool (src/reservations/address.ts, COORDINATOR_POOL_SIZE). */
const COORDINATORS = 64;

interface Line {
  sku: string;
  warehouse?: string;
  quantity: number;
}

/**
 * The order windows run in: the flash sale first, right after the warm-up that taught every
 * coordinator the item is pooled (locally workerd evicts an object idle for about 10 s, and a
 * new one learns it again from the item itself).
 */
const MEASURE_ORDER: WorkloadKey[] = ["flash", "hot", "checkout", "order", "sourced", "availability", "cached", "listing"];

/** Workloads compared with each other (a plain order and a sourced one): measured in alternating blocks. */
const PAIRED: Partial<Record<WorkloadKey, WorkloadKey>> = { order: "sourced" };

export async function costs(
  ctx: RunContext,
  start: () => Promise<Target>,
  options: { ops: number; pairedOps: number; concurrency: number; blocks: number },
): Promise<CostsResult> {
  const notes: string[] = [];
  const target = await start();
  notes.push(...target.notes);
  const api = new Api(target.baseUrl, target.token);
  const local: RunContext = { ...ctx, target, api };
  const workloads: WorkloadCost[] = [];
  try {
    const tag = ctx.runTag;
    let n = 0;
    const id = () => `${tag}-cost-${n++}`;
    const progress = (label: string) => ctx.progress.update(`${target.label}: costs: ${label}`);

    // Items: 50 SKUs × 2 warehouses (orders, checkouts, availability), one hot SKU, one pooled item, a channel.
    progress("seeding");
    const skus = Array.from({ length: 50 }, (_, s) => `COST-${String(s).padStart(3, "0")}`);
    const items = skus.flatMap((sku) => ["wh-1", "wh-2"].map((warehouse) => ({ sku, warehouse })));
    await pool(items, ctx.profile.setupConcurrency, async (item) => {
      const answer = await api.put(`/v1/stock/${item.sku}/${item.warehouse}`, { onHand: 1_000_000 });
      if (answer.status !== 200) throw new Error(`costs: PUT ${item.sku}/${item.warehouse}: ${answer.status}`);
    });
    const put = async (path: string, body: unknown) => {
      const answer = await api.put(path, body);
      if (answer.status !== 200) throw new Error(`costs: PUT ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    };
    await put("/v1/stock/COST-HOT/wh-1", { onHand: 1_000_000 });
    await put("/v1/stock/COST-FLASH/wh-1", { onHand: 1_000_000, shards: 8 });
    await put("/v1/channels/COST-CH", { warehouses: ["wh-1", "wh-2"], safetyStock: 2 });

    const pickSkus = (k: number) => {
      const chosen = new Set<string>();
      while (chosen.size < k) chosen.add(skus[Math.floor(Math.random() * skus.length)] as string);
      return [...chosen];
    };
    const reserve = async (lines: Line[], channel?: string) =>
      api.post("/v1/reservations", { id: id(), lines, ttlSeconds: TTL_SECONDS, ...(channel === undefined ? {} : { channel }) });
    const warehouseOf = () => (Math.random() < 0.5 ? "wh-1" : "wh-2");
    const thenCommit = async (placed: { status: number; body: unknown }) => {
      const rid = (placed.body as { id?: string } | null)?.id;
      return placed.status === 201 && rid !== undefined ? [placed, await api.post(`/v1/reservations/${rid}/commit`)] : [placed];
    };
    const availabilityItems = items.slice(0, 100);
    /** One reservation id per coordinator (filled by the warm-up): reading each wakes every coordinator. */
    const coordinatorIds = new Map<number, string>();
    const prewarm = () =>
      Promise.all([
        api.post("/v1/availability", { items: availabilityItems }),
        api.get("/v1/stock/COST-HOT/wh-1"),
        api.get("/v1/stock/COST-FLASH/wh-1/shards"),
        pool([...coordinatorIds.values()], 16, (rid) => api.get(`/v1/reservations/${rid}`)),
      ]);

    // Is the cached read there? (Contract v1.2: each item gains `asOf` above maxAgeSeconds 0.)
    const probe = await api.post("/v1/availability", { items: availabilityItems.slice(0, 1), maxAgeSeconds: 5 });
    const cachedBuilt =
      probe.status === 200 && typeof (probe.body as { items?: { asOf?: unknown }[] } | null)?.items?.[0]?.asOf === "string";

    const runs: Record<WorkloadKey, (() => Promise<{ status: number; body: unknown }[]>) | string> = {
      checkout: async () => thenCommit(await reserve([{ sku: pickSkus(1)[0] as string, warehouse: warehouseOf(), quantity: 1 }])),
      hot: async () => [await reserve([{ sku: "COST-HOT", warehouse: "wh-1", quantity: 1 }])],
      // At the warehouse the sourced order's lines land at (the channel's first, which covers them):
      // the same items, so the pair differs by sourcing alone.
      order: async () => thenCommit(await reserve(pickSkus(3).map((sku) => ({ sku, warehouse: "wh-1", quantity: 1 })))),
      sourced: async () =>
        thenCommit(
          await reserve(
            pickSkus(3).map((sku) => ({ sku, quantity: 1 })),
            "COST-CH",
          ),
        ),
      flash: async () => [await reserve([{ sku: "COST-FLASH", warehouse: "wh-1", quantity: 1 }])],
      availability: async () => [await api.post("/v1/availability", { items: availabilityItems })],
      cached: cachedBuilt
        ? async () => [await api.post("/v1/availability", { items: availabilityItems, maxAgeSeconds: 5 })]
        : `not built at this commit: POST /v1/availability with maxAgeSeconds 5 answered ${probe.status} without asOf`,
      listing: async () => [await api.get("/v1/stock?limit=100")],
    };

    // Warm every path (isolate start, first object creation, caches) outside any window, and
    // every coordinator, with flash-sale reservations: ids spread over the pool of 64, and a cold
    // coordinator runs its constructor (schema, 4 to 5 ms locally) on its first call and learns
    // that an item is pooled from the item itself (hold-routing.ts) once, both of which would
    // otherwise be counted against the workloads as if every reservation paid them.
    progress("warming up");
    for (const run of Object.values(runs)) if (typeof run === "function") await run();
    const flashRun = runs.flash as () => Promise<{ status: number; body: unknown }[]>;
    await pool(
      Array.from({ length: WARM_COORDINATOR_CALLS }, (_, i) => i),
      options.concurrency,
      async () => {
        for (const answer of await flashRun()) {
          const rid = (answer.body as { id?: string } | null)?.id;
          if (answer.status === 201 && rid !== undefined) coordinatorIds.set(poolMember(rid, COORDINATORS), rid);
        }
      },
    );
    await new Promise((resolve) => setTimeout(resolve, ALARM_WAIT_MS));

    const measured = new Map<WorkloadKey, WorkloadCost>();
    for (const key of MEASURE_ORDER) {
      if (measured.has(key)) continue;
      const run = runs[key];
      if (typeof run === "string") {
        measured.set(key, { ...WORKLOADS[key], ops: 0, calls: 0, statuses: {}, seconds: 0, notMeasured: run });
        continue;
      }
      const partner = PAIRED[key];
      const partnerRun = partner === undefined ? undefined : runs[partner];
      if (partner === undefined || typeof partnerRun !== "function") {
        progress(WORKLOADS[key].label);
        measured.set(key, summarize(WORKLOADS[key], [await sample(local, run, options.ops, options.concurrency, prewarm)]));
        continue;
      }
      // A pair compared with each other: alternating windows, so drift on a shared machine
      // (other people's load, state growing) weighs on both alike.
      const mine: Sample[] = [];
      const theirs: Sample[] = [];
      const per = Math.ceil(options.pairedOps / options.blocks);
      for (let block = 0; block < options.blocks; block++) {
        progress(`${WORKLOADS[key].label} (block ${block + 1} of ${options.blocks})`);
        mine.push(await sample(local, run, per, options.concurrency, prewarm));
        progress(`${WORKLOADS[partner].label} (block ${block + 1} of ${options.blocks})`);
        theirs.push(await sample(local, partnerRun, per, options.concurrency, prewarm));
      }
      measured.set(key, summarize(WORKLOADS[key], mine));
      measured.set(partner, summarize(WORKLOADS[partner], theirs));
    }
    for (const key of Object.keys(WORKLOADS) as WorkloadKey[]) {
      const cost = measured.get(key);
      if (cost !== undefined) workloads.push(cost);
    }
  } finally {
    await target.stop();
  }
  notes.push(
    `${options.ops} operations per workload, ${options.concurrency} at a time (the plain and the sourced order ${options.pairedOps} each, in ${options.blocks} alternating blocks), ` +
      `profiled every ${SAMPLING_INTERVAL_US / 1000} ms, each workload's background work (events to the Queue and D1, alarms) waited for and counted with it`,
  );
  return { workloads, concurrency: options.concurrency, notes };
}

async function readMeter(ctx: RunContext, reset: boolean): Promise<MeterCounts> {
  const answer = await fetch(`${ctx.target.baseUrl}${METER_PATH}${reset ? "?reset=1" : ""}`, { headers: JSON_HEADERS(ctx.target.token) });
  if (answer.status !== 200) throw new Error(`the meter answered ${answer.status}: is this the metered path?`);
  return (await answer.json()) as MeterCounts;
}

/** One window of one workload: what the meter, /proc and the profile saw. */
interface Sample {
  ops: number;
  calls: number;
  statuses: Record<string, number>;
  seconds: number;
  meter: MeterCounts;
  /** workerd's CPU over the window, less its idle rate (measured just before, profiler on) × the window's length. */
  procCpuMs: number;
  idleCores: number;
  /** /proc's CPU split in the profile's shares (ms over the window), when profiled. */
  split?: { roles: Map<string, number>; otherJsMs: number; runtimeMs: number; profileBusyMs: number; otherJsRoots: Map<string, number> };
}

async function sample(
  ctx: RunContext,
  run: () => Promise<{ status: number; body: unknown }[]>,
  ops: number,
  concurrency: number,
  prewarm: () => Promise<unknown>,
): Promise<Sample> {
  const { target } = ctx;
  await settle(ctx, ctx.profile.settleSeconds);
  // Locally workerd evicts an object idle for about 10 s, and its next call runs the constructor
  // again: the workload's items and every coordinator are read once just before the window, as
  // a selling shop's would be warm.
  await prewarm();
  const statuses: Record<string, number> = {};
  let calls = 0;
  let seconds = 0;
  const work = async () => {
    // workerd's CPU while idle, the profiler sampling included: subtracted over the window.
    const idleFrom = snapshot(target.pids());
    await new Promise((resolve) => setTimeout(resolve, IDLE_BASELINE_MS));
    const idleCores = cpuBetween(idleFrom, snapshot(target.pids())).targetCores;
    await readMeter(ctx, true);
    const before = snapshot(target.pids());
    const started = performance.now();
    await pool(
      Array.from({ length: ops }, (_, i) => i),
      concurrency,
      async () => {
        for (const answer of await run()) {
          calls++;
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        }
      },
    );
    seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, ALARM_WAIT_MS));
    await settle(ctx, ctx.profile.settleSeconds);
    const cpu = cpuBetween(before, snapshot(target.pids()));
    const meter = await readMeter(ctx, false);
    return { meter, procCpuMs: Math.max(0, (cpu.targetCores - idleCores) * cpu.wallMs), idleCores };
  };
  if (target.inspectorUrl === undefined || target.bundle === undefined) {
    const result = await work();
    return { ops, calls, statuses, seconds, ...result };
  }
  const { result, profile } = await profileWhile(target.inspectorUrl, work, SAMPLING_INTERVAL_US);
  const times = await roleTimes(profile as CpuProfile, target.bundle, `${target.bundle}.map`, ROLES);
  // The profile's milliseconds are wall time while busy (on a shared machine, waits for a core
  // too): only its shares are used, of /proc's CPU.
  const scale = times.busyMs > 0 ? result.procCpuMs / times.busyMs : 0;
  return {
    ops,
    calls,
    statuses,
    seconds,
    ...result,
    split: {
      roles: new Map(times.roles.map((r) => [r.role, r.ms * scale])),
      otherJsMs: times.otherJsMs * scale,
      runtimeMs: times.runtimeMs * scale,
      profileBusyMs: times.busyMs,
      otherJsRoots: new Map(times.otherJsRoots.map((r) => [r.root, r.ms * scale])),
    },
  };
}

/** Adds two windows of the meter (busiest objects and distinct counts: per window, the larger kept). */
function addMeters(a: MeterCounts, b: MeterCounts): MeterCounts {
  // Numbers add up; anything else (a statement's text, whether D1 was hooked) is kept from the first.
  const addNumbers = <T extends object>(x: T, y: T): T =>
    Object.fromEntries(
      Object.entries(x).map(([k, v]) => [k, typeof v === "number" ? v + (((y as Record<string, unknown>)[k] as number) ?? 0) : v]),
    ) as T;
  const objects: MeterCounts["objects"] = { ...a.objects };
  for (const [name, c] of Object.entries(b.objects)) objects[name] = objects[name] === undefined ? c : addNumbers(objects[name], c);
  const statements: MeterCounts["statements"] = {};
  for (const meter of [a, b]) {
    for (const [name, list] of Object.entries(meter.statements)) {
      const merged = new Map((statements[name] ?? []).map((st) => [st.sql, { ...st }]));
      for (const st of list) {
        const known = merged.get(st.sql);
        merged.set(st.sql, known === undefined ? { ...st } : addNumbers(known, st));
      }
      statements[name] = [...merged.values()].sort((x, y) => y.rowsWritten - x.rowsWritten || y.runs - x.runs);
    }
  }
  const busiest: MeterCounts["busiest"] = { ...a.busiest };
  for (const [name, list] of Object.entries(b.busiest)) {
    if ((list[0]?.requests ?? 0) > (busiest[name]?.[0]?.requests ?? 0)) busiest[name] = list;
  }
  const methods: MeterCounts["methods"] = {};
  for (const meter of [a, b]) {
    for (const [name, calls] of Object.entries(meter.methods ?? {})) {
      const merged = { ...(methods[name] ?? {}) };
      for (const [method, n] of Object.entries(calls)) merged[method] = (merged[method] ?? 0) + n;
      methods[name] = merged;
    }
  }
  const distinctObjects: MeterCounts["distinctObjects"] = { ...a.distinctObjects };
  for (const [name, n] of Object.entries(b.distinctObjects)) distinctObjects[name] = Math.max(n, distinctObjects[name] ?? 0);
  return {
    worker: addNumbers(a.worker, b.worker),
    objects,
    queue: addNumbers(a.queue, b.queue),
    d1: addNumbers(a.d1, b.d1),
    busiest,
    distinctObjects,
    statements,
    methods,
  };
}

/** A workload's figures from its windows (one, or several alternating with another workload's). */
function summarize(workload: Workload, samples: Sample[]): WorkloadCost {
  const ops = samples.reduce((s, x) => s + x.ops, 0);
  const statuses: Record<string, number> = {};
  for (const x of samples) for (const [k, v] of Object.entries(x.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const meter = samples.map((x) => x.meter).reduce(addMeters);
  const procCpuMs = samples.reduce((s, x) => s + x.procCpuMs, 0);
  const out: WorkloadCost = {
    ...workload,
    ops,
    calls: samples.reduce((s, x) => s + x.calls, 0),
    statuses,
    seconds: samples.reduce((s, x) => s + x.seconds, 0),
    meter,
    procCpuMsPerOp: procCpuMs / ops,
    idleCores: samples.reduce((sum, x) => sum + x.idleCores, 0) / samples.length,
  };
  let workerCpuMs = 0;
  const splits = samples.flatMap((x) => (x.split === undefined ? [] : [x.split]));
  if (splits.length === samples.length && splits.length > 0) {
    const total = (pick: (x: NonNullable<Sample["split"]>) => number) => splits.reduce((s, x) => s + pick(x), 0);
    const roots = new Map<string, number>();
    for (const x of splits) for (const [root, ms] of x.otherJsRoots) roots.set(root, (roots.get(root) ?? 0) + ms);
    out.cpu = {
      roles: ROLE_NAMES.map((role) => ({ role, msPerOp: total((x) => x.roles.get(role) ?? 0) / ops })),
      otherJsMsPerOp: total((x) => x.otherJsMs) / ops,
      runtimeMsPerOp: total((x) => x.runtimeMs) / ops,
      profileBusyMsPerOp: total((x) => x.profileBusyMs) / ops,
      otherJsRoots: [...roots.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5)
        .map(([root, ms]) => ({ root, share: procCpuMs > 0 ? ms / procCpuMs : 0 })),
    };
    workerCpuMs = out.cpu.roles.filter((r) => WORKER_BILLED_ROLES.has(r.role)).reduce((sum, r) => sum + r.msPerOp, 0);
  }
  const classes = Object.values(meter.objects);
  const sum = (pick: (c: (typeof classes)[number]) => number) => classes.reduce((s, c) => s + pick(c), 0) / ops;
  const units: Units = {
    // Each queue batch the consumer takes is a Worker invocation of its own.
    workerRequests: (meter.worker.requests + meter.worker.queueBatches) / ops,
    workerCpuMs,
    doRequests: sum((c) => c.requests + c.alarms),
    doGbSeconds: sum((c) => (c.activeMs / 1000) * DO_MEMORY_GB),
    doRowsRead: sum((c) => c.rowsRead),
    doRowsWritten: sum((c) => c.rowsWritten),
    // A delivered message is written, read and deleted: three operations per 64 KB.
    queueOperations: (meter.queue.chunks64k * 3) / ops,
    d1RowsRead: meter.d1.rowsRead / ops,
    d1RowsWritten: meter.d1.rowsWritten / ops,
  };
  out.units = units;
  const byUnit = Object.fromEntries((Object.keys(PRICES) as PriceKey[]).map((k) => [k, units[k] * PRICES[k].usdPerMillion])) as Record<
    PriceKey,
    number
  >;
  const largest = (Object.keys(byUnit) as PriceKey[]).reduce((a, b) => (byUnit[b] > byUnit[a] ? b : a));
  out.usdPerMillion = { byUnit, total: Object.values(byUnit).reduce((a, b) => a + b, 0), largest };
  return out;
}
