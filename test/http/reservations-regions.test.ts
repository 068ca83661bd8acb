import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { SIMULATED_REGION_HEADER } from "../../src/regions/caller";
import type { Region } from "../../src/regions/regions";
import { COORDINATOR_POOL_SIZE, coordinatorAddress, coordinatorName } from "../../src/reservations/address";
import { TOKEN, unique } from "./client";

/**
 * Contract "Regions (v1.2)", reservations: server-made ids in the caller's region, `region` on
 * every answer, Server-Timing on every answer that called a coordinator, and reservations found
 * from every region. The tests' requests come from `LOCAL_REGION` (weur, vitest.config.ts); a
 * request "from" another region runs the same app with another `LOCAL_REGION`, as a Worker
 * started there would (the objects are the same ones).
 */
const app = createApp();

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function from(region: Region, method: string, path: string, json?: unknown, vars: Record<string, string> = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (json !== undefined) headers["content-type"] = "application/json";
  if (vars.SIMULATE_GEO === "true") headers[SIMULATED_REGION_HEADER] = region;
  const request = new Request(`http://stockflare.test${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const response = await app.fetch(request, { ...env, LOCAL_REGION: region, ...vars });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? null : JSON.parse(text) };
}

async function item(onHand: number) {
  const sku = unique("RG");
  const r = await from("weur", "PUT", `/v1/stock/${sku}/wh`, { onHand });
  expect(r.status).toBe(200);
  return { sku, warehouse: "wh" };
}

async function level(sku: string) {
  return (await from("weur", "GET", `/v1/stock/${sku}/wh`)).body;
}

/** `region;desc="…"`, `coordinator;dur=…`, then item or pool entries: parsed, and checked well-formed. */
function serverTiming(answer: Answer) {
  const header = answer.headers.get("server-timing");
  expect(header, `status ${answer.status}`).not.toBeNull();
  const entries = (header as string).split(", ").map((part) => {
    const [name, ...params] = part.split(";");
    const entry: Record<string, string> = { name: name as string };
    for (const param of params) {
      const [key, value] = param.split("=");
      entry[key as string] = value as string;
    }
    return entry;
  });
  for (const entry of entries) {
    expect(entry.name).toMatch(/^(region|coordinator|item|pool)$/);
    if (entry.name !== "region") expect(entry.dur).toMatch(/^[0-9]+(\.[0-9])?$/);
    if (entry.desc !== undefined) expect(entry.desc).toMatch(/^"[a-z]+"$/);
  }
  return entries;
}

/** A client id that the global pool sends to the same coordinator as `id`. */
function sameGlobalCoordinator(id: string): string {
  for (let n = 0; n < COORDINATOR_POOL_SIZE * 50; n++) {
    const other = `${id}-${n}`;
    if (coordinatorName(other) === coordinatorName(id)) return other;
  }
  throw new Error("no id found");
}

describe("server-made ids", () => {
  it("are rsv_<caller region>_<26 base32> and coordinated there; the answer names the region", async () => {
    const a = await item(5);
    const placed = await from("weur", "POST", "/v1/reservations", { lines: [{ ...a, quantity: 1 }] });
    expect(placed.status).toBe(201);
    expect(placed.body.id).toMatch(/^rsv_weur_[a-z2-7]{26}$/);
    expect(placed.body.region).toBe("weur");
    expect(coordinatorAddress(placed.body.id)).toMatchObject({ hint: "weur", name: expect.stringMatching(/^coordinator:weur:[0-9]+$/) });

    const fromApac = await from("apac", "POST", "/v1/reservations", { lines: [{ ...a, quantity: 1 }] });
    expect(fromApac.status).toBe(201);
    expect(fromApac.body.id).toMatch(/^rsv_apac_[a-z2-7]{26}$/);
    expect(fromApac.body.region).toBe("apac");
    expect(await level(a.sku)).toMatchObject({ reserved: 2 });
  });

  it("an rsv_apac_… reservation is read, extended, committed and released from weur", async () => {
    const a = await item(10);
    const id = `rsv_apac_${"a".repeat(26)}${unique("x")
      .slice(-6)
      .replace(/[^a-z2-7]/g, "b")}`;
    const placed = await from("apac", "POST", "/v1/reservations", { id, lines: [{ ...a, quantity: 3 }] });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ id, region: "apac" });

    const read = await from("weur", "GET", `/v1/reservations/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, status: "held", region: "apac" });
    const extended = await from("weur", "POST", `/v1/reservations/${id}/extend`, { ttlSeconds: 1200 });
    expect(extended.body).toMatchObject({ status: "held", region: "apac" });
    const committed = await from("weur", "POST", `/v1/reservations/${id}/commit`);
    expect(committed.body).toMatchObject({ status: "committed", region: "apac" });
    expect(await level(a.sku)).toMatchObject({ onHand: 7, reserved: 0 });

    const second = `rsv_apac_${"c".repeat(26)}${unique("y")
      .slice(-6)
      .replace(/[^a-z2-7]/g, "d")}`;
    expect((await from("apac", "POST", "/v1/reservations", { id: second, lines: [{ ...a, quantity: 2 }] })).status).toBe(201);
    const released = await from("oc", "POST", `/v1/reservations/${second}/release`);
    expect(released.body).toMatchObject({ status: "released", region: "apac" });
    expect(await level(a.sku)).toMatchObject({ onHand: 7, reserved: 0 });
  });
});

describe("client-chosen ids", () => {
  it("answer the region of their global coordinator: the first region that reached it", async () => {
    const a = await item(10);
    const id = unique("client-order");
    const placed = await from("sam", "POST", "/v1/reservations", { id, lines: [{ ...a, quantity: 1 }] });
    expect(placed.status).toBe(201);
    // A fresh test file has fresh storage: this coordinator records its first caller's region.
    expect(placed.body.region).toBe("sam");
    expect((await from("weur", "GET", `/v1/reservations/${id}`)).body.region).toBe("sam");
    // Another id kept by the same coordinator, placed from elsewhere, is coordinated there too.
    const neighbour = sameGlobalCoordinator(id);
    const other = await from("weur", "POST", "/v1/reservations", { id: neighbour, lines: [{ ...a, quantity: 1 }] });
    expect(other.body.region).toBe("sam");
  });

  it("the same id from two regions at once holds once", async () => {
    const a = await item(10);
    const id = unique("twice");
    const body = { id, lines: [{ ...a, quantity: 4 }] };
    const [one, two] = await Promise.all([from("apac", "POST", "/v1/reservations", body), from("enam", "POST", "/v1/reservations", body)]);
    expect([one.status, two.status].sort()).toEqual([200, 201]);
    expect(one.body.createdAt).toBe(two.body.createdAt);
    expect(one.body.region).toBe(two.body.region);
    expect(await level(a.sku)).toMatchObject({ reserved: 4, available: 6 });
  });
});

describe("Server-Timing", () => {
  it("on create, extend, line changes, commit and release: the caller's region, the coordinator, each stock call", async () => {
    const a = await item(10);
    const b = await item(10);
    const placed = await from("weur", "POST", "/v1/reservations", {
      lines: [
        { ...a, quantity: 1 },
        { ...b, quantity: 1 },
      ],
    });
    expect(placed.status).toBe(201);
    const entries = serverTiming(placed);
    expect(entries[0]).toEqual({ name: "region", desc: '"weur"' });
    expect(entries[1]?.name).toBe("coordinator");
    // One hold per line.
    expect(entries.filter((e) => e.name === "item")).toHaveLength(2);

    const id = placed.body.id as string;
    const extended = await from("weur", "POST", `/v1/reservations/${id}/extend`, { ttlSeconds: 1200 });
    expect(serverTiming(extended).filter((e) => e.name === "item")).toHaveLength(2);
    const changed = await from("weur", "PUT", `/v1/reservations/${id}/lines`, { lines: [{ ...a, quantity: 2 }] });
    expect(changed.status).toBe(200);
    expect(serverTiming(changed).filter((e) => e.name === "item").length).toBeGreaterThanOrEqual(2);
    const committed = await from("weur", "POST", `/v1/reservations/${id}/commit`);
    expect(committed.status).toBe(200);
    expect(serverTiming(committed).filter((e) => e.name === "item")).toHaveLength(1);
    const again = await from("weur", "POST", `/v1/reservations/${id}/commit`);
    // A repeat calls the coordinator, which calls no item.
    expect(serverTiming(again).map((e) => e.name)).toEqual(["region", "coordinator"]);

    const other = await from("weur", "POST", "/v1/reservations", { lines: [{ ...b, quantity: 1 }] });
    const released = await from("weur", "POST", `/v1/reservations/${other.body.id}/release`);
    expect(released.status).toBe(200);
    expect(serverTiming(released).filter((e) => e.name === "item")).toHaveLength(1);
  });

  it("on problem answers that called the coordinator; not on a request refused before it", async () => {
    const a = await item(1);
    const short = await from("weur", "POST", "/v1/reservations", { lines: [{ ...a, quantity: 5 }] });
    expect(short.status).toBe(409);
    expect(serverTiming(short).map((e) => e.name)).toEqual(["region", "coordinator", "item"]);
    const unknown = await from("weur", "POST", `/v1/reservations/${unique("nobody")}/commit`);
    expect(unknown.status).toBe(404);
    expect(serverTiming(unknown).map((e) => e.name)).toEqual(["region", "coordinator"]);
    const invalid = await from("weur", "POST", "/v1/reservations", { lines: [] });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("server-timing")).toBeNull();
  });

  it("with the simulation configured: the caller's region is the simulated buyer's, and the coordinator entry names its region", async () => {
    const a = await item(10);
    const vars = { SIMULATE_GEO: "true", SIMULATE_GEO_SEED: "http-test" };
    const placed = await from("oc", "POST", "/v1/reservations", { lines: [{ ...a, quantity: 1 }] }, vars);
    expect(placed.status).toBe(201);
    expect(placed.body.id).toMatch(/^rsv_oc_/);
    const entries = serverTiming(placed);
    expect(entries[0]).toEqual({ name: "region", desc: '"oc"' });
    expect(entries[1]).toMatchObject({ name: "coordinator", desc: '"oc"' });
  });
});
