import { deliverAlerts, type WebhookDirectory } from "../webhooks/delivery";
import { recordCrossings } from "../webhooks/outbox";
import type { AlertStore } from "./alert-store";
import type { Level } from "./ledger";

/**
 * Low-stock alerts and their webhook delivery (src/webhooks/ has the rules and the delivery).
 * No RPC of its own: subscriptions are managed in D1 by the Worker. Stores: `alert_state`,
 * `alerts`, `alert_deliveries`, `alert_attempts` (src/stock/alert-store.ts). Alarm duty:
 * fan out due alerts, make due attempts, record them in D1.
 *
 * Guarantees:
 * - A crossing (low, out, replenished; src/webhooks/crossing.ts) is recorded in the
 *   transaction of the change that crossed (src/stock/changes.ts): an alert exists exactly
 *   when its change does. A pool member never alerts; its parent alerts on the item's total.
 * - Every alert is delivered at least once to each subscription that wants it, or given up
 *   after the retry schedule; receivers deduplicate on its id (`webhook-id`).
 * - Delivery runs only in the alarm, never on a request's path, and reads subscriptions from
 *   D1 afresh each time. Each step is recorded before the next: fan-out rows before any
 *   attempt, a delivery leased before its request, its outcome and attempt record after.
 *   A crash mid-request leaves the lease to run out, and the attempt is made again.
 */
export class LowStockAlerts {
  /** Set by a change that recorded an alert: its first delivery is due at once. */
  private recorded = false;

  constructor(
    readonly store: AlertStore,
    private readonly directory: () => WebhookDirectory,
    private readonly storage: DurableObjectStorage,
  ) {}

  /** Inside the transaction of every change of the item's own level. */
  crossed(after: Level): void {
    if (recordCrossings(this.store, after).length > 0) this.recorded = true;
  }

  /** Whether a change since the last call recorded an alert (the alarm is then due now). */
  takeRecorded(): boolean {
    const recorded = this.recorded;
    this.recorded = false;
    return recorded;
  }

  /** Alarm duty: when alert work is next due. */
  nextDue(): number | null {
    return this.store.nextAlertWorkAt();
  }

  /** Alarm duty: delivers what is due. Never throws: the alarm re-arms for what is left. */
  async deliver(): Promise<void> {
    try {
      await deliverAlerts({
        outbox: this.store,
        directory: this.directory(),
        transaction: (fn) => this.storage.transactionSync(fn),
        fetch: (url, init) => fetch(url, init),
        now: () => Date.now(),
        random: () => Math.random(),
      });
    } catch (error) {
      console.error("stock item: webhook delivery failed; the alarm re-arms for it", error);
    }
  }
}
