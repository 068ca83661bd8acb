import type { Check } from "../audit";
import { type Item, itemKey, type Ledger } from "../ledger";
import { type LoadRequest, runLoad } from "../lib/load";
import { itemsOf, pickDistinct, type Row, type RunContext, seed, settle } from "./common";
import { type BenchChannel, putChannels } from "./sourced";

/** Every availability row starts with this. */
export const AVAILABILITY = "availability: ";

const n0 = (n: number) => n.toLocaleString("en-US");
/** Calls made one at a time before each load, for the latency of a read on an idle service. */
const ALONE_CALLS = 30;

interface Counts {
  onHand: number;
  reserved: number;
}

/**
 * Each item's level as the ledger says it must be once every reservation is settled (after
 * the audits): onHand = set − committed, reserved = held. Items a reservation of unknown
 * outcome touches are left out (their level cannot be predicted).
 */
function expectedLevels(ledger: Ledger): Map<string, Counts> {
  const levels = new Map<string, Counts>();
  for (const [key, item] of ledger.items) levels.set(key, { onHand: item.set, reserved: 0 });
  const uncertain = new Set<string>();
  for (const placement of ledger.placements.values()) {
    for (const line of placement.lines) {
      const key = itemKey(line.sku, line.warehouse);
      const level = levels.get(key);
      if (level === undefined) continue;
      if (placement.state === "unknown") uncertain.add(key);
      else if (placement.state === "held") level.reserved += line.quantity;
      else if (placement.state === "committed") level.onHand -= line.quantity;
    }
  }
  for (const key of uncertain) levels.delete(key);
  return levels;
}

interface Entry {
  sku: string;
  warehouse?: string;
}

interface AnswerItem {
  sku: string;
  warehouse: string | null;
  onHand: number;
  reserved: number;
  available: number;
  warehouses?: { warehouse: string; available: number }[];
}

/**
 * Checks one answer against the ledger: the items in request order, each exactly the level
 * the ledger predicts (for a channel entry: the sums over the channel's warehouses, and what
 * it may sell from each, above the safety stock). Returns what is wrong, or null.
 */
function wrongIn(
  body: string,
  entries: Entry[],
  expected: Map<string, Counts>,
  channel: BenchChannel | null,
  safetyStock: number,
): string | null {
  let parsed: { items?: AnswerItem[] };
  try {
    parsed = JSON.parse(body) as { items?: AnswerItem[] };
  } catch {
    return `not JSON: ${body.slice(0, 100)}`;
  }
  const items = parsed.items;
  if (!Array.isArray(items) || items.length !== entries.length)
    return `${Array.isArray(items) ? items.length : "no"} items for ${entries.length}`;
  for (const [i, entry] of entries.entries()) {
    const got = items[i] as AnswerItem;
    if (got.sku !== entry.sku || got.warehouse !== (entry.warehouse ?? null))
      return `item ${i}: ${got.sku}/${got.warehouse} for ${entry.sku}/${entry.warehouse ?? null}`;
    if (got.available !== got.onHand - got.reserved && entry.warehouse !== undefined)
      return `${got.sku}/${got.warehouse}: available ${got.available} ≠ ${got.onHand} − ${got.reserved}`;
    const warehouses = entry.warehouse === undefined ? (channel?.warehouses ?? []) : [entry.warehouse];
    const levels = warehouses.map((w) => expected.get(itemKey(entry.sku, w)));
    // Levels the ledger cannot predict (a reservation of unknown outcome) are not compared.
    if (levels.some((level) => level === undefined)) continue;
    const known = levels as Counts[];
    const onHand = known.reduce((s, l) => s + l.onHand, 0);
    const reserved = known.reduce((s, l) => s + l.reserved, 0);
    const sellable = known.map((l) => Math.max(0, l.onHand - l.reserved - safetyStock));
    const available = entry.warehouse === undefined ? sellable.reduce((s, a) => s + a, 0) : onHand - reserved;
    if (got.onHand !== onHand || got.reserved !== reserved || got.available !== available) {
      return `${entry.sku}/${entry.warehouse ?? channel?.id}: ${got.onHand}/${got.reserved}/${got.available}, expected ${onHand}/${reserved}/${available}`;
    }
    if (entry.warehouse === undefined) {
      const per = got.warehouses ?? [];
      const same = per.length === warehouses.length && per.every((w, k) => w.warehouse === warehouses[k] && w.available === sellable[k]);
      if (!same) return `${entry.sku}/${channel?.id}: warehouses ${JSON.stringify(per)}`;
    }
  }
  return null;
}

/**
 * Batch availability reads (issue 12), Worker paths, after the orders: `POST /v1/availability`
 * with `availability.items` (100) distinct items per call, picked at random for every call
 * from the orders scenario's items (the 1,000 items its load and the sourced orders' just
 * reserved from; in --quick, with 80 of them, the sourced orders' items too; when still fewer
 * exist, e.g. when those scenarios did not run, 100 SKUs × 2 warehouses of its own are seeded
 * first). Two rows, every connection of the usual load on each:
 *  1. "100 items": entries with `sku` and `warehouse`: 100 item reads per call;
 *  2. "100 SKUs in a channel": entries with `sku` only and `channel` BENCH-1 (2 warehouses,
 *     safety stock): 200 item reads per call.
 * No writes run meanwhile, so every answer must equal the ledger exactly (check "availability
 * exact"), in request order.
 */
function bodyOf(variant: { channel: BenchChannel | null; maxAgeSeconds?: number }, entries: Entry[]) {
  return {
    items: entries,
    ...(variant.channel === null ? {} : { channel: variant.channel.id }),
    ...(variant.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: variant.maxAgeSeconds }),
  };
}

export async function availability(ctx: RunContext): Promise<Row[]> {
  const size = ctx.profile.availability.items;
  const channels = await putChannels(ctx);
  const channel = channels[0] as BenchChannel;
  const rows: Row[] = [];

  const setItems = (prefix: RegExp) => [...ctx.ledger.items.values()].filter((item) => prefix.test(item.sku));
  const channelSkus = (items: Item[]) => {
    const has = new Set(items.map((item) => itemKey(item.sku, item.warehouse)));
    return [...new Set(items.map((item) => item.sku))].filter((sku) => channel.warehouses.every((w) => has.has(itemKey(sku, w))));
  };
  const enough = (items: Item[]) => items.length >= size && channelSkus(items).length >= size;
  // The orders' items; with too few (--quick) the sourced orders' too; with still too few, its own.
  let items = setItems(/^ORD-/);
  if (!enough(items)) items = setItems(/^(ORD|SRC)-/);
  if (!enough(items)) {
    const own = itemsOf("AVL", size, 2, 1_000);
    const seeded = await seed(ctx, `availability: seed ${n0(own.length)} items (PUT)`, own);
    if (seeded.failed > 0) throw new Error(`availability: ${seeded.failed} of ${own.length} PUTs failed`);
    rows.push(seeded.row);
    items = [...items, ...own];
  }
  const skus = channelSkus(items);
  const expected = expectedLevels(ctx.ledger);
  const safetyStock = ctx.profile.sourced.safetyStock;

  const variants: {
    label: string;
    reads: number;
    pickEntries: () => Entry[];
    channel: BenchChannel | null;
    note: string;
    /** Contract v1.2: accept copies this many seconds old (storefront reads); absent: the exact read. */
    maxAgeSeconds?: number;
  }[] = [
    {
      label: `${AVAILABILITY}${size} items`,
      reads: size,
      pickEntries: () => pickDistinct(items, size).map((item) => ({ sku: item.sku, warehouse: item.warehouse })),
      channel: null,
      note: `${size} distinct items per call (sku + warehouse), at random of ${n0(items.length)}`,
    },
    {
      label: `${AVAILABILITY}${size} items, maxAgeSeconds 5`,
      reads: size,
      pickEntries: () => pickDistinct(items, size).map((item) => ({ sku: item.sku, warehouse: item.warehouse })),
      channel: null,
      note: `the same calls accepting copies up to 5 s old (contract v1.2); no writes meanwhile, so every answer must still equal the ledger`,
      maxAgeSeconds: 5,
    },
    {
      label: `${AVAILABILITY}${size} SKUs in a channel (${size * channel.warehouses.length} items)`,
      reads: size * channel.warehouses.length,
      pickEntries: () => pickDistinct(skus, size).map((sku) => ({ sku })),
      channel,
      note: `${size} distinct SKUs per call, no warehouse, channel ${channel.id} (${channel.warehouses.join(" > ")}, safety stock ${safetyStock}): ${size * channel.warehouses.length} item reads; at random of ${n0(skus.length)} SKUs`,
    },
  ];
  for (const variant of variants) {
    let answered = 0;
    const bad: string[] = [];
    const request: LoadRequest = {
      method: "POST",
      path: "/v1/availability",
      headers: { authorization: `Bearer ${ctx.target.token}`, "content-type": "application/json" },
      setupRequest: (req, context) => {
        const entries = variant.pickEntries();
        (context as { entries?: Entry[] }).entries = entries;
        return {
          ...req,
          body: JSON.stringify(bodyOf(variant, entries)),
        };
      },
      onResponse: (status, body, context) => {
        answered++;
        if (status !== 200) {
          bad.push(`status ${status}: ${body.slice(0, 200)}`);
          return;
        }
        const wrong = wrongIn(body, (context as { entries?: Entry[] }).entries ?? [], expected, variant.channel, safetyStock);
        if (wrong !== null) bad.push(wrong);
      },
    };
    await settle(ctx, ctx.profile.settleSeconds);
    // One call at a time first (a page view's read on an idle service), then the load.
    const alone: number[] = [];
    for (let k = 0; k < ALONE_CALLS; k++) {
      const entries = variant.pickEntries();
      const answer = await ctx.api.post("/v1/availability", bodyOf(variant, entries));
      if (answer.status !== 200) throw new Error(`POST /v1/availability: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      alone.push(answer.ms);
    }
    alone.sort((a, b) => a - b);
    const at = (p: number) => alone[Math.min(alone.length - 1, Math.ceil((p / 100) * alone.length) - 1)] ?? 0;
    const load = await runLoad(
      {
        label: `${ctx.target.label}: ${variant.label}`,
        baseUrl: ctx.target.baseUrl,
        connections: ctx.profile.connections,
        seconds: ctx.profile.availability.seconds,
        requests: [request],
        pids: ctx.target.pids(),
      },
      ctx.progress,
    );
    const check: Check = {
      name: "availability exact",
      pass: bad.length === 0 && answered > 0,
      detail:
        `${n0(answered - bad.length)}/${n0(answered)} answers: ${variant.channel === null ? "every item" : "every SKU's channel sums and per-warehouse amounts"} ` +
        "as the ledger says, in request order" +
        (bad.length > 0 ? `; e.g. ${bad.slice(0, 2).join("; ")}` : ""),
    };
    rows.push({
      scenario: variant.label,
      load,
      audit: { pass: check.pass, checks: [check] },
      notes: [
        variant.note,
        `${n0(Math.round(load.rps * variant.reads))} item reads/s`,
        `one call at a time before the load (${ALONE_CALLS} calls): p50 ${at(50).toFixed(1)} ms, p90 ${at(90).toFixed(1)} ms, max ${at(100).toFixed(1)} ms`,
      ],
    });
  }
  return rows;
}
