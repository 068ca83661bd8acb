import type { Progress } from "./progress";

/** What a target answers, parsed. */
export interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

/** A plain JSON client for setup and audit calls (the load itself goes through autocannon). */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, "content-type": "application/json" };
  }

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const started = performance.now();
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: this.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, body: parsed, ms: performance.now() - started };
  }

  get(path: string): Promise<Answer> {
    return this.call("GET", path);
  }

  put(path: string, body: unknown): Promise<Answer> {
    return this.call("PUT", path, body);
  }

  post(path: string, body?: unknown): Promise<Answer> {
    return this.call("POST", path, body ?? {});
  }
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight, reporting progress.
 * Returns the results in input order.
 */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  progress?: { line: Progress; label: string },
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const report = () =>
    progress?.line.update(
      `${progress.label}: ${done}/${items.length} (${Math.round(done / ((performance.now() - started) / 1000 || 1))}/s)`,
    );
  const timer = setInterval(report, 1_000);
  try {
    const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const index = next++;
        if (index >= items.length) return;
        results[index] = await work(items[index] as T, index);
        done++;
      }
    });
    await Promise.all(workers);
  } finally {
    clearInterval(timer);
  }
  return results;
}
