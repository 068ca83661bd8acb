import { z } from "@hono/zod-openapi";

/**
 * Every request and response shape of the API, once. Routes validate with these and the
 * OpenAPI document (`GET /v1/openapi.json`) is generated from them.
 */

const MAX_ON_HAND = 1_000_000_000;

export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit");

export const ReservationId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, "1 to 128 of A-Z a-z 0-9 . _ : -");

const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-26T12:00:00.000Z" });

export const ItemParams = z.object({
  sku: Identifier.openapi({ param: { name: "sku", in: "path" }, example: "TSHIRT-RED-M" }),
  warehouse: Identifier.openapi({ param: { name: "warehouse", in: "path" }, example: "ams-1" }),
});

export const SkuParams = ItemParams.pick({ sku: true });

export const ReservationParams = z.object({
  id: ReservationId.openapi({ param: { name: "id", in: "path" }, example: "order-1042" }),
});

export const SetLevelBody = z
  .object({
    onHand: z.number().int().min(0).max(MAX_ON_HAND),
    lowStockThreshold: z.number().int().min(0).max(MAX_ON_HAND).optional(),
    reorderQuantity: z.number().int().min(0).max(MAX_ON_HAND).optional(),
  })
  .openapi("SetLevel");

export const AdjustmentReason = z.enum([
  "receipt",
  "return",
  "damage",
  "loss",
  "correction",
  "transfer_in",
  "transfer_out",
]);

export const AdjustmentBody = z
  .object({
    delta: z
      .number()
      .int()
      .min(-MAX_ON_HAND)
      .max(MAX_ON_HAND)
      .refine((delta) => delta !== 0, "must not be 0"),
    reason: AdjustmentReason,
    reference: z.string().min(1).max(256).optional(),
  })
  .openapi("Adjustment");

export const AdjustmentHeaders = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "1 to 255 visible ASCII characters")
    .optional()
    .openapi({ param: { name: "Idempotency-Key", in: "header" } }),
});

export const Level = z
  .object({
    sku: z.string(),
    warehouse: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lowStockThreshold: z.number().int(),
    reorderQuantity: z.number().int(),
    version: z.number().int(),
    updatedAt: Timestamp,
  })
  .openapi("Level");

const Totals = z.object({ onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() });

export const SkuLevels = z
  .object({ sku: z.string(), warehouses: z.array(Level), totals: Totals })
  .openapi("SkuLevels");

export const ReservationLine = z.object({
  sku: Identifier,
  warehouse: Identifier,
  quantity: z.number().int().min(1).max(1_000_000),
});

export const CreateReservationBody = z
  .object({
    id: ReservationId.optional(),
    lines: z
      .array(ReservationLine)
      .min(1)
      .max(100)
      .superRefine((lines, ctx) => {
        const seen = new Set<string>();
        lines.forEach((line, index) => {
          const key = `${line.sku}/${line.warehouse}`;
          if (seen.has(key)) {
            ctx.addIssue({
              code: "custom",
              path: [index],
              message: `duplicate line for ${line.sku} in ${line.warehouse}: combine the quantities`,
            });
          }
          seen.add(key);
        });
      }),
    ttlSeconds: z.number().int().min(1).max(86_400).default(900),
  })
  .openapi("CreateReservation");

export const Reservation = z
  .object({
    id: z.string(),
    status: z.enum(["held", "committed", "released", "expired"]),
    lines: z.array(ReservationLine),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  })
  .openapi("Reservation");

export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi("Problem");

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");

/** A JSON response entry for route definitions. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A problem+json response entry for route definitions. */
export function problem(description: string) {
  return { description, content: { "application/problem+json": { schema: ProblemDetails } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}
