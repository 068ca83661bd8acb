import { describe, expect, it } from "vitest";
import {
  countsAsReserved,
  decidePlace,
  type Hold,
  type HoldOp,
  type HoldStatus,
  type HoldTransition,
  isExpiredAt,
  transition,
} from "../../src/stock/holds";

const hold = (status: HoldStatus, attempt = 2, expiresAt = 1_000): Hold => ({
  reservationId: "r1",
  attempt,
  quantity: 3,
  status,
  expiresAt,
});

const STATUSES: HoldStatus[] = ["held", "pinned", "committed", "released", "expired", "voided"];

describe("transition: the hold state machine", () => {
  // Every (status, operation) pair, written out: the table is the specification.
  const table: Record<HoldOp, Record<HoldStatus, HoldTransition>> = {
    pin: {
      held: { kind: "move", to: "pinned" },
      pinned: { kind: "same", status: "pinned" },
      committed: { kind: "same", status: "committed" },
      released: { kind: "refused", status: "released" },
      expired: { kind: "refused", status: "expired" },
      voided: { kind: "refused", status: "voided" },
    },
    commit: {
      held: { kind: "move", to: "committed" },
      pinned: { kind: "move", to: "committed" },
      committed: { kind: "same", status: "committed" },
      released: { kind: "refused", status: "released" },
      expired: { kind: "refused", status: "expired" },
      voided: { kind: "refused", status: "voided" },
    },
    release: {
      held: { kind: "move", to: "released" },
      pinned: { kind: "move", to: "released" },
      committed: { kind: "refused", status: "committed" },
      released: { kind: "same", status: "released" },
      expired: { kind: "same", status: "expired" },
      voided: { kind: "refused", status: "voided" },
    },
  };

  for (const op of ["pin", "commit", "release"] as const) {
    for (const status of STATUSES) {
      it(`${op} of a ${status} hold → ${JSON.stringify(table[op][status])}`, () => {
        expect(transition(hold(status), op)).toEqual(table[op][status]);
      });
    }
  }

  it("a finished hold (committed, released, expired, voided) never moves again", () => {
    for (const status of ["committed", "released", "expired", "voided"] as const) {
      for (const op of ["pin", "commit", "release"] as const) {
        expect(transition(hold(status), op).kind).not.toBe("move");
      }
    }
  });
});

describe("decidePlace: placing a hold per attempt", () => {
  it("places when nothing is recorded", () => {
    expect(decidePlace(null, 1)).toEqual({ kind: "place" });
  });

  it("answers a repeat of the same attempt from the record, for every recorded status", () => {
    for (const status of ["held", "pinned", "committed", "released", "expired"] as const) {
      expect(decidePlace(hold(status, 2), 2)).toEqual({ kind: "recorded", status });
    }
  });

  it("refuses a hold whose attempt was voided first (the tombstone)", () => {
    expect(decidePlace(hold("voided", 2), 2)).toEqual({ kind: "refused" });
  });

  it("refuses a late hold of an earlier attempt, whatever the later attempt did", () => {
    for (const status of STATUSES) expect(decidePlace(hold(status, 3), 2)).toEqual({ kind: "refused" });
  });

  it("a later attempt supersedes a live hold of an earlier one, and simply places over a finished one", () => {
    expect(decidePlace(hold("held", 1), 2)).toEqual({ kind: "place", supersedes: hold("held", 1) });
    expect(decidePlace(hold("pinned", 1), 2)).toEqual({ kind: "place", supersedes: hold("pinned", 1) });
    for (const status of ["committed", "released", "expired", "voided"] as const) {
      expect(decidePlace(hold(status, 1), 2)).toEqual({ kind: "place" });
    }
  });
});

describe("countsAsReserved and isExpiredAt", () => {
  it("only held and pinned holds count in reserved", () => {
    expect(STATUSES.filter(countsAsReserved)).toEqual(["held", "pinned"]);
  });

  it("a held hold expires at expiresAt exactly, not a millisecond earlier", () => {
    expect(isExpiredAt(hold("held", 1, 1_000), 999)).toBe(false);
    expect(isExpiredAt(hold("held", 1, 1_000), 1_000)).toBe(true);
    expect(isExpiredAt(hold("held", 1, 1_000), 5_000)).toBe(true);
  });

  it("a pinned hold never expires, nor does any finished one", () => {
    for (const status of STATUSES.filter((s) => s !== "held")) {
      expect(isExpiredAt(hold(status, 1, 1_000), 1_000_000)).toBe(false);
    }
  });
});
