import { describe, expect, it } from "vitest";
import { serverTiming } from "../../src/http/server-timing";
import { type RequestLocation, regionFromLocation } from "../../src/regions/from-cf";
import { isRegion, REGIONS } from "../../src/regions/regions";
import { newReservationId, regionOfReservationId } from "../../src/regions/reservation-id";
import { CF_SAMPLES } from "./cf-samples";

describe("the region of a request, from request.cf", () => {
  for (const sample of CF_SAMPLES) {
    it(`${sample.where} → ${sample.region}`, () => {
      expect(regionFromLocation(sample.cf as RequestLocation)).toBe(sample.region);
    });
  }

  it("answers a region for any object, however odd", () => {
    for (const odd of [null, undefined, {}, { continent: "XX" }, { continent: "NA", longitude: "east" }]) {
      expect(isRegion(regionFromLocation(odd as RequestLocation))).toBe(true);
    }
  });

  it("every region is reachable from some sample", () => {
    expect(new Set(CF_SAMPLES.map((s) => s.region))).toEqual(new Set(REGIONS));
  });
});

describe("server-made reservation ids", () => {
  it("have the contract's shape: rsv_<region>_<at least 20 base32 characters>", () => {
    for (const region of REGIONS) {
      const id = newReservationId(region);
      expect(id).toMatch(new RegExp(`^rsv_${region}_[a-z2-7]{20,}$`));
      expect(id.length).toBeLessThanOrEqual(128);
      expect(regionOfReservationId(id)).toBe(region);
    }
  });

  it("encode all 128 random bits (26 characters) and differ from call to call", () => {
    expect(newReservationId("weur", new Uint8Array(16))).toBe(`rsv_weur_${"a".repeat(26)}`);
    expect(newReservationId("weur", new Uint8Array(16).fill(255))).toBe(`rsv_weur_${"7".repeat(25)}4`);
    const ids = new Set(Array.from({ length: 1000 }, () => newReservationId("oc")));
    expect(ids.size).toBe(1000);
  });

  it("no other id names a region: client ids, v1.1 ids, unknown regions, short tails", () => {
    for (const id of [
      "order-1042",
      "res_0f9c2d",
      "rsv_mars_abcdefghijklmnopqrstuv",
      "rsv_weur_abc",
      "RSV_weur_abcdefghijklmnopqrstuv",
      "rsv_weur_abcdefghijklmnopqrst1",
    ]) {
      expect(regionOfReservationId(id)).toBeNull();
    }
  });
});

describe("Server-Timing", () => {
  it("names the region, then each object with its duration", () => {
    expect(
      serverTiming("weur", [
        { name: "coordinator", dur: 4.123 },
        { name: "item", dur: 2 },
        { name: "pool", dur: 1.25, desc: "enam" },
      ]),
    ).toBe('region;desc="weur", coordinator;dur=4.1, item;dur=2, pool;dur=1.3;desc="enam"');
  });
  it("never writes a negative duration or a broken quoted string", () => {
    expect(serverTiming("oc", [{ name: "item", dur: -3, desc: 'a"b\\c' }])).toBe('region;desc="oc", item;dur=0;desc="abc"');
  });
});
