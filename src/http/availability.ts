import { channelFor } from "../channels/directory";
import { channelAvailability } from "../channels/sourcing";
import { readLevel } from "../reads/stock-reads";
import { stockItemName } from "../stock/address";
import { Availability, AvailabilityBody } from "./availability-schemas";
import { json, jsonBody } from "./common-schemas";
import { problems } from "./problem";
import { problem } from "./problem-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";

const readAvailability = scopedRoute("stock:read", {
  method: "post",
  path: "/v1/availability",
  operationId: "getAvailability",
  tags: ["availability"],
  summary: "Availability of up to 100 items, or of SKUs in a channel: exact, or from a copy at most maxAgeSeconds old",
  description:
    "With `maxAgeSeconds` 0 (the default), read from the stock items themselves, one call per distinct item, in " +
    "parallel: every write acknowledged before the call is reflected. Above 0, each item may come from a copy kept in " +
    "the caller's region, never older than that, and says when it was read (`asOf`). An item never set answers zeros.",
  request: { body: jsonBody(AvailabilityBody) },
  responses: {
    200: json(Availability, "In request order"),
    400: problem("invalid_request, or unknown_channel"),
    503: problem("A stock item could not be reached"),
  },
});

interface Counts {
  onHand: number;
  reserved: number;
  /** When this item's figures were read from the stock item (ms). */
  readAt: number;
}

export const availabilityRoutes = createRouter().openapi(readAvailability, async (c) => {
  const body = c.req.valid("json");
  const channel = body.channel === undefined ? null : await channelFor(c.env.DB, body.channel);
  if (body.channel !== undefined && channel === null) throw problems.unknownChannel(body.channel);

  // Every item to read, once: an entry names one, a channel entry each of the channel's warehouses.
  const wanted = new Map<string, { sku: string; warehouse: string }>();
  const want = (sku: string, warehouse: string) => wanted.set(stockItemName(sku, warehouse), { sku, warehouse });
  for (const item of body.items) {
    if (item.warehouse != null) want(item.sku, item.warehouse);
    else for (const warehouse of channel?.warehouses ?? []) want(item.sku, warehouse);
  }
  const maxAge = body.maxAgeSeconds ?? 0;
  const read = await Promise.all(
    [...wanted].map(async ([key, item]): Promise<[string, Counts]> => {
      const { value: level, readAt } = await readLevel(c.env, item.sku, item.warehouse, maxAge);
      return [key, { onHand: level?.onHand ?? 0, reserved: level?.reserved ?? 0, readAt }];
    }),
  );
  const counts = new Map(read);
  const countsOf = (sku: string, warehouse: string) =>
    counts.get(stockItemName(sku, warehouse)) ?? { onHand: 0, reserved: 0, readAt: Number.POSITIVE_INFINITY };
  // Only a caller that accepted a copy is told how old its figures are.
  const asOf = (...readAts: number[]) => {
    const oldest = Math.min(...readAts);
    return maxAge === 0 || !Number.isFinite(oldest) ? {} : { asOf: new Date(oldest).toISOString() };
  };

  const items = body.items.map((item) => {
    if (item.warehouse != null) {
      const { onHand, reserved, readAt } = countsOf(item.sku, item.warehouse);
      return { sku: item.sku, warehouse: item.warehouse, onHand, reserved, available: onHand - reserved, ...asOf(readAt) };
    }
    const warehouses = (channel?.warehouses ?? []).map((warehouse) => ({ warehouse, ...countsOf(item.sku, warehouse) }));
    const inChannel = channelAvailability(warehouses, channel?.safetyStock ?? 0);
    return { sku: item.sku, warehouse: null, ...inChannel, ...asOf(...warehouses.map((w) => w.readAt)) };
  });
  return c.json({ items }, 200);
});
