import type { Client } from "./client";
import { itemKey } from "./model";
import type { Random } from "./random";

/**
 * The stock the load works on, set up before the faults start (drawn from the seed):
 *   plain     P0..P7 in W1 and W2: single- and multi-line reservations, counts, adjustments
 *   sourced   S0..S3 in W1, W2 and W3, sold through channel `web` (W1 > W2 > W3, safety stock 2)
 *   pooled    F0, F1 in W1 with 4 shards: flash-sale reservations, refills
 *   watched   A0..A2 in W1, low-stock threshold 10, one webhook subscription per receiver each:
 *             small stock that the load drains and refills, so it crosses its lines again and again
 */

export const CHANNEL = "web";
export const WAREHOUSES = ["W1", "W2", "W3"] as const;
export const WATCH_THRESHOLD = 10;

export interface Item {
  sku: string;
  warehouse: string;
  key: string;
  group: "plain" | "sourced" | "pooled" | "watched";
  shards: number;
  lowStockThreshold: number;
}

export interface Subscription {
  id: string;
  secret: string;
  receiver: number;
  sku: string;
  warehouse: string;
  url: string;
}

export interface World {
  items: Item[];
  plain: Item[];
  sourcedSkus: string[];
  pooled: Item[];
  watched: Item[];
  subscriptions: Subscription[];
}

function item(sku: string, warehouse: string, group: Item["group"], shards = 1, lowStockThreshold = 0): Item {
  return { sku, warehouse, key: itemKey(sku, warehouse), group, shards, lowStockThreshold };
}

export function planWorld(): Omit<World, "subscriptions"> {
  const plain = Array.from({ length: 8 }, (_, i) => ["W1", "W2"].map((w) => item(`P${i}`, w, "plain"))).flat();
  const sourcedSkus = ["S0", "S1", "S2", "S3"];
  const sourced = sourcedSkus.flatMap((sku) => WAREHOUSES.map((w) => item(sku, w, "sourced")));
  const pooled = [item("F0", "W1", "pooled", 4), item("F1", "W1", "pooled", 4)];
  const watched = ["A0", "A1", "A2"].map((sku) => item(sku, "W1", "watched", 1, WATCH_THRESHOLD));
  return { items: [...plain, ...sourced, ...pooled, ...watched], plain, sourcedSkus, pooled, watched };
}

function initialOnHand(random: Random, it: Item): number {
  switch (it.group) {
    case "plain":
      return random.int(30, 120);
    case "sourced":
      return random.int(10, 60);
    case "pooled":
      return random.int(400, 800);
    case "watched":
      return random.int(14, 30);
  }
}

async function must(client: Client, method: string, path: string, body: unknown, keys: string[], ok: number[]): Promise<unknown> {
  const outcome = await client.until({ method, path, body, op: "setup", keys });
  if (!ok.includes(outcome.last.status)) {
    throw new Error(`setup: ${method} ${path} answered ${outcome.last.status} ${JSON.stringify(outcome.last.answer)}`);
  }
  return outcome.last.answer;
}

/** Sets every item, the channel and (one per receiver and watched item) the webhook subscriptions. */
export async function setUpWorld(client: Client, random: Random, receiverUrls: string[]): Promise<World> {
  const plan = planWorld();
  for (const it of plan.items) {
    const body: Record<string, number> = { onHand: initialOnHand(random, it), lowStockThreshold: it.lowStockThreshold };
    if (it.shards > 1) body.shards = it.shards;
    await must(client, "PUT", `/v1/stock/${it.sku}/${it.warehouse}`, body, [it.key], [200]);
  }
  await must(client, "PUT", `/v1/channels/${CHANNEL}`, { warehouses: [...WAREHOUSES], safetyStock: 2 }, [`channel:${CHANNEL}`], [200]);
  const subscriptions: Subscription[] = [];
  for (const [receiver, base] of receiverUrls.entries()) {
    for (const it of plan.watched) {
      const url = `${base}/${it.sku}`;
      // Not idempotent: a retry after a lost answer may create a second subscription, which
      // the webhook check would then see deliver too. Setup runs before any fault, so it does not.
      const answer = (await must(client, "POST", "/v1/webhooks", { url, sku: it.sku, warehouse: it.warehouse }, [it.key], [201])) as {
        id: string;
        secret: string;
      };
      subscriptions.push({ id: answer.id, secret: answer.secret, receiver, sku: it.sku, warehouse: it.warehouse, url });
    }
  }
  return { ...plan, subscriptions };
}
