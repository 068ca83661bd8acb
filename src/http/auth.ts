import type { MiddlewareHandler } from "hono";
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

/** `Authorization: Bearer <API_TOKEN>`; a Worker without the secret refuses everyone. */
export function bearerAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const expected = c.env.API_TOKEN;
    if (!match?.[1] || !expected || !(await tokensMatch(match[1], expected))) {
      throw problems.unauthorized();
    }
    await next();
  };
}
