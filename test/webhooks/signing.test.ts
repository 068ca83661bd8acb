import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { buildAlert } from "../../src/webhooks/alert";
import { newSecret, secretKeyBytes, signWebhook } from "../../src/webhooks/signing";

describe("Standard Webhooks signing", () => {
  it("makes secrets of whsec_ and 32 random bytes", () => {
    const a = newSecret();
    const b = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKeyBytes(a)).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it("is accepted by the standardwebhooks library", async () => {
    const secret = newSecret();
    const alert = buildAlert(
      {
        sku: "SKU-1",
        warehouse: "ams-1",
        onHand: 10,
        reserved: 7,
        lowStockThreshold: 5,
        reorderQuantity: 40,
        version: 9,
        updatedAt: Date.now(),
      },
      "stock.low",
    );
    const now = Math.floor(Date.now() / 1000);
    const headers = await signWebhook(secret, alert.id, now, alert.body);
    expect(headers["webhook-id"]).toBe(alert.id);
    expect(headers["webhook-timestamp"]).toBe(String(now));
    const verified = new Webhook(secret).verify(alert.body, { ...headers });
    expect(verified).toEqual(JSON.parse(alert.body));
    // Byte for byte what the reference implementation produces.
    expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign(alert.id, new Date(now * 1000), alert.body));
  });

  it("agrees with the library on any id, time and body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9:._-]{1,80}$/),
        fc.integer({ min: 1_600_000_000, max: 2_100_000_000 }),
        fc.string({ unit: "grapheme", maxLength: 300 }),
        async (id, seconds, body) => {
          const secret = newSecret();
          const headers = await signWebhook(secret, id, seconds, body);
          expect(headers["webhook-signature"]).toBe(new Webhook(secret).sign(id, new Date(seconds * 1000), body));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("is refused for a tampered body, another id, another secret or a stale time", async () => {
    const secret = newSecret();
    const body = JSON.stringify({ id: "a", type: "stock.out" });
    const now = Math.floor(Date.now() / 1000);
    const headers = { ...(await signWebhook(secret, "a", now, body)) };
    const hook = new Webhook(secret);
    expect(() => hook.verify(body.replace("out", "low"), headers)).toThrow();
    expect(() => hook.verify(body, { ...headers, "webhook-id": "b" })).toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
    const stale = { ...(await signWebhook(secret, "a", now - 3600, body)) };
    expect(() => hook.verify(body, stale)).toThrow();
  });

  it("rejects a secret without the whsec_ prefix", async () => {
    await expect(signWebhook("not-a-secret", "a", 1, "{}")).rejects.toThrow(/whsec_/);
  });
});
