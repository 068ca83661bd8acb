import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { StockEvent } from "../../src/events/event";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";
import { apiJson, storedProjection, unique, waitForEvents } from "./support";

interface LevelBody {
  onHand: number;
  reserved: number;
  version: number;
}

/** Events not yet sent to the Queue (shipped ones stay until D1 is seen to hold them). */
function outboxOf(state: DurableObjectState): StockEvent[] {
  return state.storage.sql
    .exec<{ event: string }>("SELECT event FROM outbox WHERE shipped_at IS NULL ORDER BY seq")
    .toArray()
    .map((row) => JSON.parse(row.event) as StockEvent);
}

describe("outbox", () => {
  it("writes each change's event in the change's own transaction, seq = version", async () => {
    const sku = unique("obx");
    const stub = stockItem(env, sku, "WH1");
    await runInDurableObject(stub, async (instance: StockItem, state) => {
      const { level } = (await instance.setCount(sku, "WH1", { onHand: 8 })) as { level: { version: number } };
      const result = await instance.adjust({ delta: -3, reason: "damage", reference: "broken pallet" });
      expect(result.ok).toBe(true);
      const events = outboxOf(state);
      // Read before the alarm could ship them: both are still pending.
      expect(events.map((e) => e.seq)).toEqual([1, 2]);
      expect(level.version).toBe(1);
      expect(events[1]).toMatchObject({
        id: `${sku}:WH1:2`,
        type: "stock.adjusted",
        onHandDelta: -3,
        onHand: 5,
        reserved: 0,
        reason: "damage",
        reference: "broken pallet",
      });
    });
  });

  it("lets no change commit without its event", async () => {
    const sku = unique("atomic");
    const stub = stockItem(env, sku, "WH1");
    await runInDurableObject(stub, (instance: StockItem) => instance.setCount(sku, "WH1", { onHand: 4 }));
    await runDurableObjectAlarm(stub);
    await waitForEvents(sku, "WH1", 1);

    await runInDurableObject(stub, async (instance: StockItem, state) => {
      // Occupy the next event's slot so that writing the event fails inside the transaction.
      state.storage.sql.exec("INSERT INTO outbox (seq, event) VALUES (2, '{}')");
      await expect(instance.adjust({ delta: 1, reason: "receipt" })).rejects.toThrow();
      state.storage.sql.exec("DELETE FROM outbox WHERE seq = 2");
      const level = await instance.getLevel();
      expect(level).toMatchObject({ onHand: 4, version: 1 });
      expect(outboxOf(state)).toEqual([]);
      // The failed change left nothing behind: the next one is seq 2.
      const next = await instance.adjust({ delta: 1, reason: "receipt" });
      expect(next.ok && next.level.version).toBe(2);
      expect(outboxOf(state).map((e) => e.seq)).toEqual([2]);
    });
  });

  it("numbers events 1..N without gaps under many concurrent changes, and D1 gets every one", async () => {
    const sku = unique("burst");
    const warehouse = "WH1";
    const item = `/v1/stock/${sku}/${warehouse}`;
    expect((await apiJson(item, { method: "PUT", body: JSON.stringify({ onHand: 100 }) })).status).toBe(200);

    const ops: Promise<{ status: number; body: unknown }>[] = [];
    for (let i = 0; i < 40; i++) {
      const delta = i % 3 === 0 ? -1 : 2;
      ops.push(
        apiJson(`${item}/adjustments`, {
          method: "POST",
          body: JSON.stringify({ delta, reason: delta < 0 ? "loss" : "receipt" }),
        }),
      );
      if (i % 4 === 0) {
        const id = unique(`res${i}`);
        ops.push(
          apiJson("/v1/reservations", {
            method: "POST",
            body: JSON.stringify({ id, lines: [{ sku, warehouse, quantity: 1 }] }),
          }).then(async (placed) => {
            if (placed.status !== 201) return placed;
            return apiJson(`/v1/reservations/${id}/${i % 8 === 0 ? "commit" : "release"}`, { method: "POST" });
          }),
        );
      }
    }
    const results = await Promise.all(ops);
    expect(results.every((r) => r.status === 200)).toBe(true);

    const { body: level } = await apiJson<LevelBody>(item);
    // 1 count + 40 adjustments + 10 reservations × (hold + commit or release).
    expect(level.version).toBe(61);
    await runDurableObjectAlarm(stockItem(env, sku, warehouse));
    const events = await waitForEvents(sku, warehouse, level.version);

    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: level.version }, (_, i) => i + 1));
    let onHand = 0;
    let reserved = 0;
    for (const event of events) {
      onHand += event.on_hand_delta;
      reserved += event.reserved_delta;
      expect([event.on_hand, event.reserved]).toEqual([onHand, reserved]);
    }
    expect([onHand, reserved]).toEqual([level.onHand, level.reserved]);
    expect(await storedProjection(sku, warehouse)).toMatchObject({
      on_hand: level.onHand,
      reserved: level.reserved,
      last_seq: level.version,
    });
  });
});
