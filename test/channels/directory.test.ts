import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Channel } from "../../src/channels/channel";
import { CHANNEL_CACHE_MS, channelFor, clearChannelCacheForTests, rememberChannel } from "../../src/channels/directory";
import { ChannelStore } from "../../src/channels/store";

/**
 * The isolate cache of channels on the reserve path: fresh entries without D1, stale ones
 * refreshed, and while D1 is down the last value read rather than a failed reservation.
 */

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 12)}`;

/** A D1 that fails every call, the way an unreachable one does; counts what was asked of it. */
function downD1() {
  const calls = { count: 0 };
  const failure = () => {
    calls.count++;
    return Promise.reject(new Error("D1_ERROR: Network connection lost."));
  };
  const statement = { bind: () => statement, first: failure, all: failure, run: failure, raw: failure } as unknown as D1PreparedStatement;
  const db = { prepare: () => statement, batch: failure, exec: failure, dump: failure, withSession: () => db } as unknown as D1Database;
  return { db, calls };
}

/** The real D1, counting the statements prepared on it (drizzle prepares one per query). */
function countingD1() {
  const calls = { count: 0 };
  const db = new Proxy(env.DB, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "prepare") {
        return (...args: unknown[]) => {
          calls.count++;
          return Reflect.apply(value, target, args) as unknown;
        };
      }
      return value.bind(target);
    },
  });
  return { db, calls };
}

async function stored(id: string, warehouses: string[], safetyStock = 0): Promise<Channel> {
  return new ChannelStore(env.DB).put({ id, warehouses, safetyStock }, Date.now());
}

let now = Date.now();

beforeEach(() => {
  clearChannelCacheForTests();
  now = Date.now();
  vi.spyOn(Date, "now").mockImplementation(() => now);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("channelFor", () => {
  it("reads a channel from D1 once, then serves it without D1 while fresh", async () => {
    const id = unique("fresh");
    const channel = await stored(id, ["ams-1", "fra-1"], 3);
    const d1 = countingD1();
    expect(await channelFor(d1.db, id)).toEqual(channel);
    expect(d1.calls.count).toBe(1);
    now += CHANNEL_CACHE_MS - 1;
    const down = downD1();
    expect(await channelFor(down.db, id)).toEqual(channel);
    expect(down.calls.count).toBe(0);
  });

  it("caches that a channel does not exist", async () => {
    const id = unique("absent");
    const d1 = countingD1();
    expect(await channelFor(d1.db, id)).toBeNull();
    expect(await channelFor(d1.db, id)).toBeNull();
    expect(d1.calls.count).toBe(1);
  });

  it("reads D1 again once the entry is CHANNEL_CACHE_MS old, seeing a change made elsewhere", async () => {
    const id = unique("stale");
    await stored(id, ["ams-1"]);
    expect((await channelFor(env.DB, id))?.warehouses).toEqual(["ams-1"]);
    // Another isolate replaces it: this one does not hear of it …
    await stored(id, ["fra-1", "ams-1"], 2);
    now += CHANNEL_CACHE_MS - 1;
    expect((await channelFor(env.DB, id))?.warehouses).toEqual(["ams-1"]);
    // … until its entry goes stale.
    now += 1;
    expect(await channelFor(env.DB, id)).toMatchObject({ warehouses: ["fra-1", "ams-1"], safetyStock: 2 });
  });

  it("serves the last channel read, however old, while D1 is down, and warns", async () => {
    const id = unique("down");
    const channel = await stored(id, ["ams-1", "fra-1"], 7);
    expect(await channelFor(env.DB, id)).toEqual(channel);

    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const down = downD1();
    now += 60 * 60 * 1000;
    expect(await channelFor(down.db, id)).toEqual(channel);
    expect(down.calls.count).toBeGreaterThan(0);
    expect(warn).toHaveBeenCalled();
    // Still stale: every call tries D1 again, so the cache recovers as soon as D1 does.
    const before = down.calls.count;
    expect(await channelFor(down.db, id)).toEqual(channel);
    expect(down.calls.count).toBeGreaterThan(before);
    const updated = await stored(id, ["fra-1"], 1);
    expect(await channelFor(env.DB, id)).toEqual(updated);
  });

  it("serves a cached 'no such channel' while D1 is down", async () => {
    const id = unique("down-absent");
    expect(await channelFor(env.DB, id)).toBeNull();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    now += CHANNEL_CACHE_MS * 10;
    expect(await channelFor(downD1().db, id)).toBeNull();
  });

  it("fails when D1 is down and this isolate has never read the channel", async () => {
    const id = unique("cold");
    await stored(id, ["ams-1"]);
    await expect(channelFor(downD1().db, id)).rejects.toThrow();
  });

  it("shares one D1 read between concurrent misses of the same channel", async () => {
    const id = unique("shared");
    const channel = await stored(id, ["ams-1"]);
    const other = unique("shared-other");
    const d1 = countingD1();
    const results = await Promise.all([channelFor(d1.db, id), channelFor(d1.db, id), channelFor(d1.db, id), channelFor(d1.db, other)]);
    expect(results).toEqual([channel, channel, channel, null]);
    expect(d1.calls.count).toBe(2);
  });

  it("fails every waiter of a shared read when D1 is down and nothing is cached", async () => {
    const id = unique("shared-down");
    const down = downD1();
    const results = await Promise.allSettled([channelFor(down.db, id), channelFor(down.db, id)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(down.calls.count).toBe(1);
  });
});

describe("rememberChannel", () => {
  it("puts this isolate's own change in effect at once, with no D1 read", async () => {
    const id = unique("own");
    await stored(id, ["ams-1"]);
    expect((await channelFor(env.DB, id))?.warehouses).toEqual(["ams-1"]);
    const replaced = await stored(id, ["fra-1"]);
    rememberChannel(id, replaced);
    const down = downD1();
    expect(await channelFor(down.db, id)).toEqual(replaced);
    rememberChannel(id, null);
    expect(await channelFor(down.db, id)).toBeNull();
    expect(down.calls.count).toBe(0);
  });

  it("is not overwritten by a D1 read that started before it", async () => {
    const id = unique("race");
    const old = await stored(id, ["ams-1"]);
    const reading = channelFor(env.DB, id);
    const replaced: Channel = { ...old, warehouses: ["fra-1"], updatedAt: old.updatedAt + 1 };
    rememberChannel(id, replaced);
    // The read already under way answers what D1 held when it ran …
    expect(await reading).toEqual(old);
    // … but the cache keeps this isolate's own change.
    const down = downD1();
    expect(await channelFor(down.db, id)).toEqual(replaced);
    expect(down.calls.count).toBe(0);
  });
});
