import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ATTEMPT_TIMEOUT_MS, backgroundRetryMs, MAX_ATTEMPTS, retryDelayMs } from "../../src/webhooks/schedule";

/** Offsets of every attempt from the first, for one draw of jitter. */
function offsets(random: () => number): number[] {
  const at = [0];
  for (let attempt = 1; ; attempt++) {
    const delay = retryDelayMs(attempt, random());
    if (delay === null) return at;
    at.push((at.at(-1) ?? 0) + delay);
  }
}

describe("retry schedule", () => {
  it("makes at least 5 attempts over at least 30 minutes, whatever the jitter", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 20, maxLength: 20 }), (draws) => {
        let i = 0;
        const at = offsets(() => draws[i++ % draws.length] ?? 0);
        expect(at).toHaveLength(MAX_ATTEMPTS);
        expect(at.length).toBeGreaterThanOrEqual(5);
        expect(at.at(-1)).toBeGreaterThanOrEqual(30 * 60_000);
        for (let k = 1; k < at.length; k++) expect(at[k]).toBeGreaterThan(at[k - 1] ?? 0);
      }),
    );
  });

  it("backs off exponentially: every wait at least doubles the one before", () => {
    const mid = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, k) => retryDelayMs(k + 1, 0.5) ?? 0);
    expect(mid[0]).toBe(5_000);
    for (let k = 1; k < mid.length; k++) expect(mid[k]).toBeGreaterThanOrEqual(2 * (mid[k - 1] ?? 0));
  });

  it("jitters each wait within ±20 %", () => {
    expect(retryDelayMs(1, 0)).toBe(4_000);
    expect(retryDelayMs(1, 0.999_999)).toBe(6_000);
    expect(retryDelayMs(2, 0)).toBe(24_000);
  });

  it("gives up after the last attempt", () => {
    expect(retryDelayMs(MAX_ATTEMPTS, 0.5)).toBeNull();
    expect(retryDelayMs(MAX_ATTEMPTS - 1, 0.5)).not.toBeNull();
  });

  it("never gives up on background steps, capped at about ten minutes", () => {
    expect(backgroundRetryMs(1, 0.5)).toBe(5_000);
    expect(backgroundRetryMs(50, 0.5)).toBe(10 * 60_000);
    expect(ATTEMPT_TIMEOUT_MS).toBeLessThanOrEqual(30_000);
  });
});
