/**
 * Webhook signing secrets at rest: AES-256-GCM through Web Crypto, under a ring of keys that
 * comes from one Worker secret, so a copy of D1 alone cannot sign (forge) deliveries.
 *
 * Key ring (`WEBHOOK_SECRET_KEYS`): comma-separated `keyId:base64key` entries, each key 32
 * bytes (`openssl rand -base64 32`), key ids of 1 to 32 of `A-Z a-z 0-9 _ -`. The FIRST entry
 * is the current key: new secrets are encrypted with it. The others are still accepted for
 * decryption, which is what makes rotation possible: prepend a new key and deploy; stored
 * secrets are re-encrypted under it as they are read (./subscriptions.ts); drop the old key
 * once no row is left under it.
 *
 *   stored value:  enc:v1:<keyId>:<base64url iv, 12 bytes>:<base64url ciphertext ‖ 16-byte tag>
 *   AAD:           "stockflare/webhook-secret/v1/<keyId>/<context>"   (context: the subscription id)
 *
 * The AAD binds a ciphertext to its row: one moved to another subscription does not decrypt.
 * Rows written before encryption hold the plain `whsec_…` secret; `storedForm` tells them
 * apart. Pure: Web Crypto only, no runtime imports, so it is tested alone.
 */

export const ENCRYPTED_PREFIX = "enc:v1:";
/** What a secret stored before encryption at rest starts with (see ./signing.ts). */
export const PLAINTEXT_PREFIX = "whsec_";

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The key ring is missing or malformed. The message never contains key material. */
export class KeyRingError extends Error {
  override name = "KeyRingError";
}

/**
 * A stored secret that cannot be opened: `unknown_key` (its key id is not in the ring),
 * `undecryptable` (wrong key or tampered), `malformed` (not the stored format).
 */
export class SecretBoxError extends Error {
  override name = "SecretBoxError";
  constructor(
    readonly code: "unknown_key" | "undecryptable" | "malformed",
    message: string,
  ) {
    super(message);
  }
}

export type StoredForm = { kind: "encrypted"; keyId: string } | { kind: "plaintext" } | { kind: "unknown" };

/** How a value of the `secret` column was stored, without decrypting it. */
export function storedForm(stored: string): StoredForm {
  if (stored.startsWith(ENCRYPTED_PREFIX)) {
    const keyId = stored.slice(ENCRYPTED_PREFIX.length).split(":", 1)[0] ?? "";
    return KEY_ID.test(keyId) ? { kind: "encrypted", keyId } : { kind: "unknown" };
  }
  if (stored.startsWith(PLAINTEXT_PREFIX)) return { kind: "plaintext" };
  return { kind: "unknown" };
}

/** The prefix every value encrypted under `keyId` starts with. */
export function encryptedPrefix(keyId: string): string {
  return `${ENCRYPTED_PREFIX}${keyId}:`;
}

export class KeyRing {
  private readonly imported = new Map<string, Promise<CryptoKey>>();

  private constructor(
    /** Key id → raw key, in ring order (the first is current). */
    private readonly raw: ReadonlyMap<string, Uint8Array>,
    readonly currentKeyId: string,
  ) {}

  /**
   * Parses `keyId:base64key[,keyId:base64key…]`; whitespace around entries is ignored.
   * Throws KeyRingError when it is missing, empty or malformed, when a key id repeats, or
   * when a key is not 32 bytes.
   */
  static parse(text: string | undefined | null): KeyRing {
    if (text === undefined || text === null || text.trim() === "") {
      throw new KeyRingError("WEBHOOK_SECRET_KEYS is not set");
    }
    const raw = new Map<string, Uint8Array>();
    const entries = text.split(",").map((entry) => entry.trim());
    entries.forEach((entry, index) => {
      const where = `WEBHOOK_SECRET_KEYS entry ${index + 1}`;
      const colon = entry.indexOf(":");
      if (colon < 0) throw new KeyRingError(`${where} is not keyId:base64key`);
      const keyId = entry.slice(0, colon).trim();
      if (!KEY_ID.test(keyId)) {
        throw new KeyRingError(`${where}: a key id is 1 to 32 of A-Z a-z 0-9 _ -`);
      }
      if (raw.has(keyId)) throw new KeyRingError(`${where}: key id "${keyId}" appears twice`);
      let key: Uint8Array;
      try {
        key = fromBase64(entry.slice(colon + 1).trim());
      } catch {
        throw new KeyRingError(`${where} (key "${keyId}"): the key is not base64`);
      }
      if (key.length !== KEY_BYTES) {
        throw new KeyRingError(`${where} (key "${keyId}"): the key is ${key.length} bytes, not ${KEY_BYTES}`);
      }
      raw.set(keyId, key);
    });
    const current = raw.keys().next().value;
    if (current === undefined) throw new KeyRingError("WEBHOOK_SECRET_KEYS holds no key");
    return new KeyRing(raw, current);
  }

  /** In ring order, the current one first. */
  get keyIds(): string[] {
    return [...this.raw.keys()];
  }

  has(keyId: string): boolean {
    return this.raw.has(keyId);
  }

  /** True when `stored` is not yet encrypted under the current key (plaintext, or an older key). */
  isStale(stored: string): boolean {
    const form = storedForm(stored);
    return form.kind === "plaintext" || (form.kind === "encrypted" && form.keyId !== this.currentKeyId);
  }

  /** Encrypts under the current key. `context` (the subscription id) must be given again to decrypt. */
  async encrypt(plaintext: string, context: string): Promise<string> {
    const keyId = this.currentKeyId;
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: aad(keyId, context), tagLength: TAG_BYTES * 8 },
      await this.key(keyId),
      encoder.encode(plaintext),
    );
    return `${encryptedPrefix(keyId)}${toBase64Url(iv)}:${toBase64Url(new Uint8Array(sealed))}`;
  }

  /** Opens a value made by `encrypt` under any key of the ring. Throws SecretBoxError. */
  async decrypt(stored: string, context: string): Promise<string> {
    const form = storedForm(stored);
    if (form.kind !== "encrypted") throw new SecretBoxError("malformed", "not an encrypted secret");
    const { keyId } = form;
    if (!this.raw.has(keyId)) {
      throw new SecretBoxError("unknown_key", `encrypted under key "${keyId}", which the key ring does not hold`);
    }
    const parts = stored.slice(encryptedPrefix(keyId).length).split(":");
    let iv: Uint8Array;
    let sealed: Uint8Array;
    try {
      if (parts.length !== 2) throw new Error("parts");
      iv = fromBase64Url(parts[0] ?? "");
      sealed = fromBase64Url(parts[1] ?? "");
    } catch {
      throw new SecretBoxError("malformed", `encrypted secret under key "${keyId}" is not well formed`);
    }
    if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
      throw new SecretBoxError("malformed", `encrypted secret under key "${keyId}" is not well formed`);
    }
    let opened: ArrayBuffer;
    try {
      opened = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv, additionalData: aad(keyId, context), tagLength: TAG_BYTES * 8 },
        await this.key(keyId),
        sealed,
      );
    } catch {
      throw new SecretBoxError(
        "undecryptable",
        `encrypted secret under key "${keyId}" does not decrypt (another key with that id, or altered)`,
      );
    }
    try {
      return decoder.decode(opened);
    } catch {
      throw new SecretBoxError("malformed", `encrypted secret under key "${keyId}" is not text`);
    }
  }

  private key(keyId: string): Promise<CryptoKey> {
    let key = this.imported.get(keyId);
    if (key === undefined) {
      const raw = this.raw.get(keyId);
      if (raw === undefined) throw new SecretBoxError("unknown_key", `no key "${keyId}" in the key ring`);
      key = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
      this.imported.set(keyId, key);
    }
    return key;
  }
}

function aad(keyId: string, context: string): Uint8Array {
  return encoder.encode(`stockflare/webhook-secret/v1/${keyId}/${context}`);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error("not base64url");
  return fromBase64(text.replaceAll("-", "+").replaceAll("_", "/"));
}

/** Standard base64 (padding optional); `-` and `_` are read as `+` and `/` too. */
function fromBase64(text: string): Uint8Array {
  const normal = text.replaceAll("-", "+").replaceAll("_", "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal) || normal.replace(/=+$/, "").length % 4 === 1) {
    throw new Error("not base64");
  }
  const padded = normal.replace(/=+$/, "");
  const binary = atob(padded + "=".repeat((4 - (padded.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
