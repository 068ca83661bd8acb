import { describe, expect, it } from "vitest";
import { type ExpectedState, judge, type ProjectedState } from "../../src/events/drift";

const NOW = 1_800_000_000_000;
const GRACE = 60_000;
const level = (over: Partial<ExpectedState> = {}): ExpectedState => ({
  onHand: 5,
  reserved: 1,
  version: 7,
  updatedAt: NOW - 1_000,
  ...over,
});
const projection = (over: Partial<ProjectedState> = {}): ProjectedState => ({ onHand: 5, reserved: 1, lastSeq: 7, events: 7, ...over });
const stale = { updatedAt: NOW - GRACE - 1 };

describe("judging D1 against the object", () => {
  it.each([
    ["everything agrees", level(), projection(), { status: "consistent" }],
    ["neither side knows the item", null, null, { status: "consistent" }],
    ["same seq, other onHand", level(), projection({ onHand: 6 }), { status: "drift", reason: "values_differ" }],
    ["same seq, other reserved", level(), projection({ reserved: 0 }), { status: "drift", reason: "values_differ" }],
    ["D1 ahead of the object", level(), projection({ lastSeq: 8, events: 8 }), { status: "drift", reason: "ahead" }],
    ["D1 knows an item the object does not", null, projection(), { status: "drift", reason: "unknown_item" }],
    ["D1 behind, recent change", level(), projection({ lastSeq: 5, events: 5, onHand: 9 }), { status: "lagging" }],
    ["D1 has nothing yet, recent change", level(), null, { status: "lagging" }],
    ["D1 behind for too long", level(stale), projection({ lastSeq: 5, events: 5 }), { status: "drift", reason: "behind" }],
    ["D1 never heard of a stale item", level(stale), null, { status: "drift", reason: "behind" }],
    ["an event below lastSeq missing, recently", level(), projection({ events: 6 }), { status: "lagging" }],
    ["an event below lastSeq missing for too long", level(stale), projection({ events: 6 }), { status: "drift", reason: "missing_events" }],
    [
      "exactly at the end of the grace period",
      level({ updatedAt: NOW - GRACE }),
      projection({ lastSeq: 6, events: 6 }),
      { status: "lagging" },
    ],
  ] as const)("%s", (_name, expected, projected, verdict) => {
    expect(judge(expected, projected, NOW, GRACE)).toEqual(verdict);
  });
});
