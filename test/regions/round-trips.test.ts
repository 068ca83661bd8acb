import { describe, expect, it } from "vitest";
import { simulatedNetwork } from "../../src/geo/network";
import { INTRA_REGION_RTT_MS, nearestFirst, roundTripMs } from "../../src/geo/round-trips";
import { REGIONS } from "../../src/regions/regions";

describe("the round-trip table", () => {
  it("has every pair of the nine regions, the same both ways, and the intra-region trip on the diagonal", () => {
    for (const a of REGIONS) {
      for (const b of REGIONS) {
        const ms = roundTripMs(a, b);
        expect(ms).toBe(roundTripMs(b, a));
        expect(ms).toBe(a === b ? INTRA_REGION_RTT_MS : ms);
        if (a !== b) expect(ms).toBeGreaterThan(INTRA_REGION_RTT_MS);
      }
    }
  });

  it("carries the measured anchors", () => {
    expect(roundTripMs("enam", "weur")).toBeCloseTo(80, -1);
    expect(roundTripMs("enam", "oc")).toBeCloseTo(230, -1);
    expect(roundTripMs("apac", "sam")).toBeCloseTo(330, -1);
  });

  it("orders candidates nearest first", () => {
    expect(nearestFirst("oc", ["weur", "enam", "apac"])).toEqual(["apac", "enam", "weur"]);
    expect(nearestFirst("weur", ["weur", "eeur"])).toEqual(["weur", "eeur"]);
  });
});

describe("the simulated network's switch", () => {
  it('is off unless SIMULATE_GEO is exactly "true"', () => {
    expect(simulatedNetwork({})).toBeNull();
    expect(simulatedNetwork({ SIMULATE_GEO: "1" })).toBeNull();
    expect(simulatedNetwork({ SIMULATE_GEO: "false" })).toBeNull();
    expect(simulatedNetwork({ SIMULATE_GEO: "true" })).not.toBeNull();
  });

  it("places an object where its first call came from, or by its hint, and never moves it", () => {
    const network = simulatedNetwork({ SIMULATE_GEO: "true", SIMULATE_GEO_SEED: "placement-test" });
    expect(network?.placement("coordinator:7", "oc")).toBe("oc");
    expect(network?.placement("coordinator:7", "weur")).toBe("oc");
    expect(network?.placement("pool:3", "weur", "apac")).toBe("apac");
  });
});
