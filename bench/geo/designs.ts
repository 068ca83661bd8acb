import { type SimulatedNetwork, simulatedNetwork } from "../../src/geo/network";
import { REGIONS, type Region } from "../../src/regions/regions";
import type { Backend } from "../baselines/backend";
import type { Line } from "../ledger";
import type { GeoClient } from "./client";
import { centralPath, type Path, pathOf } from "./timing";

/**
 * The four designs the geo bench puts side by side, each behind the same three calls: stock an
 * item (from the operator's region), reserve lines (from a buyer's region), commit.
 *
 * 1. `global`: today's v1.1 coordinators, placed by first use. The reservations carry ids the
 *    client chose (`order-…`), which stay on the world-wide coordinator pool.
 * 2. `regional`: the caller's region's coordinators. No id is sent: the server makes
 *    `rsv_<region>_…`. Stock items stay where they were first touched.
 * 3. `regional-pool`: 2, and every item a pool spread over the nine regions (`PUT` with `shards`
 *    and `regions`), so a buyer is served by its own region's pool object.
 * 4. `central-sql`: one PostgreSQL database in `CENTRAL_DB_REGION` (the relational design of the
 *    bench's baseline, bench/baselines/postgres-sql.ts, running on this machine), reached over the
 *    same simulated network (src/geo/network.ts in this process): one round trip from the buyer's
 *    region per call plus the commit latency. The database itself commits without waiting for
 *    the disk (`synchronous_commit = off`): its commit costs the model's commit latency, like the
 *    objects', not this VM's fsync.
 *
 * Every item is stocked by an operator in `OPERATOR_REGION` (a back office in Virginia): deployed,
 * the first request a stock item ever gets is the PUT that creates it, and it comes from the
 * merchant's systems, not from a buyer. So an item is placed where the operator is, which is
 * what designs 1 and 2 live with; pools placed by hint (3) do not.
 */
export const OPERATOR_REGION: Region = "enam";
export const CENTRAL_DB_REGION: Region = "enam";
/** Pool objects of a pooled item: one per region (the contract's minimum for nine regions). */
export const POOL_SHARDS = REGIONS.length;

export type DesignKey = "global" | "regional" | "regional-pool" | "central-sql";

export interface Level {
  onHand: number;
  reserved: number;
  available: number;
}

export interface Outcome {
  status: number;
  /** The reservation id (client-chosen or server-made), when held. */
  id?: string;
  ms: number;
  path: Path;
  /** The `region` field of the answer (where it is coordinated), when present. */
  region?: string;
  /** First bytes of an unexpected answer. */
  detail?: string;
  /** The raw `Server-Timing` header (Worker designs). */
  serverTiming?: string;
}

export interface Design {
  key: DesignKey;
  number: 1 | 2 | 3 | 4;
  label: string;
  /** Stocks an item; `pooled`: the flash sale's SKU (pooled in every design that has pools). */
  stock(sku: string, warehouse: string, onHand: number, pooled: boolean): Promise<void>;
  /**
   * After stocking: has the operator's region make the first call each stock item gets through
   * the simulated network (see `workerDesign`), so each is placed where the operator is.
   */
  place?(items: readonly { sku: string; warehouse: string }[]): Promise<void>;
  reserve(buyer: Region, lines: Line[], clientId: string): Promise<Outcome>;
  /** `lines`: how many lines the reservation holds. */
  commit(buyer: Region, id: string, lines: number): Promise<Outcome>;
  level(sku: string, warehouse: string): Promise<Level>;
  /** Per region, the available stock of the item's pool objects there (pooled items of the Worker). */
  slices?(sku: string, warehouse: string): Promise<Partial<Record<Region, number>>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const TTL_SECONDS = 3600;

function detailOf(body: unknown): string {
  return (typeof body === "string" ? body : JSON.stringify(body)).slice(0, 300);
}

/** Designs 1 to 3: the real Worker, differing only in ids sent and how items are stocked. */
function workerDesign(client: GeoClient, key: "global" | "regional" | "regional-pool"): Design {
  const number = key === "global" ? 1 : key === "regional" ? 2 : 3;
  const labels = {
    global: "1 global coordinators (client ids)",
    regional: "2 regional coordinators",
    "regional-pool": "3 regional coordinators + regional pools",
  } as const;
  const path = (sku: string, warehouse: string) => `/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouse)}`;
  const outcome = (buyer: Region, reply: Awaited<ReturnType<GeoClient["call"]>>, lines: number, fallbackId?: string): Outcome => {
    const body = isObject(reply.body) ? reply.body : {};
    const region = typeof body.region === "string" ? body.region : undefined;
    const id = typeof body.id === "string" ? body.id : fallbackId;
    return {
      status: reply.status,
      ...(id === undefined ? {} : { id }),
      ms: reply.ms,
      path: pathOf(buyer, reply.timing, region, lines),
      ...(reply.serverTiming === null ? {} : { serverTiming: reply.serverTiming }),
      ...(region === undefined ? {} : { region }),
      ...(reply.status >= 200 && reply.status < 300 ? {} : { detail: detailOf(reply.body) }),
    };
  };
  return {
    key,
    number,
    label: labels[key],
    async stock(sku, warehouse, onHand, pooled) {
      const body: Record<string, unknown> = { onHand };
      if (key === "regional-pool") Object.assign(body, { shards: POOL_SHARDS, regions: [...REGIONS] });
      else if (pooled) body.shards = POOL_SHARDS;
      const reply = await client.call(OPERATOR_REGION, "PUT", path(sku, warehouse), body);
      if (reply.status !== 200)
        throw new Error(`PUT ${path(sku, warehouse)} ${JSON.stringify(body)}: ${reply.status} ${detailOf(reply.body)}`);
      // A build without regional pools drops the unknown field and answers 200: its Level has no `regions`.
      if (key === "regional-pool" && !(isObject(reply.body) && Array.isArray(reply.body.regions))) {
        throw new Error(
          `regional pools are not in this build: PUT with \`regions\` answered a Level without \`regions\` (${detailOf(reply.body)})`,
        );
      }
    },
    // The stock routes reach an item without passing the simulated network, so the simulation
    // places a plain item where its first coordinator call comes from. Deployed, the operator's
    // PUT created it in the operator's region: one reservation from there over every item (a
    // server-made id: the operator's region's coordinator), released at once, puts it there.
    // Regional pools need none of this: their members are placed by hint.
    async place(items) {
      if (key === "regional-pool") return;
      for (let i = 0; i < items.length; i += 100) {
        const lines = items.slice(i, i + 100).map((item) => ({ sku: item.sku, warehouse: item.warehouse, quantity: 1 }));
        const placed = await client.call(OPERATOR_REGION, "POST", "/v1/reservations", { lines, ttlSeconds: 60 });
        const id = isObject(placed.body) ? placed.body.id : undefined;
        if (placed.status !== 201 || typeof id !== "string")
          throw new Error(`operator's placing reservation: ${placed.status} ${detailOf(placed.body)}`);
        const released = await client.call(OPERATOR_REGION, "POST", `/v1/reservations/${encodeURIComponent(id)}/release`);
        if (released.status !== 200)
          throw new Error(`operator's placing reservation, release: ${released.status} ${detailOf(released.body)}`);
      }
    },
    async reserve(buyer, lines, clientId) {
      const body = key === "global" ? { id: clientId, lines, ttlSeconds: TTL_SECONDS } : { lines, ttlSeconds: TTL_SECONDS };
      const reply = await client.call(buyer, "POST", "/v1/reservations", body);
      return outcome(buyer, reply, lines.length, key === "global" ? clientId : undefined);
    },
    async commit(buyer, id, lines) {
      const reply = await client.call(buyer, "POST", `/v1/reservations/${encodeURIComponent(id)}/commit`);
      return outcome(buyer, reply, lines, id);
    },
    async level(sku, warehouse) {
      const reply = await client.call(OPERATOR_REGION, "GET", path(sku, warehouse));
      if (reply.status !== 200 || !isObject(reply.body))
        throw new Error(`GET ${path(sku, warehouse)}: ${reply.status} ${detailOf(reply.body)}`);
      const { onHand, reserved, available } = reply.body;
      return { onHand: Number(onHand), reserved: Number(reserved), available: Number(available) };
    },
    // Only a regional pool's objects have a region.
    async slices(sku, warehouse) {
      if (key !== "regional-pool") return {};
      const reply = await client.call(OPERATOR_REGION, "GET", `${path(sku, warehouse)}/shards`);
      const out: Partial<Record<Region, number>> = {};
      const shards = isObject(reply.body) && Array.isArray(reply.body.shards) ? reply.body.shards : [];
      for (const shard of shards) {
        if (!isObject(shard) || typeof shard.region !== "string") continue;
        const region = shard.region as Region;
        out[region] = (out[region] ?? 0) + Number(shard.available ?? 0);
      }
      return out;
    },
  };
}

/** Design 4: the bench's PostgreSQL, in one region, behind the simulated network. */
function centralDesign(backend: Backend, seed: string): Design {
  const network = simulatedNetwork({ SIMULATE_GEO: "true", SIMULATE_GEO_SEED: seed }) as SimulatedNetwork;
  const across = async <T>(buyer: Region, work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
    const started = performance.now();
    await network.roundTrip(buyer, CENTRAL_DB_REGION);
    const result = await work();
    await network.commit();
    return { result, ms: performance.now() - started };
  };
  return {
    key: "central-sql",
    number: 4,
    label: `4 central SQL database (${CENTRAL_DB_REGION})`,
    async stock(sku, warehouse, onHand) {
      await backend.setCount(sku, warehouse, onHand);
    },
    async reserve(buyer, lines, clientId) {
      const { result, ms } = await across(buyer, () => backend.place(clientId, lines, TTL_SECONDS));
      const status = result.kind === "created" ? 201 : result.kind === "existing" ? 200 : 409;
      return {
        status,
        id: clientId,
        ms,
        path: centralPath(buyer, CENTRAL_DB_REGION),
        region: CENTRAL_DB_REGION,
        ...(status === 409 ? { detail: result.kind } : {}),
      };
    },
    async commit(buyer, id) {
      const { result, ms } = await across(buyer, () => backend.change(id, "commit"));
      return {
        status: result.kind === "ok" ? 200 : result.kind === "not_found" ? 404 : 409,
        id,
        ms,
        path: centralPath(buyer, CENTRAL_DB_REGION),
        region: CENTRAL_DB_REGION,
      };
    },
    async level(sku, warehouse) {
      const level = await backend.level(sku, warehouse);
      if (level === null) throw new Error(`no row for ${sku}/${warehouse}`);
      return level;
    },
  };
}

export function workerDesigns(client: GeoClient): Design[] {
  return [workerDesign(client, "global"), workerDesign(client, "regional"), workerDesign(client, "regional-pool")];
}

export { centralDesign };
