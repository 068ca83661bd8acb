import { createRoute } from "@hono/zod-openapi";
import { available, type Level as StockLevel } from "../stock/ledger";
import { skuDirectory, stockItem } from "../stock/address";
import { Problem, problems } from "./problem";
import { createRouter } from "./router";
import {
  AdjustmentBody,
  AdjustmentHeaders,
  ItemParams,
  json,
  jsonBody,
  Level,
  problem,
  SetLevelBody,
  SkuLevels,
  SkuParams,
} from "./schemas";

function levelBody(level: StockLevel) {
  return {
    sku: level.sku,
    warehouse: level.warehouse,
    onHand: level.onHand,
    reserved: level.reserved,
    available: available(level),
    lowStockThreshold: level.lowStockThreshold,
    reorderQuantity: level.reorderQuantity,
    version: level.version,
    updatedAt: new Date(level.updatedAt).toISOString(),
  };
}

const neverSet = (sku: string, warehouse: string) =>
  problems.notFound(`No stock level has been set for ${sku} in ${warehouse}.`);

const setLevel = createRoute({
  method: "put",
  path: "/v1/stock/{sku}/{warehouse}",
  summary: "Set the counted quantity (absolute)",
  request: { params: ItemParams, body: jsonBody(SetLevelBody) },
  responses: { 200: json(Level, "The level after the count"), 400: problem("Invalid request") },
});

const adjustLevel = createRoute({
  method: "post",
  path: "/v1/stock/{sku}/{warehouse}/adjustments",
  summary: "Adjust on-hand stock by a delta",
  request: { params: ItemParams, headers: AdjustmentHeaders, body: jsonBody(AdjustmentBody) },
  responses: {
    200: json(Level, "The level after the adjustment (or the first result for a repeated Idempotency-Key)"),
    400: problem("Invalid request"),
    404: problem("No level set for this item"),
    409: problem("negative_on_hand: on hand would drop below 0"),
  },
});

const getLevel = createRoute({
  method: "get",
  path: "/v1/stock/{sku}/{warehouse}",
  summary: "Read one stock level",
  request: { params: ItemParams },
  responses: { 200: json(Level, "The level"), 404: problem("Never set") },
});

const getSkuLevels = createRoute({
  method: "get",
  path: "/v1/stock/{sku}",
  summary: "Read a SKU's levels in every warehouse, with totals",
  request: { params: SkuParams },
  responses: { 200: json(SkuLevels, "Every warehouse's level and their totals"), 404: problem("Never set anywhere") },
});

export const stockRoutes = createRouter()
  .openapi(setLevel, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const level = await stockItem(c.env, sku, warehouse).setCount(sku, warehouse, c.req.valid("json"));
    return c.json(levelBody(level), 200);
  })
  .openapi(adjustLevel, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const key = c.req.valid("header")["idempotency-key"];
    const result = await stockItem(c.env, sku, warehouse).adjust(c.req.valid("json"), key);
    if (result.ok) return c.json(levelBody(result.level), 200);
    if (result.code === "not_found") throw neverSet(sku, warehouse);
    throw new Problem(
      409,
      "negative_on_hand",
      "On hand would be negative",
      `On hand is ${result.onHand}; the adjustment would take it below 0.`,
      { onHand: result.onHand },
    );
  })
  .openapi(getLevel, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const level = await stockItem(c.env, sku, warehouse).getLevel();
    if (level === null) throw neverSet(sku, warehouse);
    return c.json(levelBody(level), 200);
  })
  .openapi(getSkuLevels, async (c) => {
    const { sku } = c.req.valid("param");
    const warehouses = await skuDirectory(c.env, sku).listWarehouses(sku);
    const levels = await Promise.all(warehouses.map((warehouse) => stockItem(c.env, sku, warehouse).getLevel()));
    const found = levels.flatMap((level) => (level === null ? [] : [levelBody(level)]));
    if (found.length === 0) throw problems.notFound(`No stock level has been set for ${sku}.`);
    const totals = found.reduce(
      (sum, level) => ({
        onHand: sum.onHand + level.onHand,
        reserved: sum.reserved + level.reserved,
        available: sum.available + level.available,
      }),
      { onHand: 0, reserved: 0, available: 0 },
    );
    return c.json({ sku, warehouses: found, totals }, 200);
  });
