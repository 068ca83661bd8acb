/**
 * What a key may do (contract: "API keys, scopes, rate limits and attribution"), as pure rules.
 * `API_TOKEN` is the root key: every scope, no warehouse restriction, no rate limit.
 */

export const SCOPES = ["stock:read", "stock:write", "reservations", "events:read", "webhooks", "admin"] as const;

export type Scope = (typeof SCOPES)[number];

/** Who is calling: the root key, or a scoped key. Its id is what events record as `actor`. */
export interface Principal {
  /** `root`, or the key's id. */
  id: string;
  root: boolean;
  scopes: readonly Scope[];
  /** `stock:write` only for these warehouses; null: any. */
  warehouses: readonly string[] | null;
}

export const ROOT: Principal = { id: "root", root: true, scopes: SCOPES, warehouses: null };

/**
 * Whether `principal` may use a route that needs `scope`, on `warehouse` when the route names
 * one. The warehouse restriction applies to `stock:write` only: a storefront key limited to a
 * warehouse still reads and reserves anywhere its other scopes allow.
 */
export function allows(principal: Principal, scope: Scope, warehouse?: string): boolean {
  if (principal.root) return true;
  if (!principal.scopes.includes(scope)) return false;
  if (scope !== "stock:write" || principal.warehouses === null || warehouse === undefined) return true;
  return principal.warehouses.includes(warehouse);
}
