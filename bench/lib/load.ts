import autocannon from "autocannon";
import { type CpuUse, cpuBetween, snapshot } from "./cpu";
import type { Progress } from "./progress";

export type LoadRequest = autocannon.Request;

export interface LoadSpec {
  /** Shown on the progress line. */
  label: string;
  baseUrl: string;
  connections: number;
  /** Stop after this many requests... */
  amount?: number;
  /** ...or after this many seconds, whichever comes first. */
  seconds: number;
  requests: LoadRequest[];
  /** Processes of the system under test, for CPU accounting. */
  pids: readonly number[];
  /** How long to wait, after the time is up, for requests already sent to be answered. */
  drainSeconds?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
  /** Requests sent that never got an answer (timeouts, dropped connections). */
  unanswered: number;
  timeouts: number;
  cpu: CpuUse;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

interface Tagged {
  /** This request is filler sent while draining: not measured, not passed on. */
  __drain?: boolean;
}

/** What a connection sends once the time is up: cheap, and not part of the measurement. */
const FILLER: LoadRequest = { method: "GET", path: "/v1/health", headers: {}, body: undefined };

/**
 * Drives autocannon against one target, bounded by amount and time. When the time is up
 * it does not cut connections with requests in flight (the server would go on processing
 * them while the audit already looks): it drains instead, sending only `GET /v1/health`
 * filler (not measured) until every measured request is answered. Latencies come from
 * every measured response (autocannon's own histogram has no p95), rates from the time
 * between the start and the last measured answer.
 */
export function runLoad(spec: LoadSpec, progress: Progress): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(4096);
    let count = 0;
    let sent = 0;
    let lastAt = 0;
    let draining = false;
    let fillerAnswer = false;
    /** Requests autocannon gave up on (timeouts, connection errors): no answer will come. */
    let lost = 0;
    const statuses: Record<string, number> = {};
    const before = snapshot(spec.pids);
    let instance: autocannon.Instance | undefined;

    const requests: LoadRequest[] = spec.requests.map((request) => ({
      ...request,
      setupRequest: (req, context) => {
        const tagged = context as Tagged;
        if (draining) {
          tagged.__drain = true;
          return { ...req, ...FILLER };
        }
        tagged.__drain = false;
        const setup = request.setupRequest;
        const built = typeof setup === "function" ? setup(req, context) : req;
        if (built) sent++;
        return built;
      },
      onResponse: (status, body, context, headers) => {
        const tagged = context as Tagged;
        fillerAnswer = tagged.__drain === true;
        if (fillerAnswer) return;
        const handler = request.onResponse;
        if (typeof handler === "function") handler(status, body, context, headers);
      },
    }));

    const ticker = setInterval(() => {
      const elapsed = (performance.now() - before.at) / 1000;
      const of = spec.amount === undefined ? `${Math.min(elapsed, spec.seconds).toFixed(0)}/${spec.seconds}s` : `${count}/${spec.amount}`;
      const drain = draining ? `, draining ${sent - count}` : "";
      progress.update(`${spec.label}: ${of}, ${Math.round(count / (elapsed || 1))} req/s${drain}`);
      // autocannon itself only notices the end on its own 1-second tick.
      const allAnswered = sent - count - lost <= 0;
      if (allAnswered && (draining || (spec.amount !== undefined && count + lost >= spec.amount))) instance?.stop();
    }, 250);
    const timeUp = setTimeout(() => {
      draining = true;
      drainCap = setTimeout(() => instance?.stop(), (spec.drainSeconds ?? 35) * 1000);
    }, spec.seconds * 1000);
    let drainCap: NodeJS.Timeout | undefined;

    const finish = (error: unknown, result?: autocannon.Result) => {
      clearInterval(ticker);
      clearTimeout(timeUp);
      clearTimeout(drainCap);
      if (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const after = snapshot(spec.pids);
      const measured = cpuBetween(before, after);
      // CPU is spread over the measured window (start to last answer), not the drain.
      const activeMs = Math.max(1, (count > 0 ? lastAt : after.at) - before.at);
      const scale = measured.wallMs / activeMs;
      const cpu: CpuUse = {
        wallMs: activeMs,
        targetCores: measured.targetCores * scale,
        benchCores: measured.benchCores * scale,
        otherCores: measured.otherCores * scale,
        targetMsPerRequest: count > 0 ? (measured.targetCores * measured.wallMs) / count : 0,
      };
      const sorted = latencies.slice(0, count).sort();
      resolve({
        requests: count,
        seconds: activeMs / 1000,
        rps: (count * 1000) / activeMs,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        statuses,
        unanswered: Math.max(0, sent - count),
        timeouts: result?.timeouts ?? 0,
        cpu,
      });
    };

    instance = autocannon(
      {
        url: spec.baseUrl,
        connections: Math.max(1, Math.min(spec.connections, spec.amount ?? Number.POSITIVE_INFINITY)),
        // The end is ours (time up, then drain); `amount` still bounds the count.
        ...(spec.amount === undefined ? { duration: spec.seconds + (spec.drainSeconds ?? 35) + 5 } : { amount: spec.amount }),
        timeout: 30,
        requests,
      },
      finish,
    );
    instance.on("reqError", () => {
      lost++;
    });
    // Emitted right after the request's onResponse, for the same connection: the filler
    // flag set there tells whether this answer is measured.
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (fillerAnswer) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
      lastAt = performance.now();
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}

/** Runs several loads at once (reads while writes go on); each is measured on its own. */
export function runLoads(specs: LoadSpec[], progress: Progress): Promise<LoadResult[]> {
  return Promise.all(specs.map((spec) => runLoad(spec, progress)));
}
