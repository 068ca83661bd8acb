import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyRing, KeyRingError, SecretBoxError, storedForm } from "../../src/webhooks/secret-box";
import { newSecret } from "../../src/webhooks/signing";

/** `keyId:base64` of `bytes` random bytes. */
function entry(keyId: string, bytes = 32): string {
  return `${keyId}:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))))}`;
}

async function rejection(promise: Promise<unknown>): Promise<SecretBoxError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error("expected a rejection");
}

/** Replaces the character at `index` with a different base64url character. */
function flip(text: string, index: number): string {
  const c = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + c + text.slice(index + 1);
}

describe("secret box: encrypting webhook secrets at rest", () => {
  const a = entry("key-a");
  const b = entry("key-b");

  it("round-trips a secret in the stored format, with a fresh IV each time", async () => {
    const ring = KeyRing.parse(a);
    const secret = newSecret();
    const stored = await ring.encrypt(secret, "wh_1");
    expect(stored).toMatch(/^enc:v1:key-a:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain(secret.slice("whsec_".length));
    expect(await ring.decrypt(stored, "wh_1")).toBe(secret);
    const again = await ring.encrypt(secret, "wh_1");
    expect(again).not.toBe(stored);
    expect(await ring.decrypt(again, "wh_1")).toBe(secret);
    expect(storedForm(stored)).toEqual({ kind: "encrypted", keyId: "key-a" });
  });

  it("round-trips any text under any context", async () => {
    const ring = KeyRing.parse(a);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ maxLength: 60 }), async (text, context) => {
        expect(await ring.decrypt(await ring.encrypt(text, context), context)).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it("fails with another key under the same id", async () => {
    const stored = await KeyRing.parse(a).encrypt(newSecret(), "wh_1");
    const impostor = KeyRing.parse(entry("key-a"));
    expect((await rejection(impostor.decrypt(stored, "wh_1"))).code).toBe("undecryptable");
  });

  it("fails when the ring does not hold the key id", async () => {
    const stored = await KeyRing.parse(a).encrypt(newSecret(), "wh_1");
    const error = await rejection(KeyRing.parse(b).decrypt(stored, "wh_1"));
    expect(error.code).toBe("unknown_key");
    expect(error.message).toContain('"key-a"');
  });

  it("fails for another subscription's ciphertext (the id is bound as associated data)", async () => {
    const ring = KeyRing.parse(a);
    const stored = await ring.encrypt(newSecret(), "wh_1");
    expect((await rejection(ring.decrypt(stored, "wh_2"))).code).toBe("undecryptable");
  });

  it("fails for a tampered ciphertext, IV or key id", async () => {
    const ring = KeyRing.parse(`${a},${entry("key-c")}`);
    const stored = await ring.encrypt(newSecret(), "wh_1");
    const [, , keyId, iv = "", sealed = ""] = stored.split(":");
    const head = `enc:v1:${keyId}:`;
    for (let i = 0; i < sealed.length; i += 7) {
      expect((await rejection(ring.decrypt(`${head}${iv}:${flip(sealed, i)}`, "wh_1"))).code).toBe("undecryptable");
    }
    expect((await rejection(ring.decrypt(`${head}${flip(iv, 3)}:${sealed}`, "wh_1"))).code).toBe("undecryptable");
    expect((await rejection(ring.decrypt(`${head}${iv}:${sealed.slice(0, -4)}`, "wh_1"))).code).toBe("undecryptable");
    expect((await rejection(ring.decrypt(`enc:v1:key-c:${iv}:${sealed}`, "wh_1"))).code).toBe("undecryptable");
  });

  it("refuses what is not its format", async () => {
    const ring = KeyRing.parse(a);
    for (const stored of [
      "",
      newSecret(),
      "enc:v1:key-a:",
      "enc:v1:key-a:abc",
      "enc:v1:key-a:a:b:c",
      "enc:v1:key-a:AAAAAAAAAAAAAAAA:AAAA",
      "enc:v1:key-a:not+url/safe:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "enc:v2:key-a:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ]) {
      expect((await rejection(ring.decrypt(stored, "wh_1"))).code).toBe("malformed");
    }
  });

  it("encrypts with the first key and still opens what older keys sealed (rotation)", async () => {
    const old = KeyRing.parse(a);
    const secret = newSecret();
    const sealedOld = await old.encrypt(secret, "wh_1");
    const rotated = KeyRing.parse(`${b},${a}`);
    expect(rotated.currentKeyId).toBe("key-b");
    expect(rotated.keyIds).toEqual(["key-b", "key-a"]);
    expect(await rotated.decrypt(sealedOld, "wh_1")).toBe(secret);
    expect(rotated.isStale(sealedOld)).toBe(true);
    expect(rotated.isStale(secret)).toBe(true);
    const sealedNew = await rotated.encrypt(secret, "wh_1");
    expect(storedForm(sealedNew)).toEqual({ kind: "encrypted", keyId: "key-b" });
    expect(rotated.isStale(sealedNew)).toBe(false);
    // Once the old key is dropped, only what was re-encrypted opens.
    const dropped = KeyRing.parse(b);
    expect(await dropped.decrypt(sealedNew, "wh_1")).toBe(secret);
    expect((await rejection(dropped.decrypt(sealedOld, "wh_1"))).code).toBe("unknown_key");
  });

  it("tells stored forms apart", () => {
    expect(storedForm(newSecret())).toEqual({ kind: "plaintext" });
    expect(storedForm("enc:v1:k1:x:y")).toEqual({ kind: "encrypted", keyId: "k1" });
    expect(storedForm("enc:v1:bad id:x:y")).toEqual({ kind: "unknown" });
    expect(storedForm("something else")).toEqual({ kind: "unknown" });
  });
});

describe("key ring parsing", () => {
  it("reads one or more keyId:base64key entries, the first being current", () => {
    const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    expect(KeyRing.parse(`k1:${key}`).keyIds).toEqual(["k1"]);
    const ring = KeyRing.parse(` k2:${key} , k1:${key},2026_11-x:${key}`);
    expect(ring.keyIds).toEqual(["k2", "k1", "2026_11-x"]);
    expect(ring.currentKeyId).toBe("k2");
    // Without padding, and in base64url, the same key.
    expect(KeyRing.parse(`k1:${key.replace(/=+$/, "")}`).keyIds).toEqual(["k1"]);
    expect(KeyRing.parse(`k1:${key.replaceAll("+", "-").replaceAll("/", "_")}`).keyIds).toEqual(["k1"]);
  });

  it("refuses a missing or empty ring", () => {
    for (const text of [undefined, null, "", "   "]) {
      expect(() => KeyRing.parse(text)).toThrow(KeyRingError);
      expect(() => KeyRing.parse(text)).toThrow(/not set/);
    }
  });

  it.each([
    ["no colon", "k1", /not keyId:base64key/],
    ["an empty id", ":AAAA", /key id/],
    ["a bad id", "bad id:AAAA", /key id/],
    ["a too long id", `${"k".repeat(33)}:AAAA`, /key id/],
    ["an empty key", "k1:", /0 bytes/],
    ["a key that is not base64", "k1:not base64!!", /not base64/],
    ["a trailing comma", `${entry("k1")},`, /entry 2 is not keyId:base64key/],
    ["an empty entry", `${entry("k1")},,${entry("k2")}`, /entry 2/],
  ])("refuses %s", (_, text, message) => {
    expect(() => KeyRing.parse(text)).toThrow(KeyRingError);
    expect(() => KeyRing.parse(text)).toThrow(message);
  });

  it("refuses a key id given twice", () => {
    expect(() => KeyRing.parse(`${entry("k1")},${entry("k2")},${entry("k1")}`)).toThrow(/entry 3: key id "k1" appears twice/);
  });

  it("refuses keys that are not 32 bytes, naming the entry but never the key", () => {
    for (const bytes of [16, 24, 31, 33, 64]) {
      const bad = entry("k2", bytes);
      let message = "";
      try {
        KeyRing.parse(`${entry("k1")},${bad}`);
      } catch (error) {
        expect(error).toBeInstanceOf(KeyRingError);
        message = (error as Error).message;
      }
      expect(message).toBe(`WEBHOOK_SECRET_KEYS entry 2 (key "k2"): the key is ${bytes} bytes, not 32`);
      expect(message).not.toContain(bad.slice(3));
    }
  });
});
