import { type Item, itemKey, type Ledger, type Placement } from "./ledger";
import { type Api, pool } from "./lib/api";
import type { Progress } from "./lib/progress";

/**
 * The correctness audit run after each scenario, against the service's own state:
 *  - every reservation the client could not settle (no answer, 5xx) is looked up;
 *  - every acknowledged (201) reservation is found, in the state the client last saw
 *    (all of them, or a random sample in --quick);
 *  - per item: units held + committed + available = the stock that was set, counted from
 *    the client's side (held and committed reservations) against the service's level, and
 *    nothing oversold (never more units promised than were set; available never below 0);
 *  - if the events pipeline exists (GET /v1/events answers), each audited item's events in
 *    D1 run seq 1..version without gaps or repeats and their deltas add up to the level.
 */

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export interface AuditResult {
  pass: boolean;
  checks: Check[];
}

export interface AuditScope {
  scenarios: string[];
  items: Item[];
  /** Verify at most this many acknowledged reservations (random sample); all when undefined. */
  sampleAcknowledged?: number;
  /** Check events for at most this many items (random sample). */
  eventItems: number;
  /** Whether GET /v1/events exists on this target. */
  events: boolean;
  /** Items no reservation touched: check this many at random (all when undefined). */
  untouchedSample?: number;
  /** SKUs whose `GET /v1/stock/{sku}` totals are checked. */
  totalsSample: number;
  /** Concurrent audit reads. */
  concurrency: number;
}

interface LevelBody {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  available: number;
  version?: number;
}

interface SkuBody {
  warehouses: LevelBody[];
  totals: { onHand: number; reserved: number; available: number };
}

function sample<T>(items: readonly T[], n: number | undefined): T[] {
  if (n === undefined || items.length <= n) return [...items];
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Settles every placement of the scope the client never got a final answer for. */
async function resolveUnknown(api: Api, placements: Placement[], progress: Progress): Promise<Check> {
  const unknown = placements.filter((p) => p.state === "unknown");
  let unresolved = 0;
  let expired = 0;
  await pool(
    unknown,
    16,
    async (placement) => {
      const answer = await api.get(`/v1/reservations/${encodeURIComponent(placement.id)}`);
      if (answer.status === 404) placement.state = "rejected";
      else if (answer.status === 200 && isObject(answer.body)) {
        const status = answer.body.status;
        if (status === "held" || status === "committed" || status === "released") placement.state = status;
        else if (status === "expired") {
          placement.state = "released";
          expired++;
        } else unresolved++;
      } else unresolved++;
    },
    { line: progress, label: "audit: settling unanswered reservations" },
  );
  return {
    name: "unanswered settled",
    pass: unresolved === 0 && expired === 0,
    detail:
      unknown.length === 0
        ? "none unanswered"
        : `${fmt(unknown.length - unresolved)}/${fmt(unknown.length)} looked up${expired > 0 ? `, ${expired} expired early` : ""}`,
  };
}

/** Every acknowledged reservation is found, in the state the client last saw. */
async function findAcknowledged(api: Api, placements: Placement[], limit: number | undefined, progress: Progress): Promise<Check> {
  const acknowledged = placements.filter((p) => p.acknowledged);
  const checked = sample(acknowledged, limit);
  const wrong: string[] = [];
  await pool(
    checked,
    16,
    async (placement) => {
      const answer = await api.get(`/v1/reservations/${encodeURIComponent(placement.id)}`);
      const status = isObject(answer.body) ? answer.body.status : undefined;
      if (answer.status !== 200 || status !== placement.state) {
        wrong.push(`${placement.id}: ${answer.status} ${String(status)} (expected ${placement.state})`);
      }
    },
    { line: progress, label: "audit: finding acknowledged reservations" },
  );
  const of = checked.length === acknowledged.length ? "all" : `sample of ${fmt(checked.length)}`;
  return {
    name: "acknowledged found",
    pass: wrong.length === 0,
    detail:
      `${fmt(checked.length - wrong.length)}/${fmt(checked.length)} found (${of} of ${fmt(acknowledged.length)} 201s)` +
      (wrong.length > 0 ? `; e.g. ${wrong.slice(0, 3).join("; ")}` : ""),
  };
}

interface Expected {
  held: number;
  committed: number;
  /** Units acknowledged to clients (held or committed 201s): never more than the stock. */
  promised: number;
}

function expectedUnits(ledger: Ledger): Map<string, Expected> {
  const byItem = new Map<string, Expected>();
  for (const placement of ledger.placements.values()) {
    for (const line of placement.lines) {
      const key = itemKey(line.sku, line.warehouse);
      const e = byItem.get(key) ?? { held: 0, committed: 0, promised: 0 };
      if (placement.state === "held") e.held += line.quantity;
      if (placement.state === "committed") e.committed += line.quantity;
      if (placement.acknowledged && (placement.state === "held" || placement.state === "committed")) {
        e.promised += line.quantity;
      }
      byItem.set(key, e);
    }
  }
  return byItem;
}

/** Reads each item's level (`GET /v1/stock/{sku}/{warehouse}`). */
async function readLevels(
  api: Api,
  items: Item[],
  concurrency: number,
  progress: Progress,
): Promise<{ levels: Map<string, LevelBody>; problems: string[] }> {
  const levels = new Map<string, LevelBody>();
  const problems: string[] = [];
  await pool(
    items,
    concurrency,
    async (item) => {
      const answer = await api.get(`/v1/stock/${encodeURIComponent(item.sku)}/${encodeURIComponent(item.warehouse)}`);
      if (answer.status !== 200 || !isObject(answer.body)) {
        problems.push(`GET /v1/stock/${item.sku}/${item.warehouse}: ${answer.status}`);
        return;
      }
      levels.set(itemKey(item.sku, item.warehouse), answer.body as unknown as LevelBody);
    },
    { line: progress, label: `audit: reading ${fmt(items.length)} levels` },
  );
  return { levels, problems };
}

/**
 * `GET /v1/stock/{sku}` for a sample of SKUs: with nothing in flight, every warehouse it
 * returns must equal the level read item by item, and the totals their sum.
 */
async function checkTotals(api: Api, items: Item[], levels: Map<string, LevelBody>, count: number): Promise<Check> {
  const skus = sample([...new Set(items.map((item) => item.sku))], count);
  const bad: string[] = [];
  await pool(skus, 8, async (sku) => {
    const answer = await api.get(`/v1/stock/${encodeURIComponent(sku)}`);
    if (answer.status !== 200 || !isObject(answer.body)) {
      bad.push(`${sku}: ${answer.status}`);
      return;
    }
    const body = answer.body as unknown as SkuBody;
    const sum = { onHand: 0, reserved: 0, available: 0 };
    for (const level of body.warehouses) {
      sum.onHand += level.onHand;
      sum.reserved += level.reserved;
      sum.available += level.available;
      const single = levels.get(itemKey(level.sku, level.warehouse));
      if (single !== undefined && (single.onHand !== level.onHand || single.reserved !== level.reserved)) {
        bad.push(`${sku}/${level.warehouse}: ${level.onHand}/${level.reserved} here, ${single.onHand}/${single.reserved} alone`);
      }
    }
    const t = body.totals;
    if (t.onHand !== sum.onHand || t.reserved !== sum.reserved || t.available !== sum.available) {
      bad.push(`${sku}: totals ${JSON.stringify(t)} != sum ${JSON.stringify(sum)}`);
    }
  });
  return {
    name: "SKU totals",
    pass: bad.length === 0,
    detail: `${skus.length - bad.length}/${skus.length} SKUs: warehouses = item levels, totals = sum${bad.length > 0 ? `; e.g. ${bad.slice(0, 3).join("; ")}` : ""}`,
  };
}

function checkLevels(items: Item[], levels: Map<string, LevelBody>, ledger: Ledger, readProblems: string[]): Check[] {
  const expected = expectedUnits(ledger);
  const mismatched: string[] = [];
  const oversold: string[] = [];
  let held = 0;
  let committed = 0;
  let available = 0;
  let set = 0;
  for (const item of items) {
    const key = itemKey(item.sku, item.warehouse);
    const level = levels.get(key);
    const e = expected.get(key) ?? { held: 0, committed: 0, promised: 0 };
    if (level === undefined) {
      mismatched.push(`${key}: missing`);
      continue;
    }
    held += e.held;
    committed += e.committed;
    available += level.available;
    set += item.set;
    const sumOk = e.held + e.committed + level.available === item.set;
    const splitOk =
      level.reserved === e.held && level.onHand === item.set - e.committed && level.available === level.onHand - level.reserved;
    if (!sumOk || !splitOk) {
      mismatched.push(
        `${key}: held ${e.held}+committed ${e.committed}+available ${level.available} vs set ${item.set} (service onHand ${level.onHand}, reserved ${level.reserved})`,
      );
    }
    if (e.promised > item.set || level.available < 0) {
      oversold.push(`${key}: ${e.promised} units acknowledged of ${item.set}, available ${level.available}`);
    }
  }
  return [
    {
      name: "held+committed+available = set",
      pass: mismatched.length === 0 && readProblems.length === 0,
      detail:
        `${fmt(items.length - mismatched.length)}/${fmt(items.length)} items; ` +
        `${fmt(held)} held + ${fmt(committed)} committed + ${fmt(available)} available = ${fmt(held + committed + available)} of ${fmt(set)} set` +
        (mismatched.length + readProblems.length > 0 ? `; e.g. ${[...readProblems, ...mismatched].slice(0, 3).join("; ")}` : ""),
    },
    {
      name: "no oversell",
      pass: oversold.length === 0,
      detail: oversold.length === 0 ? "0 items oversold" : `${oversold.length} items oversold; e.g. ${oversold.slice(0, 3).join("; ")}`,
    },
  ];
}

interface EventBody {
  seq: number;
  type: string;
  onHandDelta: number;
  reservedDelta: number;
}

async function readEvents(api: Api, item: Item): Promise<EventBody[] | string> {
  const events: EventBody[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const query = new URLSearchParams({ sku: item.sku, warehouse: item.warehouse, limit: "100" });
    if (after !== null) query.set("after", after);
    const answer = await api.get(`/v1/events?${query}`);
    if (answer.status !== 200 || !isObject(answer.body) || !Array.isArray(answer.body.events)) {
      return `GET /v1/events: ${answer.status}`;
    }
    events.push(...(answer.body.events as EventBody[]));
    const next = answer.body.next;
    if (typeof next !== "string" || next === "" || answer.body.events.length === 0) return events;
    after = next;
  }
  return events;
}

/** Events in D1 for a sample of items: seq 1..version exactly, and the deltas add up to the level. */
async function checkEvents(
  api: Api,
  items: Item[],
  levels: Map<string, LevelBody>,
  ledger: Ledger,
  count: number,
  progress: Progress,
): Promise<Check> {
  const chosen = sample(items, count);
  const bad: string[] = [];
  let total = 0;
  const deadline = Date.now() + 30_000;
  await pool(
    chosen,
    4,
    async (item) => {
      const key = itemKey(item.sku, item.warehouse);
      const level = levels.get(key);
      if (level?.version === undefined) {
        bad.push(`${key}: no level version`);
        return;
      }
      // The pipeline is asynchronous (outbox → Queue → D1): wait for it to catch up.
      let events = await readEvents(api, item);
      while (typeof events !== "string" && events.length < level.version && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        events = await readEvents(api, item);
      }
      if (typeof events === "string") {
        bad.push(`${key}: ${events}`);
        return;
      }
      total += events.length;
      const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
      const contiguous = seqs.length === level.version && seqs.every((seq, i) => seq === i + 1);
      const onHand = events.reduce((s, e) => s + e.onHandDelta, 0);
      const reserved = events.reduce((s, e) => s + e.reservedDelta, 0);
      const committedEvents = events.filter((e) => e.type === "reservation.committed").length;
      const heldEvents = events.filter((e) => e.type === "reservation.held").length;
      const touching = [...ledger.placements.values()].filter((p) => p.lines.some((l) => itemKey(l.sku, l.warehouse) === key));
      const committedPlacements = touching.filter((p) => p.state === "committed").length;
      const acknowledged = touching.filter((p) => p.acknowledged).length;
      if (!contiguous) bad.push(`${key}: ${events.length} events for version ${level.version} (seq not 1..${level.version})`);
      else if (onHand !== level.onHand || reserved !== level.reserved) {
        bad.push(`${key}: event deltas give onHand ${onHand}, reserved ${reserved}; level ${level.onHand}/${level.reserved}`);
      } else if (committedEvents !== committedPlacements || heldEvents < acknowledged) {
        bad.push(
          `${key}: ${committedEvents} commit events for ${committedPlacements} commits, ${heldEvents} hold events for ${acknowledged} 201s`,
        );
      }
    },
    { line: progress, label: "audit: reading events" },
  );
  return {
    name: "events in D1",
    pass: bad.length === 0,
    detail:
      `${chosen.length - bad.length}/${chosen.length} items${chosen.length < items.length ? ` (sample of ${items.length})` : ""}, ` +
      `${fmt(total)} events, seq 1..N, deltas = level` +
      (bad.length > 0 ? `; e.g. ${bad.slice(0, 3).join("; ")}` : ""),
  };
}

export async function audit(api: Api, ledger: Ledger, scope: AuditScope, progress: Progress): Promise<AuditResult> {
  const placements = [...ledger.placements.values()].filter((p) => scope.scenarios.includes(p.scenario));
  const checks: Check[] = [];
  checks.push(await resolveUnknown(api, placements, progress));
  checks.push(await findAcknowledged(api, placements, scope.sampleAcknowledged, progress));
  // Every item a reservation touched, and a sample of the others (which nothing reserved).
  const touched = new Set<string>();
  for (const placement of ledger.placements.values()) {
    for (const line of placement.lines) touched.add(itemKey(line.sku, line.warehouse));
  }
  const hit = scope.items.filter((item) => touched.has(itemKey(item.sku, item.warehouse)));
  const untouched = scope.items.filter((item) => !touched.has(itemKey(item.sku, item.warehouse)));
  const quiet = sample(untouched, scope.untouchedSample);
  const items = [...hit, ...quiet];
  const { levels, problems } = await readLevels(api, items, scope.concurrency, progress);
  const levelChecks = checkLevels(items, levels, ledger, problems);
  if (quiet.length < untouched.length) {
    for (const check of levelChecks) {
      check.detail += ` (all ${fmt(hit.length)} items reserved from, a sample of ${fmt(quiet.length)} of the ${fmt(untouched.length)} never reserved from)`;
    }
  }
  checks.push(...levelChecks);
  checks.push(await checkTotals(api, items, levels, scope.totalsSample));
  if (scope.events) checks.push(await checkEvents(api, items, levels, ledger, scope.eventItems, progress));
  progress.clear();
  return { pass: checks.every((c) => c.pass), checks };
}

/** Whether the events pipeline is there to audit (another engineer is building it). */
export async function hasEventsApi(api: Api): Promise<boolean> {
  const answer = await api.get("/v1/events?limit=1");
  return answer.status === 200;
}
