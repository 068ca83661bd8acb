/**
 * Cloudflare's published Workers Paid prices, the only place the bench keeps them: the cost
 * table multiplies the units the meter counted by these. Each price is the marginal one, past
 * the plan's monthly inclusions (listed beside it, not subtracted: a million operations is a
 * small share of a shop's month, and the inclusions are shared with everything else the account
 * runs). The $5 monthly minimum of the plan is left out for the same reason.
 *
 * Pages read on 2026-12-04. The pages as read showed no "last updated" date of their own,
 * except where noted.
 */

export interface Price {
  /** What is billed, as the cost table names it. */
  unit: string;
  /** US dollars per million units. */
  usdPerMillion: number;
  /** Included per month on Workers Paid (for the record; not subtracted). */
  includedPerMonth: string;
  source: string;
  /** The date the page showed, or that it showed none. */
  pageDate: string;
}

const WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";
const DURABLE_OBJECTS = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const QUEUES = "https://developers.cloudflare.com/queues/platform/pricing/";
const D1 = "https://developers.cloudflare.com/d1/platform/pricing/";
const NO_DATE = "no date shown; read 2026-12-04";

export const PRICES = {
  workerRequests: {
    unit: "Worker requests",
    usdPerMillion: 0.3,
    includedPerMonth: "10 million",
    source: `${WORKERS} (Standard usage model; requests to static assets are free; subrequests are not billed)`,
    pageDate: NO_DATE,
  },
  workerCpuMs: {
    unit: "Worker CPU ms",
    usdPerMillion: 0.02,
    includedPerMonth: "30 million CPU ms",
    source: WORKERS,
    pageDate: NO_DATE,
  },
  doRequests: {
    unit: "Durable Object requests",
    usdPerMillion: 0.15,
    includedPerMonth: "1 million",
    source: `${DURABLE_OBJECTS} (every RPC method call on a stub is one request; alarm invocations count; WebSocket messages 20:1)`,
    pageDate: NO_DATE,
  },
  doGbSeconds: {
    unit: "Durable Object duration, GB-s",
    usdPerMillion: 12.5,
    includedPerMonth: "400,000 GB-s",
    source: `${DURABLE_OBJECTS} (wall-clock time while active or unable to hibernate, 128 MB per object)`,
    pageDate: NO_DATE,
  },
  doRowsRead: {
    unit: "Durable Object SQLite rows read",
    usdPerMillion: 0.001,
    includedPerMonth: "25 billion",
    source: `${DURABLE_OBJECTS}#sqlite-storage-backend (billed since January 2026, per the Durable Objects changelog of Dec 12, 2025)`,
    pageDate: NO_DATE,
  },
  doRowsWritten: {
    unit: "Durable Object SQLite rows written",
    usdPerMillion: 1.0,
    includedPerMonth: "50 million",
    source: `${DURABLE_OBJECTS}#sqlite-storage-backend`,
    pageDate: NO_DATE,
  },
  queueOperations: {
    unit: "Queue operations",
    usdPerMillion: 0.4,
    includedPerMonth: "1 million",
    source: `${QUEUES} (per 64 KB of a message written, read or deleted: 3 per delivered message; a KB is 1,000 bytes, ~100 bytes of metadata per message)`,
    pageDate: NO_DATE,
  },
  d1RowsRead: {
    unit: "D1 rows read",
    usdPerMillion: 0.001,
    includedPerMonth: "25 billion",
    source: D1,
    pageDate: NO_DATE,
  },
  d1RowsWritten: {
    unit: "D1 rows written",
    usdPerMillion: 1.0,
    includedPerMonth: "50 million",
    source: D1,
    pageDate: NO_DATE,
  },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** Memory Durable Object duration is billed for, per object (GB). */
export const DO_MEMORY_GB = 0.128;
