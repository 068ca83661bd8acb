import { audit, type Check } from "../audit";
import type { Item } from "../ledger";
import type { Api } from "../lib/api";
import { cpuBetween, snapshot } from "../lib/cpu";
import type { LoadRequest } from "../lib/load";
import { base64url, monotonicMs, WatcherProcess } from "../lib/watchers";
import type { Connected, WatcherRecord } from "../lib/watchers-host";
import {
  type ReserveContext,
  type Row,
  type RunContext,
  reserveRequest,
  type Spread,
  scopeOf,
  settle,
  type WatchFigures,
  withCheck,
} from "./common";
import { costLines, HOT_WAREHOUSE, type IsolateCost, profiledLoad, sellOut, setStock, warmUp } from "./sellout";

/** Every live row starts with this. */
export const LIVE = "live: ";
/** The server sends at most one message per socket per this many ms (src/stock/live.ts). */
export const LIVE_INTERVAL_MS = 100;
/** The watchers must not slow selling by more than this (issue 13): with ÷ without ≥ 0.9. */
export const LIVE_GOAL = 0.9;

const n0 = (n: number) => Math.round(n).toLocaleString("en-US");
/** The watchers' code in the item's object (the profiled rounds count the samples under it). */
const WATCHER_CODE = [{ label: "src/stock/live.ts (telling the watchers)", source: /src\/stock\/live\.ts$/ }];

export function spreadOf(values: Float64Array): Spread {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, min: 0, max: 0, mean: 0, negative: 0 };
  const sorted = values.slice().sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  let sum = 0;
  let negative = 0;
  for (const v of sorted) {
    sum += v;
    if (v < 0) negative++;
  }
  return {
    count: sorted.length,
    p50: at(50),
    p99: at(99),
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    mean: sum / sorted.length,
    negative: negative / sorted.length,
  };
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

interface Level {
  version: number;
  onHand: number;
  reserved: number;
  available: number;
}

interface HeldEvent {
  seq: number;
  type: string;
  reservationId?: string;
}

/**
 * Version → reservation, from the item's events in D1 (each `reservation.held` event's `seq` is
 * the version it made). Waits up to 30 s for the Queue to deliver them all; null when the
 * events pipeline is absent or incomplete.
 */
async function heldVersions(api: Api, sku: string, version: number): Promise<Map<number, string> | null> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const events: HeldEvent[] = [];
    let after: string | null = null;
    for (let page = 0; page < 1_000; page++) {
      const query = new URLSearchParams({ sku, warehouse: HOT_WAREHOUSE, limit: "500" });
      if (after !== null) query.set("after", after);
      const answer = await api.get(`/v1/events?${query}`);
      const body = answer.body as { events?: HeldEvent[]; next?: unknown } | null;
      if (answer.status !== 200 || !Array.isArray(body?.events)) return null;
      events.push(...body.events);
      if (typeof body.next !== "string" || body.next === "" || body.events.length === 0) break;
      after = body.next;
    }
    if (events.length >= version) {
      const map = new Map<number, string>();
      for (const e of events) if (e.type === "reservation.held" && e.reservationId !== undefined) map.set(e.seq, e.reservationId);
      return map;
    }
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Latencies from the watchers' records: `ackAt[v]` is the bench's clock at the 201 of the
 * reservation that made version v (NaN when unknown), versions `first`..`last` are the sales.
 */
function latencies(records: WatcherRecord[], ackAt: Float64Array, first: number, last: number) {
  const sales = last - first + 1;
  const perSale = new Float64Array(records.length * Math.max(0, sales));
  const perMessage: number[] = [];
  let s = 0;
  let missing = 0;
  let shortGaps = 0;
  let gaps = 0;
  for (const r of records) {
    if (r.t.length === 0) continue;
    let j = 0;
    for (let v = first; v <= last; v++) {
      const ack = ackAt[v] ?? Number.NaN;
      if (Number.isNaN(ack)) continue;
      while (j < r.version.length && (r.version[j] as number) < v) j++;
      if (j === r.version.length) {
        missing++;
        continue;
      }
      perSale[s++] = (r.t[j] as number) - ack;
    }
    for (let k = 1; k < r.t.length; k++) {
      gaps++;
      if ((r.t[k] as number) - (r.t[k - 1] as number) < LIVE_INTERVAL_MS - 10) shortGaps++;
      const from = Math.max(first, (r.version[k - 1] as number) + 1);
      const to = Math.min(last, r.version[k] as number);
      let earliest = Number.POSITIVE_INFINITY;
      for (let v = from; v <= to; v++) {
        const ack = ackAt[v] ?? Number.NaN;
        if (!Number.isNaN(ack) && ack < earliest) earliest = ack;
      }
      if (earliest !== Number.POSITIVE_INFINITY) perMessage.push((r.t[k] as number) - earliest);
    }
  }
  return { perSale: perSale.subarray(0, s), perMessage: Float64Array.from(perMessage), missing, shortGaps, gaps };
}

/**
 * Live availability (issue 13), Worker paths: the hot SKU's sell-out (one item, single-unit
 * reservations from every connection, exactly `stock` requests) in rounds, alternately without
 * and with `live.watchers` (1,000) WebSockets on the item being sold (`GET …/live`, the
 * browser's way: the token in the subprotocol list), starting and ending without:
 * without / with / without / with / without for 2 rounds with watchers. Every round sells a
 * fresh item with the same stock (sized by a warm-up like the hot SKU's).
 *
 * The watchers live in a process of their own (bench/lib/watchers-host.ts): their sockets'
 * work neither delays the load generator nor hides in its CPU, and their CPU is measured apart.
 * Before the load every socket has its first message; after it, the bench waits until every
 * socket's latest message carries the final version (at most 10 s), then checks it is the final
 * level (available 0), and computes, with each version tied to the reservation that made it
 * (its `reservation.held` event in D1), the time from that reservation's 201 to each watcher's
 * first message showing it. Messages are coalesced to one per 100 ms per socket by design, so
 * up to ~100 ms of that is the design's.
 */
/** What the rounds with watchers add up to, for the audit and the pooled latency. */
interface Totals {
  sale: Float64Array[];
  message: Float64Array[];
  finalOk: number;
  finalOf: number;
  monotonicOk: number;
  problems: string[];
}

interface RoundSpec {
  round: number;
  /** Row label and ledger scenario. */
  label: string;
  scenario: string;
  sku: string;
  stock: number;
  watchers: number;
  /** Under the isolate's CPU profiler (a diagnostic round: its row is not kept). */
  profiled: boolean;
}

/**
 * One round: sets the item, opens the watchers (if any) and waits for all their first
 * messages, waits for the target to be idle, sells the item out, then (with watchers) waits for
 * every socket to show the final level and works out the latencies.
 */
async function runRound(ctx: RunContext, spec: RoundSpec, totals: Totals, notesHead: string): Promise<{ row: Row; cost?: IsolateCost }> {
  const { connectConcurrency, sellOutSeconds } = ctx.profile.live;
  const { sku, scenario, label, stock, watchers, round } = spec;
  const { version: setVersion } = await setStock(ctx, sku, stock);
  const notes: string[] = [notesHead];
  let proc: WatcherProcess | undefined;
  try {
    let connected: Connected | undefined;
    if (watchers > 0) {
      proc = new WatcherProcess();
      ctx.progress.update(`${ctx.target.label}: ${label}: opening ${n0(watchers)} WebSockets`);
      const url = `${ctx.target.baseUrl.replace(/^http/, "ws")}/v1/stock/${sku}/${HOT_WAREHOUSE}/live`;
      // The browser's way (README): the token in the subprotocol list, base64url without padding.
      const protocols = ["stockflare.v1", `bearer.${base64url(ctx.target.token)}`];
      connected = await proc.connect(url, protocols, watchers, connectConcurrency, 180_000);
      if (connected.welcomed === 0) throw new Error(`live: no watcher got a first message (${connected.errors.slice(0, 2).join("; ")})`);
      notes.push(
        `${n0(connected.welcomed)} of ${n0(watchers)} WebSockets (subprotocol ${connected.protocol || "none"}) opened and got their first message in ` +
          `${(connected.ms / 1000).toFixed(1)} s, ${connectConcurrency} at a time` +
          (connected.failed > 0 ? `; ${connected.failed} failed: ${connected.errors.slice(0, 2).join("; ")}` : ""),
      );
    }
    await settle(ctx, ctx.profile.settleSeconds);

    // The 201s' times, on the watchers' clock.
    const ackAt = new Map<string, number>();
    const base = reserveRequest(ctx, scenario, () => [{ sku, warehouse: HOT_WAREHOUSE, quantity: 1 }]);
    const request: LoadRequest = {
      ...base,
      onResponse: (status, body, context, headers) => {
        if (status === 201) {
          const id = (context as ReserveContext).id;
          if (id !== undefined) ackAt.set(id, monotonicMs());
        }
        if (typeof base.onResponse === "function") base.onResponse(status, body, context, headers);
      },
    };
    const pid = proc?.pid;
    const before = pid === undefined ? undefined : snapshot([pid]);
    const work = () => sellOut(ctx, label.slice(LIVE.length), stock, sellOutSeconds, request);
    const { load, cost } = spec.profiled ? await profiledLoad(ctx, work, WATCHER_CODE) : { load: await work(), cost: undefined };
    const watcherCpu = before === undefined || pid === undefined ? undefined : cpuBetween(before, snapshot([pid]));
    const row: Row = { scenario: label, load, notes, live: { round, watchers } };
    if (proc === undefined || connected === undefined || watcherCpu === undefined) return { row, ...(cost === undefined ? {} : { cost }) };

    const finalAnswer = await ctx.api.get(`/v1/stock/${sku}/${HOT_WAREHOUSE}`);
    if (finalAnswer.status !== 200) throw new Error(`live: GET level ${finalAnswer.status}`);
    const final = finalAnswer.body as Level;
    const reached = await proc.awaitVersion(final.version, 10_000);
    const records = (await proc.collect()).watchers;
    await proc.close();
    proc = undefined;

    // Version → the 201's time: exact from the events, else by the order of the 201s.
    const ack = new Float64Array(final.version + 1).fill(Number.NaN);
    const byEvents = ctx.events ? await heldVersions(ctx.api, sku, final.version) : null;
    if (byEvents !== null) {
      for (const [seq, id] of byEvents) ack[seq] = ackAt.get(id) ?? Number.NaN;
    } else {
      [...ackAt.values()]
        .sort((a, b) => a - b)
        .forEach((t, k) => {
          if (setVersion + 1 + k <= final.version) ack[setVersion + 1 + k] = t;
        });
    }
    const lat = latencies(records, ack, setVersion + 1, final.version);

    const welcomed = records.filter((r) => r.t.length > 0);
    const last = (r: WatcherRecord, field: "version" | "reserved" | "available" | "onHand") => r[field][r[field].length - 1];
    const atFinal = welcomed.filter(
      (r) =>
        final.available === 0 &&
        last(r, "version") === final.version &&
        last(r, "reserved") === final.reserved &&
        last(r, "available") === final.available &&
        last(r, "onHand") === final.onHand,
    ).length;
    const monotonic = welcomed.filter((r) => r.version.every((v, k) => k === 0 || v >= (r.version[k - 1] as number))).length;
    const closedEarly = records.filter((r) => r.closedEarly).length;
    if (!spec.profiled) {
      totals.sale.push(lat.perSale);
      totals.message.push(lat.perMessage);
      totals.finalOk += atFinal;
      totals.finalOf += welcomed.length;
      totals.monotonicOk += monotonic;
    }
    if (atFinal < welcomed.length || final.available !== 0) {
      const wrong = welcomed.find((r) => last(r, "version") !== final.version);
      totals.problems.push(
        `${scenario}: ${welcomed.length - atFinal} watchers not at the final level (v${final.version}, available ${final.available})` +
          (wrong === undefined ? "" : `, e.g. last v${last(wrong, "version")} available ${last(wrong, "available")}`),
      );
    }
    const messages = welcomed.reduce((s, r) => s + r.t.length - 1, 0);
    const watch: WatchFigures = {
      watchers,
      welcomed: connected.welcomed,
      connectSeconds: connected.ms / 1000,
      protocol: connected.protocol,
      messages,
      perSale: spreadOf(lat.perSale),
      perMessage: spreadOf(lat.perMessage),
      missing: lat.missing,
      mapping: byEvents !== null ? "events" : "order of 201s",
      finalLevel: { ok: atFinal, of: welcomed.length },
      monotonic: { ok: monotonic, of: welcomed.length },
      shortGaps: { count: lat.shortGaps, of: lat.gaps },
      watcherCores: watcherCpu.targetCores,
      watcherCpuMsPerRequest: load.requests > 0 ? (watcherCpu.targetCores * watcherCpu.wallMs) / load.requests : 0,
    };
    row.live = { round, watchers, watch };
    const ms = (x: number) => x.toFixed(1);
    notes.push(
      `201 → watcher's message, per (watcher, unit sold): p50 ${ms(watch.perSale.p50)} ms, p99 ${ms(watch.perSale.p99)} ms ` +
        `(min ${ms(watch.perSale.min)}, max ${ms(watch.perSale.max)}, ${(watch.perSale.negative * 100).toFixed(1)}% before the 201; ` +
        `${n0(watch.perSale.count)} pairs${lat.missing > 0 ? `, ${n0(lat.missing)} never shown` : ""}); per (watcher, message), from the earliest 201 it ` +
        `is the first to show: p50 ${ms(watch.perMessage.p50)} ms, p99 ${ms(watch.perMessage.p99)} ms; versions tied to reservations by ${watch.mapping}`,
      `${n0(messages)} messages after the first (${(messages / Math.max(1, welcomed.length)).toFixed(1)} per watcher over ${load.seconds.toFixed(1)} s; ` +
        `at most one per ${LIVE_INTERVAL_MS} ms by design; ${n0(lat.shortGaps)} of ${n0(lat.gaps)} gaps under ${LIVE_INTERVAL_MS - 10} ms on arrival)`,
      `${n0(atFinal)} of ${n0(welcomed.length)} watchers' last message is the final level (v${final.version}, reserved ${n0(final.reserved)}, available ${final.available}); ` +
        `all at it ${(reached.ms / 1000).toFixed(2)} s after the last answer was read; ${monotonic === welcomed.length ? "no" : n0(welcomed.length - monotonic)} version went backwards` +
        (closedEarly > 0 ? `; ${closedEarly} sockets closed early` : ""),
      // The watchers' process is part of "other processes" in the CPU table: say how much.
      `the watchers' process used ${watch.watcherCores.toFixed(2)} cores during the load (${watch.watcherCpuMsPerRequest.toFixed(2)} ms per reservation), ` +
        `included in "other processes" (${load.cpu.otherCores.toFixed(2)} cores)`,
    );
    return { row, ...(cost === undefined ? {} : { cost }) };
  } finally {
    await proc?.close();
  }
}

/**
 * Live availability (issue 13), Worker paths: the hot SKU's sell-out (one item, single-unit
 * reservations from every connection, exactly `stock` requests) in rounds, alternately without
 * and with `live.watchers` (1,000) WebSockets on the item being sold (`GET …/live`, the
 * browser's way: the token in the subprotocol list), starting and ending without:
 * without / with / without / with / without for 2 rounds with watchers. Every round sells a
 * fresh item with the same stock (sized by a warm-up like the hot SKU's).
 *
 * The watchers live in a process of their own (bench/lib/watchers-host.ts): their sockets'
 * work neither delays the load generator nor hides in its CPU, and their CPU is measured apart.
 * Before the load every socket has its first message; after it, the bench waits until every
 * socket's latest message carries the final version (at most 10 s), then checks it is the final
 * level (available 0), and computes, with each version tied to the reservation that made it
 * (its `reservation.held` event in D1), the time from that reservation's 201 to each watcher's
 * first message showing it. Messages are coalesced to one per 100 ms per socket by design, so
 * up to ~100 ms of that is the design's.
 *
 * With the profiler on (the workerd path, `--profile`), one more round without and one with
 * run under the isolate's CPU profiler afterwards (not in the rates): where the extra CPU goes.
 */
export async function live(ctx: RunContext): Promise<Row[]> {
  const { watchers, withRounds, sellOutSeconds } = ctx.profile.live;
  const warm = await warmUp(ctx, "LIVE", sellOutSeconds);
  const stock = warm.stock;
  const order: boolean[] = [false];
  for (let k = 0; k < withRounds; k++) order.push(true, false);
  const sizing = `${n0(stock)} units, 1 per reservation (sized from a ${warm.seconds} s warm-up at ${n0(warm.rps)} req/s)`;

  const rows: Row[] = [];
  const items: Item[] = [warm.item];
  const scenarios = [warm.scenario];
  const totals: Totals = { sale: [], message: [], finalOk: 0, finalOf: 0, monotonicOk: 0, problems: [] };
  const spec = (round: number, withWatchers: boolean, profiled: boolean): RoundSpec => {
    const sku = profiled ? `LIVE-P${round}` : `LIVE-${round}`;
    const scenario = profiled ? `live-p${round}` : `live-${round}`;
    scenarios.push(scenario);
    items.push({ sku, warehouse: HOT_WAREHOUSE, set: stock });
    const what = withWatchers ? `${n0(watchers)} watchers` : "no watchers";
    return {
      round,
      label: profiled ? `${LIVE}profiled sell-out, ${what}` : `${LIVE}sell-out, ${what} (round ${round})`,
      scenario,
      sku,
      stock,
      watchers: withWatchers ? watchers : 0,
      profiled,
    };
  };
  for (const [index, withWatchers] of order.entries()) {
    rows.push((await runRound(ctx, spec(index + 1, withWatchers, false), totals, sizing)).row);
  }
  const lastRow = rows[rows.length - 1];
  if (lastRow?.live === undefined) return rows;
  if (totals.sale.length > 0)
    lastRow.live.pooled = { perSale: spreadOf(concat(totals.sale)), perMessage: spreadOf(concat(totals.message)) };

  // Diagnostic: where the watchers' extra CPU goes, from the isolate's profile.
  if (ctx.target.inspectorUrl !== undefined && ctx.target.bundle !== undefined) {
    const without = await runRound(ctx, spec(1, false, true), totals, sizing);
    const withThem = await runRound(ctx, spec(2, true, true), totals, sizing);
    if (without.cost !== undefined && withThem.cost !== undefined) {
      lastRow.live.profiled = { without: without.cost, with: withThem.cost };
      lastRow.notes.push(...costLines(without.cost, "no watchers", withThem.cost, `${n0(watchers)} watchers`));
    }
  }

  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, scenarios, items, items.length), ctx.progress);
  const checks: Check[] = scenarios.slice(1).map((scenario) => {
    const sold = ctx.ledger.of(scenario).filter((p) => p.acknowledged).length;
    return {
      name: "sold out exactly",
      pass: sold === stock,
      detail: `${scenario}: ${n0(sold)} units acknowledged (201) of ${n0(stock)} in stock`,
    };
  });
  checks.push(
    {
      name: "watchers saw the final level",
      pass: totals.problems.length === 0 && totals.finalOf > 0,
      detail:
        `${n0(totals.finalOk)} of ${n0(totals.finalOf)} watchers (every measured round with watchers): last message = the level after the sell-out, available 0` +
        (totals.problems.length > 0 ? `; ${totals.problems.join("; ")}` : ""),
    },
    {
      name: "watchers' versions never went backwards",
      pass: totals.monotonicOk === totals.finalOf && totals.finalOf > 0,
      detail: `${n0(totals.monotonicOk)} of ${n0(totals.finalOf)} watchers received versions in order`,
    },
  );
  let checked = result;
  for (const check of checks) checked = withCheck(checked, check);
  lastRow.audit = checked;
  return rows;
}
