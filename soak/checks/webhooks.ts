import { setTimeout as sleep } from "node:timers/promises";
import type { Receivers } from "../receivers";
import type { Subscription } from "../world";
import { type Check, fmt, type Violation, verdict } from "./check";
import type { StockEvent } from "./events";

/**
 * Low-stock webhooks: every crossing the item's events show produced exactly one signed
 * delivery per subscription (counted by `webhook-id`; a repeat of the same id is the at-least-
 * once redelivery receivers deduplicate), once the receivers recovered. The crossings are
 * recomputed here, independently of the service's code, from the contract's rule: stock.low
 * when available falls to the threshold or below, stock.out at 0 or below, stock.replenished
 * when it climbs back above the threshold plus a margin (max(1, ⌈T/10⌉)) after low or out.
 */

export function expectedAlerts(events: StockEvent[], threshold: number): string[] {
  let state: "ok" | "low" | "out" = "ok";
  const alerts: string[] = [];
  let onHand = 0;
  let reserved = 0;
  const margin = Math.max(1, Math.ceil(threshold / 10));
  for (const e of events) {
    onHand += e.onHandDelta;
    reserved += e.reservedDelta;
    const available = onHand - reserved;
    if (state === "ok" && available <= 0) {
      if (threshold > 0) alerts.push("stock.low");
      alerts.push("stock.out");
      state = "out";
    } else if (state === "ok" && available <= threshold && threshold > 0) {
      alerts.push("stock.low");
      state = "low";
    } else if (state === "low" && available <= 0) {
      alerts.push("stock.out");
      state = "out";
    } else if (state !== "ok" && available > threshold + margin) {
      alerts.push("stock.replenished");
      state = "ok";
    }
  }
  return alerts;
}

function delivered(receivers: Receivers, s: Subscription): Map<string, string | undefined> {
  const path = new URL(s.url).pathname;
  const ids = new Map<string, string | undefined>();
  for (const d of receivers.deliveries) {
    if (d.receiver === s.receiver && d.path === path && d.verified && d.answered >= 200 && d.answered < 300) ids.set(d.webhookId, d.type);
  }
  return ids;
}

export async function checkWebhooks(
  receivers: Receivers,
  subscriptions: Subscription[],
  events: Map<string, StockEvent[]>,
  threshold: number,
  waitMs: number,
): Promise<Check> {
  // An item whose events are incomplete cannot say which crossings it had (the events check fails it).
  const checkable = subscriptions.filter((s) => events.has(`${s.sku}/${s.warehouse}`));
  const skipped = subscriptions.length - checkable.length;
  const expected = new Map(checkable.map((s) => [s.id, expectedAlerts(events.get(`${s.sku}/${s.warehouse}`) ?? [], threshold)]));
  const deadline = Date.now() + waitMs;
  const complete = () => checkable.every((s) => delivered(receivers, s).size >= (expected.get(s.id)?.length ?? 0));
  while (!complete() && Date.now() < deadline) await sleep(1_000);
  const violations: Violation[] = [];
  for (const d of receivers.deliveries) {
    if (!d.verified)
      violations.push({ what: `receiver ${d.receiver} ${d.path}: delivery ${d.webhookId} failed verification: ${d.error}`, keys: [] });
  }
  let alerts = 0;
  let deliveries = 0;
  for (const s of checkable) {
    const want = expected.get(s.id) ?? [];
    alerts += want.length;
    const got = delivered(receivers, s);
    deliveries += got.size;
    const countBy = (types: Iterable<string | undefined>) => {
      const m = new Map<string, number>();
      for (const t of types) m.set(String(t), (m.get(String(t)) ?? 0) + 1);
      return JSON.stringify([...m].sort());
    };
    if (got.size !== want.length || countBy(got.values()) !== countBy(want)) {
      violations.push({
        what: `subscription ${s.id} (receiver ${s.receiver}, ${s.sku}/${s.warehouse}): ${want.length} crossings (${want.join(", ")}), ${got.size} distinct deliveries (${[...got.values()].join(", ")})`,
        keys: [`${s.sku}/${s.warehouse}`],
      });
    }
  }
  const received = receivers.deliveries.length;
  const failedOnPurpose = receivers.deliveries.filter((d) => d.answered === 500).length;
  const hungUp = receivers.deliveries.filter((d) => d.answered === 0).length;
  return verdict(
    "one signed delivery per crossing and subscription",
    `${checkable.length} subscriptions${skipped > 0 ? ` (${skipped} not checkable: their item's events are incomplete)` : ""}, ${fmt(alerts)} crossings expected, ${fmt(deliveries)} distinct deliveries; ${fmt(received)} requests received (${failedOnPurpose} answered 500 and ${hungUp} left hanging on purpose; retries and redeliveries included)`,
    violations,
  );
}
