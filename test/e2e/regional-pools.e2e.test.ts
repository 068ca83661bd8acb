import { describe, expect, it } from "vitest";
import { fetchJson, serverForFile } from "./server";

/**
 * Contract "Regions (v1.2)", pools across regions, under a real `npm start` with the geo
 * simulation switched on by configuration: a pooled item spread over regions serves each
 * simulated buyer from a pool object of its region (or the nearest listed one), as the answer's
 * Server-Timing shows, and sells exactly its stock when buyers from everywhere outnumber it.
 */
const server = serverForFile({ vars: { SIMULATE_GEO: "true", SIMULATE_GEO_SEED: "e2e-regional-pools" } });

const SIMULATED = "x-stockflare-simulated-region";

/** The region of the last pool object a reservation answer called (Server-Timing `pool;desc=…`). */
function lastPoolRegion(response: Response): string | undefined {
  const parts = (response.headers.get("server-timing") ?? "").split(", ").filter((p) => p.startsWith("pool;"));
  const desc = parts.at(-1)?.match(/desc="?([a-z]+)"?/);
  return desc?.[1];
}

describe("regional pools under npm start, simulated network on", () => {
  it("serves each buyer in its region's pool object, or the nearest listed one, and sells exactly the stock", async () => {
    const sku = `E2E-RP-${Math.random().toString(36).slice(2, 8)}`;
    const path = `/v1/stock/${sku}/wh-1`;
    const set = await fetchJson(server(), path, { method: "PUT", json: { onHand: 30, shards: 2, regions: ["enam", "apac"] } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ shards: 2, regions: ["enam", "apac"] });
    const view = await fetchJson(server(), `${path}/shards`);
    expect(view.body.shards.map((s: { region: string }) => s.region)).toEqual(["enam", "apac"]);

    const buy = (region: string) =>
      server().fetch("/v1/reservations", {
        method: "POST",
        headers: { [SIMULATED]: region },
        json: { lines: [{ sku, warehouse: "wh-1", quantity: 1 }] },
      });
    for (const [buyer, served] of [
      ["apac", "apac"],
      ["oc", "apac"],
      ["enam", "enam"],
      ["sam", "enam"],
    ] as const) {
      const answer = await buy(buyer);
      expect(answer.status, buyer).toBe(201);
      expect(lastPoolRegion(answer), `${buyer} served in ${served}`).toBe(served);
    }

    // 26 units left; 60 buyers from everywhere at once.
    const regions = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"];
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => buy(regions[i % regions.length] as string)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201).length).toBe(26);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const level = await fetchJson(server(), path);
    expect(level.body).toMatchObject({ onHand: 30, reserved: 30, available: 0, regions: ["enam", "apac"] });
  });
});
