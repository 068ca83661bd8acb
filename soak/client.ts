import { setTimeout as sleep } from "node:timers/promises";
import type { Exchange, History } from "./history";

/**
 * HTTP as a careful client does it: every exchange recorded in the history, and a write
 * retried with the same request (same reservation id, same Idempotency-Key, same If-Match)
 * until it gets a definitive answer: any 2xx or 4xx but 429. No answer at all (the server was
 * killed), a 5xx or a 429 are not definitive: the client waits (Retry-After when given, else
 * a short pause) and sends the very same request again.
 */

export interface RequestSpec {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  op: string;
  keys: string[];
}

export interface Outcome {
  /** The definitive exchange, or the last one when the client gave up. */
  last: Exchange;
  /** An earlier attempt had no definitive answer: it may have been applied. */
  uncertain: boolean;
  /** No definitive answer before the deadline. */
  gaveUp: boolean;
  attempts: number;
}

export function isDefinitive(status: number): boolean {
  return status >= 200 && status < 500 && status !== 429 && status !== 408;
}

export class Client {
  constructor(
    private readonly baseUrl: () => string,
    private readonly token: string,
    private readonly history: History,
    readonly who: string,
  ) {}

  /** One attempt, recorded. */
  async once(spec: RequestSpec, attempt = 1, timeoutMs = 30_000): Promise<Exchange> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...spec.headers };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    const sentMs = this.history.now();
    let status = 0;
    let retryAfter: string | null = null;
    let answer: unknown;
    let error: string | undefined;
    try {
      const response = await fetch(this.baseUrl() + spec.path, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      try {
        answer = text === "" ? null : JSON.parse(text);
      } catch {
        answer = text.slice(0, 500);
      }
    } catch (e) {
      status = 0;
      error = e instanceof Error ? `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}` : String(e);
    }
    return this.history.record({
      who: this.who,
      op: spec.op,
      method: spec.method,
      path: spec.path,
      headers: spec.headers,
      body: spec.body,
      sentMs,
      doneMs: this.history.now(),
      status,
      retryAfter,
      answer,
      error,
      attempt,
      keys: spec.keys,
    });
  }

  /** Sends `spec` until a definitive answer, or gives up after `deadlineMs`. */
  async until(spec: RequestSpec, deadlineMs = 240_000): Promise<Outcome> {
    const giveUpAt = Date.now() + deadlineMs;
    let uncertain = false;
    for (let attempt = 1; ; attempt++) {
      const last = await this.once(spec, attempt);
      if (isDefinitive(last.status)) return { last, uncertain, gaveUp: false, attempts: attempt };
      uncertain = true;
      if (Date.now() >= giveUpAt) return { last, uncertain, gaveUp: true, attempts: attempt };
      await sleep(pauseMs(last));
    }
  }

  get(path: string, op: string, keys: string[]): Promise<Outcome> {
    return this.until({ method: "GET", path, op, keys });
  }
}

function pauseMs(e: Exchange): number {
  const seconds = Number(e.retryAfter);
  if (e.retryAfter && Number.isFinite(seconds)) return Math.min(5_000, Math.max(100, seconds * 1000));
  return e.status === 0 ? 400 + Math.random() * 400 : 1_000;
}
