import type { Actor } from "../events/event";
import type { Region } from "../regions/regions";
import { skuDirectory } from "./address";
import type { ChangeLog } from "./changes";
import { IDEMPOTENCY_WINDOW_MS } from "./holds-protocol";
import { type AdjustmentReason, adjust, available, type Level, type SetCount, setCount } from "./ledger";
import type { MemberPlace } from "./pool-demand";
import type { LevelView, PoolParentProtocol } from "./pool-parent";
import type { Membership } from "./pool-store";
import { type Precondition, preconditionHolds } from "./precondition";
import type { ItemStores } from "./schema";

/**
 * Levels and counts: reading an item's level, counting it (`setCount`, absolute) and adjusting
 * it (`adjust`, relative with a reason). RPC: `getLevel`, `setCount`, `adjust`. Stores: the
 * `level` row and `adjustment_keys` (src/stock/level-store.ts). Alarm duty: forget
 * adjustment keys after the idempotency window.
 *
 * Guarantees:
 * - Conditional writes (`If-Match` / `If-None-Match`, src/stock/precondition.ts) are decided
 *   inside the write's transaction: a count that read version 7 never overwrites a sale made
 *   since. A refused precondition changes and records nothing, so the key may be reused.
 * - An adjustment with an idempotency key records its outcome in its own transaction: a repeat
 *   answers the first outcome (success or refusal) and changes nothing.
 * - A new item is registered in its SKU's directory before its first write (a call out):
 *   a crash after it leaves a directory entry for an item never set, which reads as absent;
 *   never an item the SKU's totals miss.
 * - On a pooled item a count is absolute over every member: the pool parent absorbs them all
 *   first (src/stock/pool-parent.ts), and reclaims from them afterwards when units run short.
 */
export class CountsProtocol {
  constructor(
    private readonly env: () => Pick<Env, "SKU_DIRECTORY">,
    private readonly stores: Pick<ItemStores, "levels">,
    private readonly changes: ChangeLog,
    private readonly membership: Membership,
    private readonly parent: PoolParentProtocol,
  ) {}

  /**
   * The level as of now: holds past their expiry are released first. A pooled item adds
   * what each member did since its parent last absorbed from it, so the read reflects every
   * hold acknowledged before it, wherever it was placed.
   */
  level(): Promise<LevelView | null> {
    if (!this.membership.pooled) return this.changes.mutate(() => this.stores.levels.read());
    return this.parent.exactLevel();
  }

  /** A count: sets `onHand` absolutely, when `precondition` (if any) holds. */
  async setCount(
    sku: string,
    warehouse: string,
    input: SetCount & { shards?: number; regions?: Region[] | null; actor?: Actor },
    precondition?: Precondition,
  ): Promise<SetCountResult> {
    // Checked first (and again in the count's transaction), so a refused count moves nothing, not even a member's units.
    const refusal = this.parent.refusal(input.shards, input.regions);
    if (refusal !== null) return { ok: false, code: "invalid_pool", message: refusal };
    const before = this.stores.levels.read();
    if (before === null && preconditionHolds(before, precondition)) {
      // Registered before the first write, so the SKU's totals never miss this item.
      await skuDirectory(this.env(), sku).addWarehouse(sku, warehouse);
    }
    const placed: MemberPlace[] = [];
    const result = await this.parent.whileCounting(() => this.applyCount(sku, warehouse, input, placed, precondition));
    // New regional members are reached with their location hint and take a first slice (grants
    // wait for the count to be over, so this comes after it).
    if (result.ok && placed.length > 0) {
      await this.parent.placeMembers(result.level, placed);
      return { ok: true, level: this.parent.answered(this.stores.levels.read() as Level) };
    }
    return result;
  }

  async adjust(input: AdjustInput, idempotencyKey?: string, precondition?: Precondition): Promise<AdjustResult> {
    return this.parent.whileCounting(async () => {
      const result = await this.applyAdjustment(input, idempotencyKey, precondition);
      if (result.ok || result.code === "precondition_failed")
        return { ...result, level: this.parent.answered(result.level) } as AdjustResult;
      return result;
    });
  }

  /** Alarm duty, inside its transaction: adjustment keys past the idempotency window go. */
  forgetKeys(now: number): void {
    this.stores.levels.deleteAdjustmentKeys(now - IDEMPOTENCY_WINDOW_MS);
  }

  private async applyCount(
    sku: string,
    warehouse: string,
    input: SetCount & { shards?: number; regions?: Region[] | null; actor?: Actor },
    placed: MemberPlace[],
    precondition?: Precondition,
  ): Promise<SetCountResult> {
    const { levels } = this.stores;
    const result = await this.changes.mutate((now): SetCountResult => {
      const current = levels.read();
      if (!preconditionHolds(current, precondition)) return { ok: false, code: "precondition_failed", level: current };
      const refusal = this.parent.refusal(input.shards, input.regions);
      if (refusal !== null) return { ok: false, code: "invalid_pool", message: refusal };
      const { level, change } = setCount(current, { sku, warehouse }, input, now);
      // The pool first, so the count's event carries the new shards and regions (D1's listing);
      // a new pool starts from what was free before the count, which the count's change then moves.
      if (input.shards !== undefined || input.regions !== undefined) {
        const before = current === null ? 0 : available(current);
        placed.push(...this.parent.setShards({ sku, warehouse }, before, input.shards, input.regions));
      }
      const after = this.changes.persist(level, change, input.actor ?? null);
      return { ok: true, level: after };
    });
    if (!result.ok)
      return result.code === "invalid_pool" ? result : ({ ...result, level: this.parent.answered(result.level) } as SetCountResult);
    if (!this.membership.pooled) return { ok: true, level: this.parent.answered(result.level) };
    await this.parent.afterCount();
    return { ok: true, level: this.parent.answered(levels.read() as Level) };
  }

  private applyAdjustment(input: AdjustInput, idempotencyKey?: string, precondition?: Precondition): Promise<AdjustResult> {
    const { levels } = this.stores;
    return this.changes.mutate((now) => {
      if (idempotencyKey !== undefined) {
        const first = levels.readAdjustmentOutcome(idempotencyKey);
        if (first !== null) return JSON.parse(first) as AdjustResult;
      }
      const current = levels.read();
      // Refused before anything is recorded, so a retry with a fresh version may reuse the key.
      if (!preconditionHolds(current, precondition)) return { ok: false, code: "precondition_failed", level: current } as const;
      const level = current;
      if (level === null) return { ok: false, code: "not_found" } as const;
      const outcome = adjust(level, input, now);
      const result: AdjustResult = outcome.ok
        ? { ok: true, level: this.changes.persist(outcome.level, outcome.change, input.actor ?? null) }
        : outcome;
      if (idempotencyKey !== undefined) levels.writeAdjustmentOutcome(idempotencyKey, JSON.stringify(result), now);
      return result;
    });
  }
}

export interface AdjustInput {
  delta: number;
  reason: AdjustmentReason;
  reference?: string;
  /** Who asked (an API key's id, `root`), recorded on the change's event. */
  actor?: Actor;
}

export type AdjustResult =
  | { ok: true; level: Level }
  | { ok: false; code: "negative_on_hand"; onHand: number }
  | { ok: false; code: "not_found" }
  | PreconditionFailed;

/** An `If-Match` / `If-None-Match` that did not hold: nothing changed; `level` is the current one. */
export type PreconditionFailed = { ok: false; code: "precondition_failed"; level: Level | null };

export type SetCountResult =
  | { ok: true; level: LevelView }
  | PreconditionFailed
  /** `regions` need at least as many `shards`: nothing changed. */
  | { ok: false; code: "invalid_pool"; message: string };
