import { StockListing } from "../events/listing";
import { decodeListingCursor, encodeListingCursor } from "../events/listing-cursor";
import { ageSeconds, maxAgeFromCacheControl } from "../reads/freshness";
import { readLevel, readWarehouses } from "../reads/stock-reads";
import { stockItem } from "../stock/address";
import type { Level as StockLevel } from "../stock/ledger";
import { levelBody } from "../stock/level-view";
import { answeredSubprotocol, isWebSocketUpgrade, LIVE_INTERVAL_MS, LIVE_SUBPROTOCOL } from "../stock/live";
import { etagOf, type Precondition, parseTags } from "../stock/precondition";
import type { PreconditionFailed } from "../stock/StockItem";
import { ItemParams, json, jsonBody, SkuParams } from "./common-schemas";
import { Problem, problems } from "./problem";
import { PreconditionFailedProblem, problem } from "./problem-schemas";
import { createRouter } from "./router";
import { scopedRoute } from "./scopes";
import {
  AdjustmentBody,
  AdjustmentHeaders,
  Level,
  ReadLevelHeaders,
  SetLevelBody,
  SetLevelHeaders,
  Shards,
  SkuLevels,
  StockListQuery,
  StockPage,
} from "./stock-schemas";

const DEFAULT_LIST_LIMIT = 100;

/** Every response whose body is a Level carries its version as the entity tag. */
function withEtag(c: { header: (name: string, value: string) => void }, level: StockLevel) {
  c.header("etag", etagOf(level.version));
  return levelBody(level);
}

function precondition(headers: { "if-match"?: string | undefined; "if-none-match"?: string | undefined }): Precondition | undefined {
  const ifMatch = headers["if-match"];
  if (ifMatch !== undefined && headers["if-none-match"] !== undefined) {
    throw problems.invalidRequest([{ path: "if-none-match", message: "send If-Match or If-None-Match, not both" }]);
  }
  if (headers["if-none-match"] !== undefined) return { ifNoneMatch: "*" };
  if (ifMatch === undefined) return undefined;
  return { ifMatch: parseTags(ifMatch) ?? [] };
}

function preconditionFailed(result: PreconditionFailed): Problem {
  const detail =
    result.level === null ? "The item has never been set." : `The item is at version ${result.level.version}; read it again and retry.`;
  return new Problem(412, "precondition_failed", "Precondition failed", detail, {
    level: result.level === null ? null : levelBody(result.level),
  });
}

/** A response whose body is a Level: it carries the level's version as its entity tag (contract v1.1). */
function levelResponse(description: string) {
  return {
    ...json(Level, description),
    headers: {
      ETag: {
        description: 'The level\'s version, quoted (`"7"`): send it back as `If-Match` to write only if nothing changed since',
        required: true,
        schema: { type: "string" as const },
      },
    },
  };
}

/** A level read that may be served from a copy says how old it is (`Age`, RFC 9111). */
function cachedLevelResponse<R extends { description: string; headers?: object }>(response: R) {
  return {
    ...response,
    headers: {
      ...(response.headers ?? {}),
      Age: {
        description: "Only when the request sent `Cache-Control: max-age` and a copy answered: its age in whole seconds",
        required: false,
        schema: { type: "integer" as const, minimum: 0 },
      },
    },
  };
}

/** The bound the request's `Cache-Control` sets (already validated by `ReadLevelHeaders`). */
function requestedMaxAge(headers: { "cache-control"?: string | undefined }): number {
  const bound = maxAgeFromCacheControl(headers["cache-control"]);
  return bound.ok ? bound.maxAgeSeconds : 0;
}

/** Says how old a copy is when the caller accepted one: the oldest read the answer rests on. */
function withAge(c: { header: (name: string, value: string) => void }, maxAge: number, ...readAts: number[]) {
  if (maxAge > 0) c.header("age", String(ageSeconds(Math.min(...readAts), Date.now())));
}

const neverSet = (sku: string, warehouse: string) => problems.notFound(`No stock level has been set for ${sku} in ${warehouse}.`);

const setLevel = scopedRoute("stock:write", {
  method: "put",
  path: "/v1/stock/{sku}/{warehouse}",
  operationId: "setStockLevel",
  tags: ["stock"],
  summary: "Set the counted quantity (absolute)",
  request: { params: ItemParams, headers: SetLevelHeaders, body: jsonBody(SetLevelBody) },
  responses: {
    200: levelResponse("The level after the count"),
    412: problem("precondition_failed: If-Match / If-None-Match did not hold; `level` is the current one", PreconditionFailedProblem),
  },
});

const adjustLevel = scopedRoute("stock:write", {
  method: "post",
  path: "/v1/stock/{sku}/{warehouse}/adjustments",
  operationId: "adjustStockLevel",
  tags: ["stock"],
  summary: "Adjust on-hand stock by a delta",
  request: { params: ItemParams, headers: AdjustmentHeaders, body: jsonBody(AdjustmentBody) },
  responses: {
    200: levelResponse("The level after the adjustment (or the first result for a repeated Idempotency-Key)"),
    404: problem("No level set for this item"),
    409: problem("negative_on_hand: on hand would drop below 0; `onHand` is the current quantity"),
    412: problem("precondition_failed: If-Match did not hold; `level` is the current one", PreconditionFailedProblem),
  },
});

const getLevel = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/stock/{sku}/{warehouse}",
  operationId: "getStockLevel",
  tags: ["stock"],
  summary: "Read one stock level: exact, or from a copy at most Cache-Control max-age seconds old",
  request: { params: ItemParams, headers: ReadLevelHeaders },
  responses: { 200: cachedLevelResponse(levelResponse("The level")), 404: problem("Never set") },
});

const getShards = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/stock/{sku}/{warehouse}/shards",
  operationId: "getStockShards",
  tags: ["stock"],
  summary: "A pooled item's allocation over its members, and the calls each served",
  request: { params: ItemParams },
  responses: { 200: json(Shards, "Unallocated units and each member's allocation"), 404: problem("Never set") },
});

const watchLevel = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/stock/{sku}/{warehouse}/live",
  operationId: "watchStockLevel",
  tags: ["stock"],
  summary: "Watch a level live (WebSocket)",
  description:
    'Upgrades to a WebSocket. The server sends `{ "type": "level", "level": Level | null }` on connect ' +
    "(`null` while the item has never been set), then after each change of the item, at most one message " +
    `per ${LIVE_INTERVAL_MS} ms (the latest state wins; after a burst the last message carries the final level). ` +
    "The text `ping` is answered `pong`. Browsers, which cannot set headers on a WebSocket, authenticate with the " +
    `subprotocol list \`${LIVE_SUBPROTOCOL}, bearer.<token, base64url without padding>\`; the server answers \`${LIVE_SUBPROTOCOL}\`.`,
  request: { params: ItemParams },
  responses: {
    101: { description: `Switching Protocols: the WebSocket (\`Sec-WebSocket-Protocol: ${LIVE_SUBPROTOCOL}\` when offered)` },
    426: problem("upgrade_required: called without `Upgrade: websocket`"),
    // The success is the 101 above, which OpenAPI's "at least one 2xx" cannot express: `default`
    // says what any other answer is (every status this route gives is also listed explicitly).
    default: problem("Any answer but the upgrade is a problem"),
  },
});

const getSkuLevels = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/stock/{sku}",
  operationId: "getSkuStockLevels",
  tags: ["stock"],
  summary: "Read a SKU's levels in every warehouse, with totals: exact, or from copies at most Cache-Control max-age seconds old",
  request: { params: SkuParams, headers: ReadLevelHeaders },
  responses: {
    200: cachedLevelResponse(json(SkuLevels, "Every warehouse's level and their totals")),
    404: problem("Never set anywhere"),
  },
});

const listLevels = scopedRoute("stock:read", {
  method: "get",
  path: "/v1/stock",
  operationId: "listStockLevels",
  tags: ["stock"],
  summary: "List every item ever set, from D1's projection, in sku then warehouse order",
  description:
    "Eventually consistent: a change shows here once the change events reach D1 (seconds). " +
    "For exact figures read the item itself or `POST /v1/availability`.",
  request: { query: StockListQuery },
  responses: { 200: json(StockPage, "A page of levels") },
});

export const stockRoutes = createRouter()
  .openapi(listLevels, async (c) => {
    const query = c.req.valid("query");
    const page = await new StockListing(c.env.DB).page({
      warehouse: query.warehouse,
      prefix: query.prefix,
      status: query.status,
      after: query.cursor === undefined ? null : decodeListingCursor(query.cursor),
      limit: query.limit ?? DEFAULT_LIST_LIMIT,
    });
    const last = page.items.at(-1);
    return c.json(
      {
        items: page.items.map(levelBody),
        next: page.more && last !== undefined ? encodeListingCursor(last) : null,
      },
      200,
    );
  })
  .openapi(setLevel, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const result = await stockItem(c.env, sku, warehouse).setCount(
      sku,
      warehouse,
      { ...c.req.valid("json"), actor: c.get("principal").id },
      precondition(c.req.valid("header")),
    );
    if (!result.ok && result.code === "invalid_pool") throw problems.invalidRequest([{ path: "shards", message: result.message }]);
    if (!result.ok) throw preconditionFailed(result);
    return c.json(withEtag(c, result.level), 200);
  })
  .openapi(adjustLevel, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const headers = c.req.valid("header");
    const result = await stockItem(c.env, sku, warehouse).adjust(
      { ...c.req.valid("json"), actor: c.get("principal").id },
      headers["idempotency-key"],
      precondition(headers),
    );
    if (result.ok) return c.json(withEtag(c, result.level), 200);
    if (result.code === "not_found") throw neverSet(sku, warehouse);
    if (result.code === "precondition_failed") throw preconditionFailed(result);
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
    const maxAge = requestedMaxAge(c.req.valid("header"));
    const { value: level, readAt } = await readLevel(c.env, sku, warehouse, maxAge);
    if (level === null) throw neverSet(sku, warehouse);
    withAge(c, maxAge, readAt);
    return c.json(withEtag(c, level), 200);
  })
  .openapi(getShards, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    const view = await stockItem(c.env, sku, warehouse).poolView();
    if (view === null) throw neverSet(sku, warehouse);
    return c.json(view, 200);
  })
  .openapi(watchLevel, async (c) => {
    const { sku, warehouse } = c.req.valid("param");
    if (!isWebSocketUpgrade(c.req.raw.headers)) throw problems.upgradeRequired();
    // The one call to a stock item that is not RPC: a WebSocket upgrade cannot travel over RPC,
    // so the object's `fetch` takes it. Only what it needs is passed on, not the credentials.
    const protocol = answeredSubprotocol(c.req.header("sec-websocket-protocol"));
    const upgrade = new Request(c.req.url, {
      headers: { upgrade: "websocket", ...(protocol === null ? {} : { "sec-websocket-protocol": protocol }) },
    });
    return stockItem(c.env, sku, warehouse).fetch(upgrade);
  })
  .openapi(getSkuLevels, async (c) => {
    const { sku } = c.req.valid("param");
    const maxAge = requestedMaxAge(c.req.valid("header"));
    const list = await readWarehouses(c.env, sku, maxAge);
    const copies = await Promise.all(list.value.map((warehouse) => readLevel(c.env, sku, warehouse, maxAge)));
    const found = copies.flatMap(({ value: level }) => (level === null ? [] : [levelBody(level)]));
    if (found.length === 0) throw problems.notFound(`No stock level has been set for ${sku}.`);
    withAge(c, maxAge, list.readAt, ...copies.map((copy) => copy.readAt));
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
