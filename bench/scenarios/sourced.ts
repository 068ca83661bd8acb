import { audit, type Check } from "../audit";
import { type Item, itemKey, type Line, reservationId } from "../ledger";
import { pool } from "../lib/api";
import { type LoadRequest, runLoad } from "../lib/load";
import {
  changeRequest,
  itemsOf,
  pick,
  pickDistinct,
  type ReserveContext,
  type Row,
  type RunContext,
  scopeOf,
  seed,
  settle,
  TTL_SECONDS,
  withCheck,
} from "./common";

/** The row of the sourced orders whose lines all land whole on their channel's first warehouse. */
export const SOURCED_COVERS = "sourced orders: 3-line, 1st warehouse covers";
/** The row of the mix: half the lines at SKUs whose first warehouse is short. */
export const SOURCED_MIX = "sourced orders: 3-line, 1st warehouse short (mix)";

/** A bench channel: two warehouses in priority order. */
export interface BenchChannel {
  id: string;
  warehouses: [string, string];
}

/**
 * The bench's channels, over the orders scenario's warehouses, two adjacent ones each, in a
 * ring: BENCH-1 = wh-1 then wh-2, BENCH-2 = wh-2 then wh-3, …, BENCH-4 = wh-4 then wh-1. An
 * order naming one of them at random lands its lines on the same items as the plain orders.
 */
export function benchChannels(ctx: RunContext): BenchChannel[] {
  const count = Math.max(2, ctx.profile.orders.warehousesPerSku);
  return Array.from({ length: count }, (_, k) => ({
    id: `BENCH-${k + 1}`,
    warehouses: [`wh-${k + 1}`, `wh-${((k + 1) % count) + 1}`],
  }));
}

/** Creates (or replaces: idempotent) the bench's channels, all with the profile's safety stock. */
export async function putChannels(ctx: RunContext): Promise<BenchChannel[]> {
  const channels = benchChannels(ctx);
  for (const channel of channels) {
    const answer = await ctx.api.put(`/v1/channels/${channel.id}`, {
      warehouses: channel.warehouses,
      safetyStock: ctx.profile.sourced.safetyStock,
    });
    if (answer.status !== 200) {
      throw new Error(`PUT /v1/channels/${channel.id} failed: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
  }
  return channels;
}

const JSON_HEADERS = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
const n0 = (n: number) => n.toLocaleString("en-US");

interface SourcedLine {
  sku: string;
  quantity: number;
}

interface Order {
  channel: BenchChannel;
  lines: SourcedLine[];
}

/** How the service sourced the lines it acknowledged (from the 201s' `allocations`). */
interface Outcomes {
  orders: number;
  /** Orders every line of which was held whole at the channel's first warehouse. */
  ordersAllFirst: number;
  wholeAtFirst: number;
  wholeAtSecond: number;
  split: number;
  /** Allocations that fit none of the above (they should not exist). */
  odd: number;
  /** Reservations whose allocations came from a lookup after the load (no 201 seen). */
  lookedUp: number;
}

interface Allocation {
  sku: string;
  warehouse: string;
  quantity: number;
}

function allocationsOf(body: unknown): Allocation[] | null {
  const parsed = typeof body === "string" ? safeParse(body) : body;
  if (typeof parsed !== "object" || parsed === null) return null;
  const allocations = (parsed as { allocations?: unknown }).allocations;
  if (!Array.isArray(allocations)) return null;
  return allocations.filter(
    (a): a is Allocation =>
      typeof a === "object" && a !== null && typeof a.sku === "string" && typeof a.warehouse === "string" && typeof a.quantity === "number",
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * One load's sourced reservations: sends them, records their allocations in the ledger as the
 * placements' lines (what the audit checks the items against), and tallies how they were sourced.
 */
class SourcedOrders {
  readonly outcomes: Outcomes = { orders: 0, ordersAllFirst: 0, wholeAtFirst: 0, wholeAtSecond: 0, split: 0, odd: 0, lookedUp: 0 };
  /** Sent, allocations not known yet (no 201 seen): looked up before the audit. */
  private readonly unresolved = new Map<string, Order>();
  private readonly sent = new Map<string, Order>();

  constructor(
    private readonly ctx: RunContext,
    readonly scenario: string,
  ) {}

  private record(id: string, allocations: Allocation[]): void {
    const placement = this.ctx.ledger.placements.get(id);
    if (placement !== undefined)
      placement.lines = allocations.map((a): Line => ({ sku: a.sku, warehouse: a.warehouse, quantity: a.quantity }));
    const order = this.sent.get(id);
    this.unresolved.delete(id);
    if (order === undefined) return;
    const o = this.outcomes;
    o.orders++;
    let allFirst = true;
    for (const line of order.lines) {
      const mine = allocations.filter((a) => a.sku === line.sku);
      const [first, second] = order.channel.warehouses;
      if (mine.length === 1 && mine[0]?.warehouse === first) o.wholeAtFirst++;
      else if (mine.length === 1 && mine[0]?.warehouse === second) {
        o.wholeAtSecond++;
        allFirst = false;
      } else if (mine.length >= 2) {
        o.split++;
        allFirst = false;
      } else {
        o.odd++;
        allFirst = false;
      }
    }
    if (allFirst) o.ordersAllFirst++;
  }

  /** `POST /v1/reservations` naming `channel`, lines without `warehouse`. */
  request(pickOrder: () => Order, then: () => ReserveContext["next"]): LoadRequest {
    let n = 0;
    return {
      method: "POST",
      path: "/v1/reservations",
      headers: JSON_HEADERS(this.ctx.target.token),
      setupRequest: (request, context) => {
        const c = context as ReserveContext;
        const id = reservationId(this.ctx.runTag, this.scenario, n++);
        const order = pickOrder();
        // What is held where is only known from the answer: no lines until then.
        this.ctx.ledger.sent(id, this.scenario, []);
        this.sent.set(id, order);
        this.unresolved.set(id, order);
        c.id = id;
        c.placed = false;
        c.next = then();
        return {
          ...request,
          body: JSON.stringify({ id, channel: order.channel.id, lines: order.lines, ttlSeconds: TTL_SECONDS }),
        };
      },
      onResponse: (status, body, context) => {
        const c = context as ReserveContext;
        if (c.id === undefined) return;
        this.ctx.ledger.placed(c.id, status, body);
        c.placed = status === 201;
        if (status === 201) {
          const allocations = allocationsOf(body);
          if (allocations !== null) this.record(c.id, allocations);
        } else if (status === 409) {
          // Refused: nothing held.
          this.unresolved.delete(c.id);
        }
      },
    };
  }

  /**
   * Every reservation sent without a 201 answer seen (no answer, a 5xx): its allocations from
   * `GET /v1/reservations/{id}` (404: nothing held). Returns how many could not be looked up.
   */
  async resolve(): Promise<number> {
    let failed = 0;
    await pool(
      [...this.unresolved.keys()],
      16,
      async (id) => {
        const answer = await this.ctx.api.get(`/v1/reservations/${encodeURIComponent(id)}`);
        if (answer.status === 404) {
          this.unresolved.delete(id);
          return;
        }
        const allocations = answer.status === 200 ? allocationsOf(answer.body) : null;
        if (allocations === null) {
          failed++;
          return;
        }
        this.outcomes.lookedUp++;
        this.record(id, allocations);
      },
      { line: this.ctx.progress, label: "audit: allocations of unanswered sourced reservations" },
    );
    return failed;
  }

  note(loadSeconds: number): string {
    const o = this.outcomes;
    const lines = o.wholeAtFirst + o.wholeAtSecond + o.split + o.odd;
    const pct = (x: number) => (lines === 0 ? "0%" : `${((x / lines) * 100).toFixed(0)}%`);
    const placed = this.ctx.ledger.of(this.scenario);
    const count = (state: string) => placed.filter((p) => p.state === state).length;
    return (
      `${(placed.length / loadSeconds).toFixed(0)} orders/s; ${count("committed")} committed, ${count("released")} released, ${count("held")} held` +
      `${count("rejected") > 0 ? `, ${count("rejected")} refused` : ""}; ` +
      `of ${n0(lines)} acknowledged lines ${n0(o.wholeAtFirst)} (${pct(o.wholeAtFirst)}) whole at the channel's 1st warehouse, ` +
      `${n0(o.wholeAtSecond)} (${pct(o.wholeAtSecond)}) whole at the 2nd (fell through), ${n0(o.split)} (${pct(o.split)}) split` +
      `${o.odd > 0 ? `, ${o.odd} allocated otherwise` : ""}; ${n0(o.ordersAllFirst)} of ${n0(o.orders)} orders entirely at their 1st warehouse` +
      `${o.lookedUp > 0 ? ` (${o.lookedUp} allocations looked up after the load)` : ""}`
    );
  }
}

const thenMix = (): ReserveContext["next"] => {
  const r = Math.random();
  return r < 0.5 ? "commit" : r < 0.9 ? "release" : "hold";
};
const quantity = () => 1 + Math.floor(Math.random() * 3);

/** The mix's own SKUs and what each warehouse of BENCH-1 holds. */
interface MixSkus {
  /** 1st warehouse at the safety stock (nothing it may sell), 2nd plenty: lines fall through. */
  empty: string[];
  /** One split line each: 1 unit above the safety stock at the 1st warehouse, quantity − 1 at the 2nd. */
  split: { sku: string; quantity: number }[];
  items: Item[];
}

function mixSkus(ctx: RunContext, channel: BenchChannel): MixSkus {
  const { safetyStock, emptySkus, splitSkus } = ctx.profile.sourced;
  const [first, second] = channel.warehouses;
  const items: Item[] = [];
  const empty = Array.from({ length: emptySkus }, (_, i) => `SRC-E-${String(i).padStart(5, "0")}`);
  for (const sku of empty) {
    items.push({ sku, warehouse: first, set: safetyStock }, { sku, warehouse: second, set: ctx.profile.orders.onHand });
  }
  const split = Array.from({ length: splitSkus }, (_, i) => ({ sku: `SRC-S-${String(i).padStart(5, "0")}`, quantity: 2 + (i % 2) }));
  for (const { sku, quantity: q } of split) {
    items.push({ sku, warehouse: first, set: safetyStock + 1 }, { sku, warehouse: second, set: safetyStock + q - 1 });
  }
  return { empty, split, items };
}

/** Safety stock kept: no item a sourced line took units from is left with less than it (when it was set with at least that). */
async function safetyKept(ctx: RunContext, scenario: string): Promise<Check> {
  const safetyStock = ctx.profile.sourced.safetyStock;
  const touched = new Map<string, Item>();
  for (const placement of ctx.ledger.of(scenario)) {
    for (const line of placement.lines) {
      const item = ctx.ledger.items.get(itemKey(line.sku, line.warehouse));
      if (item !== undefined && item.set >= safetyStock) touched.set(itemKey(item.sku, item.warehouse), item);
    }
  }
  const bad: string[] = [];
  await pool(
    [...touched.values()],
    ctx.profile.setupConcurrency,
    async (item) => {
      const answer = await ctx.api.get(`/v1/stock/${encodeURIComponent(item.sku)}/${encodeURIComponent(item.warehouse)}`);
      const available = (answer.body as { available?: unknown } | null)?.available;
      if (answer.status !== 200 || typeof available !== "number") bad.push(`${itemKey(item.sku, item.warehouse)}: ${answer.status}`);
      else if (available < safetyStock) bad.push(`${itemKey(item.sku, item.warehouse)}: available ${available}`);
    },
    { line: ctx.progress, label: "audit: safety stock" },
  );
  return {
    name: "safety stock kept",
    pass: bad.length === 0,
    detail:
      `${n0(touched.size - bad.length)}/${n0(touched.size)} items sourced from keep available ≥ safety stock ${safetyStock}` +
      (bad.length > 0 ? `; e.g. ${bad.slice(0, 3).join("; ")}` : ""),
  };
}

/**
 * Sourced orders (issue 12), Worker paths, right after the plain orders and over the same
 * items: the same 3-line reservations (three distinct SKUs, 1 to 3 units a line) followed by a
 * commit (50 %), a release (40 %) or nothing (10 %), but naming a `channel` and no warehouse.
 *
 * 1. "1st warehouse covers": each order names one of the four channels BENCH-1..4 at random
 *    (two adjacent warehouses of the orders items each, see `benchChannels`) and three of the
 *    orders scenario's SKUs: every warehouse holds about 1,000,000 units, so every line is
 *    held whole at its channel's first warehouse, and the lines land on the same 1,000 items
 *    as the plain orders' (a single channel would put them all on a quarter of the items).
 * 2. "1st warehouse short (mix)": every order names BENCH-1 (wh-1, then wh-2); each line
 *    independently: 50 % one of the orders SKUs (held whole at wh-1), 25 % a SKU whose wh-1
 *    holds only the safety stock (it falls through, whole, to wh-2), 25 % a fresh SKU stocked
 *    for exactly one split (wh-1: 1 unit above the safety stock, wh-2: quantity − 1 above it,
 *    quantity 2 or 3 as the SKU was stocked for): held 1 at wh-1 and the rest at wh-2. When
 *    the split SKUs run out the line takes a fall-through SKU instead (the notes count what
 *    the service actually did, from the 201s' allocations).
 *
 * Both audited like the orders (the placements' lines being the allocations), plus "safety
 * stock kept".
 */
export async function sourcedOrders(ctx: RunContext): Promise<Row[]> {
  const { skus, warehousesPerSku, onHand } = ctx.profile.orders;
  const orderItems = itemsOf("ORD", skus, warehousesPerSku, onHand);
  const orderSkus = [...new Set(orderItems.map((item) => item.sku))];
  if (!orderItems.every((item) => ctx.ledger.items.has(itemKey(item.sku, item.warehouse)))) {
    throw new Error("sourced orders run over the orders scenario's items: run the orders scenario first");
  }
  const channels = await putChannels(ctx);
  const main = channels[0] as BenchChannel;
  const mix = mixSkus(ctx, main);
  const seeded = await seed(ctx, `sourced orders: seed ${n0(mix.items.length)} items (PUT)`, mix.items);
  if (seeded.failed > 0) throw new Error(`sourced orders: ${seeded.failed} of ${mix.items.length} PUTs failed`);
  seeded.row.notes.push(
    `${mix.empty.length} SKUs whose ${main.warehouses[0]} holds the safety stock (${ctx.profile.sourced.safetyStock}), ` +
      `${mix.split.length} SKUs stocked for one split each, both warehouses of ${main.id}; ` +
      `channels ${channels.map((c) => `${c.id} (${c.warehouses.join(" > ")})`).join(", ")}, safety stock ${ctx.profile.sourced.safetyStock}`,
  );

  const rows: Row[] = [seeded.row];

  // 1. Every line at its channel's first warehouse, over the orders' 1,000 items.
  const covers = new SourcedOrders(ctx, "sourced");
  rows.push(
    await sourcedRow(ctx, covers, SOURCED_COVERS, orderItems, () => ({
      channel: pick(channels),
      lines: pickDistinct(orderSkus, 3).map((sku) => ({ sku, quantity: quantity() })),
    })),
  );

  // 2. The mix, on BENCH-1.
  let nextSplit = 0;
  let splitRanOut = 0;
  const mixed = new SourcedOrders(ctx, "sourced-mix");
  const mixItems = [...orderItems.filter((item) => main.warehouses.includes(item.warehouse)), ...mix.items];
  const row = await sourcedRow(ctx, mixed, SOURCED_MIX, mixItems, () => {
    const groups = [0, 1, 2].map(() => {
      const r = Math.random();
      return r < 0.5 ? "covers" : r < 0.75 ? "empty" : "split";
    });
    const want = (g: string) => groups.filter((x) => x === g).length;
    const lines: SourcedLine[] = pickDistinct(orderSkus, want("covers")).map((sku) => ({ sku, quantity: quantity() }));
    let empties = want("empty");
    for (let k = 0; k < want("split"); k++) {
      const fresh = mix.split[nextSplit];
      if (fresh === undefined) {
        splitRanOut++;
        empties++;
        continue;
      }
      nextSplit++;
      lines.push({ sku: fresh.sku, quantity: fresh.quantity });
    }
    lines.push(...pickDistinct(mix.empty, empties).map((sku) => ({ sku, quantity: quantity() })));
    return { channel: main, lines };
  });
  row.notes.push(
    `per line 50% an orders SKU, 25% a SKU whose ${main.warehouses[0]} holds only the safety stock, 25% a fresh SKU stocked for one split; ` +
      `${n0(nextSplit)} of ${n0(mix.split.length)} split SKUs used` +
      (splitRanOut > 0 ? `, then ${n0(splitRanOut)} lines took a fall-through SKU instead (split SKUs used up)` : ""),
  );
  rows.push(row);
  return rows;
}

async function sourcedRow(ctx: RunContext, orders: SourcedOrders, label: string, items: Item[], pickOrder: () => Order): Promise<Row> {
  const settled = await settle(ctx, ctx.profile.settleSeconds);
  const load = await runLoad(
    {
      label: `${ctx.target.label}: ${label}`,
      baseUrl: ctx.target.baseUrl,
      connections: ctx.profile.connections,
      seconds: ctx.profile.sourced.seconds,
      requests: [orders.request(pickOrder, thenMix), changeRequest(ctx)],
      pids: ctx.target.pids(),
    },
    ctx.progress,
  );
  const unresolved = await orders.resolve();
  const result = await audit(ctx.api, ctx.ledger, scopeOf(ctx, [orders.scenario], items), ctx.progress);
  const checks = [await safetyKept(ctx, orders.scenario)];
  if (unresolved > 0) {
    checks.push({ name: "allocations known", pass: false, detail: `${unresolved} unanswered sourced reservations could not be looked up` });
  }
  return {
    scenario: label,
    load,
    audit: checks.reduce(withCheck, result),
    notes: [orders.note(load.seconds), `started after ${settled.toFixed(0)} s of waiting for background work`],
  };
}
