import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Region } from "../../src/regions/regions";
import { stockItem, stockPoolMember } from "../../src/stock/address";
import type { MemberReport, StockItem } from "../../src/stock/StockItem";
import { waitForEvents } from "../events/support";
import { call, unique } from "../http/client";
import { coordinator, readRecord } from "../reservations/fixtures";

/**
 * Regional pools (contract "Regions (v1.2)", src/stock/pool-demand.ts): a pooled item's members
 * laid out over regions, each buyer served in its own region (or the nearest listed one), stock
 * moving toward the regions that sell, and the last units found wherever they are.
 */

interface ShardEntry {
  shard: number;
  region: Region | null;
  allocated: number;
  reserved: number;
  available: number;
  requests: number;
}

async function regionalItem(onHand: number, shards: number, regions: Region[]) {
  const sku = unique("RPOOL");
  const r = await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand, shards, regions } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({ onHand, shards, regions, available: onHand });
  return sku;
}

const levelOf = async (sku: string) => (await call("GET", `/v1/stock/${sku}/wh`)).body;
const shardsOf = async (sku: string) =>
  (await call("GET", `/v1/stock/${sku}/wh/shards`)).body as { unallocated: number; shards: ShardEntry[] };
const memberIn = async (sku: string, region: Region) => (await shardsOf(sku)).shards.find((s) => s.region === region) as ShardEntry;

let n = 0;
/** A reservation placed by a buyer in `region` (through its coordinator's RPC, which the Worker calls with the caller's region). */
async function buy(sku: string, region: Region, quantity = 1, id = `${sku}-${region}-${n++}`) {
  const answer = await coordinator(id).place({ id, lines: [{ sku, warehouse: "wh", quantity }], ttlSeconds: 600, region });
  return { id, answer: answer as { kind: string } };
}

async function placedAt(id: string): Promise<number | null | undefined> {
  return (await readRecord(id))?.placements?.[0];
}

/** Units are where a buyer can reach them, and every one is accounted for. */
async function expectConserved(sku: string) {
  await vi.waitFor(
    async () => {
      const level = await levelOf(sku);
      const view = await shardsOf(sku);
      const memberFree = view.shards.reduce((sum, s) => sum + s.available, 0);
      expect(view.unallocated + memberFree).toBe(level.available);
    },
    { timeout: 5_000, interval: 50 },
  );
}

describe("regional pools: placement and buyers", () => {
  it("lays members out over the regions, round robin, and shows each one's region", async () => {
    const sku = await regionalItem(60, 4, ["enam", "weur", "apac"]);
    const view = await shardsOf(sku);
    expect(view.shards.map((s) => s.region)).toEqual(["enam", "weur", "apac", "enam"]);
    // Each member was reached when laid out and took a first slice ahead of its buyers.
    expect(view.shards.every((s) => s.allocated > 0)).toBe(true);
    expect(view.unallocated + view.shards.reduce((sum, s) => sum + s.allocated, 0)).toBe(60);
  });

  it("serves a buyer from its own region's member", async () => {
    const sku = await regionalItem(60, 3, ["enam", "weur", "apac"]);
    const members = new Map((await shardsOf(sku)).shards.map((s) => [s.region, s.shard]));
    for (const region of ["apac", "weur", "enam"] as const) {
      const { id, answer } = await buy(sku, region);
      expect(answer.kind).toBe("created");
      expect(await placedAt(id)).toBe(members.get(region));
    }
    expect((await memberIn(sku, "apac")).reserved).toBe(1);
    expect((await levelOf(sku)).reserved).toBe(3);
  });

  it("serves a buyer whose region is not listed from the nearest listed region", async () => {
    const sku = await regionalItem(60, 3, ["enam", "weur", "apac"]);
    const members = new Map((await shardsOf(sku)).shards.map((s) => [s.region, s.shard]));
    const expected: [Region, Region][] = [
      ["oc", "apac"],
      ["eeur", "weur"],
      ["sam", "enam"],
      ["wnam", "enam"],
      ["me", "apac"], // 103 ms against weur's 104
    ];
    for (const [buyer, nearest] of expected) {
      const { id, answer } = await buy(sku, buyer);
      expect(answer.kind).toBe("created");
      expect(await placedAt(id), `${buyer} → ${nearest}`).toBe(members.get(nearest));
    }
  });
});

describe("regional pools: stock follows demand", () => {
  it("refills the selling region ahead of need; the idle regions keep their first slice", async () => {
    const sku = await regionalItem(300, 3, ["enam", "weur", "apac"]);
    const before = await memberIn(sku, "apac");
    for (let i = 0; i < 40; i++) expect((await buy(sku, "apac")).answer.kind).toBe("created");
    // The selling member was topped up by its refills (off the buyers' path): it was granted
    // more than its first slice and still has units free for the next buyers.
    await vi.waitFor(
      async () => {
        const apac = await memberIn(sku, "apac");
        expect(apac.reserved).toBe(40);
        expect(apac.allocated).toBeGreaterThan(before.allocated);
        expect(apac.available).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 50 },
    );
    const enam = await memberIn(sku, "enam");
    expect(enam.reserved).toBe(0);
    expect((await memberIn(sku, "apac")).allocated).toBeGreaterThan(enam.allocated);
    // Every hold went to the apac member: none at the item itself.
    const parentHolds = await runInDurableObject(
      stockItem(env, sku, "wh"),
      (_: StockItem, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holds").one().n,
    );
    expect(parentHolds).toBe(0);
    await expectConserved(sku);
  });

  it("an idle region gives its slice back when the selling one runs dry (no detour, no last units)", async () => {
    const sku = await regionalItem(30, 2, ["enam", "weur"]);
    const enamFirst = (await memberIn(sku, "enam")).allocated;
    expect(enamFirst).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) expect((await buy(sku, "weur")).answer.kind, `buyer ${i}`).toBe("created");
    const weur = await memberIn(sku, "weur");
    const enam = await memberIn(sku, "enam");
    expect(weur.reserved).toBe(30);
    expect(enam.allocated).toBe(0);
    expect(await levelOf(sku)).toMatchObject({ reserved: 30, available: 0 });
    const parentHolds = await runInDurableObject(
      stockItem(env, sku, "wh"),
      (_: StockItem, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holds").one().n,
    );
    expect(parentHolds).toBe(0);
    expect((await buy(sku, "weur")).answer.kind).toBe("insufficient_stock");
  });

  it("sells exactly the stock when more buyers than units arrive at once from several regions", async () => {
    const stock = 40;
    const sku = await regionalItem(stock, 5, ["enam", "weur", "apac"]);
    const regions: Region[] = ["enam", "weur", "apac", "oc", "sam", "eeur", "me", "afr", "wnam"];
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => buy(sku, regions[i % regions.length] as Region)));
    const kinds = answers.map((a) => a.answer.kind);
    expect(kinds.filter((k) => k === "created").length).toBe(stock);
    expect(kinds.every((k) => k === "created" || k === "insufficient_stock")).toBe(true);
    const level = await levelOf(sku);
    expect(level).toMatchObject({ reserved: stock, available: 0 });
    await expectConserved(sku);
    // Gap-free events in D1, renumbered by the parent from every region's member, adding up to the level.
    const events = await waitForEvents(sku, "wh", level.version);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: level.version }, (_, i) => i + 1));
    expect(events.reduce((sum, e) => sum + e.reserved_delta, 0)).toBe(level.reserved);
    expect(events.reduce((sum, e) => sum + e.on_hand_delta, 0)).toBe(level.onHand);
  });
});

describe("regional pools: changing regions", () => {
  it("keeps every hold where it is and moves only unheld stock", async () => {
    const sku = await regionalItem(50, 2, ["enam", "weur"]);
    const enamMember = (await memberIn(sku, "enam")).shard;
    const weurMember = (await memberIn(sku, "weur")).shard;
    const atEnam = await buy(sku, "enam", 3);
    const atWeur = await buy(sku, "weur", 2);
    expect(await placedAt(atEnam.id)).toBe(enamMember);

    const r = await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 50, regions: ["weur", "apac"] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ shards: 2, regions: ["weur", "apac"], reserved: 5, available: 45 });

    const view = await shardsOf(sku);
    // The weur member stays; enam's retired member is shown while it holds; apac's is new.
    expect(view.shards.find((s) => s.region === "weur")?.shard).toBe(weurMember);
    const apac = view.shards.find((s) => s.region === "apac") as ShardEntry;
    expect(apac.shard).not.toBe(enamMember);
    const enam = view.shards.find((s) => s.shard === enamMember) as ShardEntry;
    expect(enam).toMatchObject({ region: "enam", reserved: 3, allocated: 3, available: 0 });

    // New buyers from enam go to the nearest listed region now; apac's to the new member.
    const fromApac = await buy(sku, "apac");
    expect(await placedAt(fromApac.id)).toBe(apac.shard);
    const fromEnam = await buy(sku, "enam");
    expect(await placedAt(fromEnam.id)).toBe(weurMember);

    // The old holds finish where they are.
    expect(await coordinator(atEnam.id).commit()).toMatchObject({ kind: "ok" });
    expect(await coordinator(atWeur.id).release()).toMatchObject({ kind: "ok" });
    await vi.waitFor(async () => expect(await levelOf(sku)).toMatchObject({ onHand: 47, reserved: 2, available: 45 }), {
      timeout: 5_000,
      interval: 50,
    });
    await expectConserved(sku);
  });
});

describe("regional pools: crash points", () => {
  it("a refill granted but never heard of by its member is answered again, then topped up only to the want", async () => {
    const sku = await regionalItem(20, 2, ["enam", "weur"]);
    const parent = stockItem(env, sku, "wh");
    const view = await shardsOf(sku);
    const member = view.shards[0] as ShardEntry;
    const received = member.allocated; // its first slice, applied
    const report: MemberReport = {
      shard: member.shard,
      totals: { changes: 0, onHandDelta: 0, reserved: 0 },
      receivedTotal: received,
      returnedTotal: 0,
      events: [],
      want: 4,
    };
    const first = await parent.poolSync(report);
    expect(first.grantedTotal).toBeGreaterThanOrEqual(received + 4);
    // The parent crashed before answering (or the answer was lost): the same report again.
    const again = await parent.poolSync(report);
    expect(again.grantedTotal).toBe(first.grantedTotal);
    expect((await shardsOf(sku)).unallocated).toBe(view.unallocated - (first.grantedTotal - received));
  });

  it("a give-back recorded by the member and never absorbed by the parent comes back once, with its next report", async () => {
    const sku = await regionalItem(20, 2, ["enam", "weur"]);
    const parent = stockItem(env, sku, "wh");
    const view = await shardsOf(sku);
    const member = view.shards[1] as ShardEntry;
    expect(member.available).toBeGreaterThan(0);
    // The parent asked for a trim; the member recorded its return; the answer never arrived.
    const report = (await stockPoolMember(env, sku, "wh", member.shard, member.region).trim()) as MemberReport;
    expect(report.returnedTotal).toBe(member.available); // idle: all of its free units
    expect((await shardsOf(sku)).unallocated).toBe(view.unallocated);
    // Its next report (any sync) carries the cumulative return: absorbed once, however often it arrives.
    await parent.poolSync({ ...report, want: 0 });
    await parent.poolSync({ ...report, want: 0 });
    expect((await shardsOf(sku)).unallocated).toBe(view.unallocated + member.available);
    expect(await levelOf(sku)).toMatchObject({ onHand: 20, available: 20 });
    await expectConserved(sku);
  });
});
