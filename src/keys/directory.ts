import { IsolateCache } from "../isolate/cache";
import type { Principal } from "./scopes";
import { type ApiKey, KeyStore } from "./store";

/**
 * Scoped keys as the auth middleware finds them: by the SHA-256 of the presented token, cached
 * in the isolate so the hot path (a storefront's reservations) does not wait on D1 per request.
 *
 * Why this holds:
 * - A deleted key is refused within KEY_CACHE_MS (10 s) everywhere: that is how long an isolate
 *   serves a cached key without reading D1 again; in the isolate that served the DELETE, at once.
 * - A new key works at once everywhere: no isolate can have cached its token as unknown, since
 *   nobody presented that token before it existed.
 * - Unknown tokens are cached as unknown too, so a client retrying with a wrong token costs one
 *   D1 read per isolate per 10 s, not one per request.
 * - While D1 is unreachable, keys an isolate has read keep working (checkouts that were running
 *   go on) and others get 503. The price: a key deleted just before D1 went down may keep
 *   working in an isolate that had it cached until D1 is back.
 */

export const KEY_CACHE_MS = 10_000;

const keys = new IsolateCache<ApiKey | null>("api keys", KEY_CACHE_MS, 10_000);

export function principalOf(key: ApiKey): Principal {
  return { id: key.id, root: false, scopes: key.scopes, warehouses: key.warehouses };
}

/** The live key whose token hashes to `tokenHash` (hex SHA-256, `hashToken`), or null. */
export function keyForTokenHash(db: D1Database, tokenHash: string): Promise<ApiKey | null> {
  return keys.get(tokenHash, () => new KeyStore(db).byTokenHash(tokenHash));
}

/** This isolate's own creation or deletion of the key whose token hashes to `tokenHash`. */
export function rememberKey(tokenHash: string, key: ApiKey | null): void {
  keys.remember(tokenHash, key);
}

/** Tests only: forget everything, as a fresh isolate would. */
export function clearKeyCacheForTests(): void {
  keys.clear();
}
