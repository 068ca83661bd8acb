import { IsolateCache } from "../isolate/cache";
import type { Channel } from "./channel";
import { ChannelStore } from "./store";

/**
 * The channels the reserve path sources from, cached in this isolate so that path does not
 * wait on D1 (docs/architecture.md, "What never happens": the reserve path never waits on D1).
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

const channels = new IsolateCache<Channel | null>("channels", CHANNEL_CACHE_MS, MAX_ENTRIES);

/** The channel `id`, or null if there is none; see above for how fresh it is. */
export function channelFor(db: D1Database, id: string): Promise<Channel | null> {
  return channels.get(id, () => new ChannelStore(db).get(id));
}

/** This isolate's own PUT (`channel`) or DELETE (`null`) of `id`, in effect here at once. */
export function rememberChannel(id: string, channel: Channel | null): void {
  channels.remember(id, channel);
}

/** Tests only: forget everything, as a fresh isolate would. */
export function clearChannelCacheForTests(): void {
  channels.clear();
}
