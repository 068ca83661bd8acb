import { createWriteStream, type WriteStream } from "node:fs";

/**
 * The run's history, Jepsen-style: every request any client made, its answer and its times,
 * in the order they completed, appended to a JSONL file as the run goes and kept in memory
 * for the checks. `keys` tags an exchange with what it touched (a reservation id, an item
 * `sku/warehouse`, a webhook id), so a violation can be shown with the few exchanges that
 * concern it rather than the whole run.
 */

export interface Exchange {
  /** Order of completion, from 1. */
  n: number;
  /** Who: a load client (`c3`), the injector, setup or the checker. */
  who: string;
  op: string;
  method: string;
  path: string;
  /** Request headers worth keeping (If-Match, Idempotency-Key). */
  headers?: Record<string, string>;
  body?: unknown;
  /** ms since the run started, when sent and when answered. */
  sentMs: number;
  doneMs: number;
  /** HTTP status; 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  retryAfter?: string | null;
  answer?: unknown;
  error?: string;
  /** 1 for the first attempt of a write, 2.. for its retries. */
  attempt: number;
  keys: string[];
}

/** A fault the injector applied, in the same file. */
export interface FaultRecord {
  n: number;
  fault: string;
  startMs: number;
  endMs: number;
  detail?: string;
}

export class History {
  readonly exchanges: Exchange[] = [];
  readonly faults: FaultRecord[] = [];
  private readonly out: WriteStream | null;
  private n = 0;
  /** Times are counted from here: the start of the load once `rebase` is called. */
  private startedAt = Date.now();

  constructor(file: string | null) {
    this.out = file === null ? null : createWriteStream(file, { flags: "w" });
  }

  now(): number {
    return Date.now() - this.startedAt;
  }

  /** Counts times from now on (setup's exchanges keep negative times). */
  rebase(): void {
    this.startedAt = Date.now();
  }

  record(exchange: Omit<Exchange, "n">): Exchange {
    const full = { n: ++this.n, ...exchange };
    this.exchanges.push(full);
    this.out?.write(`${JSON.stringify(full)}\n`);
    return full;
  }

  fault(record: Omit<FaultRecord, "n">): FaultRecord {
    const full = { n: ++this.n, ...record };
    this.faults.push(full);
    this.out?.write(`${JSON.stringify(full)}\n`);
    return full;
  }

  /** A webhook delivery a receiver got, in the same file (the checks read them from Receivers). */
  delivery(record: object): void {
    this.out?.write(`${JSON.stringify({ n: ++this.n, delivery: record })}\n`);
  }

  /**
   * The smallest excerpt about `key`: its last `limit` definitive answers to the load (a retried
   * write shows once, as its definitive attempt, numbered by its try) and the checker's reads.
   */
  about(key: string, limit = 6): Exchange[] {
    const tagged = this.exchanges.filter((e) => e.keys.includes(key));
    const definitive = (e: Exchange) => e.status !== 0 && e.status < 500 && e.status !== 429;
    const load = tagged.filter((e) => e.who !== "checker" && definitive(e)).slice(-limit);
    // The checker's last read of each kind (the level, the events), not every poll.
    const lastByOp = new Map(tagged.filter((e) => e.who === "checker").map((e) => [e.op, e]));
    const checker = [...lastByOp.values()];
    return [...load, ...checker];
  }

  /** The writes (not reads) about `key` answered between two instants (epoch ms), by number. */
  writesBetween(key: string, fromEpochMs: number, toEpochMs: number, limit = 6): number[] {
    const from = fromEpochMs - this.startedAt;
    const to = toEpochMs - this.startedAt;
    const definitive = (e: Exchange) => e.status !== 0 && e.status < 500 && e.status !== 429;
    return this.exchanges
      .filter((e) => e.keys.includes(key) && e.method !== "GET" && definitive(e) && e.doneMs >= from && e.sentMs <= to)
      .slice(0, limit)
      .map((e) => e.n);
  }

  byNumber(n: number): Exchange | undefined {
    return this.exchanges.find((e) => e.n === n);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.out === null ? resolve() : this.out.end(resolve)));
  }
}

/** One exchange as a line of an excerpt. */
export function formatExchange(e: Exchange): string {
  const headers =
    e.headers === undefined
      ? ""
      : ` ${Object.entries(e.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join(" ")}`;
  const body = e.body === undefined ? "" : ` ${JSON.stringify(e.body)}`;
  const answer =
    e.status === 0
      ? `no answer (${e.error ?? "?"})`
      : `${e.status}${e.retryAfter ? ` Retry-After ${e.retryAfter}` : ""} ${trim(JSON.stringify(e.answer ?? null), 220)}`;
  return `#${e.n} ${(e.sentMs / 1000).toFixed(2)}s ${e.who} ${e.method} ${e.path}${headers}${trim(body, 200)} (try ${e.attempt}) -> ${answer}`;
}

function trim(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
