import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { subprotocolToken } from "../../src/http/auth";
import { stockItem } from "../../src/stock/address";
import type { Level } from "../../src/stock/ledger";
import {
  answeredSubprotocol,
  intervalFor,
  isWebSocketUpgrade,
  LIVE_INTERVAL_MS,
  LIVE_SUBPROTOCOL,
  type LiveClock,
  type LiveSocket,
  LiveWatchers,
  liveMessage,
  NOTHING_SENT,
  nextFlush,
  offeredSubprotocols,
  step,
  type WatcherState,
} from "../../src/stock/live";
import type { StockItem } from "../../src/stock/StockItem";
import { call, expectProblem, stocked, TOKEN, unique } from "../http/client";

/** Live availability (contract v1.1): `GET /v1/stock/{sku}/{warehouse}/live` over a WebSocket. */

const base64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

interface Received {
  at: number;
  body: { type: string; level: Record<string, unknown> | null };
}

/** Opens the live route through the Worker (the whole app: auth, routing) and records what arrives. */
async function open(path: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const response = await exports.default.fetch(`http://stockflare.test${path}/live`, { headers: { upgrade: "websocket", ...headers } });
  const ws = response.webSocket;
  if (response.status !== 101 || ws === null)
    throw new Error(`expected 101 with a WebSocket, got ${response.status}: ${await response.text()}`);
  const received: Received[] = [];
  const other: unknown[] = [];
  ws.addEventListener("message", (event) => {
    if (event.data === "pong") other.push(event.data);
    else received.push({ at: Date.now(), body: JSON.parse(event.data as string) });
  });
  ws.accept();
  return {
    ws,
    response,
    received,
    /** Anything but level messages (a `pong`). */
    other,
    last: () => received.at(-1)?.body,
    /** Waits until a message satisfies `predicate`; returns it. */
    async until(predicate: (body: Received["body"]) => boolean, timeout = 3_000) {
      return vi.waitFor(
        () => {
          const hit = received.find((r) => predicate(r.body));
          if (hit === undefined) throw new Error(`no such message yet; got ${JSON.stringify(received.map((r) => r.body))}`);
          return hit;
        },
        { timeout, interval: 10 },
      );
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const levelOf = async (path: string) => (await call("GET", path)).body;
const reserve = (sku: string, warehouse: string, quantity: number, id = unique("live-r")) =>
  call("POST", "/v1/reservations", { json: { id, lines: [{ sku, warehouse, quantity }] } });

describe("GET /v1/stock/{sku}/{warehouse}/live", () => {
  it("sends the level on connect, exactly the body GET answers", async () => {
    const { path } = await stocked(7);
    const live = await open(path);
    const first = await live.until(() => true);
    expect(first.body).toEqual({ type: "level", level: await levelOf(path) });
    expect(live.response.headers.get("sec-websocket-protocol")).toBeNull();
    live.ws.close(1000);
  });

  it("sends level: null for a never-set item, then the level once it is set", async () => {
    const path = `/v1/stock/${unique("LIVE-NEW")}/wh-1`;
    const live = await open(path);
    const first = await live.until(() => true);
    expect(first.body).toEqual({ type: "level", level: null });
    const put = await call("PUT", path, { json: { onHand: 3 } });
    expect(put.status).toBe(200);
    const set = await live.until((m) => m.level !== null);
    expect(set.body.level).toEqual(put.body);
    live.ws.close(1000);
  });

  it("sends a message after each change: a count, a reservation, its release", async () => {
    const { sku, warehouse, path } = await stocked(10);
    const live = await open(path);
    await live.until((m) => m.level?.version === 1);
    await call("PUT", path, { json: { onHand: 12 } });
    await live.until((m) => m.level?.version === 2 && m.level.onHand === 12);
    const r = await reserve(sku, warehouse, 5);
    expect(r.status).toBe(201);
    const held = await live.until((m) => m.level?.version === 3);
    expect(held.body.level).toMatchObject({ onHand: 12, reserved: 5, available: 7 });
    await call("POST", `/v1/reservations/${r.body.id}/release`);
    await live.until((m) => m.level?.version === 4 && m.level.available === 12);
    expect(live.last()).toEqual({ type: "level", level: await levelOf(path) });
    live.ws.close(1000);
  });

  it("coalesces a burst of 100 changes: far fewer messages, the last one the final level", async () => {
    const { path } = await stocked(0);
    const live = await open(path);
    await live.until((m) => m.level?.version === 1);
    const start = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call("POST", `${path}/adjustments`, { json: { delta: 1, reason: "receipt" }, headers: { "idempotency-key": `burst-${i}` } }),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const final = await levelOf(path);
    expect(final).toMatchObject({ onHand: 100, version: 101 });
    const last = await live.until((m) => m.level?.version === 101);
    const elapsed = last.at - start;
    await sleep(3 * LIVE_INTERVAL_MS);
    // Nothing after the final level, and it is exactly what GET answers.
    expect(live.last()).toEqual({ type: "level", level: final });
    const duringBurst = live.received.filter((r) => r.at >= start).length;
    expect(duringBurst, `${duringBurst} messages in ${elapsed} ms`).toBeLessThanOrEqual(Math.floor(elapsed / LIVE_INTERVAL_MS) + 2);
    expect(duringBurst).toBeLessThan(100);
    // Versions never go backwards.
    const versions = live.received.map((r) => r.body.level?.version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    live.ws.close(1000);
  });

  it("serves many watchers of one item, each ending on the final level", async () => {
    const { sku, warehouse, path } = await stocked(30);
    const watchers = await Promise.all([1, 2, 3, 4, 5].map(() => open(path)));
    await Promise.all(watchers.map((w) => w.until(() => true)));
    await Promise.all(Array.from({ length: 10 }, () => reserve(sku, warehouse, 1)));
    const final = await levelOf(path);
    expect(final).toMatchObject({ reserved: 10, version: 11 });
    for (const w of watchers) {
      await w.until((m) => m.level?.version === 11);
      expect(w.last()).toEqual({ type: "level", level: final });
      w.ws.close(1000);
    }
  });

  it("a pooled item's watchers end on the item's exact level as its members sell", async () => {
    const sku = unique("LIVE-POOL");
    const path = `/v1/stock/${sku}/wh`;
    expect((await call("PUT", path, { json: { onHand: 40, shards: 4 } })).status).toBe(200);
    const live = await open(path);
    await live.until((m) => m.level?.version === 1);
    const answers = await Promise.all(Array.from({ length: 12 }, () => reserve(sku, "wh", 1)));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    // Members report to the item shortly after each change; the item's watchers hear of it then.
    await live.until((m) => m.level?.reserved === 12);
    const final = await levelOf(path);
    expect(final).toMatchObject({ onHand: 40, reserved: 12, available: 28, shards: 4, version: 13 });
    await vi.waitFor(() => expect(live.last()).toEqual({ type: "level", level: final }), { timeout: 3_000, interval: 20 });
    live.ws.close(1000);
  });

  it("authenticates a browser by subprotocol and answers stockflare.v1", async () => {
    const { path } = await stocked(4);
    const live = await open(path, { "sec-websocket-protocol": `${LIVE_SUBPROTOCOL}, bearer.${base64url(TOKEN)}` });
    expect(live.response.headers.get("sec-websocket-protocol")).toBe(LIVE_SUBPROTOCOL);
    const first = await live.until(() => true);
    expect(first.body.level).toMatchObject({ onHand: 4 });
    live.ws.close(1000);
    // With the Authorization header and stockflare.v1 offered, the answer is the same.
    const withHeader = await open(path, { authorization: `Bearer ${TOKEN}`, "sec-websocket-protocol": LIVE_SUBPROTOCOL });
    expect(withHeader.response.headers.get("sec-websocket-protocol")).toBe(LIVE_SUBPROTOCOL);
    withHeader.ws.close(1000);
  });

  it("refuses a watcher without a token, or with a wrong one: 401", async () => {
    const { path } = await stocked(1);
    const upgrade = { upgrade: "websocket" };
    const refusals: [string, Record<string, string>][] = [
      ["no token", upgrade],
      ["wrong bearer header", { ...upgrade, authorization: "Bearer nope" }],
      ["wrong subprotocol token", { ...upgrade, "sec-websocket-protocol": `${LIVE_SUBPROTOCOL}, bearer.${base64url("nope")}` }],
      ["token not base64url", { ...upgrade, "sec-websocket-protocol": `${LIVE_SUBPROTOCOL}, bearer.${TOKEN}!` }],
      ["bearer without stockflare.v1", { ...upgrade, "sec-websocket-protocol": `bearer.${base64url(TOKEN)}` }],
      [
        "two bearer entries",
        { ...upgrade, "sec-websocket-protocol": `${LIVE_SUBPROTOCOL}, bearer.${base64url(TOKEN)}, bearer.${base64url("x")}` },
      ],
      [
        "a wrong header beats a right subprotocol",
        { ...upgrade, authorization: "Bearer nope", "sec-websocket-protocol": `${LIVE_SUBPROTOCOL}, bearer.${base64url(TOKEN)}` },
      ],
    ];
    for (const [name, headers] of refusals) {
      const r = await call("GET", `${path}/live`, { headers, auth: false });
      expect(r.status, name).toBe(401);
      expectProblem(r, 401, "unauthorized");
    }
  });

  it("accepts the subprotocol token only on a WebSocket upgrade", async () => {
    const { path } = await stocked(1);
    const r = await call("GET", path, {
      headers: { "sec-websocket-protocol": `${LIVE_SUBPROTOCOL}, bearer.${base64url(TOKEN)}` },
      auth: false,
    });
    expectProblem(r, 401, "unauthorized");
  });

  it("answers 426 upgrade_required without an upgrade (after authentication)", async () => {
    const { path } = await stocked(1);
    const r = await call("GET", `${path}/live`);
    expectProblem(r, 426, "upgrade_required");
    expect(r.headers.get("upgrade")).toBe("websocket");
    expectProblem(await call("GET", `${path}/live`, { auth: false }), 401, "unauthorized");
  });

  it("validates the item's identifiers like every stock route", async () => {
    const r = await call("GET", "/v1/stock/bad%20sku/wh-1/live", { headers: { upgrade: "websocket" } });
    expectProblem(r, 400, "invalid_request");
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await call("GET", "/v1/openapi.json")).body;
    const route = doc.paths["/v1/stock/{sku}/{warehouse}/live"]?.get;
    expect(route).toBeDefined();
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(["101", "426"]));
  });

  it("answers ping with pong", async () => {
    const { path } = await stocked(1);
    const live = await open(path);
    await live.until(() => true);
    live.ws.send("ping");
    await vi.waitFor(() => expect(live.other).toEqual(["pong"]), { timeout: 2_000, interval: 10 });
    expect(live.received).toHaveLength(1);
    live.ws.close(1000);
  });

  it("a reservation still succeeds after a watcher's socket was closed abruptly", async () => {
    const { sku, warehouse, path } = await stocked(5);
    const stub = stockItem(env, sku, warehouse);
    const first = await open(path);
    const second = await open(path);
    await first.until(() => true);
    await second.until(() => true);
    await sleep(2 * LIVE_INTERVAL_MS); // both due: the next change sends to both at once
    // Inside the object: one socket is broken from the server's side (no closing handshake
    // yet, so it is still listed and a send to it throws), and in that same turn a hold comes.
    const held = await runInDurableObject(stub, async (instance: StockItem, state) => {
      const sockets = state.getWebSockets();
      expect(sockets).toHaveLength(2);
      (sockets[0] as WebSocket).close(1011, "gone");
      expect(() => (sockets[0] as WebSocket).send("x")).toThrow();
      return instance.hold({ sku, warehouse, reservationId: unique("direct"), attempt: 1, quantity: 1, expiresAt: Date.now() + 60_000 });
    });
    expect(held).toEqual({ ok: true });
    // The other watcher heard of it; the broken one could not.
    const heard = () => [first, second].filter((w) => w.received.some((m) => m.body.level?.version === 2)).length;
    await vi.waitFor(() => expect(heard()).toBe(1), { timeout: 2_000, interval: 10 });
    // A client that drops its socket without waiting for anything: a reservation right after.
    for (const w of [first, second]) w.ws.close(4000, "tab closed");
    const r = await reserve(sku, warehouse, 2);
    expect(r.status).toBe(201);
    expect(await levelOf(path)).toMatchObject({ reserved: 3, available: 2, version: 3 });
    // A new watcher still works, and hears of the next change.
    const next = await open(path);
    await next.until((m) => m.level?.version === 3);
    expect((await reserve(sku, warehouse, 1)).status).toBe(201);
    await next.until((m) => m.level?.version === 4);
    next.ws.close(1000);
  });

  it("tells watchers of an expiry the alarm makes", async () => {
    const { sku, warehouse, path } = await stocked(5);
    const r = await call("POST", "/v1/reservations", { json: { lines: [{ sku, warehouse, quantity: 2 }], ttlSeconds: 1 } });
    expect(r.status).toBe(201);
    const live = await open(path);
    await live.until((m) => m.level?.reserved === 2);
    // The alarm expires the hold at its time; nobody calls the item.
    const expired = await live.until((m) => m.level?.reserved === 0, 5_000);
    expect(expired.body.level).toMatchObject({ available: 5, version: 3 });
    live.ws.close(1000);
  });
});

// ── the pure parts ───────────────────────────────────────────────────────────────────────

describe("live coalescing rules (src/stock/live.ts)", () => {
  const sentAt = (sentVersion: number, at: number): WatcherState => ({ sentVersion, sentAt: at });

  it("keeps 100 ms per socket for up to 100 watchers, then spreads the item's 1,000 messages a second over them", () => {
    expect(intervalFor(1)).toBe(LIVE_INTERVAL_MS);
    expect(intervalFor(100)).toBe(LIVE_INTERVAL_MS);
    expect(intervalFor(101)).toBe(101);
    expect(intervalFor(1_000)).toBe(1_000);
    for (const watchers of [1, 50, 250, 1_000, 5_000]) {
      // Never more often than the contract allows, and never more than the budget in total.
      expect(intervalFor(watchers)).toBeGreaterThanOrEqual(LIVE_INTERVAL_MS);
      expect((watchers * 1_000) / intervalFor(watchers)).toBeLessThanOrEqual(Math.max(1_000, watchers * 10));
    }
  });

  it("sends the first message always, whatever the version and time", () => {
    expect(step(NOTHING_SENT, 0, 0)).toEqual({ kind: "send" });
    expect(step(NOTHING_SENT, 7, 1_000)).toEqual({ kind: "send" });
  });

  it("sends nothing when the socket already has this version or a later one", () => {
    expect(step(sentAt(5, 0), 5, 10_000)).toEqual({ kind: "idle" });
    expect(step(sentAt(6, 0), 5, 10_000)).toEqual({ kind: "idle" });
    expect(step(sentAt(0, 0), 0, 10_000)).toEqual({ kind: "idle" });
  });

  it("sends a newer version once the socket's interval is over, else waits for its end", () => {
    expect(step(sentAt(5, 1_000), 6, 1_000 + LIVE_INTERVAL_MS)).toEqual({ kind: "send" });
    expect(step(sentAt(5, 1_000), 9, 5_000)).toEqual({ kind: "send" });
    expect(step(sentAt(5, 1_000), 6, 1_000)).toEqual({ kind: "wait", until: 1_000 + LIVE_INTERVAL_MS });
    expect(step(sentAt(5, 1_000), 6, 1_099, 100)).toEqual({ kind: "wait", until: 1_100 });
    expect(step(sentAt(0, 1_000), 1, 1_050, 100)).toEqual({ kind: "wait", until: 1_100 });
  });

  it("flushes next at the earliest wait, or not at all", () => {
    expect(nextFlush([])).toBeNull();
    expect(nextFlush([{ kind: "send" }, { kind: "idle" }])).toBeNull();
    expect(nextFlush([{ kind: "wait", until: 300 }, { kind: "send" }, { kind: "wait", until: 120 }])).toBe(120);
  });

  it("builds the message from the Level body", () => {
    const level: Level = {
      sku: "S",
      warehouse: "W",
      onHand: 5,
      reserved: 2,
      lowStockThreshold: 1,
      reorderQuantity: 0,
      version: 3,
      updatedAt: 0,
    };
    expect(JSON.parse(liveMessage(null))).toEqual({ type: "level", level: null });
    expect(JSON.parse(liveMessage({ ...level, shards: 4 }))).toEqual({
      type: "level",
      level: { ...level, available: 3, updatedAt: "1970-01-01T00:00:00.000Z", shards: 4, regions: null },
    });
  });

  it("reads upgrades and subprotocol lists", () => {
    expect(isWebSocketUpgrade(new Headers({ upgrade: "WebSocket" }))).toBe(true);
    expect(isWebSocketUpgrade(new Headers({ upgrade: "h2c" }))).toBe(false);
    expect(isWebSocketUpgrade(new Headers())).toBe(false);
    expect(offeredSubprotocols(" a , b,,c ")).toEqual(["a", "b", "c"]);
    expect(offeredSubprotocols(null)).toEqual([]);
    expect(answeredSubprotocol(`bearer.x, ${LIVE_SUBPROTOCOL}`)).toBe(LIVE_SUBPROTOCOL);
    expect(answeredSubprotocol("bearer.x")).toBeNull();
    expect(answeredSubprotocol(undefined)).toBeNull();
  });

  it("takes the token from the subprotocol list only beside stockflare.v1, base64url without padding", () => {
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}, bearer.${base64url("tök/en+?")}`)).toBe("tök/en+?");
    expect(subprotocolToken(`bearer.${base64url("t")}, ${LIVE_SUBPROTOCOL}`)).toBe("t");
    expect(subprotocolToken(`bearer.${base64url("t")}`)).toBeNull();
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}`)).toBeNull();
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}, bearer.`)).toBeNull();
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}, bearer.dGVzdA==`)).toBeNull();
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}, bearer.a`)).toBeNull();
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}, bearer.${base64url("a")}, bearer.${base64url("b")}`)).toBeNull();
    // Not UTF-8.
    expect(subprotocolToken(`${LIVE_SUBPROTOCOL}, bearer._w`)).toBeNull();
  });
});

describe("LiveWatchers (fake sockets and clock)", () => {
  class FakeSocket implements LiveSocket {
    sent: { at: number; version: number | null }[] = [];
    attachment: unknown = null;
    broken = false;
    constructor(private readonly clock: FakeClock) {}
    send(message: string | ArrayBuffer | ArrayBufferView): void {
      if (this.broken) throw new TypeError("WebSocket is closed");
      this.sent.push({ at: this.clock.time, version: JSON.parse(message as string).level?.version ?? null });
    }
    serializeAttachment(value: unknown): void {
      this.attachment = structuredClone(value);
    }
    deserializeAttachment(): unknown {
      return structuredClone(this.attachment);
    }
  }

  class FakeClock implements LiveClock {
    time = 1_000_000;
    private timers: { at: number; fn: () => void }[] = [];
    now() {
      return this.time;
    }
    later(fn: () => void, ms: number) {
      this.timers.push({ at: this.time + ms, fn });
    }
    get scheduled() {
      return this.timers.length;
    }
    /** Moves time to `to`, running the timers due on the way. */
    advance(to: number) {
      for (;;) {
        this.timers.sort((a, b) => a.at - b.at);
        const first = this.timers[0];
        if (first === undefined || first.at > to) break;
        this.timers.shift();
        this.time = Math.max(this.time, first.at);
        first.fn();
      }
      this.time = to;
    }
  }

  function setup(count: number) {
    const clock = new FakeClock();
    const sockets = Array.from({ length: count }, () => new FakeSocket(clock));
    let level: Level | null = null;
    let reads = 0;
    const watchers = new LiveWatchers(
      {
        sockets: () => sockets,
        level: () => {
          reads++;
          return level;
        },
      },
      clock,
    );
    const setVersion = (version: number) => {
      level = { sku: "S", warehouse: "W", onHand: version, reserved: 0, lowStockThreshold: 0, reorderQuantity: 0, version, updatedAt: 0 };
    };
    const connect = (socket: FakeSocket) => {
      watchers.joined(socket);
      watchers.welcome(socket, level);
    };
    return { clock, sockets, watchers, setVersion, connect, reads: () => reads };
  }

  it("a change every 7 ms for 1.4 s: one message per interval, the last one the final level", () => {
    const { clock, sockets, watchers, setVersion, connect } = setup(1);
    const socket = sockets[0] as FakeSocket;
    connect(socket);
    expect(socket.sent).toEqual([{ at: clock.time, version: null }]);
    const start = clock.time;
    for (let v = 1; v <= 200; v++) {
      clock.advance(start + v * 7);
      setVersion(v);
      watchers.changed();
    }
    clock.advance(start + 3_000);
    const sends = socket.sent.slice(1);
    expect(sends.at(-1)?.version).toBe(200);
    expect(sends.length).toBeLessThanOrEqual(1_400 / LIVE_INTERVAL_MS + 2);
    expect(sends.length).toBeGreaterThanOrEqual(1_400 / LIVE_INTERVAL_MS - 1);
    for (let i = 1; i < socket.sent.length; i++) {
      expect((socket.sent[i] as { at: number }).at - (socket.sent[i - 1] as { at: number }).at).toBeGreaterThanOrEqual(LIVE_INTERVAL_MS);
    }
    expect(clock.scheduled).toBe(0);
  });

  it("a quiet socket hears of a change at once", () => {
    const { clock, sockets, watchers, setVersion, connect } = setup(1);
    const socket = sockets[0] as FakeSocket;
    setVersion(1);
    connect(socket);
    clock.advance(clock.time + 5_000);
    setVersion(2);
    watchers.changed();
    expect(socket.sent.map((s) => s.version)).toEqual([1, 2]);
    expect(socket.sent[1]?.at).toBe(clock.time);
  });

  it("does no work at all without watchers, not even a read of the level", () => {
    const clock = new FakeClock();
    let lookups = 0;
    let reads = 0;
    const watchers = new LiveWatchers(
      {
        sockets: () => {
          lookups++;
          return [];
        },
        level: () => {
          reads++;
          return null;
        },
      },
      clock,
    );
    for (let i = 0; i < 100; i++) watchers.changed();
    expect(lookups).toBe(1); // the constructor's, once per start of the object
    expect(reads).toBe(0);
    expect(clock.scheduled).toBe(0);
  });

  it("one read of the level per flush, whatever the number of sockets", () => {
    const { sockets, watchers, setVersion, connect, reads } = setup(50);
    setVersion(1);
    for (const s of sockets) connect(s);
    const before = reads();
    setVersion(2);
    watchers.changed();
    expect(reads() - before).toBe(1);
  });

  it("a broken socket neither throws nor stops the others", () => {
    const { clock, sockets, watchers, setVersion, connect } = setup(3);
    setVersion(1);
    for (const s of sockets) connect(s);
    (sockets[1] as FakeSocket).broken = true;
    clock.advance(clock.time + 1_000);
    setVersion(2);
    expect(() => watchers.changed()).not.toThrow();
    expect(sockets.map((s) => s.sent.at(-1)?.version)).toEqual([2, 1, 2]);
  });

  it("a host that fails (storage, the runtime) never makes a change throw", () => {
    const clock = new FakeClock();
    const socket = new FakeSocket(clock);
    const watchers = new LiveWatchers(
      {
        sockets: () => [socket],
        level: () => {
          throw new Error("storage reset");
        },
      },
      clock,
    );
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(() => watchers.changed()).not.toThrow();
      expect(error).toHaveBeenCalled();
    } finally {
      error.mockRestore();
    }
  });

  it("keeps each socket's own interval: a socket that just connected waits, an older one sends", () => {
    const { clock, sockets, watchers, setVersion, connect } = setup(2);
    const [old, fresh] = sockets as [FakeSocket, FakeSocket];
    setVersion(1);
    connect(old);
    clock.advance(clock.time + 500);
    connect(fresh);
    clock.advance(clock.time + 10);
    setVersion(2);
    watchers.changed();
    expect(old.sent.map((s) => s.version)).toEqual([1, 2]);
    expect(fresh.sent.map((s) => s.version)).toEqual([1]);
    clock.advance(clock.time + LIVE_INTERVAL_MS);
    expect(fresh.sent.map((s) => s.version)).toEqual([1, 2]);
  });

  it("the first message is skipped when a change already reached the socket, never sent twice", () => {
    const { clock, sockets, watchers, setVersion } = setup(1);
    const socket = sockets[0] as FakeSocket;
    setVersion(1);
    watchers.joined(socket);
    // A change commits while the connection reads its first level.
    setVersion(2);
    watchers.changed();
    const readBefore: Level = {
      sku: "S",
      warehouse: "W",
      onHand: 1,
      reserved: 0,
      lowStockThreshold: 0,
      reorderQuantity: 0,
      version: 1,
      updatedAt: 0,
    };
    watchers.welcome(socket, readBefore);
    clock.advance(clock.time + 1_000);
    expect(socket.sent.map((s) => s.version)).toEqual([2]);
  });
});
