import { errorSummary } from "../logging/error-summary";
import type { AlertOutbox, DueDelivery, PendingAlert } from "./outbox";
import { ATTEMPT_TIMEOUT_MS, backgroundRetryMs, MAX_ATTEMPTS, retryDelayMs } from "./schedule";
import { signWebhook } from "./signing";
import type { AttemptRecord, AttemptStatus, DeliveryTarget } from "./subscriptions";

/**
 * Alert delivery, run by a stock item's alarm over the queues of ./outbox.ts.
 *
 * Subscriptions are read from D1 afresh by every alarm that has an alert to fan out or a
 * delivery due, and never cached across alarms: a deleted or disabled subscription gets no
 * attempt after the alarm that follows its deletion, and the reserve path never touches D1.
 * A delivery whose subscription is no longer among the active matches is dropped.
 *
 * Nothing here throws: a D1 or receiver failure only moves `next_at`, so the alarm always
 * re-arms for the earliest `next_at` and every alert is delivered at least once (or given
 * up after the schedule in ./schedule.ts).
 *
 * A subscription whose signing secret cannot be read (no usable `WEBHOOK_SECRET_KEYS`, or a
 * key id the ring no longer holds: see ./subscriptions.ts) gets no request: the attempt is
 * recorded as failed with the reason and retried on the same schedule, and the other
 * subscriptions are delivered as usual.
 */

export interface WebhookDirectory {
  targetsFor(sku: string, warehouse: string): Promise<DeliveryTarget[]>;
  disable(id: string, now: number): Promise<void>;
  recordAttempts(records: AttemptRecord[]): Promise<void>;
}

export interface DeliveryDeps {
  outbox: AlertOutbox;
  directory: WebhookDirectory;
  /** `ctx.storage.transactionSync`. */
  transaction: <T>(fn: () => T) => T;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  random: () => number;
}

const PARALLEL_ATTEMPTS = 6;
/** D1 may take 100 statements per batch; attempts beyond wait for the next alarm. */
const ATTEMPT_FLUSH_LIMIT = 100;
/**
 * Due deliveries are moved this far ahead while their attempt runs, so a re-arm during the
 * alarm does not see them as due; one that never settled (the object was evicted mid-attempt)
 * is tried again after it.
 */
const LEASE_MS = ATTEMPT_TIMEOUT_MS + 20_000;
/** Alert work waits this long after an unexpected error. */
const UNEXPECTED_RETRY_MS = 60_000;
/** Deliveries wait this long when D1 could not say whether their subscription still exists. */
const DIRECTORY_RETRY_MS = 30_000;

/** Fans out due alerts, makes due attempts and records them. Never throws. */
export async function deliverAlerts(deps: DeliveryDeps): Promise<void> {
  const { outbox } = deps;
  const now = deps.now();
  try {
    const item = outbox.readLevel();
    const { alerts, deliveries } = deps.transaction(() => ({
      alerts: outbox.dueAlerts(now),
      deliveries: outbox.leaseDueDeliveries(now, now + LEASE_MS),
    }));
    const work = alerts.length > 0 || deliveries.length > 0;
    if (item !== null && work) await fanOutAndSend(deps, item, alerts, deliveries, now);
    await flushAttempts(deps);
    if (work) deps.transaction(() => outbox.deleteDeliveredAlerts());
  } catch (error) {
    // Not a receiver or D1 failure (those are handled where they happen): a defect. Push the
    // due work back so the re-armed alarm does not spin on it.
    console.error("webhooks: delivery step failed unexpectedly; deferring", error);
    try {
      deps.transaction(() => outbox.deferAlertWork(deps.now() + UNEXPECTED_RETRY_MS));
    } catch (deferError) {
      console.error("webhooks: could not defer alert work", deferError);
    }
  }
}

async function fanOutAndSend(
  deps: DeliveryDeps,
  item: { sku: string; warehouse: string },
  alerts: PendingAlert[],
  leased: DueDelivery[],
  now: number,
): Promise<void> {
  const { outbox } = deps;
  let targets: DeliveryTarget[];
  try {
    targets = await deps.directory.targetsFor(item.sku, item.warehouse);
  } catch (error) {
    // One line, no stack: under `wrangler dev` each logged stack stalls the server (docs/reliability.md).
    console.error(`webhooks: reading subscriptions from D1 failed; delivery postponed: ${errorSummary(error)}`);
    deps.transaction(() => {
      for (const alert of alerts) {
        outbox.postponeAlert(alert.id, now + backgroundRetryMs(alert.failures + 1, deps.random()));
      }
      for (const d of leased) {
        outbox.rescheduleDelivery(d.alertId, d.subscriptionId, d.attempts, now + DIRECTORY_RETRY_MS);
      }
    });
    return;
  }
  const byId = new Map(targets.map((target) => [target.id, target]));
  const fresh = deps.transaction(() => {
    for (const alert of alerts) {
      const wanted = targets.filter((target) => target.events.includes(alert.type)).map((t) => t.id);
      outbox.fanOutAlert(alert.id, wanted, now);
    }
    // The new deliveries are due now; lease them with the ones already due.
    return alerts.length > 0 ? outbox.leaseDueDeliveries(now, now + LEASE_MS) : [];
  });
  const sendable: [DeliveryTarget, DueDelivery][] = [];
  deps.transaction(() => {
    for (const delivery of [...leased, ...fresh]) {
      const target = byId.get(delivery.subscriptionId);
      // Deleted, disabled or no longer matching: this is where deliveries to it stop.
      if (target === undefined) outbox.deleteDelivery(delivery.alertId, delivery.subscriptionId);
      else sendable.push([target, delivery]);
    }
  });
  // A Worker keeps at most 6 connections open at once; more would queue and eat into the
  // timeout of each attempt. Each group's outcomes are stored before the next group starts.
  const gone = new Set<string>();
  for (let i = 0; i < sendable.length; i += PARALLEL_ATTEMPTS) {
    // A 410 in an earlier group already removed that subscription's deliveries.
    const group = sendable.slice(i, i + PARALLEL_ATTEMPTS).filter(([target]) => !gone.has(target.id));
    const results = await Promise.all(group.map(([target, delivery]) => attempt(deps, target, delivery)));
    deps.transaction(() => {
      for (const result of results) settle(deps, result);
    });
    for (const { record } of results) if (record.status === "gone") gone.add(record.subscriptionId);
  }
}

interface AttemptResult {
  delivery: DueDelivery;
  record: AttemptRecord;
}

async function attempt(deps: DeliveryDeps, target: DeliveryTarget, delivery: DueDelivery): Promise<AttemptResult> {
  const at = deps.now();
  const number = delivery.attempts + 1;
  let responseStatus: number | null = null;
  let error: string | null = null;
  try {
    if (target.secret === null) throw new UnreadableSecret(target.unreadable);
    const signed = await signWebhook(target.secret, delivery.alertId, at / 1000, delivery.body);
    const response = await deps.fetch(target.url, {
      method: "POST",
      headers: { ...signed, "content-type": "application/json", "user-agent": "stockflare-webhooks/1" },
      body: delivery.body,
      // A redirect could point anywhere, including where the URL policy forbids: not followed.
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    responseStatus = response.status;
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) error = `HTTP ${response.status}`;
  } catch (failure) {
    error = describeFailure(failure);
  }
  const status: AttemptStatus =
    error === null ? "succeeded" : responseStatus === 410 ? "gone" : number >= MAX_ATTEMPTS ? "failed" : "retrying";
  return {
    delivery,
    record: {
      id: `${delivery.alertId}/${delivery.subscriptionId}/${number}`,
      subscriptionId: delivery.subscriptionId,
      eventId: delivery.alertId,
      type: delivery.type,
      attempt: number,
      status,
      responseStatus,
      at,
      error,
    },
  };
}

/** No request was made: the subscription's signing secret could not be read. */
class UnreadableSecret extends Error {}

function describeFailure(failure: unknown): string {
  if (failure instanceof UnreadableSecret) return `not sent: ${failure.message}`.slice(0, 500);
  if (failure instanceof Error) {
    if (failure.name === "TimeoutError") return `timed out after ${ATTEMPT_TIMEOUT_MS / 1000} s`;
    return `${failure.name}: ${failure.message}`.slice(0, 500);
  }
  return String(failure).slice(0, 500);
}

function settle(deps: DeliveryDeps, { delivery, record }: AttemptResult): void {
  const { outbox } = deps;
  outbox.appendAttempt(record, deps.now());
  if (record.status === "gone") {
    // The receiver says the endpoint is gone for good: nothing more goes to it from here,
    // and flushing this record disables the subscription for every item.
    outbox.deleteDeliveriesTo(delivery.subscriptionId);
    return;
  }
  const delay = record.status === "retrying" ? retryDelayMs(record.attempt, deps.random()) : null;
  if (delay === null) outbox.deleteDelivery(delivery.alertId, delivery.subscriptionId);
  else outbox.rescheduleDelivery(delivery.alertId, delivery.subscriptionId, record.attempt, record.at + delay);
}

/** Writes the recorded attempts to D1 (and disables subscriptions that answered 410). */
async function flushAttempts(deps: DeliveryDeps): Promise<void> {
  const { outbox } = deps;
  const now = deps.now();
  const pending = outbox.dueAttempts(now, ATTEMPT_FLUSH_LIMIT);
  if (pending.length === 0) return;
  try {
    await deps.directory.recordAttempts(pending.map((p) => p.record));
    for (const p of pending) {
      if (p.record.status === "gone") await deps.directory.disable(p.record.subscriptionId, p.record.at);
    }
    deps.transaction(() => {
      for (const p of pending) outbox.deleteAttempt(p.id);
    });
  } catch (error) {
    console.error(`webhooks: recording delivery attempts in D1 failed; retrying: ${errorSummary(error)}`);
    deps.transaction(() => {
      for (const p of pending) outbox.postponeAttempt(p.id, now + backgroundRetryMs(p.failures + 1, deps.random()));
    });
  }
}
