import type { AuditResult, AuditScope, Check } from "../audit";
import type { Profile } from "../config";
import { type Item, type Ledger, type Line, reservationId } from "../ledger";
import { type Api, pool } from "../lib/api";
import { cpuBetween, snapshot } from "../lib/cpu";
import type { LoadRequest, LoadResult } from "../lib/load";
import type { Progress } from "../lib/progress";
import type { Target } from "../targets/target";
import type { IsolateCost } from "./sellout";

/** Everything a scenario needs about the run and the target it measures. */
export interface RunContext {
  target: Target;
  api: Api;
  ledger: Ledger;
  profile: Profile;
  progress: Progress;
  /** GET /v1/events exists on this target: audit the pipeline too. */
  events: boolean;
  runTag: string;
  /** The target's ceiling (GET /v1/health req/s), once measured. */
  ceilingRps?: number;
}

/** One line of the table. */
export interface Row {
  scenario: string;
  load?: LoadResult;
  /** The audit of the scenario this row closes. */
  audit?: AuditResult;
  notes: string[];
  /** Flash-sale rows: how the reservation calls spread over the objects that took them. */
  pool?: PoolSpread;
  /** Live availability rows (issue 13): the round, and with watchers what they saw. */
  live?: LiveRound;
  /** Scoped-key rows (issue 14): which key the round's requests carried. */
  keys?: KeyRound;
}

/** A distribution of latencies, in milliseconds. */
export interface Spread {
  count: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
  /** Share of the values below 0 (a watcher's message before the 201 it reflects). */
  negative: number;
}

/** What the watchers of one round saw (scenarios/live.ts). */
export interface WatchFigures {
  /** Sockets asked for, sockets that got their first message, and how long that took. */
  watchers: number;
  welcomed: number;
  connectSeconds: number;
  /** The subprotocol the server answered. */
  protocol: string;
  /** Messages after the first, over all sockets. */
  messages: number;
  /** Per (watcher, unit sold): from the 201 of the reservation that made version v to the watcher's first message with version ≥ v. */
  perSale: Spread;
  /** Per (watcher, message): from the earliest 201 among the changes the message is the first to show. */
  perMessage: Spread;
  /** (watcher, version) pairs no message ever showed. */
  missing: number;
  /** How versions were tied to reservations: the events in D1 (exact), or the order of the 201s. */
  mapping: "events" | "order of 201s";
  /** Sockets whose last message is the final level (available 0), of those that got a first message. */
  finalLevel: { ok: number; of: number };
  /** Sockets whose versions never went backwards. */
  monotonic: { ok: number; of: number };
  /** Gaps between two messages on one socket shorter than 90 ms, of all gaps. */
  shortGaps: { count: number; of: number };
  /** CPU of the watchers' own process during the load (cores) and per reservation (ms). */
  watcherCores: number;
  watcherCpuMsPerRequest: number;
}

export interface LiveRound {
  round: number;
  /** 0 in a round without watchers. */
  watchers: number;
  watch?: WatchFigures;
  /** On the last round: every round with watchers together. */
  pooled?: { perSale: Spread; perMessage: Spread };
  /** On the last round, with the profiler on: one more round without and one with, profiled (not in the rates). */
  profiled?: { without: IsolateCost; with: IsolateCost };
}

export interface KeyRound {
  round: number;
  auth: "root" | "key";
  /** Keys the round's requests were spread over (0 for the root key). */
  keys: number;
  /** The most requests one key made in one 10-second window (aligned to the clock, as the limiter counts). */
  maxPerKeyPer10s?: number;
  /** 429 answers. */
  rateLimited: number;
  /**
   * On the last round: the key check alone, without queueing, one call at a time, workerd's CPU
   * per call from /proc (scenarios/keys.ts): an invalid body (400 after authentication, before
   * any object) with the root key and with a scoped key; refused 401 with a wrong token and with
   * an unknown `sfk_` token (hash and cache lookup, no rate-limit call).
   */
  alone?: {
    calls: number;
    rootCpuMs: number;
    keyCpuMs: number;
    wrongCpuMs: number;
    unknownKeyCpuMs: number;
    rootP50: number;
    keyP50: number;
    statuses: Record<string, number>;
  };
}

/**
 * A flash-sale row's item and how its reservation calls spread. With one shard the item's
 * own object takes every call (`largestShare` 1); with more, each member's `requests` from
 * `GET /v1/stock/{sku}/{warehouse}/shards` after the load: every reservation call that
 * reached that member, refused ones included, and not the calls the item's own object took.
 */
export interface PoolSpread {
  sku: string;
  warehouse: string;
  stock: number;
  /** The `shards` the PUT asked for. */
  shards: number;
  /** The `shards` the PUT's answer (the Level) reported. */
  shardsAnswered?: number;
  /** Per member, the reservation calls it served (index = shard); absent with 1 shard. */
  requests?: number[];
  /** Units no member may hold yet, after the load. */
  unallocated?: number;
  /** The largest share of the reservation calls one object served: max / Σ. */
  largestShare?: number;
  /** When `largestShare` is absent: why. */
  notMeasured?: string;
}

/** Every reservation the bench places holds for an hour: nothing expires during a run. */
export const TTL_SECONDS = 3_600;

/** What a reservation's request leaves in autocannon's context for its follow-up (`changeRequest`). */
export interface ReserveContext {
  id?: string;
  placed?: boolean;
  /** What follows the placement on this connection (not `then`: that would make the context a thenable). */
  next?: "commit" | "release" | "hold";
}

const JSON_HEADERS = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });

/**
 * `POST /v1/reservations` with a fresh id each time, recorded in the ledger when sent and
 * when answered (autocannon keeps one request in flight per connection, so the context
 * of a response is the one of the request it answers).
 */
export function reserveRequest(
  ctx: RunContext,
  scenario: string,
  pickLines: () => Line[],
  then?: () => ReserveContext["next"],
): LoadRequest {
  let n = 0;
  return {
    method: "POST",
    path: "/v1/reservations",
    headers: JSON_HEADERS(ctx.target.token),
    setupRequest: (request, context) => {
      const c = context as ReserveContext;
      const id = reservationId(ctx.runTag, scenario, n++);
      const lines = pickLines();
      ctx.ledger.sent(id, scenario, lines);
      c.id = id;
      c.placed = false;
      c.next = then?.();
      return { ...request, body: JSON.stringify({ id, lines, ttlSeconds: TTL_SECONDS }) };
    },
    onResponse: (status, body, context) => {
      const c = context as ReserveContext;
      if (c.id === undefined) return;
      ctx.ledger.placed(c.id, status, body);
      c.placed = status === 201;
    },
  };
}

/**
 * The follow-up of `reserveRequest` in a two-step sequence: commit or release the
 * reservation just placed, or (returning nothing) leave it held and start over.
 */
export function changeRequest(ctx: RunContext): LoadRequest {
  return {
    method: "POST",
    headers: JSON_HEADERS(ctx.target.token),
    body: "{}",
    setupRequest: (request, context) => {
      const c = context as ReserveContext;
      if (c.id === undefined || !c.placed || c.next === undefined || c.next === "hold") {
        // autocannon restarts the sequence on a falsy request
        return undefined as unknown as LoadRequest;
      }
      ctx.ledger.changing(c.id);
      return { ...request, path: `/v1/reservations/${c.id}/${c.next}` };
    },
    onResponse: (status, body, context) => {
      const c = context as ReserveContext;
      if (c.id !== undefined && (c.next === "commit" || c.next === "release")) ctx.ledger.changed(c.id, c.next, status, body);
    },
  };
}

export function itemsOf(prefix: string, skus: number, warehousesPerSku: number, onHand: number): Item[] {
  const items: Item[] = [];
  for (let s = 0; s < skus; s++) {
    for (let w = 0; w < warehousesPerSku; w++) {
      items.push({ sku: `${prefix}-${String(s).padStart(5, "0")}`, warehouse: `wh-${w + 1}`, set: onHand });
    }
  }
  return items;
}

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** `n` distinct items at random. */
export function pickDistinct<T>(items: readonly T[], n: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(n, items.length)) chosen.add(Math.floor(Math.random() * items.length));
  return [...chosen].map((i) => items[i] as T);
}

export interface SeedResult {
  row: Row;
  failed: number;
}

/** Sets every item's stock with concurrent PUTs, timed like a load (a row of its own). */
export async function seed(ctx: RunContext, label: string, items: Item[]): Promise<SeedResult> {
  const before = snapshot(ctx.target.pids());
  const started = performance.now();
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  await pool(
    items,
    ctx.profile.setupConcurrency,
    async (item) => {
      const answer = await ctx.api.put(`/v1/stock/${item.sku}/${item.warehouse}`, { onHand: item.set });
      latencies.push(answer.ms);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.status === 200) ctx.ledger.setItem(item.sku, item.warehouse, item.set);
    },
    { line: ctx.progress, label: `${ctx.target.label}: ${label}` },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuBetween(before, snapshot(ctx.target.pids()));
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? 0;
  const failed = items.length - (statuses["200"] ?? 0);
  return {
    failed,
    row: {
      scenario: label,
      load: {
        requests: items.length,
        seconds,
        rps: items.length / seconds,
        p50: at(50),
        p95: at(95),
        p99: at(99),
        statuses,
        unanswered: 0,
        timeouts: 0,
        cpu: { ...cpu, targetMsPerRequest: (cpu.targetCores * cpu.wallMs) / items.length },
      },
      notes: [
        `${items.length.toLocaleString("en-US")} PUTs, ${ctx.profile.setupConcurrency} concurrent, in ${seconds.toFixed(1)} s` +
          (failed > 0 ? `; ${failed} failed` : ""),
      ],
    },
  };
}

/**
 * Waits until the target has finished its background work (the events outbox shipping to
 * the Queue and D1 after a burst of writes, expiry alarms), so that a scenario does not
 * measure the previous one's aftermath. Idle = under 0.15 cores for 3/4 of a second.
 * Returns the seconds waited.
 */
export async function settle(ctx: RunContext, maxSeconds: number): Promise<number> {
  // The baselines do nothing in the background.
  if (ctx.target.kind === "baseline") return 0;
  const started = performance.now();
  let quiet = 0;
  let before = snapshot(ctx.target.pids());
  while ((performance.now() - started) / 1000 < maxSeconds) {
    await new Promise((r) => setTimeout(r, 250));
    const now = snapshot(ctx.target.pids());
    const cores = cpuBetween(before, now).targetCores;
    before = now;
    ctx.progress.update(`${ctx.target.label}: waiting for background work to finish (${cores.toFixed(2)} cores busy)`);
    quiet = cores < 0.15 ? quiet + 1 : 0;
    if (quiet >= 3) break;
  }
  return (performance.now() - started) / 1000;
}

/** A check the scenario adds to its audit (e.g. "sold out exactly"). */
export function withCheck(audit: AuditResult, check: Check): AuditResult {
  const checks = [...audit.checks, check];
  return { pass: checks.every((c) => c.pass), checks };
}

/** The audit of a scenario, sized by the profile. */
export function scopeOf(ctx: RunContext, scenarios: string[], items: Item[], eventItems = ctx.profile.eventItems): AuditScope {
  return {
    scenarios,
    items,
    sampleAcknowledged: ctx.profile.sampleAcknowledged,
    untouchedSample: ctx.profile.untouchedSample,
    totalsSample: ctx.profile.totalsSample,
    eventItems,
    events: ctx.events,
    concurrency: ctx.profile.setupConcurrency,
  };
}
