import type { MiddlewareHandler } from "hono";
import { isWebSocketUpgrade, LIVE_SUBPROTOCOL, offeredSubprotocols } from "../stock/live";
import { problems } from "./problem";

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
async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(given)), digestOfExpected(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
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
 * `Authorization: Bearer <API_TOKEN>`, or, on a WebSocket upgrade only and without an
 * `Authorization` header, the token in the subprotocol list (`subprotocolToken`). Compared the
 * same constant-time way. A Worker without the secret refuses everyone.
 */
export function bearerAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const given =
      header !== undefined
        ? /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1]
        : isWebSocketUpgrade(c.req.raw.headers)
          ? subprotocolToken(c.req.header("sec-websocket-protocol"))
          : null;
    const expected = c.env.API_TOKEN;
    if (!given || !expected || !(await tokensMatch(given, expected))) {
      throw problems.unauthorized();
    }
    await next();
  };
}
