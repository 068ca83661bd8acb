import { pool } from "../../bench/lib/api";
import type { Client } from "../client";
import type { History } from "../history";
import type { Model } from "../model";
import type { Item } from "../world";
import { type Check, fmt, type Violation, verdict } from "./check";
import { eventsWhenCaughtUp, type Level, type StockEvent } from "./events";

/**
 * Per item, the service's level and its events in D1 against what the clients know:
 *  - no oversell: every event that raised `reserved` left onHand − reserved ≥ 0 (the level it
 *    carries: a hold is never granted beyond what is there, at any acknowledged point);
 *  - events run `seq` 1..version with no gap or repeat, their deltas add up to the level, and
 *    each carries the level its deltas reach;
 *  - onHand = counts + adjustments − commits: every count acknowledged with If-Match "v" is the
 *    event v+1 (a stock.set to its figure), a count refused with 412 is not, and every
 *    stock.set is the first set or a count; the adjustments applied (each Idempotency-Key once)
 *    are exactly the stock.adjusted events; each reservation's commits are its allocations;
 *  - reserved = the holds still open: level.reserved equals what the clients hold, and per
 *    reservation its events leave exactly its open allocation reserved.
 */

export interface ItemFacts {
  levels: Map<string, Level>;
  /** Each item's events in D1, only for items whose events are complete (seq 1..version). */
  events: Map<string, StockEvent[]>;
}

export async function checkItems(
  client: Client,
  history: History,
  model: Model,
  items: Item[],
  openHolds: Map<string, number>,
  read: Map<string, { status: string; allocations: { sku: string; warehouse: string; quantity: number }[] }>,
  waitMs: number,
): Promise<{ checks: Check[]; facts: ItemFacts }> {
  const levels = new Map<string, Level>();
  const events = new Map<string, StockEvent[]>();
  const v = { oversell: [] as Violation[], events: [] as Violation[], onHand: [] as Violation[], reserved: [] as Violation[] };
  const deadline = Date.now() + waitMs;
  let eventCount = 0;
  let holdsEvents = 0;
  await pool(items, 4, async (item) => {
    const out = await client.get(`/v1/stock/${item.sku}/${item.warehouse}`, "check-level", [item.key]);
    if (out.last.status !== 200) {
      v.events.push({ what: `${item.key}: GET level answered ${out.last.status}`, keys: [item.key] });
      return;
    }
    let level = out.last.answer as Level;
    let list = await eventsWhenCaughtUp(client, level, deadline);
    if (typeof list !== "string" && list.length > level.version) {
      // More events than the level read before them: read the level again (it must be quiet now).
      const again = await client.get(`/v1/stock/${item.sku}/${item.warehouse}`, "check-level", [item.key]);
      if (again.last.status === 200) level = again.last.answer as Level;
      list = await eventsWhenCaughtUp(client, level, deadline);
    }
    levels.set(item.key, level);
    if (typeof list === "string") {
      v.events.push({ what: `${item.key}: ${list}`, keys: [item.key] });
      return;
    }
    eventCount += list.length;
    const keys = [item.key];
    // seq 1..version, deltas = level
    const seqOk = list.length === level.version && list.every((e, i) => e.seq === i + 1);
    if (!seqOk) {
      const missing = [];
      const have = new Set(list.map((e) => e.seq));
      for (let s = 1; s <= level.version && missing.length < 5; s++) if (!have.has(s)) missing.push(s);
      // The writes that made the first missing events: those answered between the events around the gap.
      const first = missing[0];
      const before = list.filter((e) => first !== undefined && e.seq < first).at(-1);
      const after = list.find((e) => first !== undefined && e.seq > first);
      const from = before === undefined ? 0 : Date.parse(before.at);
      const to = after === undefined ? Date.now() : Date.parse(after.at);
      const writes = history.writesBetween(item.key, from, to);
      v.events.push({
        what: `${item.key}: ${list.length} events in D1 for version ${level.version}; missing seq ${missing.join(", ") || "none"}${writes.length > 0 ? " (the writes that made them follow)" : ""}`,
        keys,
        ...(writes.length > 0 ? { exchanges: writes } : {}),
      });
    }
    let onHand = 0;
    let reserved = 0;
    let fieldsOk = true;
    for (const e of list) {
      onHand += e.onHandDelta;
      reserved += e.reservedDelta;
      // Each event carries the level after it: a hold that left less on hand than reserved was oversold.
      if (e.reservedDelta > 0 && e.onHand - e.reserved < 0) {
        v.oversell.push({
          what: `${item.key}: after event ${e.seq} (${e.type} ${e.reservationId ?? ""}) onHand ${e.onHand} < reserved ${e.reserved}`,
          keys: [...(e.reservationId ? [e.reservationId] : []), item.key],
        });
      }
      if (seqOk && fieldsOk && (e.onHand !== onHand || e.reserved !== reserved)) {
        fieldsOk = false;
        v.events.push({
          what: `${item.key}: event ${e.seq} says onHand ${e.onHand}, reserved ${e.reserved}; the deltas up to it give ${onHand}/${reserved}`,
          keys,
        });
      }
    }
    if (seqOk && (onHand !== level.onHand || reserved !== level.reserved)) {
      v.events.push({
        what: `${item.key}: events sum to onHand ${onHand}, reserved ${reserved}; level says ${level.onHand}/${level.reserved}`,
        keys,
      });
    }
    if (!seqOk) return;
    events.set(item.key, list);
    checkOnHand(item, model, list, v.onHand);
    holdsEvents += checkHolds(item, level, list, openHolds, model, read, v.reserved);
  });
  const n = fmt(items.length);
  return {
    checks: [
      verdict("no oversell at any acknowledged point", `${n} items, every event raising reserved left onHand ≥ reserved`, v.oversell),
      verdict("D1 events gap-free, summing to the levels", `${n} items, ${fmt(eventCount)} events, seq 1..version`, v.events),
      verdict("onHand = counts + adjustments − commits", `${n} items: ${summarize(model)}`, v.onHand),
      verdict("reserved = open holds", `${n} items; ${fmt(holdsEvents)} reservation events matched to their reservations`, v.reserved),
    ],
    facts: { levels, events },
  };
}

function summarize(model: Model): string {
  const by = (xs: { outcome: string }[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x.outcome, (m.get(x.outcome) ?? 0) + 1);
    return [...m].map(([k, n]) => `${n} ${k}`).join(", ") || "none";
  };
  return `counts ${by(model.counts)}; adjustments ${by(model.adjustments)}`;
}

function checkOnHand(item: Item, model: Model, list: StockEvent[], out: Violation[]): void {
  const counts = model.counts.filter((c) => c.item === item.key);
  const bySeq = new Map(list.map((e) => [e.seq, e]));
  for (const c of counts) {
    const e = bySeq.get(c.ifMatch + 1);
    const isIt = e !== undefined && e.type === "stock.set" && e.onHand === c.target;
    if (c.outcome === "applied" && !isIt) {
      out.push({
        what: `${item.key}: count to ${c.target} If-Match "${c.ifMatch}" acknowledged, but event ${c.ifMatch + 1} is ${e ? `${e.type} onHand ${e.onHand}` : "missing"}`,
        keys: [item.key],
      });
    }
    if (
      c.outcome === "refused" &&
      isIt &&
      !counts.some((o) => o !== c && o.ifMatch === c.ifMatch && o.target === c.target && o.outcome !== "refused")
    ) {
      out.push({
        what: `${item.key}: count to ${c.target} If-Match "${c.ifMatch}" refused with 412, but event ${c.ifMatch + 1} applied it`,
        keys: [item.key],
      });
    }
  }
  for (const e of list) {
    if (e.type !== "stock.set" || e.seq === 1) continue;
    const explained = counts.some(
      (c) =>
        c.ifMatch + 1 === e.seq &&
        c.target === e.onHand &&
        (c.outcome === "applied" || c.outcome === "ambiguous" || c.outcome === "unresolved"),
    );
    if (!explained) out.push({ what: `${item.key}: event ${e.seq} stock.set to ${e.onHand} that no count asked for`, keys: [item.key] });
  }
  const adjustments = model.adjustments.filter((a) => a.item === item.key);
  if (!adjustments.some((a) => a.outcome === "unresolved")) {
    const applied = adjustments.filter((a) => a.outcome === "applied");
    const recorded = list.filter((e) => e.type === "stock.adjusted");
    const sumApplied = applied.reduce((s, a) => s + a.delta, 0);
    const sumRecorded = recorded.reduce((s, e) => s + e.onHandDelta, 0);
    if (applied.length !== recorded.length || sumApplied !== sumRecorded) {
      out.push({
        what: `${item.key}: ${applied.length} adjustments applied (Σ ${sumApplied}), ${recorded.length} stock.adjusted events (Σ ${sumRecorded})`,
        keys: [item.key],
      });
    }
  }
  const committedBy = new Map<string, number>();
  for (const e of list) {
    if (e.type === "reservation.committed" && e.reservationId)
      committedBy.set(e.reservationId, (committedBy.get(e.reservationId) ?? 0) - e.onHandDelta);
  }
  for (const r of model.reservations.values()) {
    if (r.unresolved || model.expected(r) === null) continue;
    const [sku, warehouse] = item.key.split("/");
    const mine = r.allocations.filter((a) => a.sku === sku && a.warehouse === warehouse).reduce((s, a) => s + a.quantity, 0);
    const expected = model.expected(r) === "committed" ? mine : 0;
    const got = committedBy.get(r.id) ?? 0;
    if (got !== expected)
      out.push({
        what: `${item.key}: ${r.id} ${model.expected(r)}, its commit events take ${got} units, expected ${expected}`,
        keys: [r.id, item.key],
      });
    committedBy.delete(r.id);
  }
  for (const [id, units] of committedBy) {
    if (!model.reservations.has(id))
      out.push({ what: `${item.key}: commit events of an unknown reservation ${id} (${units} units)`, keys: [item.key] });
  }
}

function checkHolds(
  item: Item,
  level: Level,
  list: StockEvent[],
  openHolds: Map<string, number>,
  model: Model,
  read: Map<string, { status: string; allocations: { sku: string; warehouse: string; quantity: number }[] }>,
  out: Violation[],
): number {
  const open = openHolds.get(item.key) ?? 0;
  if (level.reserved !== open) {
    out.push({ what: `${item.key}: reserved ${level.reserved}, but the open holds the clients know add up to ${open}`, keys: [item.key] });
  }
  const net = new Map<string, number>();
  let matched = 0;
  for (const e of list) {
    if (!e.reservationId) continue;
    matched++;
    net.set(e.reservationId, (net.get(e.reservationId) ?? 0) + e.reservedDelta);
  }
  const [sku, warehouse] = item.key.split("/");
  for (const [id, units] of net) {
    const r = model.reservations.get(id);
    const status = r === undefined || r.unresolved || model.expected(r) === null ? read.get(id)?.status : model.expected(r);
    const allocations = r !== undefined && !r.unresolved && model.expected(r) !== null ? r.allocations : (read.get(id)?.allocations ?? []);
    const mine = allocations.filter((a) => a.sku === sku && a.warehouse === warehouse).reduce((s, a) => s + a.quantity, 0);
    const expected = status === "held" ? mine : 0;
    if (units !== expected)
      out.push({
        what: `${item.key}: ${id} (${status ?? "unknown"}) has ${units} units reserved by its events, expected ${expected}`,
        keys: [id, item.key],
      });
  }
  return matched;
}
