import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Reservation } from "../../src/reservations/Reservation";
import type { Line, ReservationRecord } from "../../src/reservations/lifecycle";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";

/** Shared set-up of the reservation tests: unique items with stock, and the coordinator's storage. */

export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 12)}`;

export function coordinator(id: string) {
  return env.RESERVATION.get(env.RESERVATION.idFromName(id));
}

export interface Item {
  sku: string;
  warehouse: string;
  stub: ReturnType<typeof stockItem>;
}

/** New items (unique SKUs), each set to the given on-hand count. */
export async function items(...onHand: number[]): Promise<Item[]> {
  return Promise.all(
    onHand.map(async (count) => {
      const sku = unique("RS");
      const warehouse = "wh";
      const stub = stockItem(env, sku, warehouse);
      await stub.setCount(sku, warehouse, { onHand: count });
      return { sku, warehouse, stub };
    }),
  );
}

export const line = (item: Item, quantity: number): Line => ({ sku: item.sku, warehouse: item.warehouse, quantity });

export async function level(item: Item) {
  const l = await item.stub.getLevel();
  if (l === null) throw new Error(`${item.sku} has no level`);
  return { onHand: l.onHand, reserved: l.reserved, available: l.onHand - l.reserved, version: l.version };
}

/** The status of a reservation's hold at an item, read from storage without sweeping. */
export function holdStatus(item: Item, reservationId: string): Promise<string | undefined> {
  return runInDurableObject(item.stub, (_: StockItem, state) =>
    state.storage.sql
      .exec<{ status: string }>("SELECT status FROM holds WHERE reservation_id = ?", reservationId)
      .toArray()[0]?.status,
  );
}

/** Moves the hold's expiry into the past at the item, as if its time had come there. */
export function expireAtItem(item: Item, reservationId: string): Promise<void> {
  return runInDurableObject(item.stub, (_: StockItem, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, reservationId);
  });
}

export function readRecord(id: string): Promise<ReservationRecord | null> {
  return runInDurableObject(coordinator(id), (_: Reservation, state) => {
    const row = state.storage.sql.exec<{ record: string }>("SELECT record FROM reservation WHERE id = 1").toArray()[0];
    return row === undefined ? null : (JSON.parse(row.record) as ReservationRecord);
  });
}

/**
 * Writes the coordinator's record as a crash would have left it, and (optionally) arms its
 * alarm the way the coordinator does when it records an unfinished step.
 */
export function writeRecord(record: ReservationRecord, options: { alarmAt?: number } = {}): Promise<void> {
  return runInDurableObject(coordinator(record.id), async (_: Reservation, state) => {
    state.storage.sql.exec(
      "INSERT INTO reservation (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
      JSON.stringify(record),
    );
    if (options.alarmAt !== undefined) await state.storage.setAlarm(options.alarmAt);
  });
}
