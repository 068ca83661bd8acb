import { pool } from "../../bench/lib/api";
import type { Client } from "../client";
import { type Allocation, itemKey, type KnownReservation, type Model } from "../model";
import { type Check, fmt, type Violation, verdict } from "./check";

/**
 * Every reservation the clients know of, read back after the run: one they were told held
 * (or committed, released, expired) reads so, with the allocations they were last told (a
 * hold past its `expiresAt` reads `expired`); one refused with `insufficient_stock` does not
 * exist. Returns the open holds per item: what `reserved` must be.
 */

export interface ReservationReadback {
  check: Check;
  /** Units each item must still hold: Σ over reservations that must read `held`. */
  openHolds: Map<string, number>;
  /** What the service says of each reservation (status and allocations), by id. */
  read: Map<string, { status: string; allocations: Allocation[] }>;
}

function sameAllocations(a: Allocation[], b: Allocation[]): boolean {
  const key = (x: Allocation) => `${x.sku}/${x.warehouse}=${x.quantity}`;
  return JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());
}

export async function checkReservations(client: Client, model: Model): Promise<ReservationReadback> {
  const known = [...model.reservations.values()];
  const violations: Violation[] = [];
  const openHolds = new Map<string, number>();
  const read = new Map<string, { status: string; allocations: Allocation[] }>();
  let checked = 0;
  let unknown = 0;
  const hold = (allocations: Allocation[]) => {
    for (const a of allocations) openHolds.set(itemKey(a.sku, a.warehouse), (openHolds.get(itemKey(a.sku, a.warehouse)) ?? 0) + a.quantity);
  };
  await pool(known, 8, async (r: KnownReservation) => {
    const out = await client.get(`/v1/reservations/${r.id}`, "check-reservation", [r.id]);
    const answer = out.last.answer as { status?: string; allocations?: Allocation[] } | null;
    const status = out.last.status;
    if (status === 200 && answer?.status !== undefined) read.set(r.id, { status: answer.status, allocations: answer.allocations ?? [] });
    const expected = model.expected(r);
    if (r.unresolved || expected === null) {
      // Never definitively answered: whatever the service says is what holds (counted as such).
      unknown++;
      if (status === 200 && answer?.status === "held") hold(answer.allocations ?? []);
      return;
    }
    checked++;
    if (expected === "rejected") {
      if (status !== 404)
        violations.push({ what: `${r.id} was refused (409 insufficient_stock) but reads ${status} ${answer?.status ?? ""}`, keys: [r.id] });
      return;
    }
    if (expected === "held") hold(r.allocations);
    if (status !== 200 || answer?.status !== expected) {
      violations.push({
        what: `${r.id}: last acknowledged ${r.status}, expected ${expected}, reads ${status} ${answer?.status ?? ""}`,
        keys: [r.id],
      });
    } else if ((expected === "held" || expected === "committed") && !sameAllocations(answer.allocations ?? [], r.allocations)) {
      violations.push({
        what: `${r.id}: acknowledged allocations ${JSON.stringify(r.allocations)}, reads ${JSON.stringify(answer.allocations)}`,
        keys: [r.id],
      });
    }
  });
  const byStatus = new Map<string, number>();
  for (const r of known) {
    const s = r.unresolved ? "unresolved" : (model.expected(r) ?? "unanswered");
    byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
  }
  const summary = [...byStatus].map(([s, n]) => `${fmt(n)} ${s}`).join(", ");
  return {
    check: verdict(
      "acknowledged reservations read as last acknowledged",
      `${fmt(checked)} checked (${summary}); ${unknown} never definitively answered`,
      violations,
    ),
    openHolds,
    read,
  };
}
