import { Redis } from "ioredis";
import {
  type Backend,
  type ChangeOutcome,
  type Level,
  type Line,
  type PlaceOutcome,
  type ReservationView,
  type Shortage,
  sameLines,
} from "./backend";

/**
 * The pre-allocation design of seed 002 (JD Logistics): stock counters in Redis, every
 * check-and-decrement in one Lua script (atomic on the server), and a per-order
 * anti-duplicate key for each line so that no order is ever pre-allocated twice.
 *
 * Keys: `stock:{sku}/{wh}` hash (onHand, reserved, version); `sku:{sku}` set of warehouses;
 * `res:{id}` the reservation record; `op:{sku}/{wh}:{id}` the anti-duplicate key.
 */

/** KEYS: record, n stock keys, n anti-duplicate keys. ARGV: record JSON, n quantities. */
const PLACE = `
local n = (#KEYS - 1) / 2
local existing = redis.call('GET', KEYS[1])
if existing then return {'existing', existing} end
local short = {'short'}
for i = 1, n do
  if redis.call('EXISTS', KEYS[1 + n + i]) == 0 then
    local q = tonumber(ARGV[1 + i])
    local level = redis.call('HMGET', KEYS[1 + i], 'onHand', 'reserved')
    local available = 0
    if level[1] then available = tonumber(level[1]) - tonumber(level[2]) end
    if available < q then
      table.insert(short, i)
      table.insert(short, available)
    end
  end
end
if #short > 1 then return short end
for i = 1, n do
  if redis.call('SET', KEYS[1 + n + i], ARGV[1 + i], 'NX') then
    redis.call('HINCRBY', KEYS[1 + i], 'reserved', tonumber(ARGV[1 + i]))
    redis.call('HINCRBY', KEYS[1 + i], 'version', 1)
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return {'created', ARGV[1]}
`;

/** KEYS: record, n stock keys (the record's lines, in order). ARGV: 'commit' or 'release'. */
const CHANGE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
local r = cjson.decode(raw)
local target = 'released'
if ARGV[1] == 'commit' then target = 'committed' end
if r.status == target then return {'ok', raw} end
if r.status ~= 'held' then return {'invalid', r.status} end
for i, line in ipairs(r.lines) do
  if ARGV[1] == 'commit' then redis.call('HINCRBY', KEYS[1 + i], 'onHand', -line.quantity) end
  redis.call('HINCRBY', KEYS[1 + i], 'reserved', -line.quantity)
  redis.call('HINCRBY', KEYS[1 + i], 'version', 1)
end
r.status = target
local out = cjson.encode(r)
redis.call('SET', KEYS[1], out)
return {'ok', out}
`;

/** KEYS: stock key, sku set. ARGV: onHand, warehouse. */
const SET_COUNT = `
redis.call('HSET', KEYS[1], 'onHand', ARGV[1])
redis.call('HSETNX', KEYS[1], 'reserved', 0)
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('SADD', KEYS[2], ARGV[2])
return redis.call('HMGET', KEYS[1], 'onHand', 'reserved', 'version')
`;

const stockKey = (sku: string, warehouse: string) => `stock:${sku}/${warehouse}`;
const recordKey = (id: string) => `res:${id}`;

function toLevel(sku: string, warehouse: string, values: unknown): Level | null {
  const [onHand, reserved, version] = (values as (string | null)[]).map((v) => (v === null ? null : Number(v)));
  if (onHand === null || onHand === undefined) return null;
  return { sku, warehouse, onHand, reserved: reserved ?? 0, available: onHand - (reserved ?? 0), version: version ?? 0 };
}

export async function redisBackend(port: number): Promise<Backend> {
  const redis = new Redis({ host: "127.0.0.1", port, enableAutoPipelining: true, maxRetriesPerRequest: 2 });
  const [place, change, setCount] = (await Promise.all([PLACE, CHANGE, SET_COUNT].map((lua) => redis.script("LOAD", lua)))) as string[];

  const level = async (sku: string, warehouse: string) =>
    toLevel(sku, warehouse, await redis.hmget(stockKey(sku, warehouse), "onHand", "reserved", "version"));

  return {
    describe: "Redis Lua check-and-decrement + per-order anti-duplicate keys (seed 002)",
    async setCount(sku, warehouse, onHand) {
      const values = await redis.evalsha(setCount as string, 2, stockKey(sku, warehouse), `sku:${sku}`, onHand, warehouse);
      return toLevel(sku, warehouse, values) as Level;
    },
    level,
    async skuLevels(sku) {
      const warehouses = (await redis.smembers(`sku:${sku}`)).sort();
      const levels = await Promise.all(warehouses.map((w) => level(sku, w)));
      return levels.filter((l): l is Level => l !== null);
    },
    async place(id, lines, ttlSeconds): Promise<PlaceOutcome> {
      const now = Date.now();
      const record: ReservationView = {
        id,
        status: "held",
        lines,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + ttlSeconds * 1000).toISOString(),
      };
      const keys = [
        recordKey(id),
        ...lines.map((l) => stockKey(l.sku, l.warehouse)),
        ...lines.map((l) => `op:${l.sku}/${l.warehouse}:${id}`),
      ];
      const reply = (await redis.evalsha(
        place as string,
        keys.length,
        ...keys,
        JSON.stringify(record),
        ...lines.map((l) => l.quantity),
      )) as (string | number)[];
      if (reply[0] === "created") return { kind: "created", reservation: record };
      if (reply[0] === "existing") {
        const existing = JSON.parse(String(reply[1])) as ReservationView;
        return sameLines(existing.lines, lines) ? { kind: "existing", reservation: existing } : { kind: "idempotency_conflict" };
      }
      const shortages: Shortage[] = [];
      for (let i = 1; i + 1 < reply.length; i += 2) {
        const line = lines[Number(reply[i]) - 1] as Line;
        shortages.push({ ...line, requested: line.quantity, available: Number(reply[i + 1]) });
      }
      return { kind: "insufficient_stock", shortages };
    },
    async get(id) {
      const raw = await redis.get(recordKey(id));
      return raw === null ? null : (JSON.parse(raw) as ReservationView);
    },
    async change(id, op): Promise<ChangeOutcome> {
      const raw = await redis.get(recordKey(id));
      if (raw === null) return { kind: "not_found" };
      const lines = (JSON.parse(raw) as ReservationView).lines;
      const keys = [recordKey(id), ...lines.map((l) => stockKey(l.sku, l.warehouse))];
      const reply = (await redis.evalsha(change as string, keys.length, ...keys, op)) as string[];
      if (reply[0] === "missing") return { kind: "not_found" };
      if (reply[0] === "invalid") return { kind: "invalid_state", status: reply[1] as ReservationView["status"] };
      return { kind: "ok", reservation: JSON.parse(String(reply[1])) as ReservationView };
    },
    async close() {
      await redis.quit();
    },
  };
}
