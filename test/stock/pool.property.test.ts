import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, unique } from "../http/client";
import { applySharedStep, expectLevelIsModel, expectNothingStranded, poolModel, reservedOf, type SharedStep } from "./pool-model";

/**
 * A pooled item against a simple model: random sequences of reservations, commits, releases,
 * expiries inside whichever object holds them, counts, adjustments and re-sharding. Done one
 * at a time, a reservation must succeed exactly when the model has the units (never oversold,
 * never a false sold-out), every read must equal the model, and once quiet no unit may be
 * stranded: what nobody holds is unallocated or free in a member.
 */

type Op = { kind: "reserve"; quantity: number } | SharedStep | { kind: "reshard"; shards: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("reserve" as const), quantity: fc.integer({ min: 1, max: 3 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom("commit" as const, "release" as const, "expire" as const), pick: fc.nat(20) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("count" as const), onHand: fc.integer({ min: 0, max: 25 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("adjust" as const), delta: fc.integer({ min: -4, max: 4 }).filter((d) => d !== 0) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reshard" as const), shards: fc.integer({ min: 1, max: 6 }) }) },
);

describe("a pooled item against a model", () => {
  it("never oversells, never refuses falsely, reads exactly, strands nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 5, max: 20 }),
        fc.array(op, { minLength: 5, maxLength: 25 }),
        async (shards, initial, ops) => {
          const sku = unique("PPROP");
          const model = poolModel(sku, initial);
          await call("PUT", model.path, { json: { onHand: initial, shards } });
          let n = 0;
          for (const step of ops) {
            const reserved = reservedOf(model);
            switch (step.kind) {
              case "reserve": {
                const id = `${sku}-${n++}`;
                const r = await call("POST", "/v1/reservations", {
                  json: { id, lines: [{ sku, warehouse: "wh", quantity: step.quantity }] },
                });
                const expected = model.onHand - reserved >= step.quantity ? 201 : 409;
                expect(r.status, `reserve ${step.quantity} with ${model.onHand - reserved} available`).toBe(expected);
                if (r.status === 201) model.held.set(id, step.quantity);
                break;
              }
              case "reshard":
                // A re-shard is a count too (a commit after a count to 0 can leave onHand below 0).
                model.onHand = Math.max(0, model.onHand);
                expect((await call("PUT", model.path, { json: { onHand: model.onHand, shards: step.shards } })).status).toBe(200);
                break;
              default:
                await applySharedStep(model, step);
            }
            await expectLevelIsModel(model, step);
          }
          await expectNothingStranded(model);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
