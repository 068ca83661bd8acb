import type { Client } from "../client";
import type { Item } from "../world";
import { type Check, type Violation, verdict } from "./check";
import type { Level } from "./events";

/**
 * Pooled items: the pool objects add up to their item. With nothing in flight, what the item
 * may still sell (`available`) is what no member holds the right to (`unallocated`) plus what
 * each member may still hold; what it holds (`reserved`) is what the members hold plus what the
 * parent holds itself (when the pool runs dry), which `/shards` does not show: at least the
 * members' sum.
 */
export async function checkPools(client: Client, pooled: Item[], levels: Map<string, Level>): Promise<Check> {
  const violations: Violation[] = [];
  const details: string[] = [];
  for (const item of pooled) {
    const out = await client.get(`/v1/stock/${item.sku}/${item.warehouse}/shards`, "check-shards", [item.key]);
    const body = out.last.answer as {
      unallocated: number;
      shards: { shard: number; allocated: number; reserved: number; available: number; requests: number }[];
    } | null;
    const level = levels.get(item.key);
    if (out.last.status !== 200 || body === null || level === undefined) {
      violations.push({ what: `${item.key}: shards answered ${out.last.status}`, keys: [item.key] });
      continue;
    }
    const available = body.unallocated + body.shards.reduce((s, m) => s + m.available, 0);
    const reserved = body.shards.reduce((s, m) => s + m.reserved, 0);
    const requests = body.shards.map((m) => m.requests).join("/");
    details.push(`${item.key}: ${body.unallocated} unallocated + ${body.shards.length} members (requests ${requests})`);
    if (available !== level.available || reserved > level.reserved) {
      violations.push({
        what: `${item.key}: members add up to available ${available}, reserved ${reserved}; the item says ${level.available}/${level.reserved} (${JSON.stringify(body)})`,
        keys: [item.key],
      });
    }
  }
  return verdict("pool objects add up to their item", details.join("; "), violations);
}
