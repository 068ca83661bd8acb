import { z } from "@hono/zod-openapi";
import { Identifier } from "./common-schemas";

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
      }),
    ),
  })
  .openapi("Availability");
