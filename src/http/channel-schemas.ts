import { z } from "@hono/zod-openapi";
import { Identifier, Timestamp } from "./common-schemas";

/** Request and response shapes of `/v1/channels` (contract: "Channels and sourcing (v1.1)"). */

const MAX_WAREHOUSES = 50;
const MAX_SAFETY_STOCK = 1_000_000;

export const ChannelParams = z.object({
  channel: Identifier.openapi({ param: { name: "channel", in: "path" }, example: "web-eu" }),
});

export const PutChannelBody = z
  .object({
    warehouses: z
      .array(Identifier)
      .min(1)
      .max(MAX_WAREHOUSES)
      .superRefine((warehouses, ctx) => {
        const seen = new Set<string>();
        warehouses.forEach((warehouse, index) => {
          if (seen.has(warehouse)) {
            ctx.addIssue({
              code: "custom",
              path: [index],
              message: `${warehouse} is listed twice: each warehouse once, in priority order`,
            });
          }
          seen.add(warehouse);
        });
      })
      .openapi({ description: "Distinct, in priority order: sourcing tries the first one first", example: ["ams-1", "fra-1"] }),
    safetyStock: z
      .number()
      .int()
      .min(0)
      .max(MAX_SAFETY_STOCK)
      .default(0)
      .openapi({ description: "Units of each item kept back from this channel in every one of its warehouses" }),
  })
  .openapi("PutChannel", { example: { warehouses: ["ams-1", "ber-1"], safetyStock: 2 } });

export const Channel = z
  .object({
    id: z.string(),
    warehouses: z.array(z.string()),
    safetyStock: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Channel");

export const ChannelList = z.object({ channels: z.array(Channel).openapi({ description: "By id" }) }).openapi("ChannelList");
