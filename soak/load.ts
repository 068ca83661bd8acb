import { setTimeout as sleep } from "node:timers/promises";
import type { Client, Outcome } from "./client";
import { type Allocation, itemKey, type KnownReservation, type Line, type Model, type ReservationKind } from "./model";
import type { Random } from "./random";
import { CHANNEL, type Item, WAREHOUSES, type World } from "./world";

/**
 * The load: clients that each do one thing at a time, chosen by their own seeded stream, the
 * way storefronts, ERPs and counters would: place plain, multi-line, sourced (channel) and
 * pooled (flash-sale) reservations, some with a short ttl that lets them expire; extend,
 * change the lines of, commit or release their own; count items with If-Match; adjust with an
 * Idempotency-Key; read. Every write goes through `Client.until` (same request until a
 * definitive answer) and its outcome is folded into the Model.
 */

const OPS = {
  "place-plain": 18,
  "place-multi": 8,
  "place-sourced": 8,
  "place-pooled": 10,
  "place-watched": 10,
  commit: 12,
  release: 8,
  extend: 5,
  "line-change": 7,
  count: 4,
  adjust: 7,
  read: 6,
  "d1-read": 4,
  "webhook-admin": 1,
} as const;

type Op = keyof typeof OPS;

/**
 * A long hold outlives the run and its checks (a hold expiring while the checker reads it would
 * race the read); short holds (2-8 s) expire during the run, and the checker waits them out.
 */
export const LONG_TTL_S = 4 * 3600;

export interface LoadContext {
  model: Model;
  world: World;
  /** Unexpected answers: a definitive answer no correct service gives here. */
  anomaly(n: number, what: string): void;
}

export class LoadClient {
  private seq = 0;
  private readonly own: string[] = [];

  constructor(
    readonly name: string,
    private readonly client: Client,
    private readonly random: Random,
    private readonly ctx: LoadContext,
  ) {}

  async run(stopAtMs: number): Promise<void> {
    while (Date.now() < stopAtMs) {
      await this.step(this.random.weighted(OPS));
      await sleep(this.random.int(10, 80));
    }
  }

  private async step(op: Op): Promise<void> {
    const { world } = this.ctx;
    switch (op) {
      case "place-plain":
        return void (await this.place("plain", [this.line(this.random.pick(world.plain), 1, 3)]));
      case "place-multi":
        return void (await this.place("multi", this.multiLines()));
      case "place-sourced":
        return void (await this.place("sourced", this.sourcedLines(), CHANNEL));
      case "place-pooled":
        return void (await this.place("pooled", [this.line(this.random.pick(world.pooled), 1, 2)]));
      case "place-watched":
        return void (await this.place("watched", [this.line(this.random.pick(world.watched), 1, 4)]));
      case "count":
        return this.count(this.random.pick(world.items));
      case "adjust":
        return this.adjust(this.random.chance(0.4) ? this.random.pick(world.watched) : this.random.pick(world.items));
      case "d1-read":
        return this.readD1();
      case "webhook-admin":
        return this.webhookAdmin();
      case "read":
        return this.read();
      default: {
        const known = this.pickOwnHeld();
        if (known === undefined) return;
        if (op === "commit" || op === "release") return this.finish(known, op);
        if (op === "extend") return this.extend(known);
        return this.changeLines(known);
      }
    }
  }

  private line(item: Item, min: number, max: number): Line {
    return { sku: item.sku, warehouse: item.warehouse, quantity: this.random.int(min, max) };
  }

  private multiLines(): Line[] {
    const n = this.random.int(2, 3);
    const chosen = new Map<string, Item>();
    while (chosen.size < n) {
      const it = this.random.chance(0.2) ? this.random.pick(this.ctx.world.watched) : this.random.pick(this.ctx.world.plain);
      chosen.set(it.key, it);
    }
    return [...chosen.values()].map((it) => this.line(it, 1, 2));
  }

  private sourcedLines(): Line[] {
    const skus = new Set<string>();
    const n = this.random.int(1, 2);
    while (skus.size < n) skus.add(this.random.pick(this.ctx.world.sourcedSkus));
    return [...skus].map((sku) => ({ sku, warehouse: null, quantity: this.random.int(1, 4) }));
  }

  private keysOf(id: string, lines: Line[], allocations: Allocation[] = []): string[] {
    const keys = new Set<string>([id]);
    for (const l of lines) {
      if (l.warehouse !== null) keys.add(itemKey(l.sku, l.warehouse));
      else for (const w of WAREHOUSES) keys.add(itemKey(l.sku, w));
    }
    for (const a of allocations) keys.add(itemKey(a.sku, a.warehouse));
    return [...keys];
  }

  /** Places a reservation until definitive (also used by the injector's bursts), and records what it learnt. */
  async place(kind: ReservationKind, lines: Line[], channel: string | null = null, ttlSeconds?: number): Promise<KnownReservation> {
    const id = `${this.name}-${++this.seq}`;
    const ttl = ttlSeconds ?? (this.random.chance(0.2) ? this.random.int(2, 6) : LONG_TTL_S);
    const known: KnownReservation = {
      id,
      kind,
      channel,
      lines,
      allocations: [],
      status: null,
      acknowledged: false,
      expiresAtMs: null,
      busy: true,
      unresolved: false,
    };
    this.ctx.model.reservations.set(id, known);
    const body: Record<string, unknown> = {
      id,
      lines: lines.map((l) => (l.warehouse === null ? { sku: l.sku, quantity: l.quantity } : l)),
      ttlSeconds: ttl,
    };
    if (channel !== null) body.channel = channel;
    const out = await this.write(
      { method: "POST", path: "/v1/reservations", body, op: `place-${kind}`, keys: this.keysOf(id, lines) },
      known,
    );
    const status = out.last.status;
    if (status === 201 || status === 200) this.ctx.model.learn(id, out.last.answer);
    else if (status === 409 && code(out) === "insufficient_stock") known.status = "rejected";
    else if (!out.gaveUp) this.ctx.anomaly(out.last.n, `place ${id}: ${status} ${code(out)}`);
    if (known.status === "held") this.own.push(id);
    known.busy = false;
    return known;
  }

  private pickOwnHeld(): KnownReservation | undefined {
    const model = this.ctx.model;
    for (let tries = 0; tries < 4 && this.own.length > 0; tries++) {
      const i = this.random.int(0, this.own.length - 1);
      const known = model.reservations.get(this.own[i] as string);
      if (known === undefined || model.expected(known) !== "held" || known.unresolved) {
        this.own.splice(i, 1);
        continue;
      }
      if (!known.busy) return known;
    }
    return undefined;
  }

  /** Commit or release, until definitive. */
  async finish(known: KnownReservation, op: "commit" | "release"): Promise<void> {
    known.busy = true;
    const out = await this.write(
      { method: "POST", path: `/v1/reservations/${known.id}/${op}`, op, keys: this.keysOf(known.id, known.lines, known.allocations) },
      known,
    );
    this.settleChange(known, out, op);
  }

  private async extend(known: KnownReservation): Promise<void> {
    known.busy = true;
    const body = { ttlSeconds: this.random.chance(0.5) ? this.random.int(2, 8) : LONG_TTL_S };
    const out = await this.write(
      {
        method: "POST",
        path: `/v1/reservations/${known.id}/extend`,
        body,
        op: "extend",
        keys: this.keysOf(known.id, known.lines, known.allocations),
      },
      known,
    );
    this.settleChange(known, out, "extend");
  }

  /** New quantities for the same items, sometimes one item fewer or one more. */
  newLinesFor(known: KnownReservation): Line[] {
    const lines = known.lines.map((l) => ({ ...l, quantity: this.random.int(1, 4) }));
    if (lines.length > 1 && this.random.chance(0.3)) lines.pop();
    else if (known.kind === "multi" && this.random.chance(0.3)) {
      const extra = this.random.pick(this.ctx.world.plain);
      if (!lines.some((l) => l.sku === extra.sku && l.warehouse === extra.warehouse)) lines.push(this.line(extra, 1, 2));
    }
    return lines;
  }

  async changeLines(known: KnownReservation, lines = this.newLinesFor(known)): Promise<void> {
    known.busy = true;
    const body = { lines: lines.map((l) => (l.warehouse === null ? { sku: l.sku, quantity: l.quantity } : l)) };
    const keys = this.keysOf(known.id, [...known.lines, ...lines], known.allocations);
    const out = await this.write({ method: "PUT", path: `/v1/reservations/${known.id}/lines`, body, op: "line-change", keys }, known);
    if (out.last.status === 409 && code(out) === "insufficient_stock") {
      known.busy = false;
      return;
    }
    this.settleChange(known, out, "line-change");
  }

  private settleChange(known: KnownReservation, out: Outcome, op: string): void {
    known.busy = false;
    const status = out.last.status;
    const answer = out.last.answer as { reservationStatus?: string } | null;
    if (status === 200) this.ctx.model.learn(known.id, out.last.answer);
    else if (status === 409 && code(out) === "invalid_state" && answer?.reservationStatus !== undefined) {
      const now = answer.reservationStatus;
      if (now === "committed" || now === "released" || now === "expired") known.status = now;
    } else if (!out.gaveUp) this.ctx.anomaly(out.last.n, `${op} ${known.id}: ${status} ${code(out)}`);
  }

  private async write(spec: Parameters<Client["until"]>[0], known?: KnownReservation): Promise<Outcome> {
    const out = await this.client.until(spec);
    this.ctx.model.countOp(spec.op);
    if (out.gaveUp && known !== undefined) known.unresolved = true;
    if (out.gaveUp) this.ctx.anomaly(out.last.n, `${spec.op}: no definitive answer before giving up`);
    return out;
  }

  private async count(item: Item): Promise<void> {
    const read = await this.client.once({
      method: "GET",
      path: `/v1/stock/${item.sku}/${item.warehouse}`,
      op: "count-read",
      keys: [item.key],
    });
    if (read.status !== 200) return;
    const level = read.answer as { onHand: number; reserved: number; version: number };
    const target = Math.max(0, level.onHand + this.random.int(-3, 6));
    const record = { item: item.key, ifMatch: level.version, target, outcome: "unresolved" as const } as Model["counts"][number];
    this.ctx.model.counts.push(record);
    const out = await this.write({
      method: "PUT",
      path: `/v1/stock/${item.sku}/${item.warehouse}`,
      body: { onHand: target, lowStockThreshold: item.lowStockThreshold },
      headers: { "if-match": `"${level.version}"` },
      op: "count",
      keys: [item.key],
    });
    if (out.gaveUp) return;
    if (out.last.status === 200) record.outcome = "applied";
    else if (out.last.status === 412) record.outcome = out.uncertain ? "ambiguous" : "refused";
    else this.ctx.anomaly(out.last.n, `count ${item.key}: ${out.last.status} ${code(out)}`);
  }

  private async adjust(item: Item): Promise<void> {
    const key = `${this.name}-adj-${++this.seq}`;
    const receipt = this.random.chance(0.75);
    const delta = receipt ? this.random.int(3, 15) : -this.random.int(1, 3);
    const record = { key, item: item.key, delta, outcome: "unresolved" as const } as Model["adjustments"][number];
    this.ctx.model.adjustments.push(record);
    const out = await this.write({
      method: "POST",
      path: `/v1/stock/${item.sku}/${item.warehouse}/adjustments`,
      body: { delta, reason: receipt ? "receipt" : "damage" },
      headers: { "idempotency-key": key },
      op: "adjust",
      keys: [item.key, key],
    });
    if (out.gaveUp) return;
    if (out.last.status === 200) record.outcome = "applied";
    else if (out.last.status === 409 && code(out) === "negative_on_hand") record.outcome = "refused";
    else this.ctx.anomaly(out.last.n, `adjust ${item.key}: ${out.last.status} ${code(out)}`);
  }

  /** Reads that need D1 (events, the listing, webhooks): 503 with Retry-After while it is down. */
  private async readD1(): Promise<void> {
    const item = this.random.pick(this.ctx.world.watched);
    const path = this.random.pick([`/v1/events?sku=${item.sku}&warehouse=${item.warehouse}&limit=5`, "/v1/stock?limit=5", "/v1/webhooks"]);
    await this.client.once({ method: "GET", path, op: "d1-read", keys: [item.key] });
  }

  /**
   * A D1 write: a subscription created and deleted again, each until definitive, for a SKU that
   * is never stocked (so it never delivers). A create retried after a lost answer may leave a
   * second subscription behind; it is harmless for the same reason.
   */
  private async webhookAdmin(): Promise<void> {
    const url = `${this.ctx.world.subscriptions[0]?.url ?? "http://127.0.0.1:9/none"}-unused`;
    const created = await this.write({
      method: "POST",
      path: "/v1/webhooks",
      body: { url, sku: "UNSTOCKED" },
      op: "webhook-create",
      keys: [],
    });
    const id = (created.last.answer as { id?: string } | null)?.id;
    if (created.last.status !== 201 || id === undefined) {
      if (!created.gaveUp) this.ctx.anomaly(created.last.n, `webhook create: ${created.last.status} ${code(created)}`);
      return;
    }
    const deleted = await this.write({ method: "DELETE", path: `/v1/webhooks/${id}`, op: "webhook-delete", keys: [id] });
    // 404 after a retry: the first attempt deleted it and its answer was lost.
    const ok = deleted.last.status === 204 || (deleted.last.status === 404 && deleted.uncertain);
    if (!ok && !deleted.gaveUp) this.ctx.anomaly(deleted.last.n, `webhook delete ${id}: ${deleted.last.status} ${code(deleted)}`);
  }

  private async read(): Promise<void> {
    const world = this.ctx.world;
    const what = this.random.int(0, 2);
    if (what === 0 && this.own.length > 0) {
      const id = this.random.pick(this.own);
      await this.client.once({ method: "GET", path: `/v1/reservations/${id}`, op: "read", keys: [id] });
    } else if (what === 1) {
      const item = this.random.pick(world.items);
      await this.client.once({ method: "GET", path: `/v1/stock/${item.sku}/${item.warehouse}`, op: "read", keys: [item.key] });
    } else {
      const sku = this.random.pick(world.sourcedSkus);
      await this.client.once({
        method: "POST",
        path: "/v1/availability",
        body: { items: [{ sku }], channel: CHANNEL },
        op: "read",
        keys: [],
      });
    }
  }
}

function code(out: Outcome): string {
  const answer = out.last.answer as { code?: unknown } | null;
  return typeof answer?.code === "string" ? answer.code : "";
}
