import { z } from "@hono/zod-openapi";

/**
 * The shapes every capability's schemas build on (identifiers, timestamps, item paths, page
 * sizes), and the helpers route definitions use to name a request body or a response.
 *
 * Each capability's request and response shapes live beside it, once: `stock-schemas.ts`,
 * `availability-schemas.ts`, `reservation-schemas.ts`, `event-schemas.ts`,
 * `webhook-schemas.ts`, `channel-schemas.ts`, `key-schemas.ts`, and the problem details every
 * route can answer with in `problem-schemas.ts`. Routes validate with them and the OpenAPI
 * document (`GET /v1/openapi.json`) is generated from them.
 */

export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-26T12:00:00.000Z" });

export const ItemParams = z.object({
  sku: Identifier.openapi({ param: { name: "sku", in: "path" }, example: "TSHIRT-RED-M" }),
  warehouse: Identifier.openapi({ param: { name: "warehouse", in: "path" }, example: "ams-1" }),
});

export const SkuParams = ItemParams.pick({ sku: true });

/** `?limit=`: a page's size, 1 to 500 (default 100), shared by the paged routes. */
export const PageLimit = z
  .string()
  .regex(/^[0-9]{1,3}$/, "an integer from 1 to 500")
  .transform(Number)
  .pipe(z.number().int().min(1).max(500))
  .optional()
  .openapi({ param: { name: "limit", in: "query" }, type: "integer", minimum: 1, maximum: 500, description: "1 to 500, default 100" });

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");

/** A JSON response entry for route definitions. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}
