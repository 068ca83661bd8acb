import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { Scope } from "../keys/scopes";
import { BODY_LIMIT_BYTES } from "./errors";
import { ForbiddenProblem, problem, RateLimitedProblem } from "./problem-schemas";

/**
 * What the OpenAPI document (`GET /v1/openapi.json`) says besides each route's own shapes: its
 * header (servers, tags, license) and the error responses every route shares, added to each
 * operation here, once, so no route can forget one. `npm run lint:openapi` lints the result
 * (Redocly's recommended rules, warnings as errors) and `npm run test:contract` checks the
 * answers of a real `npm start` against it (Prism, test/e2e/server.ts).
 */

/** Operations are grouped by capability; every operation names exactly one of these. */
export const TAGS = {
  stock: "Stock levels: counts, adjustments, conditional writes, pools and live updates",
  reservations: "All-or-nothing reservations: hold, commit, release, extend, change lines",
  availability: "Exact availability of items, or of SKUs in a sales channel",
  channels: "Sales channels: the warehouses that source a channel's reservations, in priority order",
  events: "Change events and analytics from D1, and reconciliation with the stock items",
  webhooks: "Low-stock alert subscriptions and their delivery attempts",
  keys: "Scoped API keys",
  health: "Liveness",
} as const;

export type Tag = keyof typeof TAGS;

/** The document's header; the paths come from the routes. */
export const OPENAPI_CONFIG: Parameters<OpenAPIHono["getOpenAPI31Document"]>[0] = {
  openapi: "3.1.0",
  info: {
    title: "stockflare",
    version: "1.2.0",
    description:
      "Edge inventory: exact stock levels and all-or-nothing reservations. Errors are RFC 9457 problem details " +
      "(`application/problem+json`) with a stable `code`. Every route but `GET /v1/health` and this document needs " +
      "`Authorization: Bearer <token>`: the root token, or a scoped key (`POST /v1/keys`) whose scope each operation lists " +
      "as its security requirement.",
    // The package is private and unlicensed: an SPDX reference to the maintainers' own terms
    // (`identifier` is OpenAPI 3.1; the generator's config type is 3.0's, which lacks it).
    license: { name: "MIT", identifier: "MIT" } as { name: string },
  },
  // The document built without a request (scripts/openapi.ts: lint, client types) names
  // 127.0.0.1, where `npm start` (wrangler dev) listens by default; Redocly refuses `localhost`.
  // The served one names its own origin instead (servedOpenApiConfig).
  servers: [{ url: "http://127.0.0.1:8787", description: "npm start (local development)" }],
  tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  security: [{ bearer: [] }],
};

/**
 * The header of the document `GET /v1/openapi.json` serves: its one server is the origin the
 * request reached (a deployment's own host, or 127.0.0.1:8787 under `npm start`), so `/docs`
 * and generators reading the served document send their calls back where it came from.
 */
export function servedOpenApiConfig(requestUrl: string): typeof OPENAPI_CONFIG {
  return { ...OPENAPI_CONFIG, servers: [{ url: new URL(requestUrl).origin, description: "The server this document was served from" }] };
}

const retryAfter = (description: string) => ({
  "Retry-After": { description, required: true, schema: { type: "integer" as const } },
});

/** Said by every route that needs a token, whatever it does. */
const AUTHENTICATED = {
  401: {
    ...problem("unauthorized: no valid `Authorization: Bearer <token>` (a deleted key is refused within 10 s)"),
    headers: { "WWW-Authenticate": { description: '`Bearer realm="stockflare"`', required: true, schema: { type: "string" as const } } },
  },
  429: {
    ...problem("rate_limited: this key is over its rate limit (the root key never is); nothing changed", RateLimitedProblem),
    headers: retryAfter("Seconds to wait"),
  },
  503: {
    ...problem("unavailable: a dependency (D1, which holds the keys, or a stock item) could not be reached; retry"),
    headers: retryAfter("Seconds to wait"),
  },
};

const forbidden = (scope: Scope) =>
  problem(
    scope === "stock:write"
      ? "forbidden: the key lacks the scope `stock:write`, or may write only in other warehouses; `requiredScope` names it"
      : `forbidden: the key lacks the scope \`${scope}\`; \`requiredScope\` names it`,
    ForbiddenProblem,
  );

const INVALID = "invalid_request: the request does not match the schema (`errors` lists each field)";

/** Said by every route that takes a JSON body. */
const WITH_BODY = {
  413: problem(`payload_too_large: the body exceeds ${BODY_LIMIT_BYTES} bytes`),
  415: problem("unsupported_media_type: the body is not `application/json`"),
};

type Responses = RouteConfig["responses"];

/**
 * A scoped route's responses with the ones every such route can give: 401, 403 (with
 * `requiredScope`), 429 and 503 (with `Retry-After`), 400 when it validates anything, 413 and
 * 415 when it takes a body. The route's own entry for a status wins (its description is the
 * more precise), keeping the shared headers.
 */
export function withCommonResponses(scope: Scope, route: RouteConfig): Responses {
  const request = route.request ?? {};
  const validates =
    request.params !== undefined || request.query !== undefined || request.headers !== undefined || request.body !== undefined;
  const common: Responses = {
    ...AUTHENTICATED,
    403: forbidden(scope),
    ...(validates ? { 400: problem(request.body === undefined ? INVALID : `${INVALID}, or malformed_json`) } : {}),
    ...(request.body === undefined ? {} : WITH_BODY),
  };
  const merged: Responses = { ...common };
  for (const [status, own] of Object.entries(route.responses)) {
    const shared = common[status];
    merged[status] =
      shared !== undefined && "headers" in shared && shared.headers !== undefined && !("$ref" in own)
        ? { ...own, headers: { ...(shared.headers as object), ...(own.headers as object | undefined) } }
        : own;
  }
  return merged;
}
