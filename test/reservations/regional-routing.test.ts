import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Region } from "../../src/regions/regions";
import { HoldRouting } from "../../src/reservations/hold-routing";
import type { Line, ReservationRecord } from "../../src/reservations/lifecycle";
import type { ReservationRecords } from "../../src/reservations/records";
import { type ObjectAddress, StockGateway, type StockObject } from "../../src/reservations/stock-gateway";
import { stockItem } from "../../src/stock/address";
import { call, unique } from "../http/client";

/**
 * Hold routing for regional pools (src/reservations/hold-routing.ts) when a region's pool
 * objects cannot be reached: its buyers detour to the nearest other listed region, and are never
 * refused while stock exists elsewhere. The gateway is the coordinator's own, with the members of
 * one region cut off (every call fails as the runtime reports a lost connection).
 */

class PartitionedGateway extends StockGateway {
  readonly down = new Set<number>();

  override at(item: ObjectAddress, member: number | null = null, reservationId?: string): StockObject {
    if (member !== null && this.down.has(member)) {
      const fail = () => Promise.reject(Object.assign(new Error("Network connection lost."), { retryable: true }));
      return new Proxy({} as StockObject, { get: () => fail });
    }
    return super.at(item, member, reservationId);
  }
}

function recorder() {
  const saved: (number | null)[][] = [];
  const records = {
    save: (record: ReservationRecord) => {
      saved.push([...(record.placements ?? [])]);
      return record;
    },
  } as unknown as ReservationRecords;
  return { saved, records };
}

async function regionalItem(onHand: number, shards: number, regions: Region[]) {
  const sku = unique("RROUTE");
  expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand, shards, regions } })).status).toBe(200);
  const view = (await call("GET", `/v1/stock/${sku}/wh/shards`)).body as { shards: { shard: number; region: Region }[] };
  return { sku, members: new Map(view.shards.map((s) => [s.region, s.shard])) };
}

function recordFor(id: string, line: Line): ReservationRecord {
  return { id, attempt: 1, phase: "placing", lines: [line], placements: [null], createdAt: Date.now(), expiresAt: Date.now() + 600_000 };
}

describe("regional hold routing with a region cut off", () => {
  it("detours to the nearest other listed region, recording each member before calling it", async () => {
    const { sku, members } = await regionalItem(30, 3, ["enam", "weur", "apac"]);
    const gateway = new PartitionedGateway(env);
    gateway.down.add(members.get("apac") as number);
    const { saved, records } = recorder();
    const routing = new HoldRouting(records, gateway);
    const line = { sku, warehouse: "wh", quantity: 2 };
    const record = recordFor(`${sku}-1`, line);
    gateway.open(record.id, "apac", "apac");
    const answer = await routing.hold(record, 0, 0);
    gateway.close(record.id);
    expect(answer).toEqual({ ok: true });
    // apac first (cut off), then enam (216.7 ms from apac, nearer than weur's 239).
    expect(saved.map((p) => p[0])).toEqual([members.get("apac"), members.get("enam")]);
    expect(record.placements).toEqual([members.get("enam")]);
    expect(await stockItem(env, sku, "wh").getLevel()).toMatchObject({ reserved: 2 });
    // The coordinator knows the item is pooled now: the next line goes straight to a member, and detours again.
    const next = recordFor(`${sku}-2`, line);
    gateway.open(next.id, "oc", "oc");
    expect(routing.plannedMember(next.id, line)).toBe(members.get("apac"));
    next.placements = [members.get("apac") as number];
    expect(await routing.hold(next, 0, 0)).toEqual({ ok: true });
    expect(next.placements).toEqual([members.get("enam")]);
  });

  it("with every member cut off, the item's last units still sell: no refusal while stock exists", async () => {
    const { sku, members } = await regionalItem(5, 2, ["weur", "apac"]);
    const gateway = new PartitionedGateway(env);
    for (const member of members.values()) gateway.down.add(member);
    const { records } = recorder();
    const routing = new HoldRouting(records, gateway);
    const line = { sku, warehouse: "wh", quantity: 1 };
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      const record = recordFor(`${sku}-${i}`, line);
      gateway.open(record.id, "weur", "weur");
      outcomes.push(await routing.hold(record, 0, 0));
      gateway.close(record.id);
    }
    // The parent reclaims what the members do not hold (its own calls reach them) and sells it itself.
    expect(outcomes.filter((o) => o.ok).length).toBe(5);
    expect(outcomes[5]).toMatchObject({ ok: false, reason: "insufficient" });
    expect(await stockItem(env, sku, "wh").getLevel()).toMatchObject({ reserved: 5, onHand: 5 });
  });

  it("a v1.1 pool (no regions) has one member to try: a member cut off fails the placement, as before", async () => {
    const sku = unique("RROUTE");
    expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 10, shards: 2 } })).status).toBe(200);
    const gateway = new PartitionedGateway(env);
    gateway.down.add(0);
    gateway.down.add(1);
    const routing = new HoldRouting(recorder().records, gateway);
    const record = recordFor(`${sku}-1`, { sku, warehouse: "wh", quantity: 1 });
    await expect(routing.hold(record, 0, 0)).rejects.toThrow("Network connection lost.");
  });
});
