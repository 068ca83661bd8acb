import { createMessageBatch, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import { consumeEvents } from "../../src/events/consumer";
import { eventId, type StockEvent } from "../../src/events/event";
import type { StockItem } from "../../src/stock/StockItem";

export const auth = { authorization: "Bearer test-token", "content-type": "application/json" };

/** Storage is shared by every test: each test names its own items. */
export function unique(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export function api(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`http://stockflare.test${path}`, { ...init, headers: { ...auth, ...init.headers } });
}

export async function apiJson<T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await api(path, init);
  return { status: response.status, body: (await response.json()) as T };
}

export interface StoredEvent {
  id: string;
  seq: number;
  type: string;
  on_hand_delta: number;
  reserved_delta: number;
  on_hand: number;
  reserved: number;
  reservation_id: string | null;
  reason: string | null;
  reference: string | null;
  at: string;
  at_ms: number;
}

/** An item's events as D1 holds them, in seq order, without the recording position. */
export async function storedEvents(sku: string, warehouse: string): Promise<StoredEvent[]> {
  const { results } = await env.DB.prepare(
    `SELECT id, seq, type, on_hand_delta, reserved_delta, on_hand, reserved, reservation_id, reason, reference, at, at_ms
     FROM events WHERE sku = ? AND warehouse = ? ORDER BY seq`,
  )
    .bind(sku, warehouse)
    .all<StoredEvent>();
  return results;
}

export async function storedProjection(sku: string, warehouse: string) {
  return env.DB.prepare("SELECT on_hand, reserved, last_seq, updated_at FROM stock_projection WHERE sku = ? AND warehouse = ?")
    .bind(sku, warehouse)
    .first<{ on_hand: number; reserved: number; last_seq: number; updated_at: number }>();
}

/** Waits until D1 holds events 1..count of the item (the real Queue consumer writes them). */
export async function waitForEvents(sku: string, warehouse: string, count: number): Promise<StoredEvent[]> {
  return vi.waitFor(
    async () => {
      const rows = await storedEvents(sku, warehouse);
      if (rows.length < count) throw new Error(`${rows.length} of ${count} events in D1`);
      return rows;
    },
    { timeout: 15_000, interval: 100 },
  );
}

/** A well-formed event of an item whose onHand walks 1, 2, 3 … with its seq. */
export function syntheticEvent(sku: string, warehouse: string, seq: number, overrides: Partial<StockEvent> = {}): StockEvent {
  return {
    id: eventId(sku, warehouse, seq),
    seq,
    type: "stock.adjusted",
    sku,
    warehouse,
    onHandDelta: 1,
    reservedDelta: 0,
    onHand: seq,
    reserved: 0,
    reason: "receipt",
    at: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    ...overrides,
  };
}

type SendBatch = Queue["sendBatch"];

/**
 * Gives the object a Queue producer whose sendBatch is `make(realSendBatch)`,
 * everything else unchanged, for as long as this instance lives.
 */
export async function withQueue(stub: DurableObjectStub<StockItem>, make: (real: SendBatch) => SendBatch): Promise<void> {
  await runInDurableObject(stub, (instance: StockItem) => {
    // The item ships to its `queue` field (set from EVENTS_QUEUE in its constructor).
    const holder = instance as unknown as { queue: Queue };
    holder.queue = new Proxy(holder.queue, {
      get: (target, property) => (property === "sendBatch" ? make(target.sendBatch.bind(target)) : Reflect.get(target, property, target)),
    });
  });
}

/** Records events in D1 through the consumer, as if the Queue had delivered them. */
export async function record(events: StockEvent[]): Promise<void> {
  const batch = createMessageBatch(
    "stockflare-events",
    events.map((body, i) => ({ id: `direct-${body.id}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  await consumeEvents(batch, env);
}
