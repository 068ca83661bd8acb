import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { legacyReservation } from "../../src/reservations/address";
import type { Reservation as LegacyReservation } from "../../src/reservations/LegacyReservation";
import type { Phase, ReservationRecord } from "../../src/reservations/lifecycle";
import type { ReservationCoordinator } from "../../src/reservations/ReservationCoordinator";
import { legacySkuIndex, skuDirectory, stockItem } from "../../src/stock/address";
import type { SkuDirectory } from "../../src/stock/SkuDirectory";
import type { SkuIndex } from "../../src/stock/SkuIndex";
import { call, expectProblem } from "../http/client";
import { coordinator, expireAtItem, holdStatus, type Item, items, level, line, makeDue, readRecord, unique } from "./fixtures";

/**
 * Data stored by v0.1 keeps working after the upgrade to pooled objects. v0.1 kept each
 * reservation in an object of its own (class `Reservation`, named by the id, one row in a
 * table `reservation`) and each SKU's warehouses in an object of its own (class `SkuIndex`,
 * table `warehouses`). These tests write that storage exactly as v0.1 did, with the items'
 * holds placed the way v0.1 placed them, and then use the new version.
 */

const MINUTE = 60_000;

/** A reservation as v0.1 stored it, in its own object, with its alarm as v0.1 armed it. */
async function writeV01Reservation(record: ReservationRecord, alarmAt: number): Promise<void> {
  await runInDurableObject(legacyReservation(env, record.id), async (_: LegacyReservation, state) => {
    state.storage.sql.exec("CREATE TABLE IF NOT EXISTS reservation (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)");
    state.storage.sql.exec("INSERT INTO reservation (id, record) VALUES (1, ?)", JSON.stringify(record));
    await state.storage.setAlarm(alarmAt);
  });
}

/** The tables the v0.1 object has (none once it has handed its record over). */
function v01Tables(id: string): Promise<string[]> {
  return runInDurableObject(legacyReservation(env, id), (_: LegacyReservation, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'")
      .toArray()
      .map((row) => row.name),
  );
}

/** A v0.1 reservation of `lines`, its holds placed at the items as v0.1's coordinator placed them. */
async function v01Reservation(phase: Phase, lines: [Item, number][], expiresAt = Date.now() + 10 * MINUTE) {
  const id = unique("v01");
  const record: ReservationRecord = {
    id,
    attempt: 1,
    phase,
    lines: lines.map(([item, quantity]) => line(item, quantity)),
    createdAt: Date.now() - MINUTE,
    expiresAt,
  };
  for (const [item, quantity] of lines) {
    const held = await item.stub.hold({ ...line(item, quantity), reservationId: id, attempt: 1, expiresAt });
    expect(held).toEqual({ ok: true });
  }
  await writeV01Reservation(record, phase === "placing" ? Date.now() + 5_000 : expiresAt + 30 * 24 * 3600 * 1000);
  return id;
}

describe("a reservation held under v0.1 (one object per id)", () => {
  it("is found by id, committed through the API, and then lives in the pooled coordinator only", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = await v01Reservation("held", [
      [a, 2],
      [b, 3],
    ]);

    const read = await call("GET", `/v1/reservations/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, status: "held", lines: [line(a, 2), line(b, 3)] });
    expect((await readRecord(id))?.phase).toBe("held");
    expect(await v01Tables(id)).toEqual([]);

    const committed = await call("POST", `/v1/reservations/${id}/commit`);
    expect(committed.status).toBe(200);
    expect(committed.body).toMatchObject({ status: "committed" });
    expect(await Promise.all([level(a), level(b)])).toEqual([
      expect.objectContaining({ onHand: 8, reserved: 0 }),
      expect.objectContaining({ onHand: 7, reserved: 0 }),
    ]);
  });

  it("can be released, and a repeat of the release answers 200 unchanged", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = await v01Reservation("held", [[a, 4]]);
    expect((await call("POST", `/v1/reservations/${id}/release`)).body).toMatchObject({ status: "released" });
    expect((await call("POST", `/v1/reservations/${id}/release`)).status).toBe(200);
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
  });

  it("expires at its time: reads expired, its units are available, commit is 409 invalid_state", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const expiresAt = Date.now() + MINUTE;
    const id = await v01Reservation("held", [[a, 4]], expiresAt);
    await expireAtItem(a, id);
    // The coordinator's clock says the time has not come; the item's says it has. Either
    // way the commit may not succeed on an expired hold.
    const commit = await call("POST", `/v1/reservations/${id}/commit`);
    expect(expectProblem(commit, 409, "invalid_state")).toMatchObject({ reservationStatus: "expired" });
    expect(await level(a)).toMatchObject({ onHand: 10, reserved: 0 });
    expect(await holdStatus(a, id)).toBe("expired");
  });

  it("an interrupted v0.1 placement is handed over by the old object's alarm and voided by the pool", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = await v01Reservation("placing", [
      [a, 5],
      [b, 5],
    ]);
    expect(await level(a)).toMatchObject({ reserved: 5 });

    expect(await runDurableObjectAlarm(legacyReservation(env, id))).toBe(true);
    expect(await v01Tables(id)).toEqual([]);
    expect((await readRecord(id))?.phase).toBe("placing");

    await makeDue(id);
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("rejected");
    expect(await holdStatus(a, id)).toBe("voided");
    expect(await Promise.all([level(a), level(b)])).toEqual([
      expect.objectContaining({ reserved: 0, available: 10 }),
      expect.objectContaining({ reserved: 0, available: 10 }),
    ]);
  });

  it("a record handed over twice (a crash between saving and forgetting) keeps the pool's newer state", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = await v01Reservation("held", [[a, 1]]);
    const stale = await legacyReservation(env, id).handOver();
    expect(stale?.phase).toBe("held");
    expect((await call("POST", `/v1/reservations/${id}/commit`)).body).toMatchObject({ status: "committed" });
    if (stale === null) throw new Error("no v0.1 record");
    await coordinator(id).stub.adopt(stale);
    expect((await call("GET", `/v1/reservations/${id}`)).body).toMatchObject({ status: "committed" });
  });

  it("asking about an id v0.1 never had leaves no storage behind", async () => {
    const id = unique("never");
    expect((await call("GET", `/v1/reservations/${id}`)).status).toBe(404);
    expect(await v01Tables(id)).toEqual([]);
  });

  it("a placement repeated after the upgrade is recognised while LEGACY_RESERVATIONS_UNTIL lies ahead", async () => {
    const [a] = await items(10);
    if (!a) throw new Error("items");
    const id = await v01Reservation("held", [[a, 3]]);
    await runInDurableObject(coordinator(id).stub, (instance: ReservationCoordinator) => {
      const holder = (instance as unknown as { legacy: { env: Env } }).legacy;
      holder.env = { ...holder.env, LEGACY_RESERVATIONS_UNTIL: new Date(Date.now() + MINUTE).toISOString() };
    });
    const repeat = await call("POST", "/v1/reservations", { json: { id, lines: [line(a, 3)] } });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ id, status: "held" });
    expect(await level(a)).toMatchObject({ reserved: 3 });
    const conflict = await call("POST", "/v1/reservations", { json: { id, lines: [line(a, 4)] } });
    expectProblem(conflict, 409, "idempotency_conflict");
  });
});

describe("a SKU first stocked under v0.1 (one index object per SKU)", () => {
  it("GET /v1/stock/{sku} still finds its old warehouses, beside those stocked since", async () => {
    const sku = unique("V01SKU");
    // ams-1 was stocked under v0.1: its item registered in the per-SKU index, not the directory.
    await stockItem(env, sku, "ams-1").setCount(sku, "ams-1", { onHand: 5 });
    await runInDurableObject(skuDirectory(env, sku), (_: SkuDirectory, state) => {
      state.storage.sql.exec("DELETE FROM sku_warehouses WHERE sku = ?", sku);
    });
    await runInDurableObject(legacySkuIndex(env, sku), (_: SkuIndex, state) => {
      state.storage.sql.exec("CREATE TABLE IF NOT EXISTS warehouses (warehouse TEXT PRIMARY KEY)");
      state.storage.sql.exec("INSERT INTO warehouses (warehouse) VALUES ('ams-1')");
    });
    // rtm-1 is stocked after the upgrade.
    expect((await call("PUT", `/v1/stock/${sku}/rtm-1`, { json: { onHand: 7 } })).status).toBe(200);

    const totals = await call("GET", `/v1/stock/${sku}`);
    expect(totals.status).toBe(200);
    expect(totals.body.warehouses.map((w: { warehouse: string }) => w.warehouse)).toEqual(["ams-1", "rtm-1"]);
    expect(totals.body.totals).toEqual({ onHand: 12, reserved: 0, available: 12 });
  });
});
