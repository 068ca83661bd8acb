import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "./client";
import type { D1Outage } from "./d1-outage";
import type { History } from "./history";
import { LONG_TTL_S, type LoadClient } from "./load";
import type { KnownReservation } from "./model";
import type { Receivers } from "./receivers";
import type { Fault, KillKind } from "./schedule";
import type { Service } from "./server";
import type { World } from "./world";

/**
 * Carries out a schedule (soak/schedule.ts) against the running service: each fault starts at
 * its time, overlapping ones run side by side, kills one at a time. A kill is followed at once
 * by `npm start` on the same state, as a user would restart it; the Queue switches, which live
 * in the server's memory, are set again for what is left of them.
 */

export interface InjectorParts {
  service: Service;
  admin: Client;
  d1: D1Outage;
  receivers: Receivers;
  history: History;
  world: World;
  /** The load client whose reservations the bursts (refill, line change) use. */
  burst: LoadClient;
}

export class Injector {
  /** Total time the service did not answer because of kills (kill to /v1/health 200). */
  downtimeMs = 0;
  restarts = 0;
  private queueUntil = new Map<string, number>();
  private killing: Promise<void> = Promise.resolve();

  constructor(private readonly parts: InjectorParts) {}

  /** Runs every fault of `schedule`, `atS` counted from `startedAt` (epoch ms). */
  async run(schedule: Fault[], startedAt: number): Promise<void> {
    await Promise.all(
      schedule.map(async (fault) => {
        const prepareS = fault.kind === "kill-line-change" ? 4 : 0;
        await sleep(Math.max(0, startedAt + (fault.atS - prepareS) * 1000 - Date.now()));
        await this.apply(fault, startedAt);
      }),
    );
  }

  private async apply(fault: Fault, startedAt: number): Promise<void> {
    const { history, receivers, d1 } = this.parts;
    switch (fault.kind) {
      case "kill":
      case "kill-refill":
      case "kill-line-change":
        return this.serialKill(fault.kind, fault.afterMs, startedAt + fault.atS * 1000);
      case "d1": {
        const startMs = history.now();
        const tables = await d1.begin();
        await sleep(fault.forS * 1000);
        await d1.end();
        history.fault({ fault: "d1", startMs, endMs: history.now(), detail: `tables renamed: ${tables.join(", ")}` });
        return;
      }
      case "queue-refuse":
      case "queue-lose-ack": {
        const name = fault.kind === "queue-refuse" ? "queue.refuse" : "queue.lose-ack";
        const startMs = history.now();
        this.queueUntil.set(name, Date.now() + fault.forS * 1000);
        await this.setQueueSwitch(name, fault.forS);
        await sleep(Math.max(0, (this.queueUntil.get(name) ?? 0) - Date.now()));
        this.queueUntil.delete(name);
        history.fault({ fault: name, startMs, endMs: history.now() });
        return;
      }
      default: {
        const mode = fault.kind === "receiver-hang" ? "hang" : fault.kind === "receiver-500" ? "500" : "slow";
        const startMs = history.now();
        receivers.setMode(fault.receiver, mode);
        await this.provokeCrossings(Math.max(2, Math.floor(fault.forS / 2)));
        await sleep(Math.max(0, startMs + fault.forS * 1000 - history.now()));
        receivers.setMode(fault.receiver, "ok");
        history.fault({ fault: fault.kind, startMs, endMs: history.now(), detail: `receiver ${fault.receiver}` });
      }
    }
  }

  private async setQueueSwitch(name: string, seconds: number): Promise<void> {
    const out = await this.parts.admin.until({
      method: "POST",
      path: "/v1/admin/faults",
      body: { name, seconds },
      op: "fault-switch",
      keys: [],
    });
    if (out.last.status !== 200) throw new Error(`could not set ${name}: ${out.last.status} ${JSON.stringify(out.last.answer)}`);
  }

  private serialKill(kind: KillKind, afterMs: number, atMs: number): Promise<void> {
    const next = this.killing.then(() => this.kill(kind, afterMs, atMs));
    this.killing = next.catch(() => {});
    return next;
  }

  private async kill(kind: KillKind, afterMs: number, atMs: number): Promise<void> {
    const { service, history } = this.parts;
    let burst: Promise<unknown> = Promise.resolve();
    let detail = "";
    if (kind === "kill-line-change") {
      const held = await this.prepareHeld(8);
      await sleep(Math.max(0, atMs - Date.now()));
      burst = Promise.all(held.map((known) => this.parts.burst.changeLines(known)));
      detail = `${held.length} line changes in flight, killed ${afterMs} ms in`;
    } else if (kind === "kill-refill") {
      const pooled = this.parts.world.pooled[0];
      if (pooled !== undefined) {
        burst = Promise.all(
          Array.from({ length: 30 }, () =>
            this.parts.burst.place("burst", [{ sku: pooled.sku, warehouse: pooled.warehouse, quantity: 1 }], null, LONG_TTL_S),
          ),
        );
        detail = `30 pooled reservations on ${pooled.key} in flight (refills), killed ${afterMs} ms in`;
      }
    }
    if (afterMs > 0) await sleep(afterMs);
    const startMs = history.now();
    await service.kill();
    await service.start();
    const endMs = history.now();
    this.downtimeMs += endMs - startMs;
    this.restarts++;
    history.fault({ fault: kind, startMs, endMs, detail: detail || "SIGKILL, then npm start" });
    for (const [name, until] of this.queueUntil) {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) await this.setQueueSwitch(name, left);
    }
    await burst;
  }

  /**
   * Crossings while a receiver misbehaves: each watched item is drained by one reservation of
   * all it has left (stock.low, stock.out) that expires after `ttlS` (stock.replenished).
   */
  private async provokeCrossings(ttlS: number): Promise<void> {
    await Promise.all(
      this.parts.world.watched.map(async (item) => {
        const read = await this.parts.admin.once({
          method: "GET",
          path: `/v1/stock/${item.sku}/${item.warehouse}`,
          op: "read",
          keys: [item.key],
        });
        const available = (read.answer as { available?: number } | null)?.available ?? 0;
        if (read.status !== 200 || available <= 0) return;
        await this.parts.burst.place("watched", [{ sku: item.sku, warehouse: item.warehouse, quantity: available }], null, ttlS);
      }),
    );
  }

  /** Held multi-line reservations for a line-change burst, placed a few seconds before it. */
  private async prepareHeld(n: number): Promise<KnownReservation[]> {
    const world = this.parts.world;
    const placed = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const a = world.plain[(2 * i) % world.plain.length];
        const b = world.plain[(2 * i + 3) % world.plain.length];
        const lines = [a, b].filter((x) => x !== undefined).map((x) => ({ sku: x.sku, warehouse: x.warehouse, quantity: 1 }));
        return this.parts.burst.place("burst", lines, null, LONG_TTL_S);
      }),
    );
    return placed.filter((k) => k.status === "held");
  }
}
