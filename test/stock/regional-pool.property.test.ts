import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REGIONS, type Region } from "../../src/regions/regions";
import { call, unique } from "../http/client";
import { coordinator } from "../reservations/fixtures";
import { applySharedStep, expectLevelIsModel, expectNothingStranded, poolModel, reservedOf, type SharedStep } from "./pool-model";

/**
 * A regional pool against a simple model (as test/stock/pool.property.test.ts does for v1.1):
 * buyers from random regions, commits, releases, expiries where each hold lives, counts,
 * adjustments and changes of `regions` and `shards` with holds open. A reservation must succeed
 * exactly when the model has the units (never oversold, never a false sold-out, whichever region
 * the units sit in), every read must equal the model, and once quiet nothing is stranded.
 */

type Op = { kind: "reserve"; quantity: number; region: Region } | SharedStep | { kind: "reregion"; regions: Region[]; extra: number };

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

describe("a regional pool against a model", () => {
  it("never oversells, never refuses falsely, reads exactly, strands nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(region, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 5, max: 20 }),
        fc.array(op, { minLength: 5, maxLength: 25 }),
        async (regions, initial, ops) => {
          const sku = unique("RPROP");
          const model = poolModel(sku, initial);
          expect((await call("PUT", model.path, { json: { onHand: initial, shards: regions.length, regions } })).status).toBe(200);
          let n = 0;
          for (const step of ops) {
            const reserved = reservedOf(model);
            switch (step.kind) {
              case "reserve": {
                const id = `${sku}-${n++}`;
                const answer = await coordinator(id).place({
                  id,
                  lines: [{ sku, warehouse: "wh", quantity: step.quantity }],
                  ttlSeconds: 600,
                  region: step.region,
                });
                const expected = model.onHand - reserved >= step.quantity ? "created" : "insufficient_stock";
                expect(answer.kind, `reserve ${step.quantity} from ${step.region} with ${model.onHand - reserved} available`).toBe(
                  expected,
                );
                if (answer.kind === "created") model.held.set(id, step.quantity);
                break;
              }
              case "reregion":
                model.onHand = Math.max(0, model.onHand);
                expect(
                  (
                    await call("PUT", model.path, {
                      json: { onHand: model.onHand, shards: step.regions.length + step.extra, regions: step.regions },
                    })
                  ).status,
                ).toBe(200);
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
  }, 180_000);
});
