import { describe, expect, it } from "vitest";
import { callerRegion, SIMULATED_REGION_HEADER } from "../../src/regions/caller";

const from = (cf: object | undefined, headers: Record<string, string> = {}) => {
  const request = new Request("https://stockflare.test/v1/reservations", { headers });
  if (cf !== undefined) Object.defineProperty(request, "cf", { value: cf });
  return request;
};
const sydney = { continent: "OC", country: "AU" };

describe("the caller's region", () => {
  it("deployed: from request.cf, whatever the request's headers say", () => {
    expect(callerRegion(from(sydney, { [SIMULATED_REGION_HEADER]: "weur", "x-region": "weur" }), {})).toBe("oc");
    expect(callerRegion(from(sydney), { SIMULATE_GEO: "false" })).toBe("oc");
  });

  it("under npm start: LOCAL_REGION, or weur when it is not a region", () => {
    expect(callerRegion(from(sydney), { LOCAL_REGION: "apac" })).toBe("apac");
    expect(callerRegion(from(undefined), { LOCAL_REGION: "mars" })).toBe("weur");
    expect(callerRegion(from(undefined, { [SIMULATED_REGION_HEADER]: "oc" }), { LOCAL_REGION: "weur" })).toBe("weur");
  });

  it("only the simulation, switched on by configuration, lets a request name its region", () => {
    const env = { SIMULATE_GEO: "true", LOCAL_REGION: "weur" };
    expect(callerRegion(from(undefined, { [SIMULATED_REGION_HEADER]: "oc" }), env)).toBe("oc");
    expect(callerRegion(from(undefined, { [SIMULATED_REGION_HEADER]: "nowhere" }), env)).toBe("weur");
    expect(callerRegion(from(undefined), env)).toBe("weur");
  });
});
