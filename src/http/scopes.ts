import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { allows, type Scope } from "../keys/scopes";
import { type Tag, withCommonResponses } from "./openapi";
import { problems } from "./problem";
import type { AppEnv } from "./router";

/**
 * The one place a route's scope is checked: before validation and before anything changes, so
 * a key without the scope gets `403 forbidden` with `requiredScope` and nothing else happens.
 * `stock:write` on a route naming a `{warehouse}` also checks the key's warehouses.
 */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    const warehouse = scope === "stock:write" ? c.req.param("warehouse") : undefined;
    if (!allows(principal, scope, warehouse)) {
      const detail = principal.scopes.includes(scope)
        ? `This key may write stock only in ${(principal.warehouses ?? []).join(", ")}.`
        : `This key lacks the scope ${scope}.`;
      throw problems.forbidden(scope, detail);
    }
    await next();
  };
}

/**
 * A route and its scope, declared together: the scope is checked by `requireScope` and listed
 * in the OpenAPI document as the operation's security requirement. Every route names its
 * `operationId` (camelCase, stable: generated clients call it by that name) and its capability's
 * tag, and the document lists the error responses every scoped route can give (src/http/openapi.ts).
 */
export function scopedRoute<const R extends RouteConfig & { operationId: string; tags: [Tag] }>(scope: Scope, route: R) {
  // The scope goes first: a key without it is refused before the route's own middleware runs.
  const own = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  return createRoute({
    ...route,
    security: [{ bearer: [scope] }],
    middleware: [requireScope(scope), ...own] as MiddlewareHandler<AppEnv>[],
    // Typed as the route's own: handlers answer those, the shared ones are thrown as problems.
    responses: withCommonResponses(scope, route) as R["responses"],
  });
}
