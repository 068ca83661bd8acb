/**
 * When a webhook delivery is tried. The first attempt goes out as soon as the item's alarm
 * runs after the crossing (well under 5 s); after a failure (network error, timeout, non-2xx)
 * the next attempt waits the delay below, scaled by a random factor in [0.8, 1.2) so receivers
 * recovering from an outage are not hit by every item at the same instant.
 *
 *   attempt:  1     2     3      4      5       6       7     8     9
 *   at:       0  → +5 s → +30 s → +2 min → +10 min → +30 min → +1 h → +3 h → +6 h
 *
 * Nine attempts spread over about 10 h 43 min (never less than 8 h 34 min with jitter); then
 * the delivery is given up. Cloudflare's own alarm retries are short (seconds), so this
 * schedule is stored per delivery (`next_at`) and the item re-arms its alarm for it.
 */

const RETRY_DELAYS_MS = [5_000, 30_000, 2 * 60_000, 10 * 60_000, 30 * 60_000, 60 * 60_000, 3 * 60 * 60_000, 6 * 60 * 60_000] as const;

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** How long one attempt may take before it counts as failed. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

const JITTER = 0.2;

/**
 * The wait after attempt `failedAttempt` (1-based) failed, or null when it was the last.
 * `random` is a number in [0, 1) (Math.random() in production, fixed in tests).
 */
export function retryDelayMs(failedAttempt: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[failedAttempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

/**
 * The wait before re-trying a step that could not even start (subscriptions unreadable from
 * D1, attempts not yet recorded): the same curve, but it never gives up, capped at 10 minutes.
 */
export function backgroundRetryMs(failures: number, random: number): number {
  const capped = Math.min(Math.max(1, failures), 4);
  return retryDelayMs(capped, random) ?? RETRY_DELAYS_MS[3];
}
