/**
 * The bench's meter: runs inside workerd, around the Worker bundle, on the metered Miniflare
 * path only (never deployed; src/ knows nothing of it). It counts the units Cloudflare bills,
 * as the Worker and its objects use them:
 *
 * - Worker invocations: `fetch` and `queue` (each queue batch is one invocation);
 * - per Durable Object class: the calls it received (every stub call and `fetch` counts, as the
 *   platform bills a request per RPC call), the alarms it ran, the SQL statements it ran and
 *   the rows they read and wrote (each cursor's `rowsRead` / `rowsWritten`, what SQLite-backed
 *   objects are billed by), the alarms it set, and its active time: the wall time during which
 *   at least one call or alarm of an object was in flight, summed over objects (billed duration
 *   is at least that: an object stays in memory a while after its last call);
 * - Queue messages sent and their size (billed per 64 KB written, read and deleted; the size is
 *   the body's JSON, which the platform's own serialisation approaches);
 * - D1 queries and the rows they read and wrote (each result's `meta`).
 *
 * `GET /__bench/meter?reset=1` starts a window; `GET /__bench/meter` after a workload answers
 * the totals of the window, which the bench divides by the operations it made.
 *
 * How it hooks in, without changing what the Worker does: the bench builds an entry module
 * that imports the bundle and re-exports `metered(bundle, config)`'s exports under the same
 * names. Each Durable Object class becomes a subclass whose constructor registers the
 * object's SQL handle and storage (both are one object per Durable Object, so a WeakMap tells
 * whose statement ran) and hands the constructor an `env` whose Durable Object namespaces,
 * Queue producers and D1 databases are counting wrappers; the Worker's handlers get the same
 * `env`. `SqlStorage.prototype.exec` and `DurableObjectStorage.prototype.setAlarm` are wrapped
 * once, D1's `_send` once (the one method every D1 call goes through).
 */

/** Which bindings are what, from wrangler.toml (the host passes it in). */
export interface MeterConfig {
  /** Durable Object binding name -> class name. */
  objects: Record<string, string>;
  queues: string[];
  d1: string[];
}

export interface ObjectCounts {
  /** Objects constructed (a first call, or a call after eviction: the class's constructor ran). */
  constructed: number;
  requests: number;
  alarms: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  alarmsSet: number;
  activeMs: number;
}

export interface MeterCounts {
  worker: { requests: number; queueBatches: number; queueMessages: number };
  /** Per Durable Object class. */
  objects: Record<string, ObjectCounts>;
  queue: { sends: number; messages: number; bytes: number; chunks64k: number };
  d1: { queries: number; rowsRead: number; rowsWritten: number; hooked: boolean };
  /** Per class, the objects that received the most calls (and alarms), busiest first. */
  busiest: Record<string, { id: string; name?: string; requests: number }[]>;
  /** Per class, how many distinct objects received a call or ran an alarm. */
  distinctObjects: Record<string, number>;
  /** Per class, the calls each RPC method (or `fetch`) received, and the alarms run. */
  methods: Record<string, Record<string, number>>;
  /** Per class, each distinct SQL text run (whitespace collapsed, cut at 160 characters), most rows written first. */
  statements: Record<string, StatementCounts[]>;
}

export interface StatementCounts {
  sql: string;
  runs: number;
  rowsRead: number;
  rowsWritten: number;
}

export const METER_PATH = "/__bench/meter";

type AnyFunction = (...args: any[]) => any;
type Constructor = new (...args: any[]) => any;

type Totals = Omit<MeterCounts, "busiest" | "distinctObjects" | "statements" | "methods">;

const fresh = (): Totals => ({
  worker: { requests: 0, queueBatches: 0, queueMessages: 0 },
  objects: {},
  queue: { sends: 0, messages: 0, bytes: 0, chunks64k: 0 },
  d1: { queries: 0, rowsRead: 0, rowsWritten: 0, hooked: false },
});

let counts: Totals = fresh();
/** Calls per object, "class:id" -> calls, since the last reset. */
let perObject = new Map<string, number>();
/** Calls per "class\0method", since the last reset. */
let perMethod = new Map<string, number>();

function calledMethod(className: string, method: string): void {
  const key = `${className}\u0000${method}`;
  perMethod.set(key, (perMethod.get(key) ?? 0) + 1);
}
/** Per "class\0sql": runs and rows, since the last reset. */
let perStatement = new Map<string, StatementCounts>();

function statementKey(className: string, query: unknown): string {
  return `${className}\u0000${String(query).replace(/\s+/g, " ").trim().slice(0, 160)}`;
}

function called(className: string, id: string): void {
  const key = `${className}\u0000${id}`;
  perObject.set(key, (perObject.get(key) ?? 0) + 1);
}

function objectCounts(className: string): ObjectCounts {
  let c = counts.objects[className];
  if (c === undefined) {
    c = { constructed: 0, requests: 0, alarms: 0, statements: 0, rowsRead: 0, rowsWritten: 0, alarmsSet: 0, activeMs: 0 };
    counts.objects[className] = c;
  }
  return c;
}

// --- Active time: per object, from its first call in flight to its last one answered. -------

const inFlight = new Map<string, { calls: number; since: number }>();

function enter(className: string, id: string): () => void {
  const key = `${className}:${id}`;
  const entry = inFlight.get(key);
  if (entry === undefined) inFlight.set(key, { calls: 1, since: Date.now() });
  else entry.calls++;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    const e = inFlight.get(key);
    if (e === undefined) return;
    e.calls--;
    if (e.calls === 0) {
      objectCounts(className).activeMs += Date.now() - e.since;
      inFlight.delete(key);
    }
  };
}

/** Runs `leave` once `result` settles (a promise or an RPC promise), leaving `result` as it is. */
function whenSettled(result: unknown, leave: () => void): void {
  if (result !== null && (typeof result === "object" || typeof result === "function") && typeof (result as any).then === "function") {
    Promise.resolve(result as PromiseLike<unknown>).then(leave, leave);
  } else {
    leave();
  }
}

// --- SQL and storage, attributed through WeakMaps (one SqlStorage, one storage per object). --

/** SqlStorage or storage -> the class of the object it belongs to. */
const sqlOwner = new WeakMap<object, string>();
const storageOwner = new WeakMap<object, string>();
/** Cursors not yet added up: their rows are final once consumed, which happens synchronously. */
const pendingCursors: { cursor: { rowsRead: number; rowsWritten: number }; owner: string; key: string }[] = [];
let sqlHooked = false;
let storageHooked = false;

function harvestCursors(): void {
  for (const { cursor, owner, key } of pendingCursors.splice(0)) {
    const c = objectCounts(owner);
    c.rowsRead += cursor.rowsRead;
    c.rowsWritten += cursor.rowsWritten;
    let st = perStatement.get(key);
    if (st === undefined) {
      st = { sql: key.slice(key.indexOf("\u0000") + 1), runs: 0, rowsRead: 0, rowsWritten: 0 };
      perStatement.set(key, st);
    }
    st.runs++;
    st.rowsRead += cursor.rowsRead;
    st.rowsWritten += cursor.rowsWritten;
  }
}

function hookSql(sql: object): void {
  if (sqlHooked) return;
  sqlHooked = true;
  const proto = Object.getPrototypeOf(sql) as { exec: AnyFunction };
  const exec = proto.exec;
  proto.exec = function meteredExec(this: object, ...args: unknown[]) {
    harvestCursors();
    const cursor = exec.apply(this, args);
    const owner = sqlOwner.get(this);
    if (owner !== undefined) {
      objectCounts(owner).statements++;
      pendingCursors.push({ cursor, owner, key: statementKey(owner, args[0]) });
    }
    return cursor;
  };
}

function hookStorage(storage: object): void {
  if (storageHooked) return;
  storageHooked = true;
  const proto = Object.getPrototypeOf(storage) as { setAlarm?: AnyFunction };
  const setAlarm = proto.setAlarm;
  if (typeof setAlarm !== "function") return;
  proto.setAlarm = function meteredSetAlarm(this: object, ...args: unknown[]) {
    const owner = storageOwner.get(this);
    if (owner !== undefined) objectCounts(owner).alarmsSet++;
    return setAlarm.apply(this, args);
  };
}

// --- D1: every query goes through the session's `_send`; its results carry `meta`. ----------

let d1Tried = false;

function hookD1(db: { prepare(sql: string): object }): void {
  if (d1Tried) return;
  d1Tried = true;
  const statement = db.prepare("SELECT 1") as Record<string, unknown>;
  for (const value of Object.values(statement)) {
    if (value === null || typeof value !== "object") continue;
    for (let proto = Object.getPrototypeOf(value); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      const send = Object.getOwnPropertyDescriptor(proto, "_send")?.value as AnyFunction | undefined;
      if (typeof send !== "function") continue;
      proto._send = async function meteredSend(this: unknown, ...args: unknown[]) {
        const result = await send.apply(this, args);
        for (const r of Array.isArray(result) ? result : [result]) {
          counts.d1.queries++;
          const meta = (r as { meta?: { rows_read?: number; rows_written?: number } } | undefined)?.meta;
          counts.d1.rowsRead += meta?.rows_read ?? 0;
          counts.d1.rowsWritten += meta?.rows_written ?? 0;
        }
        return result;
      };
      counts.d1.hooked = true;
      return;
    }
  }
}

// --- env: Durable Object namespaces, Queue producers and D1 behind counting wrappers. -------

function meteredStub(stub: any, className: string): any {
  const id = String(stub.id);
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function" || typeof property === "symbol") return value;
      return (...args: unknown[]) => {
        objectCounts(className).requests++;
        called(className, id);
        calledMethod(className, property);
        const leave = enter(className, id);
        try {
          // Reflect.apply: a stub's method is itself an RPC proxy, on which `.apply` would be a remote call.
          const result = Reflect.apply(value, target, args);
          whenSettled(result, leave);
          return result;
        } catch (error) {
          leave();
          throw error;
        }
      };
    },
  });
}

/** Object ids the code made from names (`idFromName`), so the busiest objects can be told apart by name. */
const idNames = new Map<string, string>();

function meteredNamespace(namespace: any, className: string): any {
  return new Proxy(namespace, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "idFromName") {
        return (...args: unknown[]) => {
          const id = Reflect.apply(value, target, args);
          if (idNames.size < 100_000) idNames.set(String(id), String(args[0]));
          return id;
        };
      }
      if (property === "get" || property === "getByName") {
        return (...args: unknown[]) => meteredStub(Reflect.apply(value, target, args), className);
      }
      return (...args: unknown[]) => Reflect.apply(value, target, args);
    },
  });
}

function byteLength(body: unknown): number {
  try {
    return new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body)).length;
  } catch {
    return 0;
  }
}

/** Queues bill per 64 KB (of 1,000 bytes) of a message, about 100 bytes of its own metadata included. */
const QUEUE_CHUNK_BYTES = 64_000;
const QUEUE_METADATA_BYTES = 100;

function countMessage(body: unknown): void {
  const bytes = byteLength(body);
  counts.queue.messages++;
  counts.queue.bytes += bytes;
  counts.queue.chunks64k += Math.max(1, Math.ceil((bytes + QUEUE_METADATA_BYTES) / QUEUE_CHUNK_BYTES));
}

function meteredQueue(queue: any): any {
  return {
    send(body: unknown, options?: unknown) {
      counts.queue.sends++;
      countMessage(body);
      return queue.send(body, options);
    },
    sendBatch(messages: Iterable<{ body: unknown }>, options?: unknown) {
      counts.queue.sends++;
      const list = [...messages];
      for (const message of list) countMessage(message.body);
      return queue.sendBatch(list, options);
    },
  };
}

const meteredEnvs = new WeakMap<object, object>();

function meterEnv(env: Record<string, unknown>, config: MeterConfig): Record<string, unknown> {
  const known = meteredEnvs.get(env);
  if (known !== undefined) return known as Record<string, unknown>;
  const wrapped: Record<string, unknown> = { ...env };
  for (const [binding, className] of Object.entries(config.objects)) {
    if (env[binding] !== undefined) wrapped[binding] = meteredNamespace(env[binding], className);
  }
  for (const binding of config.queues) {
    if (env[binding] !== undefined) wrapped[binding] = meteredQueue(env[binding]);
  }
  for (const binding of config.d1) {
    const db = env[binding] as { prepare(sql: string): object } | undefined;
    if (db !== undefined) hookD1(db);
  }
  meteredEnvs.set(env, wrapped);
  return wrapped;
}

// --- The classes and the Worker's handlers. -------------------------------------------------

function meteredClass(Base: Constructor, className: string, config: MeterConfig): Constructor {
  const Metered = class extends Base {
    constructor(...args: any[]) {
      const [ctx, env] = args as [{ storage: { sql?: object } }, Record<string, unknown>];
      // Registered before the class's own constructor runs, so its schema statements count too.
      try {
        const sql = ctx.storage.sql;
        if (sql !== undefined) {
          hookSql(sql);
          sqlOwner.set(sql, className);
        }
      } catch {
        // not SQLite-backed: nothing to count
      }
      hookStorage(ctx.storage);
      storageOwner.set(ctx.storage, className);
      objectCounts(className).constructed++;
      super(ctx, meterEnv(env, config));
    }
  };
  Object.defineProperty(Metered, "name", { value: Base.name });
  const alarm = (Base.prototype as { alarm?: AnyFunction }).alarm;
  if (typeof alarm === "function") {
    Object.defineProperty(Metered.prototype, "alarm", {
      configurable: true,
      writable: true,
      value: function meteredAlarm(this: { ctx: { id: unknown } }, ...args: unknown[]) {
        objectCounts(className).alarms++;
        calledMethod(className, "alarm (run)");
        called(className, String(this.ctx.id));
        const leave = enter(className, String(this.ctx.id));
        try {
          const result = alarm.apply(this, args);
          whenSettled(result, leave);
          return result;
        } catch (error) {
          leave();
          throw error;
        }
      },
    });
  }
  return Metered;
}

/** The totals since the last reset; `reset` starts a new window (objects' in-flight calls carry over). */
function snapshot(reset: boolean): MeterCounts {
  harvestCursors();
  const busiest: MeterCounts["busiest"] = {};
  const distinctObjects: MeterCounts["distinctObjects"] = {};
  for (const [key, requests] of perObject) {
    const [className = "", id = ""] = key.split("\u0000");
    const list = busiest[className] ?? [];
    const name = idNames.get(id);
    list.push({ id, ...(name === undefined ? {} : { name }), requests });
    busiest[className] = list;
    distinctObjects[className] = (distinctObjects[className] ?? 0) + 1;
  }
  for (const list of Object.values(busiest)) {
    list.sort((a, b) => b.requests - a.requests);
    list.splice(10);
  }
  const statements: MeterCounts["statements"] = {};
  for (const [key, st] of perStatement) {
    const className = key.slice(0, key.indexOf("\u0000"));
    statements[className] = [...(statements[className] ?? []), { ...st }];
  }
  for (const list of Object.values(statements)) list.sort((a, b) => b.rowsWritten - a.rowsWritten || b.runs - a.runs);
  const methods: MeterCounts["methods"] = {};
  for (const [key, n] of perMethod) {
    const [className = "", method = ""] = key.split("\u0000");
    methods[className] = { ...(methods[className] ?? {}), [method]: n };
  }
  const out = { ...(JSON.parse(JSON.stringify(counts)) as Totals), busiest, distinctObjects, statements, methods };
  if (reset) {
    const hooked = counts.d1.hooked;
    counts = fresh();
    counts.d1.hooked = hooked;
    perObject = new Map();
    perStatement = new Map();
    perMethod = new Map();
  }
  return out;
}

interface WorkerHandlers {
  fetch?: (request: Request, env: Record<string, unknown>, ctx: unknown) => unknown;
  queue?: (batch: { messages: readonly unknown[] }, env: Record<string, unknown>, ctx: unknown) => unknown;
}

function meteredHandlers(handlers: WorkerHandlers, config: MeterConfig): WorkerHandlers {
  const out: WorkerHandlers = { ...handlers };
  const { fetch, queue } = handlers;
  if (fetch !== undefined) {
    out.fetch = function meteredFetch(request, env, ctx) {
      const url = new URL(request.url);
      if (url.pathname === METER_PATH) return Response.json(snapshot(url.searchParams.get("reset") === "1"));
      counts.worker.requests++;
      return fetch.call(handlers, request, meterEnv(env, config), ctx);
    };
  }
  if (queue !== undefined) {
    out.queue = function meteredQueueHandler(batch, env, ctx) {
      counts.worker.queueBatches++;
      counts.worker.queueMessages += batch.messages.length;
      return queue.call(handlers, batch, meterEnv(env, config), ctx);
    };
  }
  return out;
}

/** The bundle's exports, metered: the same names, the classes subclassed, the handlers wrapped. */
export function metered(bundle: Record<string, unknown>, config: MeterConfig): Record<string, unknown> {
  const classNames = new Set(Object.values(config.objects));
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(bundle)) {
    if (name === "default") out[name] = meteredHandlers(value as WorkerHandlers, config);
    else if (typeof value === "function" && classNames.has(name)) out[name] = meteredClass(value as Constructor, name, config);
    else out[name] = value;
  }
  return out;
}
