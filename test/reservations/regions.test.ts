import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { simulatedNetwork } from "../../src/geo/network";
import { coordinatorAddress, coordinatorFor } from "../../src/reservations/address";
import type { ReservationRecord } from "../../src/reservations/lifecycle";
import type { ReservationCoordinator } from "../../src/reservations/ReservationCoordinator";
import { StockGateway } from "../../src/reservations/stock-gateway";
import { stockItemName } from "../../src/stock/address";
import { call } from "../http/client";
import { items, level, line, unique } from "./fixtures";

/**
 * The coordinator's side of contract "Regions (v1.2)": the region it answers, the timings it
 * returns, world-wide idempotency of client ids, and reservations stored before regions existed.
 */

const MINUTE = 60_000;

describe("a client-chosen id from two regions at once", () => {
  it("meets one coordinator and holds once", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("item");
    const id = unique("world");
    const input = { id, lines: [line(a, 6)], ttlSeconds: 600 };
    const stub = coordinatorFor(env, id);
    expect(coordinatorAddress(id).hint).toBeNull();
    const answers = await Promise.all([
      stub.place({ ...input, region: "apac" }),
      coordinatorFor(env, id).place({ ...input, region: "enam" }),
    ]);
    expect(answers.map((r) => r.kind).sort()).toEqual(["created", "existing"]);
    expect(await level(a)).toMatchObject({ reserved: 6, available: 4 });
  });
});

describe("the answer's region and timings", () => {
  it("a server-made id answers its own region; each stock call is timed", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = `rsv_me_${"q".repeat(26)}`;
    const placed = await coordinatorFor(env, id).place({ id, lines: [line(a, 1), line(b, 2)], ttlSeconds: 600, region: "weur" });
    expect(placed).toMatchObject({ kind: "created", reservation: { region: "me" } });
    expect(placed.timings?.map((t) => t.name)).toEqual(["item", "item"]);
    for (const timing of placed.timings ?? []) expect(timing.dur).toBeGreaterThanOrEqual(0);
    const committed = await coordinatorFor(env, id).commit(id, null, "weur");
    // Two lines: pin at each, then commit at each.
    expect(committed.timings).toHaveLength(4);
    expect(await coordinatorFor(env, id).get(id)).toMatchObject({ status: "committed", region: "me" });
  });

  it("a coordinator of the global pool records its first caller's region once; an old Worker's call records nothing", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("item");
    const id = unique("global");
    const old = await coordinatorFor(env, id).place({ id, lines: [line(a, 1)], ttlSeconds: 600 });
    expect(old.kind).toBe("created");
    expect((old as { reservation: { region?: string } }).reservation.region).toBeUndefined();
    expect(await coordinatorFor(env, id).get(id, "afr")).toMatchObject({ region: "afr" });
    expect(await coordinatorFor(env, id).get(id, "wnam")).toMatchObject({ region: "afr" });
    expect(await coordinatorFor(env, id).get(id)).toMatchObject({ region: "afr" });
  });
});

describe("the stock gateway's seam", () => {
  it("without an open operation answers the bare stub; with one, times each call", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("item");
    const gateway = new StockGateway(env);
    expect(gateway.network).toBeNull();
    const id = unique("seam");
    expect(gateway.operation(id)).toBeUndefined();
    const operation = gateway.open(id, "apac", "weur");
    expect(await gateway.availableAt([a], id)).toEqual([5]);
    expect(operation.timings).toEqual([{ name: "item", dur: expect.any(Number) }]);
    gateway.close(id);
    expect(gateway.operation(id)).toBeUndefined();
  });

  it("simulated: the call waits the round trip to the object's region, and the entry names that region", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("item");
    const vars = { SIMULATE_GEO: "true", SIMULATE_GEO_SEED: "gateway-test" };
    const network = simulatedNetwork(vars);
    if (network === null) throw new Error("simulation off");
    // The item was first touched from Sydney: it lives there.
    expect(network.placement(stockItemName(a.sku, a.warehouse), "oc")).toBe("oc");
    const gateway = new StockGateway({ ...env, ...vars });
    const id = unique("seam");
    const operation = gateway.open(id, "weur", "weur");
    expect(await gateway.availableAt([a], id)).toEqual([5]);
    expect(operation.timings).toEqual([{ name: "item", dur: expect.any(Number), desc: "oc" }]);
  });
});

describe("reservations stored before regions", () => {
  /**
   * A record as v1.1's global coordinator stored it: the same `reservations` table, and no
   * `coordinator_facts` (v1.2) yet. The object is then reset, so the new version opens that
   * storage as it would after a deploy.
   */
  async function storeAsV11(record: ReservationRecord): Promise<void> {
    const stub = coordinatorFor(env, record.id);
    await runInDurableObject(stub, (_: ReservationCoordinator, state) => {
      state.storage.sql.exec("DROP TABLE IF EXISTS coordinator_facts");
      state.storage.sql.exec(
        "INSERT INTO reservations (id, record, due_at) VALUES (?, ?, ?)",
        record.id,
        JSON.stringify(record),
        record.expiresAt + 30 * 24 * 3600 * 1000,
      );
    });
    await runInDurableObject(stub, (_: ReservationCoordinator, state) => state.abort("reset: the deploy of the new version")).catch(
      () => undefined,
    );
  }

  it("a v1.1 res_… id and a client id, placed by the global pool, are read, committed and released from other regions", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const expiresAt = Date.now() + 10 * MINUTE;
    const v11Id = `res_${crypto.randomUUID().replaceAll("-", "")}`;
    const clientId = unique("order");
    for (const [id, item, quantity] of [
      [v11Id, a, 3],
      [clientId, b, 4],
    ] as const) {
      expect(await item.stub.hold({ ...line(item, quantity), reservationId: id, attempt: 1, expiresAt })).toEqual({ ok: true });
      await storeAsV11({
        id,
        attempt: 1,
        phase: "held",
        lines: [line(item, quantity)],
        channel: null,
        actor: null,
        allocations: [line(item, quantity)],
        placements: [null],
        createdAt: Date.now() - MINUTE,
        expiresAt,
      });
      expect(coordinatorAddress(id).name).toMatch(/^coordinator:[0-9]+$/);
    }

    const read = await call("GET", `/v1/reservations/${v11Id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: v11Id, status: "held", region: "weur" });
    const committed = await call("POST", `/v1/reservations/${v11Id}/commit`);
    expect(committed.body).toMatchObject({ status: "committed" });
    expect(await level(a)).toMatchObject({ onHand: 7, reserved: 0 });

    const released = await coordinatorFor(env, clientId).release(clientId, null, "apac");
    expect(released).toMatchObject({ kind: "ok", reservation: { status: "released" } });
    expect(await level(b)).toMatchObject({ onHand: 10, reserved: 0 });
  });
});
