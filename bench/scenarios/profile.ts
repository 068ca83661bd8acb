import { writeFile } from "node:fs/promises";
import { reservationId } from "../ledger";
import { cpuBetween, snapshot } from "../lib/cpu";
import { type ProfileSummary, profileWhile, summarize } from "../lib/inspector";
import { runLoad } from "../lib/load";
import { type RunContext, reserveRequest, TTL_SECONDS } from "./common";

/**
 * Where the time goes inside workerd (run on the Miniflare path, after its scenarios):
 *  1. a timing breakdown: each kind of call alone, one at a time, with the server's CPU
 *     per call, so the cost of each step of a reservation shows without any queueing;
 *  2. a V8 CPU profile of the Worker's isolate (through workerd's inspector) during a
 *     hot-SKU load, summarised by source file through the bundle's source map.
 */

export interface StepTiming {
  step: string;
  what: string;
  calls: number;
  p50: number;
  mean: number;
  cpuMsPerCall: number;
}

export interface ProfileResult {
  steps: StepTiming[];
  hot?: { rps: number; summary: ProfileSummary; file?: string };
}

export async function profileWorker(
  ctx: RunContext,
  options: { inspectorUrl?: string; bundle?: string; calls: number; seconds: number; save?: string },
): Promise<ProfileResult> {
  const { api, target, ledger } = ctx;
  const sku = "PROFILE-1";
  const warehouse = "wh-1";
  await api.put(`/v1/stock/${sku}/${warehouse}`, { onHand: 1_000_000 });
  ledger.setItem(sku, warehouse, 1_000_000);
  await api.put(`/v1/stock/PROFILE-0/${warehouse}`, { onHand: 0 });
  ledger.setItem("PROFILE-0", warehouse, 0);
  const repeatId = reservationId(ctx.runTag, "profile", 0);
  const line = (s: string) => [{ sku: s, warehouse, quantity: 1 }];
  ledger.sent(repeatId, "profile", line(sku));
  ledger.placed(repeatId, (await api.post("/v1/reservations", { id: repeatId, lines: line(sku), ttlSeconds: TTL_SECONDS })).status);
  let n = 1;
  const fresh = (s: string) => {
    const id = reservationId(ctx.runTag, "profile", n++);
    ledger.sent(id, "profile", line(s));
    return id;
  };

  const steps: {
    step: string;
    what: string;
    call: (i: number) => Promise<{ status: number }>;
    after?: (id: string, status: number) => void;
  }[] = [
    { step: "GET /v1/health", what: "the Worker alone (no token, no object)", call: () => api.get("/v1/health") },
    {
      // What the token check, JSON parsing and schema validation cost before any object is
      // called: an empty `lines` is refused with 400 by the schema.
      step: "POST /v1/reservations, invalid body (400)",
      what: "the Worker alone with a token and a body to validate (no object)",
      call: () => api.post("/v1/reservations", { lines: [], ttlSeconds: TTL_SECONDS }),
    },
    { step: "GET /v1/stock/{sku}/{wh}", what: "one call to an existing stock item", call: () => api.get(`/v1/stock/${sku}/${warehouse}`) },
    {
      step: "POST /v1/reservations, repeated id",
      what: "the coordinator answers from the record it keeps (no stock call)",
      call: () => api.post("/v1/reservations", { id: repeatId, lines: line(sku), ttlSeconds: TTL_SECONDS }),
    },
    {
      step: "POST /v1/reservations, new id (201)",
      what: "a new reservation id: one hold on an existing item",
      call: async () => {
        const id = fresh(sku);
        const answer = await api.post("/v1/reservations", { id, lines: line(sku), ttlSeconds: TTL_SECONDS });
        ledger.placed(id, answer.status);
        return answer;
      },
    },
    {
      step: "POST /v1/reservations, sold out (409)",
      what: "a new reservation id on a sold-out item: one refused hold",
      call: async () => {
        const id = fresh("PROFILE-0");
        const answer = await api.post("/v1/reservations", { id, lines: line("PROFILE-0"), ttlSeconds: TTL_SECONDS });
        ledger.placed(id, answer.status);
        return answer;
      },
    },
    {
      step: "PUT /v1/stock/{sku}/{wh}, existing item",
      what: "one write transaction on an existing stock item",
      call: () => api.put(`/v1/stock/${sku}/${warehouse}`, { onHand: 1_000_000 }),
    },
    {
      step: "PUT /v1/stock/{sku}/{wh}, new item",
      what: "a new stock item (its first write)",
      call: (i) => api.put(`/v1/stock/PROFILE-NEW-${i}/${warehouse}`, { onHand: 10 }),
    },
  ];

  const timings: StepTiming[] = [];
  for (const step of steps) {
    ctx.progress.update(`${target.label}: timing breakdown: ${step.step}`);
    const latencies: number[] = [];
    const before = snapshot(target.pids());
    for (let i = 0; i < options.calls; i++) {
      const started = performance.now();
      const answer = await step.call(i);
      latencies.push(performance.now() - started);
      if (answer.status >= 500) throw new Error(`${step.step}: ${answer.status}`);
    }
    const cpu = cpuBetween(before, snapshot(target.pids()));
    latencies.sort((a, b) => a - b);
    timings.push({
      step: step.step,
      what: step.what,
      calls: options.calls,
      p50: latencies[Math.floor(latencies.length / 2)] ?? 0,
      mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      cpuMsPerCall: (cpu.targetCores * cpu.wallMs) / options.calls,
    });
  }

  if (options.inspectorUrl === undefined || options.bundle === undefined) return { steps: timings };
  const bundle = options.bundle;
  const { result, profile } = await profileWhile(options.inspectorUrl, () =>
    runLoad(
      {
        label: `${target.label}: CPU profile of a hot-SKU load`,
        baseUrl: target.baseUrl,
        connections: ctx.profile.connections,
        seconds: options.seconds,
        requests: [reserveRequest(ctx, "profile-load", () => line(sku))],
        pids: target.pids(),
      },
      ctx.progress,
    ),
  );
  const summary = await summarize(profile, bundle, `${bundle}.map`);
  if (options.save !== undefined) await writeFile(options.save, JSON.stringify(profile));
  return { steps: timings, hot: { rps: result.rps, summary, ...(options.save === undefined ? {} : { file: options.save }) } };
}
