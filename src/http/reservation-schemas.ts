import { z } from "@hono/zod-openapi";
import { REGIONS } from "../regions/regions";
import { STATUSES } from "../reservations/lifecycle";
import { Identifier, Timestamp } from "./common-schemas";

/** Request and response shapes of `/v1/reservations` (hold, commit, release, extend, change lines). */

export const ReservationId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "1 to 128 of A-Z a-z 0-9 . _ : -");

export const ReservationParams = z.object({
  id: ReservationId.openapi({ param: { name: "id", in: "path" }, example: "order-1042" }),
});

const Quantity = z.number().int().min(1).max(1_000_000);

/** What one stock item holds for a reservation. */
export const Allocation = z.object({ sku: Identifier, warehouse: Identifier, quantity: Quantity }).openapi("Allocation");

export const ReservationLine = z
  .object({
    sku: Identifier,
    warehouse: Identifier.nullable()
      .optional()
      .openapi({ description: "Omitted or null: the reservation's `channel` sources the line from its warehouses" }),
    quantity: Quantity,
  })
  .openapi("ReservationLine");

/** A line as a Reservation echoes it: `warehouse` null where it was sourced. */
const ReservationLineView = z.object({ sku: z.string(), warehouse: z.string().nullable(), quantity: z.number().int() });

/**
 * Lines of one reservation: one per item, and a sourced SKU in no other line (it could meet
 * itself in a warehouse). `hasChannel` false: a line without a warehouse is refused here; a
 * line change learns whether the reservation has a channel only from its coordinator.
 */
function checkLines(lines: z.infer<typeof ReservationLine>[], hasChannel: boolean, ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  const sourced = new Set(lines.filter((line) => line.warehouse == null).map((line) => line.sku));
  const skus = new Map<string, number>();
  lines.forEach((line, index) => {
    skus.set(line.sku, (skus.get(line.sku) ?? 0) + 1);
    if (line.warehouse == null && !hasChannel) {
      ctx.addIssue({
        code: "custom",
        path: ["lines", index, "warehouse"],
        message: "a line without a warehouse needs the reservation's channel",
      });
    }
    const key = `${line.sku}/${line.warehouse ?? ""}`;
    if (seen.has(key)) {
      ctx.addIssue({
        code: "custom",
        path: ["lines", index],
        message: `duplicate line for ${line.sku} in ${line.warehouse ?? "the channel"}: combine the quantities`,
      });
    } else if (sourced.has(line.sku) && (skus.get(line.sku) ?? 0) > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["lines", index],
        message: `${line.sku} is sourced by the channel in another line: one line per SKU when the channel sources it`,
      });
    }
    seen.add(key);
  });
}

export const CreateReservationBody = z
  .object({
    id: ReservationId.optional(),
    channel: Identifier.optional().openapi({ description: "The sales channel whose warehouses source lines that name none" }),
    lines: z.array(ReservationLine).min(1).max(100),
    ttlSeconds: z.number().int().min(1).max(86_400).default(900),
  })
  .superRefine((body, ctx) => checkLines(body.lines, body.channel !== undefined, ctx))
  .openapi("CreateReservation", {
    example: { id: "order-1042", lines: [{ sku: "TSHIRT-RED-M", warehouse: "ams-1", quantity: 2 }], ttlSeconds: 900 },
  });

export const ChangeLinesBody = z
  .object({
    lines: z
      .array(ReservationLine)
      .min(1)
      .max(100)
      .openapi({ description: "The whole new cart, as on create; lines without a warehouse need the reservation to have a channel" }),
  })
  .superRefine((body, ctx) => checkLines(body.lines, true, ctx))
  .openapi("ChangeLines", { example: { lines: [{ sku: "TSHIRT-RED-M", warehouse: "ams-1", quantity: 3 }] } });

export const Reservation = z
  .object({
    id: z.string(),
    status: z.enum(STATUSES),
    lines: z.array(ReservationLineView).openapi({ description: "As requested; `warehouse` null where sourced" }),
    channel: z.string().nullable(),
    allocations: z.array(Allocation).openapi({ description: "What each stock item holds (a line naming its warehouse is its own)" }),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    region: z.enum(REGIONS).openapi({
      description:
        "Where the reservation is coordinated (v1.2): the region in a server-made id (`rsv_<region>_…`), else the region of the one coordinator that keeps this client-chosen id world-wide",
    }),
  })
  .openapi("Reservation");

export const ExtendReservationBody = z
  .object({ ttlSeconds: z.number().int().min(1).max(86_400) })
  .openapi("ExtendReservation", { example: { ttlSeconds: 1800 } });

/** A line the stock cannot cover (409 insufficient_stock). */
export const Shortage = z
  .object({
    sku: z.string(),
    warehouse: z.string().nullable().openapi({ description: "null for a line the channel sources; `available` is then the channel's" }),
    requested: z.number().int(),
    available: z.number().int(),
  })
  .openapi("Shortage");
