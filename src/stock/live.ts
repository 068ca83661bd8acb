import type { Level } from "./ledger";
import { type LevelBody, levelBody } from "./level-view";

/**
 * Live availability (`GET /v1/stock/{sku}/{warehouse}/live`): watchers of one item, on
 * WebSockets the item's object accepted through the Hibernation API.
 *
 * Each socket gets `{ "type": "level", "level": Level | null }` on connect, then after each
 * change of the item, at most one message per LIVE_INTERVAL_MS: a change inside a socket's
 * interval is not sent at once but at the interval's end, with the level as it is then (the
 * latest state wins, and the last message of a burst always carries the final level).
 *
 *   change ──► flush now ──► each socket: nothing new ─────────────► idle
 *                  ▲                      interval over ───────────► send, remember (version, at)
 *                  │                      within its interval ────► wait until sentAt + interval
 *                  └──── one timer, at the earliest wait ◄──────────┘
 *
 * While that timer is set a change does nothing more: the flush reads the level when it
 * runs. What a socket was sent lives in its attachment (`serializeAttachment`), so it
 * survives hibernation; the timer is in memory, which is safe because an object with a
 * timer pending is not hibernated. The decisions (`step`, `nextFlush`) are pure; the class
 * below only applies them to sockets, and never throws: a broken socket must never fail the
 * change (a reservation) that notified it.
 */

/** The subprotocol the live route speaks; a browser offers it with `bearer.<token>` (src/http/auth.ts). */
export const LIVE_SUBPROTOCOL = "stockflare.v1";

/** At most one message per socket per this many milliseconds (the contract's bound). */
export const LIVE_INTERVAL_MS = 100;

/**
 * Messages a second one item spends on its watchers, at most. Sending costs the item's own
 * thread, the one that takes reservations (about 0.07 ms a message in workerd), so with many
 * watchers each socket's interval grows instead: 1,000 watchers get a message a second each
 * while the item sells, not ten. The contract asks for at most one per 100 ms; never more.
 */
export const LIVE_SENDS_PER_SECOND = 1_000;

/** Each socket's interval with `watchers` sockets: 100 ms, or longer so all of them stay within the item's budget. */
export function intervalFor(watchers: number): number {
  return Math.max(LIVE_INTERVAL_MS, Math.ceil((watchers * 1_000) / LIVE_SENDS_PER_SECOND));
}

/** Kept with each socket (its attachment). */
export interface WatcherState {
  /** Version of the level last sent: 0 for a `null` (never set) level, -1 before the first message. */
  sentVersion: number;
  /** Epoch milliseconds of the last message; 0 before the first. */
  sentAt: number;
}

export const NOTHING_SENT: WatcherState = { sentVersion: -1, sentAt: 0 };

export type Step = { kind: "send" } | { kind: "wait"; until: number } | { kind: "idle" };

/** The version a level is compared by: a never-set item is at 0 (its first change makes 1). */
export function versionOf(level: Pick<Level, "version"> | null): number {
  return level?.version ?? 0;
}

/**
 * What to do for one socket now that the item is at `version`. Nothing when it already has
 * that version (or a later one: its first message may have been an exact read of a pooled
 * item, ahead of what the item has absorbed); the first message always; otherwise a send when
 * its interval is over, else a wait until it is.
 */
export function step(state: WatcherState, version: number, now: number, interval = LIVE_INTERVAL_MS): Step {
  if (state.sentVersion < 0) return { kind: "send" };
  if (version <= state.sentVersion) return { kind: "idle" };
  const due = state.sentAt + interval;
  return now >= due ? { kind: "send" } : { kind: "wait", until: due };
}

/** When the next flush must run: the earliest wait, or null when no socket waits. */
export function nextFlush(steps: readonly Step[]): number | null {
  let next: number | null = null;
  for (const s of steps) if (s.kind === "wait" && (next === null || s.until < next)) next = s.until;
  return next;
}

export function liveMessage(level: (Level & { shards?: number }) | null): string {
  const message: { type: "level"; level: LevelBody | null } = { type: "level", level: level === null ? null : levelBody(level) };
  return JSON.stringify(message);
}

/** Whether a request asks for a WebSocket (`Upgrade: websocket`, any case). */
export function isWebSocketUpgrade(headers: Headers): boolean {
  return (headers.get("upgrade") ?? "").trim().toLowerCase() === "websocket";
}

/** The entries of a `Sec-WebSocket-Protocol` header (a comma-separated list, possibly repeated). */
export function offeredSubprotocols(header: string | null | undefined): string[] {
  return (header ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** The subprotocol to answer: ours when the client offered it, else none (never the bearer entry). */
export function answeredSubprotocol(header: string | null | undefined): string | null {
  return offeredSubprotocols(header).includes(LIVE_SUBPROTOCOL) ? LIVE_SUBPROTOCOL : null;
}

/** What the watchers need of a socket: the runtime's WebSocket, or a fake in a unit test. */
export type LiveSocket = Pick<WebSocket, "send" | "serializeAttachment" | "deserializeAttachment">;

export interface LiveHost {
  /** The open sockets (`ctx.getWebSockets()`). */
  sockets(): LiveSocket[];
  /** The level the messages show now, read synchronously (`null`: never set). */
  level(): (Level & { shards?: number }) | null;
}

export interface LiveClock {
  now(): number;
  /** Runs `fn` in `ms` milliseconds. */
  later(fn: () => void, ms: number): void;
}

const realClock: LiveClock = { now: () => Date.now(), later: (fn, ms) => void setTimeout(fn, ms) };

function stateOf(socket: LiveSocket): WatcherState {
  const state = socket.deserializeAttachment() as Partial<WatcherState> | null;
  return typeof state?.sentVersion === "number" && typeof state.sentAt === "number"
    ? { sentVersion: state.sentVersion, sentAt: state.sentAt }
    : NOTHING_SENT;
}

/** The watchers of one item: told of every committed change, they send by the rules above. */
export class LiveWatchers {
  /**
   * False only while no socket can be open: then a change costs one check of this flag. Set
   * from the runtime when the object starts (also on waking from hibernation), set by an
   * accept, cleared by a flush that finds no socket.
   */
  private watched: boolean;
  /** A flush is scheduled: a change waits for it. */
  private pending = false;

  constructor(
    private readonly host: LiveHost,
    private readonly clock: LiveClock = realClock,
  ) {
    this.watched = safely(() => host.sockets().length > 0, false);
  }

  /** A socket just accepted: nothing sent to it yet. Call before the first `welcome`. */
  joined(socket: LiveSocket): void {
    this.watched = true;
    safely(() => socket.serializeAttachment(NOTHING_SENT), undefined);
  }

  /**
   * The first message: `level` as read for this connection. Skipped when a change already
   * reached the socket while that level was being read (it was sent something as new).
   */
  welcome(socket: LiveSocket, level: (Level & { shards?: number }) | null): void {
    if (safely(() => stateOf(socket).sentVersion, 0) >= 0) return;
    this.send(socket, liveMessage(level), versionOf(level), this.clock.now());
  }

  /** After a committed change of the item. Never throws. */
  changed(): void {
    if (!this.watched || this.pending) return;
    this.flush();
  }

  private flush(): void {
    try {
      const sockets = this.host.sockets();
      if (sockets.length === 0) {
        this.watched = false;
        return;
      }
      const level = this.host.level();
      const version = versionOf(level);
      const now = this.clock.now();
      const interval = intervalFor(sockets.length);
      // Serialized once, only if some socket is sent to.
      let message: string | undefined;
      const steps = sockets.map((socket) => {
        const s = step(
          safely(() => stateOf(socket), NOTHING_SENT),
          version,
          now,
          interval,
        );
        if (s.kind === "send") {
          message ??= liveMessage(level);
          this.send(socket, message, version, now);
        }
        return s;
      });
      const next = nextFlush(steps);
      if (next !== null) {
        this.pending = true;
        this.clock.later(
          () => {
            this.pending = false;
            this.flush();
          },
          Math.max(0, next - now),
        );
      }
    } catch (error) {
      this.pending = false;
      console.error("stock item: notifying live watchers failed", error);
    }
  }

  /** Best effort: a closed or broken socket is skipped, and its close handler forgets it. */
  private send(socket: LiveSocket, message: string, version: number, now: number): void {
    try {
      socket.send(message);
      socket.serializeAttachment({ sentVersion: version, sentAt: now } satisfies WatcherState);
    } catch {
      // closing or closed: nothing to tell it any more
    }
  }
}

function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/**
 * A watcher's WebSocket upgrade (`GET …/live`), which cannot travel over RPC. The socket is
 * accepted through the Hibernation API, so watchers cost nothing between changes.
 *
 * The first message is the level as `GET` answers it (`exact`), exact even for a pooled item
 * (one read per connection, like a GET); later ones are the parent's absorbed level
 * (`absorbed`), which trails members' changes until they report (about 100 ms after each) and
 * is equal to the exact level once the item is quiet. A later level is sent only when its
 * version is above what the socket last got, so versions never go backwards and the last
 * message of a burst is the final level.
 */
export async function acceptWatcher(
  ctx: DurableObjectState,
  watchers: LiveWatchers,
  request: Request,
  level: { exact(): Promise<(Level & { shards?: number }) | null>; absorbed(): (Level & { shards?: number }) | null },
  poolMember: boolean,
): Promise<Response> {
  if (!isWebSocketUpgrade(request.headers)) return new Response("Expected a WebSocket upgrade.", { status: 426 });
  // A pool member never has watchers: the Worker addresses the item itself.
  if (poolMember) return new Response("A pool member has no live level.", { status: 404 });
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  // Accepted before the level is read: a change committed meanwhile reaches this socket too.
  ctx.acceptWebSocket(server);
  watchers.joined(server);
  let first: (Level & { shards?: number }) | null;
  try {
    first = await level.exact();
  } catch (error) {
    // A member out of reach: the parent's own level still answers (it reads no member).
    console.error("stock item: exact level for a live watcher failed; sending the absorbed one", error);
    first = level.absorbed();
  }
  watchers.welcome(server, first);
  const protocol = answeredSubprotocol(request.headers.get("sec-websocket-protocol"));
  return new Response(null, {
    status: 101,
    webSocket: client,
    ...(protocol === null ? {} : { headers: { "sec-websocket-protocol": protocol } }),
  });
}

/** Closes a socket the runtime may have closed already (`code`: the close code to answer). */
export function closeQuietly(ws: WebSocket, code: number): void {
  try {
    ws.close(code);
  } catch {
    // already closed
  }
}
