import type { Region } from "../../src/regions/regions";
import { parseServerTiming, type TimingEntry } from "./timing";

/**
 * The simulated buyers' HTTP client: every request names its buyer's region in the header the
 * Worker honours only under `SIMULATE_GEO` = "true" (src/regions/caller.ts), and its latency is
 * measured here, on the client, from before the request is sent to the end of its body: the
 * simulated delays are real waits inside the Worker, so the wall clock is the figure.
 */
export const SIMULATED_REGION_HEADER = "x-stockflare-simulated-region";

export interface Reply {
  status: number;
  body: unknown;
  ms: number;
  timing: TimingEntry[];
  /** The raw `Server-Timing` header, when there was one. */
  serverTiming: string | null;
}

export class GeoClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call(buyer: Region, method: string, path: string, body?: unknown): Promise<Reply> {
    const started = performance.now();
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        "content-type": "application/json",
        [SIMULATED_REGION_HEADER]: buyer,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: kept as text for the report
    }
    const serverTiming = response.headers.get("server-timing");
    return { status: response.status, body: parsed, ms, timing: parseServerTiming(serverTiming), serverTiming };
  }
}
