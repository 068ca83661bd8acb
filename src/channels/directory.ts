import type { Channel } from "./channel";
import { ChannelStore } from "./store";

/**
 * The channels the reserve path sources from, cached in this isolate so that path does not
 * wait on D1 (../shared/architecture.md: "the reserve path never waits on D1").
 *
 * What a change costs to take effect: a PUT or DELETE applies at once in the isolate that
 * served it (the route calls `rememberChannel`), and within CHANNEL_CACHE_MS (10 s) in every
 * other isolate, when its entry goes stale and is read again. A reservation sourced in that
 * window may use the previous warehouses or safety stock.
 *
 * While D1 is down, a stale entry of any age is served rather than failing the reservation:
 * a channel changes rarely, and refusing every sourced order is worse than using last
 * minute's warehouse list. Only a channel this isolate has never read fails (503).
 */

/** How long an entry, "no such channel" included, is served without asking D1. */
export const CHANNEL_CACHE_MS = 10_000;

/** Bounds the memory one isolate spends; past it the entry written longest ago goes first. */
const MAX_ENTRIES = 1_000;

interface Entry {
  channel: Channel | null;
  /** Epoch milliseconds this isolate learnt the value. */
  at: number;
}

/** Insertion-ordered: re-inserted on every write, so the first key is the oldest. */
const entries = new Map<string, Entry>();

/** One D1 read per id at a time; concurrent misses wait for the same one. */
const reads = new Map<string, Promise<Channel | null>>();

/** Bumped by `rememberChannel`: a read started before it must not overwrite what it set. */
const generations = new Map<string, number>();

function remember(id: string, channel: Channel | null, at: number): void {
  entries.delete(id);
  entries.set(id, { channel, at });
  while (entries.size > MAX_ENTRIES) {
    const oldest = entries.keys().next();
    if (oldest.done === true) break;
    entries.delete(oldest.value);
    generations.delete(oldest.value);
  }
}

function read(db: D1Database, id: string): Promise<Channel | null> {
  const pending = reads.get(id);
  if (pending !== undefined) return pending;
  const generation = generations.get(id) ?? 0;
  const started = new ChannelStore(db)
    .get(id)
    .then((channel) => {
      if ((generations.get(id) ?? 0) === generation) remember(id, channel, Date.now());
      return channel;
    })
    .finally(() => {
      if (reads.get(id) === started) reads.delete(id);
    });
  reads.set(id, started);
  return started;
}

/** The channel `id`, or null if there is none; see above for how fresh it is. */
export async function channelFor(db: D1Database, id: string): Promise<Channel | null> {
  const cached = entries.get(id);
  if (cached !== undefined && Date.now() - cached.at < CHANNEL_CACHE_MS) return cached.channel;
  try {
    return await read(db, id);
  } catch (error) {
    // Looked up again: a PUT in this isolate may have refreshed it while D1 was failing.
    const stale = entries.get(id);
    if (stale === undefined) throw error;
    console.warn(`channel ${id}: D1 unreachable, serving what this isolate read ${Date.now() - stale.at} ms ago`, error);
    return stale.channel;
  }
}

/** This isolate's own PUT (`channel`) or DELETE (`null`) of `id`, in effect here at once. */
export function rememberChannel(id: string, channel: Channel | null): void {
  generations.set(id, (generations.get(id) ?? 0) + 1);
  reads.delete(id);
  remember(id, channel, Date.now());
}

/** Tests only: forget everything, as a fresh isolate would. */
export function clearChannelCacheForTests(): void {
  entries.clear();
  reads.clear();
  generations.clear();
}
