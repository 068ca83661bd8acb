import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { stockItem, stockPoolMember } from "../../src/stock/address";
import type { StockItem } from "../../src/stock/StockItem";
import { call } from "../http/client";
import { readRecord } from "../reservations/fixtures";

/**
 * The simple model both pool property tests (pool.property.test.ts, v1.1 pools;
 * regional-pool.property.test.ts, pools over regions) hold an item against, with the steps they
 * share: settling a hold (commit, release, expiry where the hold lives), a count and an
 * adjustment, and the checks after every step and once quiet.
 */
export interface PoolModel {
  sku: string;
  /** `/v1/stock/{sku}/wh` */
  path: string;
  onHand: number;
  /** Open holds by reservation id. */
  held: Map<string, number>;
}

export type SharedStep =
  | { kind: "commit" | "release" | "expire"; pick: number }
  | { kind: "count"; onHand: number }
  | { kind: "adjust"; delta: number };

export function poolModel(sku: string, onHand: number): PoolModel {
  return { sku, path: `/v1/stock/${sku}/wh`, onHand, held: new Map() };
}

export function reservedOf(model: PoolModel): number {
  return [...model.held.values()].reduce((a, b) => a + b, 0);
}

/** Applies a shared step to the item and to the model, checking each answer. */
export async function applySharedStep(model: PoolModel, step: SharedStep): Promise<void> {
  switch (step.kind) {
    case "commit":
    case "release":
    case "expire": {
      const ids = [...model.held.keys()];
      const id = ids[step.pick % Math.max(1, ids.length)];
      if (id === undefined) return;
      const quantity = model.held.get(id) as number;
      if (step.kind === "expire") await expireHold(model.sku, id);
      else expect((await call("POST", `/v1/reservations/${id}/${step.kind}`)).status).toBe(200);
      if (step.kind === "commit") model.onHand -= quantity;
      model.held.delete(id);
      return;
    }
    case "count":
      expect((await call("PUT", model.path, { json: { onHand: step.onHand } })).status).toBe(200);
      model.onHand = step.onHand;
      return;
    case "adjust": {
      const r = await call("POST", `${model.path}/adjustments`, { json: { delta: step.delta, reason: "correction" } });
      expect(r.status).toBe(model.onHand + step.delta < 0 ? 409 : 200);
      if (r.status === 200) model.onHand += step.delta;
    }
  }
}

/** The item's exact level equals the model's, after `step`. */
export async function expectLevelIsModel(model: PoolModel, step: unknown): Promise<void> {
  const reserved = reservedOf(model);
  expect((await call("GET", model.path)).body, JSON.stringify(step)).toMatchObject({
    onHand: model.onHand,
    reserved,
    available: model.onHand - reserved,
  });
}

/**
 * Once quiet, no unit is stranded: what nobody holds is unallocated or free in a member (a
 * retired member gives back what frees up in its next sync, ~100 ms later).
 */
export async function expectNothingStranded(model: PoolModel): Promise<void> {
  await vi.waitFor(
    async () => {
      const level = (await call("GET", model.path)).body;
      const view = (await call("GET", `${model.path}/shards`)).body;
      const memberFree = view.shards.reduce((sum: number, s: { available: number }) => sum + s.available, 0);
      expect(view.unallocated + memberFree).toBe(level.available);
    },
    { timeout: 3_000, interval: 50 },
  );
}

/** Expires a hold inside whichever object holds it (its pool member, or the item). */
async function expireHold(sku: string, id: string): Promise<void> {
  const member = (await readRecord(id))?.placements?.[0];
  const holder = typeof member === "number" ? stockPoolMember(env, sku, "wh", member) : stockItem(env, sku, "wh");
  await runInDurableObject(holder, (_: StockItem, state) => {
    state.storage.sql.exec("UPDATE holds SET expires_at = ? WHERE reservation_id = ?", Date.now() - 1, id);
  });
}
