import { z } from "@hono/zod-openapi";
import { MAX_AGE_LIMIT_S } from "../reads/freshness";
import { Identifier, Timestamp } from "./common-schemas";

/** Request and response shapes of `POST /v1/availability` (of items, or of SKUs in a sales channel). */

export const AvailabilityBody = z
  .object({
    items: z
      .array(
        z.object({
          sku: Identifier,
          warehouse: Identifier.nullable()
            .optional()
            .openapi({ description: "Omitted or null: the SKU's availability in `channel`, over its warehouses" }),
        }),
      )
      .min(1)
      .max(100),
    channel: Identifier.optional(),
    maxAgeSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_AGE_LIMIT_S)
      .optional()
      .openapi({
        description:
          "0 (default): the exact read. Above 0: the answer may come from a copy kept in the caller's region, " +
          "never older than this many seconds; each item then carries `asOf`. Checkout (reservations) is always exact.",
        example: 5,
      }),
  })
  .superRefine((body, ctx) => {
    body.items.forEach((item, index) => {
      if (item.warehouse == null && body.channel === undefined) {
        ctx.addIssue({ code: "custom", path: ["items", index, "warehouse"], message: "an item without a warehouse needs `channel`" });
      }
    });
  })
  .openapi("AvailabilityRequest", {
    example: { channel: "web", items: [{ sku: "MUG-BLUE" }, { sku: "TSHIRT-RED-M", warehouse: "ams-1" }] },
  });

const AvailableCounts = { onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() };

export const Availability = z
  .object({
    items: z.array(
      z.object({
        sku: z.string(),
        warehouse: z.string().nullable(),
        ...AvailableCounts,
        warehouses: z
          .array(z.object({ warehouse: z.string(), available: z.number().int() }))
          .optional()
          .openapi({ description: "Channel entries only: what the channel may sell from each warehouse (above its safety stock)" }),
        asOf: Timestamp.optional().openapi({
          description:
            "With `maxAgeSeconds` above 0: when the copy this entry was computed from was read from the stock item " +
            "(the oldest of them, for a channel entry); every write acknowledged before then is reflected",
        }),
      }),
    ),
  })
  .openapi("Availability");
