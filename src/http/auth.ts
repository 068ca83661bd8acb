import type { Context, MiddlewareHandler } from "hono";
import { keyForTokenHash, principalOf } from "../keys/directory";
import { ROOT } from "../keys/scopes";
import { hexOf, looksLikeKeyToken, tokenDigest } from "../keys/token";
import { isWebSocketUpgrade, LIVE_SUBPROTOCOL, offeredSubprotocols } from "../stock/live";
import { problems } from "./problem";
import type { AppEnv } from "./router";

const encoder = new TextEncoder();

/** The expected token's digest, computed once per isolate (and again if the secret changes). */
let expectedDigest: { token: string; digest: Promise<ArrayBuffer> } | null = null;

function digestOfExpected(expected: string): Promise<ArrayBuffer> {
  if (expectedDigest?.token !== expected) {
    expectedDigest = { token: expected, digest: crypto.subtle.digest("SHA-256", encoder.encode(expected)) };
  }
  return expectedDigest.digest;
}

/**
 * Compares digests, not the strings: equal length always, so `timingSafeEqual` reveals
 * neither the token's content nor its length.
 */
async function isRoot(givenDigest: ArrayBuffer, expected: string): Promise<boolean> {
  return crypto.subtle.timingSafeEqual(givenDigest, await digestOfExpected(expected));
}

const SUBPROTOCOL_BEARER = "bearer.";

/** A base64url string (no padding) as the UTF-8 text it encodes; null when it is not one. */
function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * The token a browser's WebSocket presents, which cannot carry headers:
 * `Sec-WebSocket-Protocol: stockflare.v1, bearer.<token, base64url without padding>`. Only
 * with `stockflare.v1` beside it (that is what the server answers; the bearer entry is never
 * echoed) and exactly one bearer entry.
 */
export function subprotocolToken(header: string | null | undefined): string | null {
  const offered = offeredSubprotocols(header);
  const bearers = offered.filter((p) => p.startsWith(SUBPROTOCOL_BEARER));
  if (!offered.includes(LIVE_SUBPROTOCOL) || bearers.length !== 1) return null;
  return fromBase64Url((bearers[0] as string).slice(SUBPROTOCOL_BEARER.length));
}

/**
 * How long a rate-limited key waits: the period of `KEY_RATE_LIMIT` in wrangler.toml (the
 * binding answers only yes or no, so the period is repeated here; change both together).
 */
export const KEY_RATE_LIMIT_PERIOD_S = 10;

/** The token presented: the `Authorization` header, or (WebSocket upgrades only, without that header) the subprotocol. */
function presentedToken(c: Context<AppEnv>): string | null {
  const header = c.req.header("authorization");
  if (header !== undefined) return /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] ?? null;
  return isWebSocketUpgrade(c.req.raw.headers) ? subprotocolToken(c.req.header("sec-websocket-protocol")) : null;
}

/**
 * Who is calling: `API_TOKEN` is the root key (compared in constant time); an `sfk_` token is
 * a scoped key (src/keys/directory.ts), rate limited per key through `KEY_RATE_LIMIT`. Sets
 * `principal` for the routes' scope checks (src/http/scopes.ts) and the events' `actor`. A
 * Worker without the secret refuses the root key, never a scoped one.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const given = presentedToken(c);
    if (!given) throw problems.unauthorized();
    const expected = c.env.API_TOKEN;
    // One digest serves both checks: the root key's comparison and a scoped key's lookup.
    const digest = await tokenDigest(given);
    if (expected && (await isRoot(digest, expected))) {
      c.set("principal", ROOT);
    } else {
      const key = looksLikeKeyToken(given) ? await keyForTokenHash(c.env.DB, hexOf(digest)) : null;
      if (key === null) throw problems.unauthorized();
      const { success } = await c.env.KEY_RATE_LIMIT.limit({ key: key.id });
      if (!success) throw problems.rateLimited(KEY_RATE_LIMIT_PERIOD_S);
      c.set("principal", principalOf(key));
    }
    await next();
  };
}
