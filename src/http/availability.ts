import { channelFor } from "../channels/directory";
import { channelAvailability } from "../channels/sourcing";
import { stockItem, stockItemName } from "../stock/address";
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
  summary: "Exact availability of up to 100 items, or of SKUs in a channel",
  description:
    "Read from the stock items themselves, one call per distinct item, in parallel: every write acknowledged " +
    "before the call is reflected. An item never set answers zeros.",
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
  const read = await Promise.all(
    [...wanted].map(async ([key, item]): Promise<[string, Counts]> => {
      const level = await stockItem(c.env, item.sku, item.warehouse).getLevel();
      return [key, { onHand: level?.onHand ?? 0, reserved: level?.reserved ?? 0 }];
    }),
  );
  const counts = new Map(read);
  const countsOf = (sku: string, warehouse: string) => counts.get(stockItemName(sku, warehouse)) ?? { onHand: 0, reserved: 0 };

  const items = body.items.map((item) => {
    if (item.warehouse != null) {
      const { onHand, reserved } = countsOf(item.sku, item.warehouse);
      return { sku: item.sku, warehouse: item.warehouse, onHand, reserved, available: onHand - reserved };
    }
    const warehouses = channel?.warehouses ?? [];
    const inChannel = channelAvailability(
      warehouses.map((warehouse) => ({ warehouse, ...countsOf(item.sku, warehouse) })),
      channel?.safetyStock ?? 0,
    );
    return { sku: item.sku, warehouse: null, ...inChannel };
  });
  return c.json({ items }, 200);
});
