import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "../client";

/** An event as `GET /v1/events` returns it. */
export interface StockEvent {
  id: string;
  seq: number;
  type: string;
  onHandDelta: number;
  reservedDelta: number;
  onHand: number;
  reserved: number;
  reservationId?: string | null;
  /** When the change was made (ISO 8601). */
  at: string;
}

export interface Level {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
  lowStockThreshold: number;
}

/** All of one item's events in D1, in `seq` order; a string when D1 could not be read. */
export async function readEvents(client: Client, sku: string, warehouse: string): Promise<StockEvent[] | string> {
  const events: StockEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ sku, warehouse, limit: "100" });
    if (after !== null) query.set("after", after);
    const out = await client.get(`/v1/events?${query}`, "check-events", [`${sku}/${warehouse}`]);
    const body = out.last.answer as { events?: StockEvent[]; next?: string | null } | null;
    if (out.last.status !== 200 || !Array.isArray(body?.events)) return `GET /v1/events answered ${out.last.status}`;
    events.push(...body.events);
    if (!body.next || body.events.length === 0) break;
    after = body.next;
  }
  return events.sort((a, b) => a.seq - b.seq);
}

/**
 * Waits until D1 holds `version` events for the item (the pipeline is asynchronous, and after
 * a Queue or D1 fault events come back through the stock item's re-sends), up to `deadline`.
 */
export async function eventsWhenCaughtUp(client: Client, level: Level, deadline: number): Promise<StockEvent[] | string> {
  for (;;) {
    const events = await readEvents(client, level.sku, level.warehouse);
    if (typeof events === "string" || events.length >= level.version || Date.now() >= deadline) return events;
    await sleep(2_000);
  }
}
