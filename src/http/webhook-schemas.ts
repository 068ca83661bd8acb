import { z } from "@hono/zod-openapi";
import { ALERT_TYPES } from "../webhooks/crossing";
import { Identifier, Timestamp } from "./common-schemas";

/** Request and response shapes of `/v1/webhooks` (low-stock alert subscriptions and their delivery attempts). */

export const AlertType = z.enum(ALERT_TYPES);

export const CreateWebhookBody = z
  .object({
    url: z
      .string()
      .min(1)
      .max(2048)
      .openapi({ description: "https only (see the URL policy)", example: "https://erp.example.com/hooks/stock" }),
    events: z
      .array(AlertType)
      .min(1)
      .max(3)
      .refine((types) => new Set(types).size === types.length, "must not list a type twice")
      .optional()
      .openapi({ description: "Alert types to receive; default all three" }),
    sku: Identifier.optional().openapi({ description: "Only this sku; default every sku" }),
    warehouse: Identifier.optional().openapi({ description: "Only this warehouse; default every warehouse" }),
  })
  .openapi("CreateWebhook", {
    example: { url: "https://erp.example.com/hooks/stock", events: ["stock.low", "stock.out"], sku: "TSHIRT-RED-M" },
  });

export const WebhookParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "wh_3f1c2a9b8d7e4f60a1b2c3d4e5f60718" }),
});

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(AlertType),
    sku: z.string().nullable(),
    warehouse: z.string().nullable(),
    status: z
      .enum(["active", "disabled"])
      .openapi({ description: "`disabled` after a receiver answered 410 Gone; nothing is sent to it any more" }),
    createdAt: Timestamp,
    disabledAt: Timestamp.nullable(),
  })
  .openapi("Webhook");

export const CreatedWebhook = Webhook.extend({
  secret: z.string().openapi({ description: "`whsec_` + base64 signing key; shown only in this response" }),
}).openapi("CreatedWebhook");

export const WebhookList = z.object({ webhooks: z.array(Webhook) }).openapi("WebhookList");

export const DeliveriesQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, "an integer from 1 to 100")
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional()
    .openapi({ param: { name: "limit", in: "query" }, type: "integer", minimum: 1, maximum: 100, description: "1 to 100, default 100" }),
});

export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: "The alert's id: the `webhook-id` header of every attempt" }),
    type: AlertType,
    attempt: z.number().int().openapi({ description: "1-based" }),
    status: z.enum(["succeeded", "retrying", "failed", "gone"]).openapi({
      description: "`retrying`: failed, another attempt is scheduled; `failed`: the last attempt failed; `gone`: 410",
    }),
    responseStatus: z.number().int().nullable().openapi({ description: "null when no answer came (network, timeout)" }),
    at: Timestamp,
    error: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

export const WebhookDeliveries = z
  .object({ deliveries: z.array(WebhookDelivery).openapi({ description: "Newest first" }) })
  .openapi("WebhookDeliveries");
