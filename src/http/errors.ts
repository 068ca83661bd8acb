import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { Problem, problems } from "./problem";

export const BODY_LIMIT_BYTES = 64 * 1024;

/** Hono's own exceptions (malformed JSON, unsupported media type) as problems. */
function fromHttpException(error: HTTPException): Problem {
  switch (error.status) {
    case 400:
      return problems.malformedJson();
    case 413:
      return problems.payloadTooLarge(BODY_LIMIT_BYTES);
    case 415:
      return problems.unsupportedMediaType();
    default:
      return new Problem(error.status as Problem["status"], "http_error", error.message || "HTTP error");
  }
}

/** The one place errors become responses. Anything unexpected is logged and answered 500. */
export const onError: ErrorHandler = (error) => {
  const problem = problemIn(error);
  if (problem !== null) return headed(problem);
  if (unreachableObject(error)) {
    console.error("a Durable Object could not be reached", error);
    return headed(
      problems.unavailable(
        "A stock object could not be reached. Retry: a count sets the same level again, and an adjustment repeated with its Idempotency-Key applies once.",
      ),
    );
  }
  if (error instanceof HTTPException) return headed(fromHttpException(error));
  console.error("unhandled error", error);
  return new Problem(500, "internal", "Internal error", "An unexpected error occurred.").toResponse();
};

/**
 * The Problem an error is or was caused by: libraries between a route and its dependency
 * (drizzle around D1) wrap what the dependency threw, with the original as `cause`.
 */
function problemIn(error: unknown): Problem | null {
  for (let depth = 0; depth < 5 && error instanceof Error; depth++) {
    if (error instanceof Problem) return error;
    error = error.cause;
  }
  return null;
}

/**
 * A Durable Object call that failed in transit: Cloudflare marks such errors `retryable`
 * (the object was reset or the connection lost) or `overloaded` (too many requests queued
 * for one object). Reservations map these to `unavailable` themselves, knowing what was
 * acknowledged; any other route that meets one answers 503 here, not 500.
 */
function unreachableObject(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const flags = error as Error & { retryable?: unknown; overloaded?: unknown };
  return flags.retryable === true || flags.overloaded === true;
}

/** The response, with the headers its status calls for. */
function headed(problem: Problem): Response {
  const headers: Record<string, string> = {};
  if (problem.status === 405) headers.allow = (problem.extra.allow as string[]).join(", ");
  if (problem.status === 503) headers["retry-after"] = "1";
  if (problem.status === 429) headers["retry-after"] = String(problem.extra.retryAfter);
  if (problem.status === 401) headers["www-authenticate"] = 'Bearer realm="stockflare"';
  // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to.
  if (problem.status === 426) headers.upgrade = "websocket";
  return problem.toResponse(headers);
}

/** Route templates the app serves, to tell a wrong method (405) from an unknown path (404). */
export function notFound(routes: () => { method: string; path: string }[]): NotFoundHandler {
  return (c) => {
    const path = new URL(c.req.url).pathname;
    const allow = new Set<string>();
    for (const route of routes()) {
      if (route.method === "ALL" || !templateMatches(route.path, path)) continue;
      allow.add(route.method);
    }
    if (allow.has("GET")) allow.add("HEAD");
    if (allow.size > 0) return headed(problems.methodNotAllowed([...allow].sort()));
    return problems.notFound(`No route for ${c.req.method} ${path}.`).toResponse();
  };
}

function templateMatches(template: string, path: string): boolean {
  const a = template.split("/");
  const b = path.split("/");
  return a.length === b.length && a.every((part, i) => (part.startsWith(":") ? (b[i] ?? "") !== "" : part === b[i]));
}
