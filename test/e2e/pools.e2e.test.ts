import { describe, expect, it } from "vitest";
import { type FetchInit, fetchJson, serverForFile } from "./server";

/**
 * Flash-sale pools under the real `npm start`: one SKU with 8 pool members sells exactly
 * its stock to a crowd larger than it, reads stay exact, the members all took calls, and
 * the item's events reach D1 numbered 1..version with deltas that add up, within 10 s.
 */

const server = serverForFile();
const json = <T = any>(path: string, init?: FetchInit) => fetchJson<T>(server(), path, init);

describe("flash-sale pools end to end", () => {
  it("sells exactly the stock over 8 members, with exact reads and gap-free events in D1", async () => {
    const sku = `E2E-POOL-${Math.random().toString(36).slice(2, 8)}`;
    const path = `/v1/stock/${sku}/wh`;
    const set = await json(path, { method: "PUT", json: { onHand: 120, shards: 8 } });
    expect(set.body).toMatchObject({ onHand: 120, shards: 8 });

    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        server().fetch("/v1/reservations", { method: "POST", json: { id: `${sku}-${i}`, lines: [{ sku, warehouse: "wh", quantity: 1 }] } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(120);
    expect(statuses.filter((s) => s === 409)).toHaveLength(280);

    const level = (await json(path)).body;
    expect(level).toMatchObject({ onHand: 120, reserved: 120, available: 0, shards: 8 });
    const shards = (await json(`${path}/shards`)).body;
    expect(shards.shards).toHaveLength(8);
    expect(shards.shards.every((s: { requests: number }) => s.requests > 0)).toBe(true);

    // Quiet now: D1 gets seq 1..version within 10 s.
    const deadline = Date.now() + 10_000;
    let events: { seq: number; onHandDelta: number; reservedDelta: number }[] = [];
    while (Date.now() < deadline) {
      events = (await json(`/v1/events?sku=${sku}&warehouse=wh&limit=500`)).body.events;
      if (events.length >= level.version) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: level.version }, (_, i) => i + 1));
    expect(events.reduce((sum, e) => sum + e.onHandDelta, 0)).toBe(level.onHand);
    expect(events.reduce((sum, e) => sum + e.reservedDelta, 0)).toBe(level.reserved);
  });
});
