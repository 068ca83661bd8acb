import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nearestFirst, roundTripMs } from "../../src/geo/round-trips";
import { REGIONS, type Region } from "../../src/regions/regions";
import {
  aim,
  type Demand,
  demandShare,
  excess,
  grantByDemand,
  layoutFor,
  membersFor,
  NO_DEMAND,
  rateAt,
  recordSale,
  refillWant,
} from "../../src/stock/pool-demand";

/** Regional pools' arithmetic (src/stock/pool-demand.ts), against simple models. */

const region = fc.constantFrom(...REGIONS);
const regionList = fc.uniqueArray(region, { minLength: 1, maxLength: 9 });

describe("grants sized by demand", () => {
  it("never grant more than is unallocated, and at least what is wanted when there is that much", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (u, want, share) => {
          const g = grantByDemand(u, want, share);
          expect(g).toBeGreaterThanOrEqual(0);
          expect(g).toBeLessThanOrEqual(Math.max(0, u));
          if (u > 0 && want > 0) expect(g).toBeGreaterThanOrEqual(Math.min(want, u));
          if (want === 0) expect(g).toBe(0);
        },
      ),
    );
  });

  it("gives a selling member a larger share than an idle one", () => {
    const busy = demandShare([5, 0.1, 0], 5, 3);
    const idle = demandShare([5, 0.1, 0], 0, 3);
    expect(grantByDemand(100, 1, busy)).toBeGreaterThan(grantByDemand(100, 1, idle));
    expect(demandShare([0, 0], 0, 2)).toBe(0.5);
  });

  it("decays the rate, aims ahead of demand, and trims an idle member to nothing", () => {
    const now = 1_000_000;
    let d: Demand = NO_DEMAND;
    for (let i = 0; i < 10; i++) d = recordSale(d, 3, now + i * 100);
    const at = now + 1000;
    expect(rateAt(d, at)).toBeGreaterThan(0.9);
    expect(rateAt(d, at + 300_000)).toBeLessThan(rateAt(d, at) / 1000);
    expect(aim(d, at)).toBeGreaterThanOrEqual(10);
    expect(refillWant(0, d, 0, at)).toBe(aim(d, at));
    expect(refillWant(aim(d, at), d, 0, at)).toBe(0);
    expect(excess(50, d, at)).toBe(50 - aim(d, at));
    expect(excess(7, NO_DEMAND, at)).toBe(7);
    // Idle for long: no aim any more, everything free goes back when asked.
    expect(excess(7, d, at + 120_000)).toBe(7);
  });
});

type Step = { kind: "sell"; member: number; units: number } | { kind: "refill"; member: number } | { kind: "trim"; member: number };

describe("a regional pool against a model of its units", () => {
  it("conserves every unit and never lets a member or the parent go below zero", () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant("sell" as const), member: fc.nat(4), units: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant("refill" as const), member: fc.nat(4) }),
      fc.record({ kind: fc.constant("trim" as const), member: fc.nat(4) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(step, { maxLength: 120 }),
        (total, n, steps) => {
          let unallocated = total;
          const free = Array.from({ length: n }, () => 0);
          const demand: Demand[] = Array.from({ length: n }, () => NO_DEMAND);
          const lastGrant = Array.from({ length: n }, () => 0);
          let sold = 0;
          let now = 1_000_000;
          for (const s of steps) {
            now += 250;
            const k = s.member % n;
            if (s.kind === "sell") {
              demand[k] = recordSale(demand[k] as Demand, s.units, now);
              if ((free[k] as number) >= s.units) {
                free[k] = (free[k] as number) - s.units;
                sold += s.units;
              }
            } else if (s.kind === "refill") {
              const want = Math.max(1, refillWant(free[k] as number, demand[k] as Demand, lastGrant[k] as number, now));
              const share = demandShare(
                demand.map((d) => rateAt(d, now)),
                rateAt(demand[k] as Demand, now),
                n,
              );
              const g = grantByDemand(unallocated, want, share);
              expect(g).toBeLessThanOrEqual(unallocated);
              unallocated -= g;
              free[k] = (free[k] as number) + g;
              if (g > 0) lastGrant[k] = g;
            } else {
              const back = excess(free[k] as number, demand[k] as Demand, now);
              expect(back).toBeLessThanOrEqual(free[k] as number);
              free[k] = (free[k] as number) - back;
              unallocated += back;
            }
            expect(unallocated).toBeGreaterThanOrEqual(0);
            for (const f of free) expect(f).toBeGreaterThanOrEqual(0);
            expect(unallocated + free.reduce((a, b) => a + b, 0) + sold).toBe(total);
          }
        },
      ),
    );
  });
});

describe("layout over regions", () => {
  it("places slot j in region j mod n, keeps a member whose region stays, never reuses a number", () => {
    fc.assert(
      fc.property(
        regionList,
        fc.integer({ min: 0, max: 8 }),
        regionList,
        fc.integer({ min: 0, max: 8 }),
        (first, extra1, second, extra2) => {
          const s1 = first.length + extra1;
          const a = layoutFor([], 0, s1, first, -1) ?? [];
          expect(a.map((m) => m.region)).toEqual(Array.from({ length: s1 }, (_, j) => first[j % first.length]));
          expect(a.map((m) => m.shard)).toEqual(Array.from({ length: s1 }, (_, j) => j));
          const highest = s1 - 1;
          const s2 = second.length + extra2;
          const b = layoutFor(a, s1, s2, second, highest) ?? [];
          expect(b.map((m) => m.region)).toEqual(Array.from({ length: s2 }, (_, j) => second[j % second.length]));
          expect(new Set(b.map((m) => m.shard)).size).toBe(s2);
          const before = new Map(a.map((m) => [m.shard, m.region]));
          for (const m of b) {
            // Either a member kept in the region it was made for, or a number never used before.
            if (before.has(m.shard)) expect(before.get(m.shard)).toBe(m.region);
            else expect(m.shard).toBeGreaterThan(highest);
          }
          // Members whose region is still listed are kept (as many as the new layout has room for).
          for (const r of second) {
            const had = a.filter((m) => m.region === r).length;
            const room = b.filter((m) => m.region === r).length;
            expect(b.filter((m) => m.region === r && before.has(m.shard)).length).toBe(Math.min(had, room));
          }
        },
      ),
    );
  });

  it("keeps v1.1's numbering for an item that never had regions", () => {
    expect(layoutFor(null, 4, 6, null, 3)).toBeNull();
  });
});

describe("a buyer's members", () => {
  it("start in the buyer's region when listed, else the nearest listed one, then each other region once", () => {
    fc.assert(
      fc.property(regionList, fc.integer({ min: 0, max: 8 }), region, fc.nat(1000), (regions, extra, buyer, seed) => {
        const layout = layoutFor([], 0, regions.length + extra, regions, -1) ?? [];
        const choices = membersFor(layout, buyer, (count) => seed % count, nearestFirst);
        const regionOf = new Map(layout.map((m) => [m.shard, m.region as Region]));
        const visited = choices.map((k) => regionOf.get(k) as Region);
        expect(new Set(visited)).toEqual(new Set(regions));
        expect(visited.length).toBe(regions.length);
        const best = Math.min(...regions.map((r) => roundTripMs(buyer, r)));
        expect(roundTripMs(buyer, visited[0] as Region)).toBe(best);
        if (regions.includes(buyer)) expect(visited[0]).toBe(buyer);
      }),
    );
  });
});
