import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { coordinatorFor } from "../../src/reservations/address";
import type { Line, ReservationRecord } from "../../src/reservations/lifecycle";
import type { LineChangeInput, PlaceInput, ReservationCoordinator } from "../../src/reservations/ReservationCoordinator";
import { stockItem } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";

/** Shared set-up of the reservation tests: unique items with stock, and the coordinator's storage. */

export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 12)}`;

/**
 * The pooled coordinator that keeps reservation `id`, with its RPC methods bound to that id
 * (`stub` is the object itself, for `runInDurableObject` and `runDurableObjectAlarm`). The
 * answers come without their `timings` (the stock calls' durations, which differ run to run;
 * test/reservations/regions.test.ts checks them).
 */
export function coordinator(id: string) {
  const stub = coordinatorFor(env, id);
  return {
    stub,
    place: (input: PlaceInput) => untimed(stub.place(input)),
    get: () => stub.get(id),
    commit: () => untimed(stub.commit(id)),
    release: () => untimed(stub.release(id)),
    extend: (ttlSeconds: number) => untimed(stub.extend(id, ttlSeconds)),
    changeLines: (input: LineChangeInput) => untimed(stub.changeLines(input)),
  };
}

/** An RPC answer without its `timings` (each variant of a union keeps its own fields). */
type Untimed<T> = T extends unknown ? Omit<T, "timings"> : never;

export async function untimed<P extends PromiseLike<object>>(answer: P): Promise<Untimed<Awaited<P>>> {
  const { timings: _, ...rest } = (await answer) as Awaited<P> & { timings?: unknown };
  return rest as Untimed<Awaited<P>>;
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
  return runInDurableObject(
    item.stub,
    (_: StockItem, state) =>
      state.storage.sql.exec<{ status: string }>("SELECT status FROM holds WHERE reservation_id = ?", reservationId).toArray()[0]?.status,
  );
}

/** The expiry of a reservation's hold at an item, read from storage. */
export function holdExpiry(item: Item, reservationId: string): Promise<number | undefined> {
  return runInDurableObject(
    item.stub,
    (_: StockItem, state) =>
      state.storage.sql.exec<{ expires_at: number }>("SELECT expires_at FROM holds WHERE reservation_id = ?", reservationId).toArray()[0]
        ?.expires_at,
  );
}

/** Moves the hold's expiry into the past at the item, as if its time had come there. */
export function expireAtItem(item: Item, reservationId: string): Promise<void> {
  return runInDurableObject(item.stub, (_: StockItem, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, reservationId);
  });
}

export function readRecord(id: string): Promise<ReservationRecord | null> {
  return runInDurableObject(coordinator(id).stub, (_: ReservationCoordinator, state) => {
    const row = state.storage.sql.exec<{ record: string }>("SELECT record FROM reservations WHERE id = ?", id).toArray()[0];
    return row === undefined ? null : (JSON.parse(row.record) as ReservationRecord);
  });
}

/** When the coordinator's alarm is due to look at the record again, and when the alarm is set. */
export function dueOf(id: string): Promise<{ dueAt: number | undefined; alarmAt: number | null }> {
  return runInDurableObject(coordinator(id).stub, async (_: ReservationCoordinator, state) => ({
    dueAt: state.storage.sql.exec<{ due_at: number }>("SELECT due_at FROM reservations WHERE id = ?", id).toArray()[0]?.due_at,
    alarmAt: await state.storage.getAlarm(),
  }));
}

/**
 * Writes the coordinator's record as a crash would have left it and (optionally) arms the
 * alarm, as the coordinator does when it records an unfinished step. With an alarm, the
 * record is due now, as it is when that alarm rings (`runDurableObjectAlarm` runs the alarm
 * at once rather than at its time); without one, it is due a minute from now.
 */
export function writeRecord(record: ReservationRecord, options: { alarmAt?: number; dueAt?: number } = {}): Promise<void> {
  return runInDurableObject(coordinator(record.id).stub, async (_: ReservationCoordinator, state) => {
    state.storage.sql.exec(
      `INSERT INTO reservations (id, record, due_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, due_at = excluded.due_at`,
      record.id,
      JSON.stringify(record),
      options.dueAt ?? (options.alarmAt === undefined ? Date.now() + 60_000 : Date.now()),
    );
    if (options.alarmAt !== undefined) await state.storage.setAlarm(options.alarmAt);
  });
}

/** Brings the record's next look forward to now, as if the 5 s before a re-drive had passed. */
export function makeDue(id: string): Promise<void> {
  return runInDurableObject(coordinator(id).stub, (_: ReservationCoordinator, state) => {
    state.storage.sql.exec("UPDATE reservations SET due_at = ? WHERE id = ?", Date.now(), id);
  });
}
