import type { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { stockAnalytics } from "../events/analytics";
import { decodeCursor, encodeCursor } from "../events/cursor";
import { EventsReader } from "../events/queries";
import { reconcile } from "../events/reconcile";
import type { EventRow } from "../events/schema";
import { stockItem } from "../stock/address";
import { ItemParams, json } from "./common-schemas";
import { EventPage, EventsQuery, type EventType, ReconcileBody, ReconcileReport, StockAnalytics } from "./event-schemas";
import { problems } from "./problem";
import { problem } from "./problem-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";

const DEFAULT_LIMIT = 100;

/** `?actor=service` selects the service's own changes (expiry), whose `actor` is null. */
const SERVICE_ACTOR = "service";

function eventBody(row: EventRow) {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type as z.infer<typeof EventType>,
    sku: row.sku,
    warehouse: row.warehouse,
    onHandDelta: row.onHandDelta,
    reservedDelta: row.reservedDelta,
    onHand: row.onHand,
    reserved: row.reserved,
    ...(row.reservationId === null ? {} : { reservationId: row.reservationId }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.reference === null ? {} : { reference: row.reference }),
    actor: row.actor,
    at: row.at,
  };
}

/** A POST with a JSON content type but nothing in it means "no options", as no body does. */
const emptyBodyIsNoBody: MiddlewareHandler = async (c, next) => {
  if (c.req.header("content-type") !== undefined && (await c.req.text()).trim() === "") {
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-type");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers });
  }
  await next();
};

const listEvents = scopedRoute("events:read", {
  method: "get",
  path: "/v1/events",
  operationId: "listEvents",
  tags: ["events"],
  summary: "Change events recorded in D1, in the order recorded",
  description:
    "Pages forward in the order D1 recorded the events; an event recorded later always appears after the cursor, " +
    "so following `next` never skips one. Per item this is `seq` order unless a delivery was retried.",
  request: { query: EventsQuery },
  responses: { 200: json(EventPage, "A page of events") },
});

const itemAnalytics = scopedRoute("events:read", {
  method: "get",
  path: "/v1/analytics/stock/{sku}/{warehouse}",
  operationId: "getStockAnalytics",
  tags: ["events"],
  summary: "Velocity, days of cover and projected stockout of one item",
  request: { params: ItemParams },
  responses: { 200: json(StockAnalytics, "The item's analytics"), 404: problem("No events recorded for this item") },
});

const reconcileRoute = scopedRoute("admin", {
  method: "post",
  path: "/v1/admin/reconcile",
  operationId: "reconcileEvents",
  tags: ["events"],
  summary: "Compare D1's projection with the Durable Objects",
  middleware: [emptyBodyIsNoBody] as const,
  request: { body: { required: false, content: { "application/json": { schema: ReconcileBody } } } },
  responses: { 200: json(ReconcileReport, "What agrees, what drifted and what is still catching up") },
});

export const eventRoutes = createRouter()
  .openapi(listEvents, async (c) => {
    const query = c.req.valid("query");
    const limit = query.limit ?? DEFAULT_LIMIT;
    const page = await new EventsReader(c.env.DB).listEvents({
      ...(query.sku === undefined ? {} : { sku: query.sku }),
      ...(query.warehouse === undefined ? {} : { warehouse: query.warehouse }),
      ...(query.type === undefined ? {} : { type: query.type }),
      ...(query.actor === undefined ? {} : { actor: query.actor === SERVICE_ACTOR ? null : query.actor }),
      after: query.after === undefined ? 0 : (decodeCursor(query.after) ?? 0),
      limit,
    });
    const last = page.events.at(-1);
    return c.json({ events: page.events.map(eventBody), next: page.more && last ? encodeCursor(last.pos) : null }, 200);
  })
  .openapi(itemAnalytics, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const reader = new EventsReader(c.env.DB);
    const projection = await reader.projection(sku, warehouse);
    if (projection === null) throw problems.notFound(`No events have been recorded for ${sku} in ${warehouse}.`);
    const now = Date.now();
    const analytics = stockAnalytics({
      onHand: projection.onHand,
      reserved: projection.reserved,
      outflows: await reader.outflowTotals(sku, warehouse, now),
      now,
    });
    return c.json({ sku, warehouse, ...analytics, available: projection.onHand - projection.reserved }, 200);
  })
  .openapi(reconcileRoute, async (c) => {
    const { items } = c.req.valid("json");
    const levelOf = (sku: string, warehouse: string) => stockItem(c.env, sku, warehouse).getLevel();
    return c.json(await reconcile(c.env, levelOf, items === undefined ? {} : { items }), 200);
  });
