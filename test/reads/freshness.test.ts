import { describe, expect, it } from "vitest";
import { ReadCopies } from "../../src/reads/copies";
import { ageSeconds, isFreshEnough, MAX_AGE_LIMIT_S, maxAgeFromCacheControl } from "../../src/reads/freshness";

describe("Cache-Control on a level read (RFC 9111)", () => {
  const bound = (header: string | undefined) => maxAgeFromCacheControl(header);

  it("no header, an empty one, max-age=0 and no-cache are the exact read", () => {
    for (const header of [undefined, "", "  ", "max-age=0", "no-cache", "no-cache, max-age=30", "NO-CACHE"]) {
      expect(bound(header), String(header)).toEqual({ ok: true, maxAgeSeconds: 0 });
    }
  });

  it("max-age=N accepts a copy N seconds old, at most the limit; case and spaces do not matter", () => {
    expect(bound("max-age=5")).toEqual({ ok: true, maxAgeSeconds: 5 });
    expect(bound("Max-Age=7")).toEqual({ ok: true, maxAgeSeconds: 7 });
    expect(bound(' max-age="9" ')).toEqual({ ok: true, maxAgeSeconds: 9 });
    expect(bound("max-age=3600")).toEqual({ ok: true, maxAgeSeconds: MAX_AGE_LIMIT_S });
  });

  it("directives the server does not use are ignored", () => {
    expect(bound("no-store, max-age=5")).toEqual({ ok: true, maxAgeSeconds: 5 });
    expect(bound("max-stale=100, only-if-cached, x-ext")).toEqual({ ok: true, maxAgeSeconds: 0 });
    expect(bound(",,max-age=2,")).toEqual({ ok: true, maxAgeSeconds: 2 });
  });

  it("a max-age that is not one whole number of seconds is refused", () => {
    for (const header of [
      "max-age",
      "max-age=",
      "max-age=-1",
      "max-age=1.5",
      "max-age=abc",
      "max-age=5, max-age=6",
      "max-age=99999999999",
    ]) {
      expect(bound(header).ok, header).toBe(false);
    }
  });
});

describe("a copy's freshness", () => {
  it("serves while its age is at most the bound, never with a bound of 0", () => {
    expect(isFreshEnough(1_000, 6_000, 5)).toBe(true);
    expect(isFreshEnough(1_000, 6_001, 5)).toBe(false);
    expect(isFreshEnough(1_000, 1_000, 0)).toBe(false);
  });

  it("Age is whole seconds, never negative", () => {
    expect(ageSeconds(1_000, 1_999)).toBe(0);
    expect(ageSeconds(1_000, 4_500)).toBe(3);
    expect(ageSeconds(5_000, 1_000)).toBe(0);
  });
});

describe("ReadCopies", () => {
  function clocked() {
    let now = 1_000_000;
    let reads = 0;
    const copies = new ReadCopies<number>(3, () => now);
    const read = (value: number, gate?: Promise<void>) => async () => {
      reads++;
      await gate;
      return value;
    };
    return { copies, read, advance: (ms: number) => (now += ms), reads: () => reads, now: () => now };
  }

  it("answers from its copy while fresh enough, and reads again once it is older than asked", async () => {
    const t = clocked();
    expect((await t.copies.get("a", 5, t.read(1))).value).toBe(1);
    t.advance(5_000);
    expect((await t.copies.get("a", 5, t.read(2))).value).toBe(1);
    t.advance(1);
    const third = await t.copies.get("a", 5, t.read(3));
    expect(third).toEqual({ value: 3, readAt: t.now() });
    expect(t.reads()).toBe(2);
  });

  it("a bound of 0 always reads", async () => {
    const t = clocked();
    await t.copies.get("a", 5, t.read(1));
    expect((await t.copies.get("a", 0, t.read(2))).value).toBe(2);
    expect(t.reads()).toBe(2);
  });

  it("many concurrent misses for one key read it once", async () => {
    const t = clocked();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const all = Promise.all(Array.from({ length: 50 }, () => t.copies.get("hot", 5, t.read(7, gate))));
    open();
    expect((await all).map((copy) => copy.value)).toEqual(Array(50).fill(7));
    expect(t.reads()).toBe(1);
  });

  it("a copy is dated by when its read was sent, so its age is never understated", async () => {
    const t = clocked();
    const sentAt = t.now();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const pending = t.copies.get("slow", 5, t.read(1, gate));
    t.advance(2_000);
    open();
    expect((await pending).readAt).toBe(sentAt);
  });

  it("keeps at most its capacity, dropping the least recently read", async () => {
    const t = clocked();
    for (const key of ["a", "b", "c"]) await t.copies.get(key, 5, t.read(1));
    await t.copies.get("a", 5, t.read(1));
    await t.copies.get("d", 5, t.read(1));
    const before = t.reads();
    await t.copies.get("a", 5, t.read(1));
    expect(t.reads()).toBe(before);
    await t.copies.get("b", 5, t.read(1));
    expect(t.reads()).toBe(before + 1);
  });

  it("a failed read is not kept, and the next caller reads again", async () => {
    const t = clocked();
    await expect(t.copies.get("x", 5, () => Promise.reject(new Error("unreachable")))).rejects.toThrow("unreachable");
    expect((await t.copies.get("x", 5, t.read(4))).value).toBe(4);
  });
});
