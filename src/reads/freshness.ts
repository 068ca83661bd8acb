/**
 * Freshness of read copies (contract "Storefront reads (v1.2)"), pure.
 *
 * A caller says how old an answer it accepts: `maxAgeSeconds` in `POST /v1/availability`, or the
 * request header `Cache-Control: max-age=N` (RFC 9111 §5.2.1.1) on the level reads. 0, or no
 * such bound, is the exact read. A copy serves a request only while its age (now − when it was
 * read from the stock item) is at most that bound; the answer then says how old it is (`asOf`,
 * `Age`).
 */

/** The largest age a caller may accept, in seconds: a bound above it is served as this. */
export const MAX_AGE_LIMIT_S = 60;

export type CacheControlBound = { ok: true; maxAgeSeconds: number } | { ok: false; message: string };

/**
 * The bound a request's `Cache-Control` header sets. Directives the server has no use for
 * (`no-store`, `max-stale`, extensions) are ignored, as RFC 9111 §5.2 says a cache must;
 * `no-cache` asks for the exact read; a `max-age` that is not one non-negative integer (or is
 * given twice, which §4.2.1 makes invalid) is refused: the caller meant something we cannot honour.
 */
export function maxAgeFromCacheControl(header: string | undefined | null): CacheControlBound {
  if (header === undefined || header === null || header.trim() === "") return { ok: true, maxAgeSeconds: 0 };
  let maxAge: number | null = null;
  let noCache = false;
  for (const part of header.split(",")) {
    const directive = part.trim();
    if (directive === "") continue;
    const [rawName, ...rest] = directive.split("=");
    const name = (rawName ?? "").trim().toLowerCase();
    const value = rest.length === 0 ? null : rest.join("=").trim();
    if (name === "no-cache") noCache = true;
    if (name !== "max-age") continue;
    if (maxAge !== null) return { ok: false, message: "max-age is given more than once" };
    const digits = value?.replace(/^"(.*)"$/, "$1") ?? "";
    if (!/^[0-9]{1,10}$/.test(digits)) return { ok: false, message: "max-age must be a whole number of seconds (max-age=5)" };
    maxAge = Number(digits);
  }
  if (noCache) return { ok: true, maxAgeSeconds: 0 };
  return { ok: true, maxAgeSeconds: Math.min(maxAge ?? 0, MAX_AGE_LIMIT_S) };
}

/** Whether a copy read at `readAt` (ms) may answer at `now` for a bound of `maxAgeSeconds`. */
export function isFreshEnough(readAt: number, now: number, maxAgeSeconds: number): boolean {
  return maxAgeSeconds > 0 && now - readAt <= maxAgeSeconds * 1000;
}

/** The `Age` header's value (RFC 9111 §5.1): whole seconds since the copy was read. */
export function ageSeconds(readAt: number, now: number): number {
  return Math.max(0, Math.floor((now - readAt) / 1000));
}
