import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ReservationCoordinator } from "../../src/reservations/ReservationCoordinator";
import { stockItemName } from "../../src/stock/address";
import { coordinator, holdStatus, type Item, items, level, line, makeDue, readRecord, unique } from "./fixtures";

/**
 * A stock item the coordinator cannot reach (the `503 unavailable` path). The binding of the
 * coordinator's stock gateway (src/reservations/stock-gateway.ts) is swapped, inside the object,
 * for one whose stock items named in `down` fail every call the way a lost connection does; the
 * swap lasts as long as that object instance.
 */
async function cutOff(reservationId: string, down: Set<string>): Promise<void> {
  await runInDurableObject(coordinator(reservationId).stub, (instance: ReservationCoordinator) => {
    const holder = (instance as unknown as { stock: { env: Env } }).stock;
    const real = holder.env.STOCK_ITEM;
    const names = new Map<string, string>();
    const namespace = new Proxy(real, {
      get(target, property) {
        if (property === "idFromName") {
          return (name: string) => {
            const id = target.idFromName(name);
            names.set(id.toString(), name);
            return id;
          };
        }
        if (property === "get") {
          return (id: DurableObjectId) => {
            const stub = target.get(id);
            return new Proxy(stub, {
              get(item, method) {
                const call = Reflect.get(item, method, item) as (...args: unknown[]) => Promise<unknown>;
                if (typeof method !== "string" || typeof call !== "function") return call;
                return (...args: unknown[]) =>
                  down.has(names.get(id.toString()) ?? "")
                    ? Promise.reject(new Error("Network connection lost."))
                    : Reflect.apply(call, item, args);
              },
            });
          };
        }
        return Reflect.get(target, property, target);
      },
    });
    holder.env = new Proxy(holder.env, {
      get: (target, property) => (property === "STOCK_ITEM" ? namespace : Reflect.get(target, property, target)),
    });
  });
}

const nameOf = (item: Item) => stockItemName(item.sku, item.warehouse);

describe("a stock item that cannot be reached", () => {
  it("makes a placement unavailable; the alarm voids the unreachable line; the id can be placed again", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("down");
    const down = new Set([nameOf(b)]);
    await cutOff(id, down);

    const lines = [line(a, 2), line(b, 3)];
    expect(await coordinator(id).place({ id, lines, ttlSeconds: 600 })).toEqual({ kind: "unavailable" });
    // a's hold was placed and voided at once; b's outcome is unknown, so the intent stays.
    expect((await readRecord(id))?.phase).toBe("placing");
    expect(await level(a)).toMatchObject({ reserved: 0, available: 10 });
    expect(await holdStatus(a, id)).toBe("voided");
    expect(await holdStatus(b, id)).toBeUndefined();

    down.clear();
    await makeDue(id);
    expect(await runDurableObjectAlarm(coordinator(id).stub)).toBe(true);
    expect((await readRecord(id))?.phase).toBe("rejected");
    expect(await level(a)).toMatchObject({ reserved: 0, available: 10 });
    expect(await holdStatus(b, id)).toBe("voided");

    const again = await coordinator(id).place({ id, lines, ttlSeconds: 600 });
    expect(again).toMatchObject({ kind: "created", reservation: { status: "held" } });
    expect(await Promise.all([level(a), level(b)])).toEqual([
      expect.objectContaining({ reserved: 2 }),
      expect.objectContaining({ reserved: 3 }),
    ]);
  });

  it("makes a commit unavailable without committing any line; the retried commit commits all", async () => {
    const [a, b] = await items(10, 10);
    if (!a || !b) throw new Error("items");
    const id = unique("down");
    expect(await coordinator(id).place({ id, lines: [line(a, 2), line(b, 3)], ttlSeconds: 600 })).toMatchObject({
      kind: "created",
    });
    const down = new Set([nameOf(b)]);
    await cutOff(id, down);

    expect(await coordinator(id).commit()).toEqual({ kind: "unavailable" });
    expect((await readRecord(id))?.phase).toBe("committing");
    expect(await Promise.all([level(a), level(b)])).toEqual([
      expect.objectContaining({ onHand: 10, reserved: 2 }),
      expect.objectContaining({ onHand: 10, reserved: 3 }),
    ]);
    expect(await holdStatus(a, id)).toBe("pinned");

    down.clear();
    expect(await coordinator(id).commit()).toMatchObject({ kind: "ok", reservation: { status: "committed" } });
    expect(await Promise.all([level(a), level(b)])).toEqual([
      expect.objectContaining({ onHand: 8, reserved: 0 }),
      expect.objectContaining({ onHand: 7, reserved: 0 }),
    ]);
  });
});
