import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { REGIONS, type Region } from "../../src/regions/regions";
import { stockItem, stockPoolMember } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";
import { call, unique } from "../http/client";
import { coordinator, readRecord } from "../reservations/fixtures";

/**
 * A regional pool against a simple model (as test/stock/pool.property.test.ts does for v1.1):
 * buyers from random regions, commits, releases, expiries where each hold lives, counts,
 * adjustments and changes of `regions` and `shards` with holds open. A reservation must succeed
 * exactly when the model has the units (never oversold, never a false sold-out, whichever region
 * the units sit in), every read must equal the model, and once quiet nothing is stranded.
 */

type Op =
  | { kind: "reserve"; quantity: number; region: Region }
  | { kind: "commit" | "release" | "expire"; pick: number }
  | { kind: "count"; onHand: number }
  | { kind: "adjust"; delta: number }
  | { kind: "reregion"; regions: Region[]; extra: number };

const region = fc.constantFrom(...REGIONS);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("reserve" as const), quantity: fc.integer({ min: 1, max: 3 }), region }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom("commit" as const, "release" as const, "expire" as const), pick: fc.nat(20) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("count" as const), onHand: fc.integer({ min: 0, max: 25 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("adjust" as const), delta: fc.integer({ min: -4, max: 4 }).filter((d) => d !== 0) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("reregion" as const),
      regions: fc.uniqueArray(region, { minLength: 1, maxLength: 3 }),
      extra: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

async function expire(sku: string, id: string) {
  const member = (await readRecord(id))?.placements?.[0];
  const holder = typeof member === "number" ? stockPoolMember(env, sku, "wh", member) : stockItem(env, sku, "wh");
  await runInDurableObject(holder, (_: StockItem, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, id);
  });
}

describe("a regional pool against a model", () => {
  it("never oversells, never refuses falsely, reads exactly, strands nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(region, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 5, max: 20 }),
        fc.array(op, { minLength: 5, maxLength: 25 }),
        async (regions, initial, ops) => {
          const sku = unique("RPROP");
          const path = `/v1/stock/${sku}/wh`;
          expect((await call("PUT", path, { json: { onHand: initial, shards: regions.length, regions } })).status).toBe(200);
          let onHand = initial;
          const held = new Map<string, number>();
          let n = 0;
          for (const step of ops) {
            const reserved = [...held.values()].reduce((a, b) => a + b, 0);
            const ids = [...held.keys()];
            switch (step.kind) {
              case "reserve": {
                const id = `${sku}-${n++}`;
                const answer = await coordinator(id).place({
                  id,
                  lines: [{ sku, warehouse: "wh", quantity: step.quantity }],
                  ttlSeconds: 600,
                  region: step.region,
                });
                const expected = onHand - reserved >= step.quantity ? "created" : "insufficient_stock";
                expect(answer.kind, `reserve ${step.quantity} from ${step.region} with ${onHand - reserved} available`).toBe(expected);
                if (answer.kind === "created") held.set(id, step.quantity);
                break;
              }
              case "commit":
              case "release":
              case "expire": {
                const id = ids[step.pick % Math.max(1, ids.length)];
                if (id === undefined) break;
                const quantity = held.get(id) as number;
                if (step.kind === "expire") await expire(sku, id);
                else expect((await call("POST", `/v1/reservations/${id}/${step.kind}`)).status).toBe(200);
                if (step.kind === "commit") onHand -= quantity;
                held.delete(id);
                break;
              }
              case "count":
                expect((await call("PUT", path, { json: { onHand: step.onHand } })).status).toBe(200);
                onHand = step.onHand;
                break;
              case "adjust": {
                const r = await call("POST", `${path}/adjustments`, { json: { delta: step.delta, reason: "correction" } });
                expect(r.status).toBe(onHand + step.delta < 0 ? 409 : 200);
                if (r.status === 200) onHand += step.delta;
                break;
              }
              case "reregion":
                onHand = Math.max(0, onHand);
                expect(
                  (await call("PUT", path, { json: { onHand, shards: step.regions.length + step.extra, regions: step.regions } })).status,
                ).toBe(200);
                break;
            }
            const modelReserved = [...held.values()].reduce((a, b) => a + b, 0);
            expect((await call("GET", path)).body, JSON.stringify(step)).toMatchObject({
              onHand,
              reserved: modelReserved,
              available: onHand - modelReserved,
            });
          }
          await vi.waitFor(
            async () => {
              const level = (await call("GET", path)).body;
              const view = (await call("GET", `${path}/shards`)).body;
              const memberFree = view.shards.reduce((sum: number, s: { available: number }) => sum + s.available, 0);
              expect(view.unallocated + memberFree).toBe(level.available);
            },
            { timeout: 3_000, interval: 50 },
          );
        },
      ),
      { numRuns: 40 },
    );
  }, 180_000);
});
