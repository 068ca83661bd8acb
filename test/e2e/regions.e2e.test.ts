import { describe, expect, it } from "vitest";
import { fetchJson, serverForFile } from "./server";

/**
 * Contract "Regions (v1.2)", reservations, under a real `npm start` with the geo simulation
 * switched on by configuration (`SIMULATE_GEO` in the server's .dev.vars, as the geo bench does):
 * the simulated buyer's region comes from its header, every call between regions waits the
 * simulated round trip, and the answers say where time went.
 */
const server = serverForFile({ vars: { SIMULATE_GEO: "true", SIMULATE_GEO_SEED: "e2e-regions" } });

const SIMULATED = "x-stockflare-simulated-region";

function timingOf(response: Response) {
  const header = response.headers.get("server-timing") ?? "";
  return header.split(", ").map((part) => {
    const [name, ...params] = part.split(";");
    return { name, ...Object.fromEntries(params.map((p) => p.split("=") as [string, string])) } as Record<string, string>;
  });
}

describe("regional coordinators under npm start, simulated network on", () => {
  it("a buyer in oc gets an rsv_oc_ id coordinated in oc; weur reads and commits it; Server-Timing names each hop", async () => {
    const sku = `E2E-RG-${Math.random().toString(36).slice(2, 8)}`;
    expect((await server().fetch(`/v1/stock/${sku}/wh-1`, { method: "PUT", json: { onHand: 10 } })).status).toBe(200);

    const placed = await server().fetch("/v1/reservations", {
      method: "POST",
      headers: { [SIMULATED]: "oc" },
      json: { lines: [{ sku, warehouse: "wh-1", quantity: 2 }] },
    });
    expect(placed.status).toBe(201);
    const body = await placed.json();
    expect(body.id).toMatch(/^rsv_oc_[a-z2-7]{26}$/);
    expect(body.region).toBe("oc");
    const timing = timingOf(placed);
    expect(timing[0]).toEqual({ name: "region", desc: '"oc"' });
    expect(timing[1]).toMatchObject({ name: "coordinator", desc: '"oc"' });
    const items = timing.filter((t) => t.name === "item");
    expect(items).toHaveLength(1);
    expect(items[0]?.desc).toMatch(/^"[a-z]+"$/);

    const read = await fetchJson(server(), `/v1/reservations/${body.id}`, { headers: { [SIMULATED]: "weur" } });
    expect(read.body).toMatchObject({ id: body.id, status: "held", region: "oc" });
    const committed = await server().fetch(`/v1/reservations/${body.id}/commit`, { method: "POST", headers: { [SIMULATED]: "weur" } });
    expect(committed.status).toBe(200);
    expect(timingOf(committed)[0]).toEqual({ name: "region", desc: '"weur"' });
    expect(timingOf(committed)[1]).toMatchObject({ name: "coordinator", desc: '"oc"' });
    const level = await fetchJson(server(), `/v1/stock/${sku}/wh-1`);
    expect(level.body).toMatchObject({ onHand: 8, reserved: 0 });
  });

  it("a client-chosen id sent from two regions at once holds once; without the header a request comes from LOCAL_REGION", async () => {
    const sku = `E2E-RG-${Math.random().toString(36).slice(2, 8)}`;
    expect((await server().fetch(`/v1/stock/${sku}/wh-1`, { method: "PUT", json: { onHand: 10 } })).status).toBe(200);
    const id = `e2e-order-${Math.random().toString(36).slice(2, 10)}`;
    const json = { id, lines: [{ sku, warehouse: "wh-1", quantity: 3 }] };
    const answers = await Promise.all(
      ["apac", "enam"].map((region) => server().fetch("/v1/reservations", { method: "POST", headers: { [SIMULATED]: region }, json })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
    const level = await fetchJson(server(), `/v1/stock/${sku}/wh-1`);
    expect(level.body).toMatchObject({ reserved: 3, available: 7 });

    const local = await server().fetch("/v1/reservations", { method: "POST", json: { lines: [{ sku, warehouse: "wh-1", quantity: 1 }] } });
    expect(local.status).toBe(201);
    expect((await local.json()).id).toMatch(/^rsv_weur_/);
    expect(timingOf(local)[0]).toEqual({ name: "region", desc: '"weur"' });
  });
});
