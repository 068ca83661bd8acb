import type { Alert } from "../webhooks/alert";
import type { AlertState, AlertType } from "../webhooks/crossing";
import type { AlertOutbox, DueDelivery, PendingAlert, PendingAttempt } from "../webhooks/outbox";
import type { AttemptRecord } from "../webhooks/subscriptions";
import type { LevelStore } from "./level-store";

/**
 * The alert side of an item's SQLite, as the webhook code sees it (src/webhooks/outbox.ts):
 * the crossing state, alerts to fan out, deliveries per subscription and attempt records
 * waiting for D1. Each is written in the transaction of what produced it.
 */
export class AlertStore implements AlertOutbox {
  constructor(
    private readonly sql: SqlStorage,
    private readonly levels: LevelStore,
  ) {}

  readLevel(): { sku: string; warehouse: string } | null {
    return this.levels.read();
  }

  readAlertState(): AlertState {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM alert_state WHERE id = 1").toArray()[0];
    return (row?.state ?? "ok") as AlertState;
  }

  writeAlertState(state: AlertState): void {
    this.sql.exec("INSERT INTO alert_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state", state);
  }

  appendAlert(alert: Alert): void {
    this.sql.exec("INSERT OR IGNORE INTO alerts (id, type, body, next_at) VALUES (?, ?, ?, ?)", alert.id, alert.type, alert.body, alert.at);
  }

  dueAlerts(now: number): PendingAlert[] {
    return this.sql
      .exec<{ id: string; type: string; failures: number }>(
        "SELECT id, type, failures FROM alerts WHERE fanned_out = 0 AND next_at <= ? ORDER BY next_at, id",
        now,
      )
      .toArray()
      .map((row) => ({ id: row.id, type: row.type as AlertType, failures: row.failures }));
  }

  postponeAlert(id: string, nextAt: number): void {
    this.sql.exec("UPDATE alerts SET failures = failures + 1, next_at = ? WHERE id = ?", nextAt, id);
  }

  fanOutAlert(alertId: string, subscriptionIds: string[], now: number): void {
    for (const subscriptionId of subscriptionIds) {
      this.sql.exec(
        "INSERT OR IGNORE INTO alert_deliveries (alert_id, subscription_id, attempts, next_at) VALUES (?, ?, 0, ?)",
        alertId,
        subscriptionId,
        now,
      );
    }
    this.sql.exec("UPDATE alerts SET fanned_out = 1 WHERE id = ?", alertId);
  }

  leaseDueDeliveries(now: number, leaseUntil: number): DueDelivery[] {
    const due = this.sql
      .exec<{ alert_id: string; subscription_id: string; attempts: number; type: string; body: string }>(
        `SELECT d.alert_id, d.subscription_id, d.attempts, a.type, a.body
         FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
         WHERE d.next_at <= ? ORDER BY d.next_at`,
        now,
      )
      .toArray();
    for (const row of due) {
      this.sql.exec(
        "UPDATE alert_deliveries SET next_at = ? WHERE alert_id = ? AND subscription_id = ?",
        leaseUntil,
        row.alert_id,
        row.subscription_id,
      );
    }
    return due.map((row) => ({
      alertId: row.alert_id,
      subscriptionId: row.subscription_id,
      type: row.type as AlertType,
      attempts: row.attempts,
      body: row.body,
    }));
  }

  rescheduleDelivery(alertId: string, subscriptionId: string, attempts: number, nextAt: number): void {
    this.sql.exec(
      "UPDATE alert_deliveries SET attempts = ?, next_at = ? WHERE alert_id = ? AND subscription_id = ?",
      attempts,
      nextAt,
      alertId,
      subscriptionId,
    );
  }

  deleteDelivery(alertId: string, subscriptionId: string): void {
    this.sql.exec("DELETE FROM alert_deliveries WHERE alert_id = ? AND subscription_id = ?", alertId, subscriptionId);
  }

  deleteDeliveriesTo(subscriptionId: string): void {
    this.sql.exec("DELETE FROM alert_deliveries WHERE subscription_id = ?", subscriptionId);
  }

  /** An alert goes once it has been fanned out and none of its deliveries is left. */
  deleteDeliveredAlerts(): void {
    this.sql.exec(
      `DELETE FROM alerts WHERE fanned_out = 1
       AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = alerts.id)`,
    );
  }

  appendAttempt(record: AttemptRecord, now: number): void {
    this.sql.exec("INSERT OR REPLACE INTO alert_attempts (id, record, next_at) VALUES (?, ?, ?)", record.id, JSON.stringify(record), now);
  }

  dueAttempts(now: number, limit: number): PendingAttempt[] {
    return this.sql
      .exec<{ id: string; record: string; failures: number }>(
        "SELECT id, record, failures FROM alert_attempts WHERE next_at <= ? ORDER BY next_at, id LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map((row) => ({ id: row.id, record: JSON.parse(row.record) as AttemptRecord, failures: row.failures }));
  }

  deleteAttempt(id: string): void {
    this.sql.exec("DELETE FROM alert_attempts WHERE id = ?", id);
  }

  postponeAttempt(id: string, nextAt: number): void {
    this.sql.exec("UPDATE alert_attempts SET failures = failures + 1, next_at = ? WHERE id = ?", nextAt, id);
  }

  deferAlertWork(until: number): void {
    this.sql.exec("UPDATE alerts SET next_at = ? WHERE fanned_out = 0 AND next_at < ?", until, until);
    this.sql.exec("UPDATE alert_deliveries SET next_at = ? WHERE next_at < ?", until, until);
    this.sql.exec("UPDATE alert_attempts SET next_at = ? WHERE next_at < ?", until, until);
  }

  nextAlertWorkAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(next_at) AS at FROM alerts WHERE fanned_out = 0
           UNION ALL SELECT MIN(next_at) FROM alert_deliveries
           UNION ALL SELECT MIN(next_at) FROM alert_attempts
         )`,
      )
      .one().at;
  }
}
