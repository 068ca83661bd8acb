import type { MiddlewareHandler } from "hono";
import { errorSummary } from "../logging/error-summary";
import { problems } from "./problem";

/**
 * D1 (events, analytics, webhooks) is a dependency that can be down. Every D1 call a route
 * makes goes through this guard, which turns a failed call into `503 unavailable` with
 * `Retry-After` (src/http/errors.ts) instead of a 500; errors of our own code are not
 * touched, so a bug still shows as one. The reserve path never uses D1.
 */
export function guardD1(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    c.env = { ...c.env, DB: guarded(c.env.DB) };
    await next();
  };
}

/** Where a guarded statement keeps the statement D1 made, for `batch`. */
const ORIGINAL = Symbol("original statement");

const DETAIL = "The analytics and webhook store (D1) could not be reached; retry later.";

function unavailable(error: unknown): never {
  // One line, no stack: while D1 is down every such request logs this (see src/events/consumer.ts).
  console.error(`D1 call failed: ${errorSummary(error)}`);
  throw problems.unavailable(DETAIL);
}

function guardResult<T>(value: T): T {
  return value instanceof Promise ? (value.catch(unavailable) as T) : value;
}

/** A statement whose binding returns a guarded statement and whose runs are guarded. */
function guardedStatement(statement: D1PreparedStatement): D1PreparedStatement {
  return new Proxy(statement, {
    get(target, property) {
      if (property === ORIGINAL) return target;
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      if (property === "bind") {
        return (...args: unknown[]) => guardedStatement(Reflect.apply(value, target, args) as D1PreparedStatement);
      }
      return (...args: unknown[]) => guardResult(Reflect.apply(value, target, args));
    },
  });
}

function guarded(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      if (property === "prepare") {
        return (...args: unknown[]) => {
          try {
            return guardedStatement(Reflect.apply(value, target, args) as D1PreparedStatement);
          } catch (error) {
            return unavailable(error);
          }
        };
      }
      if (property === "batch") {
        // D1's batch wants its own statement objects, not our proxies: hand it the originals.
        return (statements: D1PreparedStatement[]) => guardResult(Reflect.apply(value, target, [statements.map(unwrap)]));
      }
      return (...args: unknown[]) => {
        try {
          return guardResult(Reflect.apply(value, target, args));
        } catch (error) {
          return unavailable(error);
        }
      };
    },
  });
}

function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return (statement as unknown as { [ORIGINAL]?: D1PreparedStatement })[ORIGINAL] ?? statement;
}
