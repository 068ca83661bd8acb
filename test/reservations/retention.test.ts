import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RETENTION_MS } from "../../src/reservations/lifecycle";
import { coordinator, dueOf, items, line, readRecord, unique, writeRecord } from "./fixtures";

/** The record is looked at again at `at`, and the pooled object's alarm rings no later. */
async function expectDueAt(id: string, at: number) {
  const { dueAt, alarmAt } = await dueOf(id);
  expect(dueAt).toBe(at);
  expect(alarmAt).not.toBeNull();
  expect(alarmAt as number).toBeLessThanOrEqual(at);
}

describe("a reservation is remembered for 30 days after its expiry, then forgotten", () => {
  it("a finished reservation is due to be forgotten at expiresAt + 30 days, and the alarm rings by then", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("items");
    const id = unique("keep");
    const placed = await coordinator(id).place({ id, lines: [line(a, 1)], ttlSeconds: 60 });
    if (placed.kind !== "created") throw new Error(placed.kind);
    const expiresAt = Date.parse(placed.reservation.expiresAt);
    await expectDueAt(id, expiresAt + RETENTION_MS);
    await coordinator(id).commit();
    await expectDueAt(id, expiresAt + RETENTION_MS);
  });

  it("the alarm forgets a record whose retention has passed, and the id can be used afresh", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("items");
    const id = unique("forget");
    const longAgo = Date.now() - RETENTION_MS - 60_000;
    await writeRecord(
      { id, attempt: 1, phase: "committed", lines: [line(a, 1)], createdAt: longAgo - 60_000, expiresAt: longAgo },
      { alarmAt: Date.now() },
    );
    expect(await coordinator(id).get()).toMatchObject({ status: "committed" });
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect(await readRecord(id)).toBeNull();
    expect(await coordinator(id).get()).toBeNull();
    expect(await coordinator(id).place({ id, lines: [line(a, 2)], ttlSeconds: 60 })).toMatchObject({ kind: "created" });
  });

  it("the alarm keeps a record whose retention has not passed", async () => {
    const [a] = await items(5);
    if (!a) throw new Error("items");
    const id = unique("recent");
    const expiresAt = Date.now() - 60_000;
    await writeRecord(
      { id, attempt: 1, phase: "released", lines: [line(a, 1)], createdAt: expiresAt - 60_000, expiresAt },
      { alarmAt: Date.now() },
    );
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect(await coordinator(id).get()).toMatchObject({ status: "released" });
    await expectDueAt(id, expiresAt + RETENTION_MS);
  });
});
