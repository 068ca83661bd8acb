import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { stockItem, stockPoolMember } from "../../src/stock/address";
import { exactLevel, grantFor, unallocatedDelta } from "../../src/stock/pool";
import type { MemberReport, StockItem } from "../../src/stock/StockItem";
import { waitForEvents } from "../events/support";
import { call, unique } from "../http/client";
import { coordinator, makeDue, readRecord, writeRecord } from "../reservations/fixtures";

/** Flash-sale pools (contract v1.1, src/stock/pool.ts): one item's stock spread over member objects. */

const reserve = (id: string, lines: { sku: string; warehouse: string; quantity: number }[]) =>
  call("POST", "/v1/reservations", { json: { id, lines } });

async function pooledItem(onHand: number, shards: number) {
  const sku = unique("POOL");
  const r = await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand, shards } });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ onHand, shards, available: onHand });
  return sku;
}

const levelOf = async (sku: string) => (await call("GET", `/v1/stock/${sku}/wh`)).body;
const shardsOf = async (sku: string) => (await call("GET", `/v1/stock/${sku}/wh/shards`)).body;

/** Once quiet, units nobody holds sit where a buyer can reach them: unallocated or a member's free part. */
async function expectNothingStranded(sku: string) {
  await vi.waitFor(
    async () => {
      const level = await levelOf(sku);
      const view = await shardsOf(sku);
      const memberFree = view.shards.reduce((sum: number, s: { available: number }) => sum + s.available, 0);
      expect(view.unallocated + memberFree).toBe(level.available);
    },
    { timeout: 3_000, interval: 50 },
  );
}

describe("pool arithmetic", () => {
  it("grants a share of what is left, at least what is wanted, never more than there is", () => {
    expect(grantFor(500, 1, 8)).toBe(32);
    expect(grantFor(10, 1, 8)).toBe(1);
    expect(grantFor(10, 4, 8)).toBe(4);
    expect(grantFor(3, 5, 8)).toBe(3);
    expect(grantFor(0, 1, 8)).toBe(0);
    expect(grantFor(-2, 1, 8)).toBe(0);
  });

  it("moves unallocated by what a change at the parent moves available", () => {
    expect(unallocatedDelta({ onHandDelta: 5, reservedDelta: 0 })).toBe(5);
    expect(unallocatedDelta({ onHandDelta: 0, reservedDelta: 2 })).toBe(-2);
    expect(unallocatedDelta({ onHandDelta: 0, reservedDelta: -2 })).toBe(2);
    expect(unallocatedDelta({ onHandDelta: -2, reservedDelta: -2 })).toBe(0);
  });

  it("reads the exact level from the parent's snapshot plus what each member did since", () => {
    const parent = {
      sku: "S",
      warehouse: "W",
      onHand: 100,
      reserved: 10,
      lowStockThreshold: 0,
      reorderQuantity: 0,
      version: 20,
      updatedAt: 0,
    };
    const absorbed = [
      { changes: 5, onHandDelta: -2, reserved: 3 },
      { changes: 0, onHandDelta: 0, reserved: 0 },
    ];
    const members = [
      { changes: 7, onHandDelta: -3, reserved: 4 },
      { changes: 2, onHandDelta: 0, reserved: 2 },
    ];
    expect(exactLevel(parent, absorbed, members)).toMatchObject({ onHand: 99, reserved: 13, version: 24 });
  });
});

describe("a pooled item over HTTP", () => {
  // Four buyers for every unit, all at once (kept at 800 so the test stays CPU-light on CI's two shared cores).
  it("800 concurrent one-unit reservations on 200 units over 8 shards: exactly 200 held, available 0", async () => {
    const sku = await pooledItem(200, 8);
    const answers = await Promise.all(
      Array.from({ length: 800 }, (_, i) => reserve(`${sku}-r${i}`, [{ sku, warehouse: "wh", quantity: 1 }])),
    );
    const counts = new Map<number, number>();
    for (const a of answers) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
    console.log(`pool contention: ${[...counts].map(([s, n]) => `${s} × ${n}`).join(", ")}`);
    expect(counts.get(201)).toBe(200);
    expect(counts.get(409)).toBe(600);
    expect(await levelOf(sku)).toMatchObject({ onHand: 200, reserved: 200, available: 0, shards: 8 });
    const view = await shardsOf(sku);
    expect(view.shards).toHaveLength(8);
    const served = view.shards.map((s: { requests: number }) => s.requests);
    console.log(`pool contention: requests per member ${served.join(", ")}`);
    expect(served.every((n: number) => n > 0)).toBe(true);
    await expectNothingStranded(sku);
    // Every 201 is a reservation that is found and holds its unit.
    const held = answers.filter((a) => a.status === 201).map((a) => a.body.id as string);
    const reads = await Promise.all(held.slice(0, 50).map((id) => call("GET", `/v1/reservations/${id}`)));
    expect(reads.every((r) => r.body.status === "held")).toBe(true);
  }, 120_000);

  it("commit, release and expiry act where each hold lives; reads stay exact; events run 1..version", async () => {
    const sku = await pooledItem(20, 4);
    const ids = Array.from({ length: 6 }, (_, i) => `${sku}-x${i}`);
    for (const id of ids) expect((await reserve(id, [{ sku, warehouse: "wh", quantity: 2 }])).status).toBe(201);
    expect(await levelOf(sku)).toMatchObject({ onHand: 20, reserved: 12, available: 8 });
    expect((await call("POST", `/v1/reservations/${ids[0]}/commit`)).body).toMatchObject({ status: "committed" });
    expect((await call("POST", `/v1/reservations/${ids[1]}/release`)).body).toMatchObject({ status: "released" });
    expect(await levelOf(sku)).toMatchObject({ onHand: 18, reserved: 8, available: 10 });
    // Expire one hold inside its member.
    const record = await readRecord(ids[2] as string);
    const member = record?.placements?.[0];
    expect(typeof member).toBe("number");
    await runInDurableObject(stockPoolMember(env, sku, "wh", member as number), (_: StockItem, state) => {
      state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, ids[2]);
    });
    expect(await levelOf(sku)).toMatchObject({ onHand: 18, reserved: 6, available: 12 });
    expect((await call("GET", `/v1/reservations/${ids[2]}`)).body).toMatchObject({ status: "held" });
    expect((await call("POST", `/v1/reservations/${ids[2]}/commit`)).status).toBe(409);
    await expectNothingStranded(sku);

    const level = await levelOf(sku);
    const events = await waitForEvents(sku, "wh", level.version);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: level.version }, (_, i) => i + 1));
    const last = events.at(-1);
    expect([last?.on_hand, last?.reserved]).toEqual([level.onHand, level.reserved]);
    expect(events.reduce((sum, e) => sum + e.on_hand_delta, 0)).toBe(level.onHand);
    expect(events.reduce((sum, e) => sum + e.reserved_delta, 0)).toBe(level.reserved);
  });

  it("a count and an adjustment apply to the item as a whole, with holds in members", async () => {
    const sku = await pooledItem(30, 4);
    for (let i = 0; i < 5; i++) expect((await reserve(`${sku}-c${i}`, [{ sku, warehouse: "wh", quantity: 3 }])).status).toBe(201);
    const counted = await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 20 } });
    expect(counted.body).toMatchObject({ onHand: 20, reserved: 15, available: 5, shards: 4 });
    const adjusted = await call("POST", `/v1/stock/${sku}/wh/adjustments`, { json: { delta: -3, reason: "damage" } });
    expect(adjusted.body).toMatchObject({ onHand: 17, reserved: 15, available: 2, shards: 4 });
    const stale = await call("POST", `/v1/stock/${sku}/wh/adjustments`, {
      json: { delta: 1, reason: "receipt" },
      headers: { "if-match": '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.level).toMatchObject({ onHand: 17, shards: 4 });
    await expectNothingStranded(sku);
    // Exactly the 2 left can be sold, wherever they are.
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) => reserve(`${sku}-m${i}`, [{ sku, warehouse: "wh", quantity: 1 }])));
    expect(more.filter((r) => r.status === 201)).toHaveLength(2);
    expect(await levelOf(sku)).toMatchObject({ available: 0 });
  });

  it("changing shards with holds in place: retired members keep their holds to the end and give back what frees up", async () => {
    const sku = await pooledItem(40, 8);
    const ids = Array.from({ length: 16 }, (_, i) => `${sku}-s${i}`);
    for (const id of ids) expect((await reserve(id, [{ sku, warehouse: "wh", quantity: 1 }])).status).toBe(201);
    expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 40, shards: 2 } })).body).toMatchObject({ shards: 2, reserved: 16 });
    for (const id of ids.slice(0, 8)) expect((await call("POST", `/v1/reservations/${id}/release`)).status).toBe(200);
    for (const id of ids.slice(8)) expect((await call("POST", `/v1/reservations/${id}/commit`)).status).toBe(200);
    expect(await levelOf(sku)).toMatchObject({ onHand: 32, reserved: 0, available: 32, shards: 2 });
    // Everything freed is sellable again: 32 units, no more.
    const after = await Promise.all(Array.from({ length: 40 }, (_, i) => reserve(`${sku}-t${i}`, [{ sku, warehouse: "wh", quantity: 1 }])));
    expect(after.filter((r) => r.status === 201)).toHaveLength(32);
    expect(await levelOf(sku)).toMatchObject({ available: 0 });
    // Back to one: the item alone.
    expect((await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 35, shards: 1 } })).body).toMatchObject({ shards: 1, available: 3 });
    expect((await reserve(`${sku}-u`, [{ sku, warehouse: "wh", quantity: 3 }])).status).toBe(201);
    expect((await reserve(`${sku}-v`, [{ sku, warehouse: "wh", quantity: 1 }])).status).toBe(409);
  });

  it("a reservation mixing a pooled and a plain item is all or nothing", async () => {
    const pooled = await pooledItem(4, 4);
    const plain = unique("PLAIN");
    await call("PUT", `/v1/stock/${plain}/wh`, { json: { onHand: 1 } });
    const lines = (q: number) => [
      { sku: pooled, warehouse: "wh", quantity: q },
      { sku: plain, warehouse: "wh", quantity: 1 },
    ];
    expect((await reserve(`${pooled}-a`, lines(2))).status).toBe(201);
    const refused = await reserve(`${pooled}-b`, lines(1));
    expect(refused.status).toBe(409);
    expect(await levelOf(pooled)).toMatchObject({ reserved: 2, available: 2 });
    expect((await call("POST", `/v1/reservations/${pooled}-a/commit`)).body).toMatchObject({ status: "committed" });
    expect(await levelOf(pooled)).toMatchObject({ onHand: 2, reserved: 0 });
    expect(await levelOf(plain)).toMatchObject({ onHand: 0, reserved: 0 });
  });
});

describe("alerts on a pooled item", () => {
  it("follow the item's total, whichever members sold the units", async () => {
    const sku = unique("PALERT");
    await call("PUT", `/v1/stock/${sku}/wh`, { json: { onHand: 10, lowStockThreshold: 3, shards: 4 } });
    for (let i = 0; i < 7; i++) expect((await reserve(`${sku}-a${i}`, [{ sku, warehouse: "wh", quantity: 1 }])).status).toBe(201);
    // Available is 3 now, over the four members: stock.low once the members' holds are absorbed.
    const alertTypes = () =>
      runInDurableObject(stockItem(env, sku, "wh"), (_: StockItem, state) =>
        state.storage.sql
          .exec<{ type: string }>("SELECT type FROM alerts ORDER BY rowid")
          .toArray()
          .map((row) => row.type),
      );
    const stateOf = () =>
      runInDurableObject(
        stockItem(env, sku, "wh"),
        (_: StockItem, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM alert_state").toArray()[0]?.state,
      );
    await vi.waitFor(async () => expect(await stateOf()).toBe("low"), { timeout: 5_000, interval: 50 });
    expect(await alertTypes()).not.toContain("stock.out");
    for (let i = 7; i < 10; i++) expect((await reserve(`${sku}-a${i}`, [{ sku, warehouse: "wh", quantity: 1 }])).status).toBe(201);
    await vi.waitFor(async () => expect(await stateOf()).toBe("out"), { timeout: 5_000, interval: 50 });
  });
});

describe("pool crash points", () => {
  it("a coordinator that stopped after a member held: the recorded member is voided, the unit comes back", async () => {
    const sku = await pooledItem(5, 4);
    // Teach this coordinator that the item is pooled, so the member is in the intent.
    const first = `${sku}-warm`;
    expect((await reserve(first, [{ sku, warehouse: "wh", quantity: 1 }])).status).toBe(201);
    const member = (await readRecord(first))?.placements?.[0] as number;
    const id = `${sku}-crash`;
    const line = { sku, warehouse: "wh", quantity: 2 };
    await writeRecord({
      id,
      attempt: 1,
      phase: "placing",
      lines: [line],
      placements: [member],
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    const held = await stockPoolMember(env, sku, "wh", member).hold({
      ...line,
      reservationId: id,
      attempt: 1,
      expiresAt: Date.now() + 60_000,
      member,
    });
    expect(held).toEqual({ ok: true });
    expect(await levelOf(sku)).toMatchObject({ reserved: 3 });
    await makeDue(id);
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("rejected");
    expect(await levelOf(sku)).toMatchObject({ reserved: 1, available: 4 });
    await expectNothingStranded(sku);
  });

  it("a grant whose answer was lost is answered again, never granted twice", async () => {
    const sku = await pooledItem(100, 4);
    const parent = stockItem(env, sku, "wh");
    const report: MemberReport = {
      shard: 1,
      totals: { changes: 0, onHandDelta: 0, reserved: 0 },
      receivedTotal: 0,
      returnedTotal: 0,
      events: [],
      want: 5,
    };
    const first = await parent.poolSync(report);
    const again = await parent.poolSync(report); // the member never heard the first answer
    expect(again.grantedTotal).toBe(first.grantedTotal);
    expect((await shardsOf(sku)).unallocated).toBe(100 - first.grantedTotal);
  });

  it("a return or a change reported twice (an answer lost) counts once", async () => {
    const sku = await pooledItem(10, 2);
    expect((await reserve(`${sku}-1`, [{ sku, warehouse: "wh", quantity: 1 }])).status).toBe(201);
    const member = (await readRecord(`${sku}-1`))?.placements?.[0] as number;
    const memberStub = stockPoolMember(env, sku, "wh", member);
    const report = await memberStub.surrender(false); // gives back its free units; the report is "lost"
    expect(report).not.toBeNull();
    const parent = stockItem(env, sku, "wh");
    await parent.poolSync({ ...(report as MemberReport), want: 0 });
    await parent.poolSync({ ...(report as MemberReport), want: 0 });
    expect(await levelOf(sku)).toMatchObject({ onHand: 10, reserved: 1, available: 9 });
    await expectNothingStranded(sku);
  });

  it("a member whose sync never reached the parent still counts in exact reads, and its alarm delivers later", async () => {
    const sku = await pooledItem(10, 2);
    expect((await reserve(`${sku}-1`, [{ sku, warehouse: "wh", quantity: 4 }])).status).toBe(201);
    // Right after the 201 the member may not have reported yet; the read is exact anyway.
    expect(await levelOf(sku)).toMatchObject({ reserved: 4, available: 6 });
    const member = (await readRecord(`${sku}-1`))?.placements?.[0] as number;
    await runDurableObjectAlarm(stockPoolMember(env, sku, "wh", member));
    const level = await levelOf(sku);
    await waitForEvents(sku, "wh", level.version);
  });
});
