import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";
import { type HoldOpName, pickId, StockModel } from "./stock-model";

/**
 * The real StockItem Durable Object, driven through its RPC methods by random operation
 * sequences, against the model in ./stock-model.ts. Time cannot be advanced inside
 * workerd, so "expire" moves one hold's expiry into the past in the object's storage and
 * lets the object find it (every call sweeps due holds first).
 */

type DoOp =
  | { kind: "set"; onHand: number }
  | { kind: "adjust"; delta: number }
  | { kind: "reserve"; qty: number }
  | { kind: "repeat"; pick: number }
  | { kind: "hold-op"; op: HoldOpName; pick: number }
  | { kind: "void"; pick: number }
  | { kind: "expire"; pick: number };

const doOpArb: fc.Arbitrary<DoOp> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), onHand: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant("adjust" as const), delta: fc.integer({ min: -10, max: 10 }).filter((d) => d !== 0) }),
  { arbitrary: fc.record({ kind: fc.constant("reserve" as const), qty: fc.integer({ min: 1, max: 6 }) }), weight: 4 },
  fc.record({ kind: fc.constant("repeat" as const), pick: fc.nat() }),
  {
    arbitrary: fc.record({
      kind: fc.constant("hold-op" as const),
      op: fc.constantFrom<HoldOpName>("pin", "commit", "release"),
      pick: fc.nat(),
    }),
    weight: 3,
  },
  fc.record({ kind: fc.constant("void" as const), pick: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant("expire" as const), pick: fc.nat() }), weight: 2 },
);

const FAR = Number.MAX_SAFE_INTEGER;
const NOW = 1;

describe("StockItem object against the model", () => {
  it("random set/adjust/reserve/commit/release/pin/void/expire sequences keep the object equal to the model", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(doOpArb, { minLength: 1, maxLength: 30, size: "max" }), async (ops) => {
        const sku = `PROP-${crypto.randomUUID().slice(0, 8)}-${run++}`;
        const warehouse = "wh";
        const stub = stockItem(env, sku, warehouse);
        const model = new StockModel();
        const ids: string[] = [];
        const expiresAt = Date.now() + 3_600_000;

        for (const op of ops) {
          switch (op.kind) {
            case "set":
              await stub.setCount(sku, warehouse, { onHand: op.onHand });
              model.set(op.onHand);
              break;
            case "adjust": {
              const result = await stub.adjust({ delta: op.delta, reason: "correction" });
              expect(result.ok ? "ok" : result.code).toBe(model.adjust(op.delta));
              break;
            }
            case "reserve": {
              const id = `r${ids.length}`;
              ids.push(id);
              const before = model.onHand === null ? null : model.available();
              const result = await stub.hold({ sku, warehouse, reservationId: id, attempt: 1, quantity: op.qty, expiresAt });
              expect(result.ok).toBe(before !== null && before >= op.qty);
              expect(result.ok).toBe(model.reserve(id, op.qty, FAR));
              if (!result.ok && result.reason === "insufficient") expect(result.available).toBe(before ?? 0);
              break;
            }
            case "repeat": {
              const id = pickId(ids, op.pick);
              if (id === undefined) break;
              const result = await stub.hold({ sku, warehouse, reservationId: id, attempt: 1, quantity: 1, expiresAt });
              expect(result.ok).toBe(model.reserve(id, 1, FAR));
              break;
            }
            case "hold-op": {
              const id = pickId(ids, op.pick);
              if (id === undefined) break;
              const was = model.state(id);
              const result = await stub[op.op](id);
              expect(result.ok, `${op.op} of a ${was} hold`).toBe(model.holdOp(id, op.op, NOW));
              break;
            }
            case "void": {
              const id = pickId(ids, op.pick);
              if (id === undefined) break;
              await stub.voidAttempt(id, 1);
              model.void(id);
              break;
            }
            case "expire": {
              const id = pickId(ids, op.pick);
              if (id === undefined) break;
              await runInDurableObject(stub, (_: StockItem, state) => {
                state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, id);
              });
              const h = model.holds.get(id);
              if (h !== undefined) h.expiresAt = 0;
              break;
            }
          }
          // A read sweeps what is due, exactly like the model's expiry.
          const level = await stub.getLevel();
          model.expire(NOW);
          if (model.onHand === null) {
            expect(level).toBeNull();
            continue;
          }
          expect(level).not.toBeNull();
          if (level === null) continue;
          expect({
            onHand: level.onHand,
            reserved: level.reserved,
            available: level.onHand - level.reserved,
            version: level.version,
          }).toEqual({
            onHand: model.onHand,
            reserved: model.reserved(),
            available: model.available(),
            version: model.version,
          });
        }

        // reserved is exactly the sum of the live holds the object keeps.
        const stored = await runInDurableObject(stub, (_: StockItem, state) => {
          const live = state.storage.sql
            .exec<{ n: number | null }>("SELECT SUM(quantity) AS n FROM holds WHERE status IN ('held', 'pinned')")
            .one().n;
          const level = state.storage.sql.exec<{ reserved: number }>("SELECT reserved FROM level").toArray()[0];
          return { live: live ?? 0, reserved: level?.reserved ?? 0 };
        });
        expect(stored.reserved).toBe(stored.live);
        expect(stored.live).toBe(model.reserved());
      }),
      { numRuns: 40 },
    );
  });
});
