import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SimulatedNetwork } from "../../src/geo/network";
import type { Region } from "../../src/regions/regions";
import { PoolLinks } from "../../src/stock/pool-links";
import { call, unique } from "../http/client";

/**
 * The stock side of the geo simulation (src/stock/pool-links.ts): parent → member and member →
 * parent calls wait the round trip between the two objects' regions, a member with a region is
 * placed there before anyone calls it, and without the simulation nothing waits.
 */

function recordingNetwork() {
  const trips: [Region, Region][] = [];
  const placements = new Map<string, Region>();
  let commits = 0;
  const network: SimulatedNetwork = {
    roundTrip: async (from, to) => {
      trips.push([from, to]);
    },
    commit: async () => {
      commits++;
    },
    placement(name, caller, hint) {
      const known = placements.get(name);
      if (known) return known;
      const region = hint ?? caller;
      placements.set(name, region);
      return region;
    },
  };
  return { network, trips, placements, commits: () => commits };
}

describe("pool links under the simulated network", () => {
  it("wait the round trip between the parent's region and the member's, both ways", async () => {
    const sku = unique("LINK");
    expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 10, shards: 2 } })).status).toBe(200);
    const sim = recordingNetwork();
    const links = new PoolLinks(() => ({ ...env, LOCAL_REGION: "enam" }), sim.network);
    const item = { sku, warehouse: "wh" };
    links.placed(item, 1, "apac");
    expect(sim.placements.get(`${sku}/wh#1`)).toBe("apac");
    const view = await links.toMember(item, 1, "apac", (member) => member.memberView(1));
    expect(view).toMatchObject({ shard: 1 });
    const level = await links.toParent(item, 1, (parent) => parent.getLevel());
    expect(level).toMatchObject({ onHand: 10 });
    // The parent, never called before in this network, is where LOCAL_REGION says.
    expect(sim.trips).toEqual([
      ["enam", "apac"],
      ["apac", "enam"],
    ]);
    await links.confirmed();
    expect(sim.commits()).toBe(1);
  });

  it("cost nothing but a null check without the simulation", async () => {
    const links = new PoolLinks(() => env, null);
    expect(links.confirmed()).toBeNull();
    links.placed({ sku: "X", warehouse: "wh" }, 0, "weur");
    const sku = unique("LINK");
    expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 3 } })).status).toBe(200);
    expect(await links.toParent({ sku, warehouse: "wh" }, 0, (parent) => parent.getLevel())).toMatchObject({ onHand: 3 });
  });
});
