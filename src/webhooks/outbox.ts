import { type Alert, type AlertLevel, buildAlert } from "./alert";
import { type AlertState, type AlertType, detectCrossings } from "./crossing";
import type { AttemptRecord } from "./subscriptions";

/**
 * The alert side of a stock item's SQLite, as the webhook code sees it (the item's AlertStore
 * implements it). Three queues, each written in the transaction of what produced it:
 *
 *   alerts      a crossing waiting to be fanned out to the subscriptions that want it
 *   deliveries  one row per (alert, subscription): attempts made so far and `next_at`
 *   attempts    the record of each attempt, waiting to be written to D1
 */

export interface PendingAlert {
  id: string;
  type: AlertType;
  failures: number;
}

export interface DueDelivery {
  alertId: string;
  subscriptionId: string;
  type: AlertType;
  /** Attempts already made. */
  attempts: number;
  body: string;
}

export interface PendingAttempt {
  id: string;
  record: AttemptRecord;
  failures: number;
}

/** The stock item's alert storage (implemented by its AlertStore). */
export interface AlertOutbox {
  readLevel(): { sku: string; warehouse: string } | null;
  readAlertState(): AlertState;
  writeAlertState(state: AlertState): void;
  appendAlert(alert: Alert): void;
  dueAlerts(now: number): PendingAlert[];
  postponeAlert(id: string, nextAt: number): void;
  fanOutAlert(alertId: string, subscriptionIds: string[], now: number): void;
  /** Due deliveries, each leased until `leaseUntil` so a concurrent re-arm does not pick them again. */
  leaseDueDeliveries(now: number, leaseUntil: number): DueDelivery[];
  rescheduleDelivery(alertId: string, subscriptionId: string, attempts: number, nextAt: number): void;
  deleteDelivery(alertId: string, subscriptionId: string): void;
  deleteDeliveriesTo(subscriptionId: string): void;
  deleteDeliveredAlerts(): void;
  appendAttempt(record: AttemptRecord, now: number): void;
  dueAttempts(now: number, limit: number): PendingAttempt[];
  deleteAttempt(id: string): void;
  postponeAttempt(id: string, nextAt: number): void;
  /** Moves every alert, delivery and attempt due before `until` to `until`. */
  deferAlertWork(until: number): void;
  /** Epoch milliseconds of the earliest alert work, or null when there is none. */
  nextAlertWorkAt(): number | null;
}

/**
 * Called inside the transaction of every level change: records the alerts the change
 * crosses into, so a crossing is stored exactly when its change is.
 */
export function recordCrossings(outbox: AlertOutbox, after: AlertLevel): Alert[] {
  const before = outbox.readAlertState();
  const { state, alerts } = detectCrossings(before, {
    available: after.onHand - after.reserved,
    lowStockThreshold: after.lowStockThreshold,
  });
  if (state !== before) outbox.writeAlertState(state);
  const built = alerts.map((type) => buildAlert(after, type));
  for (const alert of built) outbox.appendAlert(alert);
  return built;
}
