import type { AlertType } from "../webhooks/crossing";
import { newSecret } from "../webhooks/signing";
import { loadSecretKeys, type Subscription, WebhookRepository } from "../webhooks/subscriptions";
import { checkWebhookUrl } from "../webhooks/url-policy";
import { json, jsonBody } from "./common-schemas";
import { Problem, problems } from "./problem";
import { problem } from "./problem-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";
import {
  AlertType as AlertTypeSchema,
  CreatedWebhook,
  CreateWebhookBody,
  DeliveriesQuery,
  Webhook,
  WebhookDeliveries,
  WebhookList,
  WebhookParams,
} from "./webhook-schemas";

/** Every alarm with something to deliver fans out to all matches: this bounds that work. */
const MAX_SUBSCRIPTIONS = 100;
const DEFAULT_DELIVERIES = 100;

function webhookBody(subscription: Subscription) {
  return {
    id: subscription.id,
    url: subscription.url,
    events: subscription.events,
    sku: subscription.sku,
    warehouse: subscription.warehouse,
    status: subscription.status === "disabled" ? ("disabled" as const) : ("active" as const),
    createdAt: new Date(subscription.createdAt).toISOString(),
    disabledAt: subscription.disabledAt === null ? null : new Date(subscription.disabledAt).toISOString(),
  };
}

const noSuchWebhook = (id: string) => problems.notFound(`No webhook ${id}.`);

const createWebhook = scopedRoute("webhooks", {
  method: "post",
  path: "/v1/webhooks",
  operationId: "createWebhook",
  tags: ["webhooks"],
  summary: "Subscribe a URL to low-stock alerts",
  description: "Deliveries are signed per Standard Webhooks with the returned `secret`, which is shown only here.",
  request: { body: jsonBody(CreateWebhookBody) },
  responses: {
    201: json(CreatedWebhook, "Subscribed"),
    400: problem("Invalid request, including a URL the policy refuses (errors[].path `url`)"),
    409: problem(`webhook_limit: at most ${MAX_SUBSCRIPTIONS} webhooks`),
    503: problem("webhook_keys_unavailable: the key that encrypts secrets at rest is not configured; nothing stored"),
  },
});

const listWebhooks = scopedRoute("webhooks", {
  method: "get",
  path: "/v1/webhooks",
  operationId: "listWebhooks",
  tags: ["webhooks"],
  summary: "List webhooks (without their secrets)",
  responses: { 200: json(WebhookList, "Every webhook not deleted, oldest first") },
});

const getWebhook = scopedRoute("webhooks", {
  method: "get",
  path: "/v1/webhooks/{id}",
  operationId: "getWebhook",
  tags: ["webhooks"],
  summary: "Read one webhook (without its secret)",
  request: { params: WebhookParams },
  responses: { 200: json(Webhook, "The webhook"), 404: problem("No such webhook") },
});

const deleteWebhook = scopedRoute("webhooks", {
  method: "delete",
  path: "/v1/webhooks/{id}",
  operationId: "deleteWebhook",
  tags: ["webhooks"],
  summary: "Unsubscribe: no attempt is made after the next delivery alarm of any item",
  request: { params: WebhookParams },
  responses: { 204: { description: "Deleted" }, 404: problem("No such webhook") },
});

const listDeliveries = scopedRoute("webhooks", {
  method: "get",
  path: "/v1/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  tags: ["webhooks"],
  summary: "Delivery attempts to this webhook, newest first",
  request: { params: WebhookParams, query: DeliveriesQuery },
  responses: { 200: json(WebhookDeliveries, "Attempts"), 404: problem("No such webhook") },
});

export const webhookRoutes = createRouter()
  .openapi(createWebhook, async (c) => {
    const body = c.req.valid("json");
    const verdict = checkWebhookUrl(body.url, { allowHttp: c.env.WEBHOOK_ALLOW_HTTP === "true" });
    if (!verdict.ok) throw problems.invalidRequest([{ path: "url", message: verdict.reason }]);
    // Secrets are stored encrypted (src/webhooks/secret-box.ts): without a usable key ring
    // nothing is stored, and certainly not the secret in the clear.
    const keys = loadSecretKeys(c.env.WEBHOOK_SECRET_KEYS);
    if (!keys.ok) {
      console.error(`webhooks: cannot create a webhook: ${keys.reason}`);
      throw new Problem(
        503,
        "webhook_keys_unavailable",
        "Webhook secrets cannot be stored",
        "The key that encrypts webhook secrets at rest (WEBHOOK_SECRET_KEYS) is missing or malformed; nothing was stored. Retry once it is configured.",
      );
    }
    const repository = new WebhookRepository(c.env.DB, c.env.WEBHOOK_SECRET_KEYS);
    if ((await repository.countVisible()) >= MAX_SUBSCRIPTIONS) {
      throw new Problem(409, "webhook_limit", "Too many webhooks", `At most ${MAX_SUBSCRIPTIONS} webhooks may exist; delete one first.`);
    }
    const secret = newSecret();
    const events: AlertType[] = body.events ?? [...AlertTypeSchema.options];
    const subscription = await repository.create({
      id: `wh_${crypto.randomUUID().replaceAll("-", "")}`,
      url: verdict.url,
      events,
      sku: body.sku ?? null,
      warehouse: body.warehouse ?? null,
      secret,
      createdAt: Date.now(),
    });
    c.header("location", `/v1/webhooks/${subscription.id}`);
    return c.json({ ...webhookBody(subscription), secret }, 201);
  })
  .openapi(listWebhooks, async (c) => {
    const subscriptions = await new WebhookRepository(c.env.DB).list();
    return c.json({ webhooks: subscriptions.map(webhookBody) }, 200);
  })
  .openapi(getWebhook, async (c) => {
    const { id } = c.req.valid("param");
    const subscription = await new WebhookRepository(c.env.DB).get(id);
    if (subscription === null) throw noSuchWebhook(id);
    return c.json(webhookBody(subscription), 200);
  })
  .openapi(deleteWebhook, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await new WebhookRepository(c.env.DB).delete(id, Date.now()))) throw noSuchWebhook(id);
    return c.body(null, 204);
  })
  .openapi(listDeliveries, async (c) => {
    const { id } = c.req.valid("param");
    const limit = c.req.valid("query").limit ?? DEFAULT_DELIVERIES;
    const repository = new WebhookRepository(c.env.DB);
    if ((await repository.get(id)) === null) throw noSuchWebhook(id);
    const rows = await repository.deliveries(id, limit);
    return c.json(
      {
        deliveries: rows.map((row) => ({
          id: row.id,
          eventId: row.eventId,
          type: row.type as AlertType,
          attempt: row.attempt,
          status: row.status,
          responseStatus: row.responseStatus,
          at: new Date(row.at).toISOString(),
          error: row.error,
        })),
      },
      200,
    );
  });
