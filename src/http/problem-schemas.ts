import { z } from "@hono/zod-openapi";
import { SCOPES } from "../keys/scopes";
import { STATUSES } from "../reservations/lifecycle";
import { Shortage } from "./reservation-schemas";
import { Level } from "./stock-schemas";

/**
 * The problem details (RFC 9457) any route can answer with, and `problem()`, the response
 * entry route definitions name them by. `problem.ts` builds the answers; these describe them.
 */

/**
 * RFC 9457 problem details. The members after `code` are the extensions some codes carry,
 * listed so clients get them typed; RFC 9457 lets a problem carry others, so the object stays open.
 */
export const ProblemDetails = z
  .object({
    type: z.string().openapi({ example: "urn:stockflare:problem:insufficient_stock" }),
    title: z.string(),
    status: z.number().int().openapi({ description: "The HTTP status" }),
    detail: z.string(),
    code: z.string().openapi({ description: "Stable and machine-readable, e.g. `invalid_request`, `insufficient_stock`" }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "invalid_request: what failed, per field (`path` dotted, e.g. `lines.0.quantity`)" }),
    requiredScope: z.enum(SCOPES).optional().openapi({ description: "forbidden: the scope the route needs" }),
    retryAfter: z.number().int().optional().openapi({ description: "rate_limited: seconds to wait, as in `Retry-After`" }),
    shortages: z.array(Shortage).optional().openapi({ description: "insufficient_stock: every line that cannot be covered" }),
    reservationStatus: z.enum(STATUSES).optional().openapi({ description: "invalid_state: the state the reservation is in" }),
    level: Level.nullable().optional().openapi({ description: "precondition_failed: the item's current level (null if it was never set)" }),
    onHand: z.number().int().optional().openapi({ description: "negative_on_hand: the current on-hand quantity" }),
    channel: z.string().optional().openapi({ description: "unknown_channel: the channel named" }),
    allow: z.array(z.string()).optional().openapi({ description: "method_not_allowed: the methods the path allows" }),
  })
  .passthrough()
  .openapi("Problem");

/** 403 forbidden: always names the scope the route needs. */
export const ForbiddenProblem = ProblemDetails.extend({ requiredScope: z.enum(SCOPES) }).openapi("ForbiddenProblem");

/** 429 rate_limited. */
export const RateLimitedProblem = ProblemDetails.extend({ retryAfter: z.number().int() }).openapi("RateLimitedProblem");

/** 412 precondition_failed: always carries the current level. */
export const PreconditionFailedProblem = ProblemDetails.extend({
  level: Level.nullable().openapi({ description: "The item's current level (null if it was never set)" }),
}).openapi("PreconditionFailedProblem");

/** A problem+json response entry for route definitions (`schema`: a Problem with required extensions). */
export function problem(description: string, schema: z.ZodType = ProblemDetails) {
  return { description, content: { "application/problem+json": { schema } } };
}
