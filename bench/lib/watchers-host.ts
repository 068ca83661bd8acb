/**
 * The live scenario's watchers (issue 13), in a process of their own so that their sockets'
 * work neither delays the load generator's event loop nor hides in its CPU figure. Started by
 * bench/lib/watchers.ts with an IPC channel:
 *
 *   node --import tsx bench/lib/watchers-host.ts
 *
 * Commands (IPC messages) and answers:
 *   { cmd: "connect", url, protocols, count, concurrency, timeoutMs } → { type: "connected", … }
 *       opens `count` WebSockets, `concurrency` at a time, and answers once every socket got
 *       its first message (or the time is up)
 *   { cmd: "await", version, timeoutMs } → { type: "reached", … }: every open socket's latest
 *       message carries at least `version` (or the time is up)
 *   { cmd: "collect" } → { type: "records", … }: every message's arrival time and level
 *   { cmd: "close" } → { type: "closed" }, then the process exits
 *
 * Arrival times are `process.hrtime` (CLOCK_MONOTONIC) in milliseconds, taken first thing in
 * the message handler: the same clock as the bench process's, so the two can be subtracted.
 */

export interface ConnectCommand {
  cmd: "connect";
  url: string;
  protocols: string[];
  count: number;
  concurrency: number;
  timeoutMs: number;
}
export interface AwaitCommand {
  cmd: "await";
  version: number;
  timeoutMs: number;
}
export type Command = ConnectCommand | AwaitCommand | { cmd: "collect" } | { cmd: "close" };

export interface Connected {
  type: "connected";
  opened: number;
  /** Sockets that got their first message. */
  welcomed: number;
  failed: number;
  ms: number;
  /** The subprotocol the server answered (on the first socket). */
  protocol: string;
  errors: string[];
}
export interface Reached {
  type: "reached";
  /** Open sockets whose latest message carries at least the version asked for. */
  reached: number;
  open: number;
  ms: number;
}
/** One socket's messages, in arrival order: time (ms), version, reserved, available, onHand. */
export interface WatcherRecord {
  t: number[];
  version: number[];
  reserved: number[];
  available: number[];
  onHand: number[];
  /** Messages that were not a level message (or not JSON). */
  other: number;
  closedEarly: boolean;
}
export interface Records {
  type: "records";
  watchers: WatcherRecord[];
}
export type Answer = Connected | Reached | Records | { type: "closed" } | { type: "error"; message: string };

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

interface Watcher {
  socket: WebSocket;
  record: WatcherRecord;
  welcomed: boolean;
  open: boolean;
}

const watchers: Watcher[] = [];
const send = (answer: Answer): void => {
  process.send?.(answer);
};

/** Resolves when `done()` holds (checked on every message and every 50 ms) or after `timeoutMs`. */
function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (done()) return resolve(true);
      if (Date.now() >= deadline) return resolve(false);
      setTimeout(check, 50);
    };
    check();
  });
}

function open(url: string, protocols: string[], errors: string[]): Promise<Watcher | null> {
  return new Promise((resolve) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, protocols);
    } catch (error) {
      errors.push(String(error));
      resolve(null);
      return;
    }
    const watcher: Watcher = {
      socket,
      record: { t: [], version: [], reserved: [], available: [], onHand: [], other: 0, closedEarly: false },
      welcomed: false,
      open: false,
    };
    socket.addEventListener("message", (event: MessageEvent) => {
      const at = now();
      const r = watcher.record;
      try {
        const message = JSON.parse(String(event.data)) as {
          type?: string;
          level?: { version: number; reserved: number; available: number; onHand: number } | null;
        };
        if (message.type !== "level") {
          r.other++;
          return;
        }
        const level = message.level;
        r.t.push(at);
        r.version.push(level?.version ?? 0);
        r.reserved.push(level?.reserved ?? 0);
        r.available.push(level?.available ?? 0);
        r.onHand.push(level?.onHand ?? 0);
      } catch {
        r.other++;
        return;
      }
      if (!watcher.welcomed) {
        watcher.welcomed = true;
        resolve(watcher);
      }
    });
    socket.addEventListener("open", () => {
      watcher.open = true;
    });
    socket.addEventListener("error", (event: Event) => {
      if (errors.length < 5) errors.push((event as { message?: string }).message ?? "socket error");
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (watcher.open && !closing) watcher.record.closedEarly = true;
      watcher.open = false;
      if (!watcher.welcomed) {
        if (errors.length < 5) errors.push(`closed before the first message (${event.code} ${event.reason})`);
        resolve(null);
      }
    });
  });
}

let closing = false;

async function connect(command: ConnectCommand): Promise<void> {
  const started = now();
  const errors: string[] = [];
  let next = 0;
  let failed = 0;
  const deadline = Date.now() + command.timeoutMs;
  const workers = Array.from({ length: Math.min(command.concurrency, command.count) }, async () => {
    while (next < command.count && Date.now() < deadline) {
      next++;
      const watcher = await Promise.race([
        open(command.url, command.protocols, errors),
        new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now()))),
      ]);
      if (watcher === null) failed++;
      else watchers.push(watcher);
    }
  });
  await Promise.all(workers);
  send({
    type: "connected",
    opened: watchers.filter((w) => w.open).length,
    welcomed: watchers.filter((w) => w.welcomed).length,
    failed: failed + (command.count - next),
    ms: now() - started,
    protocol: watchers[0]?.socket.protocol ?? "",
    errors,
  });
}

async function awaitVersion(command: AwaitCommand): Promise<void> {
  const started = now();
  const latest = (w: Watcher) => w.record.version[w.record.version.length - 1] ?? -1;
  const reachedAll = () => watchers.every((w) => !w.open || latest(w) >= command.version);
  await until(reachedAll, command.timeoutMs);
  const open = watchers.filter((w) => w.open);
  send({ type: "reached", reached: open.filter((w) => latest(w) >= command.version).length, open: open.length, ms: now() - started });
}

async function close(): Promise<void> {
  closing = true;
  for (const w of watchers) {
    try {
      w.socket.close(1000, "bench done");
    } catch {
      // already closed
    }
  }
  await until(() => watchers.every((w) => w.socket.readyState === WebSocket.CLOSED), 5_000);
  send({ type: "closed" });
  setTimeout(() => process.exit(0), 100);
}

process.on("message", (message: Command) => {
  const run = async () => {
    switch (message.cmd) {
      case "connect":
        return connect(message);
      case "await":
        return awaitVersion(message);
      case "collect":
        return send({ type: "records", watchers: watchers.map((w) => w.record) });
      case "close":
        return close();
    }
  };
  run().catch((error: unknown) => send({ type: "error", message: error instanceof Error ? error.message : String(error) }));
});
// The bench went away: nothing to watch for.
process.on("disconnect", () => process.exit(0));
