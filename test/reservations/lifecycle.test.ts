import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decide,
  isInterrupted,
  type Line,
  type Phase,
  type ReservationRecord,
  type Status,
  sameLines,
  statusAt,
  viewAt,
} from "../../src/reservations/lifecycle";

const record = (phase: Phase, expiresAt = 10_000): ReservationRecord => ({
  id: "order-1",
  attempt: 1,
  phase,
  lines: [{ sku: "A", warehouse: "W", quantity: 2 }],
  createdAt: 1_000,
  expiresAt,
});

describe("statusAt", () => {
  // [phase, status before expiresAt, status at/after expiresAt]
  const table: [Phase, Status | null, Status | null][] = [
    ["placing", null, null],
    ["rejected", null, null],
    ["held", "held", "expired"],
    // Mid-commit or mid-release the outcome is not decided yet; the item's pin decides it.
    ["committing", "held", "held"],
    ["releasing", "held", "held"],
    ["committed", "committed", "committed"],
    ["released", "released", "released"],
    ["expired", "expired", "expired"],
  ];
  for (const [phase, before, after] of table) {
    it(`${phase}: ${before} before expiresAt, ${after} from expiresAt on`, () => {
      expect(statusAt(record(phase), 9_999)).toBe(before);
      expect(statusAt(record(phase), 10_000)).toBe(after);
      expect(statusAt(record(phase), 99_999)).toBe(after);
    });
  }

  it("viewAt shows ISO timestamps and hides placements that do not exist for clients", () => {
    expect(viewAt(record("held"), 5_000)).toEqual({
      id: "order-1",
      status: "held",
      lines: [{ sku: "A", warehouse: "W", quantity: 2 }],
      // A record of v1.0 has neither: no channel, and each line is its own allocation.
      channel: null,
      allocations: [{ sku: "A", warehouse: "W", quantity: 2 }],
      createdAt: "1970-01-01T00:00:01.000Z",
      expiresAt: "1970-01-01T00:00:10.000Z",
    });
    expect(viewAt(record("held"), 10_000)?.status).toBe("expired");
    expect(viewAt(record("placing"), 5_000)).toBeNull();
    expect(viewAt(record("rejected"), 5_000)).toBeNull();
  });

  it("isInterrupted: exactly the phases written before a step and replaced after it", () => {
    const phases: Phase[] = ["placing", "rejected", "held", "committing", "committed", "releasing", "released", "expired"];
    expect(phases.filter(isInterrupted)).toEqual(["placing", "committing", "releasing"]);
  });
});

describe("decide", () => {
  const table: [Status, "commit" | "release", ReturnType<typeof decide>][] = [
    ["held", "commit", "proceed"],
    ["held", "release", "proceed"],
    ["committed", "commit", "repeat"],
    ["committed", "release", "invalid_state"],
    ["released", "release", "repeat"],
    ["released", "commit", "invalid_state"],
    ["expired", "commit", "invalid_state"],
    ["expired", "release", "invalid_state"],
  ];
  for (const [status, request, expected] of table) {
    it(`${request} of a ${status} reservation → ${expected}`, () => {
      expect(decide(status, request)).toBe(expected);
    });
  }
});

describe("sameLines", () => {
  const a: Line = { sku: "A", warehouse: "W1", quantity: 1 };
  const b: Line = { sku: "B", warehouse: "W1", quantity: 2 };
  const c: Line = { sku: "A", warehouse: "W2", quantity: 1 };

  it("same lines in any order are the same", () => {
    expect(sameLines([a, b], [b, a])).toBe(true);
    expect(sameLines([a], [a])).toBe(true);
  });

  it("another quantity, warehouse, sku or number of lines is not", () => {
    expect(sameLines([a, b], [a, { ...b, quantity: 3 }])).toBe(false);
    expect(sameLines([a], [c])).toBe(false);
    expect(sameLines([a], [{ ...a, sku: "Z" }])).toBe(false);
    expect(sameLines([a, b], [a])).toBe(false);
    expect(sameLines([a], [a, b])).toBe(false);
  });

  it("is symmetric and holds exactly for permutations", () => {
    const lineArb = fc.record({
      sku: fc.constantFrom("A", "B", "C"),
      warehouse: fc.constantFrom("W1", "W2"),
      quantity: fc.integer({ min: 1, max: 3 }),
    });
    const linesArb = fc.uniqueArray(lineArb, { selector: (l) => `${l.sku}/${l.warehouse}`, maxLength: 6 });
    fc.assert(
      fc.property(linesArb, linesArb, (x, y) => {
        expect(sameLines(x, y)).toBe(sameLines(y, x));
        const key = (l: Line) => `${l.sku}/${l.warehouse}/${l.quantity}`;
        const expected = x.map(key).sort().join() === y.map(key).sort().join();
        expect(sameLines(x, y)).toBe(expected);
      }),
    );
    fc.assert(
      fc.property(
        linesArb.chain((x) => fc.tuple(fc.constant(x), fc.shuffledSubarray(x, { minLength: x.length }))),
        ([x, y]) => {
          expect(sameLines(x, y)).toBe(true);
        },
      ),
    );
  });
});
