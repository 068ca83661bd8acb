import { z } from "@hono/zod-openapi";
import { decodeListingCursor } from "../events/listing-cursor";
import { MAX_AGE_LIMIT_S, maxAgeFromCacheControl } from "../reads/freshness";
import { REGIONS } from "../regions/regions";
import { ADJUSTMENT_REASONS } from "../stock/ledger";
import { parseTags } from "../stock/precondition";
import { Identifier, PageLimit, Timestamp } from "./common-schemas";

/**
 * Request and response shapes of `/v1/stock` (contract: stock levels, adjustments, conditional
 * writes, pools; the v1.1 listing `GET /v1/stock`, read from D1's projection).
 */

const MAX_ON_HAND = 1_000_000_000;

/** A region (contract "Regions (v1.2)"): a Durable Object location hint. */
const RegionName = z.enum(REGIONS);

export const SetLevelBody = z
  .object({
    onHand: z.number().int().min(0).max(MAX_ON_HAND),
    lowStockThreshold: z.number().int().min(0).max(MAX_ON_HAND).optional(),
    reorderQuantity: z.number().int().min(0).max(MAX_ON_HAND).optional(),
    shards: z.number().int().min(1).max(64).optional().openapi({
      description: "Pool members that take this item's reservations in parallel (flash sales); kept when omitted, initially 1.",
    }),
    regions: z
      .array(RegionName)
      .min(1)
      .max(REGIONS.length)
      .superRefine((regions, ctx) => {
        const seen = new Set<string>();
        regions.forEach((region, index) => {
          if (seen.has(region)) ctx.addIssue({ code: "custom", path: [index], message: `${region} is listed twice: each region once` });
          seen.add(region);
        });
      })
      .nullable()
      .optional()
      .openapi({
        description:
          "Regions the pool members are spread over (v1.2; `shards` must be at least their number): member j lives in the j-th region, round robin, and serves its region's buyers (and those of regions not listed, nearest first). Kept when omitted, initially null; null: no regions.",
        example: ["enam", "weur", "apac"],
      }),
  })
  .superRefine((body, ctx) => {
    if (body.shards !== undefined && body.regions != null && body.shards < body.regions.length) {
      ctx.addIssue({ code: "custom", path: ["shards"], message: `must be at least the number of regions (${body.regions.length})` });
    }
  })
  .openapi("SetLevel", { example: { onHand: 10, lowStockThreshold: 3, reorderQuantity: 20 } });

export const AdjustmentReason = z.enum(ADJUSTMENT_REASONS);

export const AdjustmentBody = z
  .object({
    delta: z
      .number()
      .int()
      .min(-MAX_ON_HAND)
      .max(MAX_ON_HAND)
      .refine((delta) => delta !== 0, "must not be 0"),
    reason: AdjustmentReason,
    reference: z.string().min(1).max(256).optional(),
  })
  .openapi("Adjustment", { example: { delta: 5, reason: "receipt", reference: "grn-7781" } });

/** `If-Match`: `"<version>"` (or a list of them), or `*`. */
const IfMatch = z
  .string()
  .refine((value) => parseTags(value) !== null, 'a quoted version such as "7", a list of them, or *')
  .optional()
  .openapi({
    param: { name: "if-match", in: "header" },
    description:
      '`If-Match: "<version>"`: apply only if the level is still at that version (`*`: only if it has been set); otherwise 412 with the current level.',
  });

export const SetLevelHeaders = z.object({
  "if-match": IfMatch,
  "if-none-match": z
    .literal("*", { message: "only * is supported" })
    .optional()
    .openapi({
      param: { name: "if-none-match", in: "header" },
      description: "`If-None-Match: *`: set only if the item has never been set; otherwise 412 with the current level.",
    }),
});

/** `Cache-Control: max-age=N` on the level reads: accept a copy at most N seconds old (RFC 9111). */
export const ReadLevelHeaders = z.object({
  "cache-control": z
    .string()
    .superRefine((value, ctx) => {
      const bound = maxAgeFromCacheControl(value);
      if (!bound.ok) ctx.addIssue({ code: "custom", message: bound.message });
    })
    .optional()
    .openapi({
      param: { name: "cache-control", in: "header" },
      description:
        `\`Cache-Control: max-age=N\`: the answer may come from a copy kept in the caller's region, at most N seconds old ` +
        `(N above ${MAX_AGE_LIMIT_S} counts as ${MAX_AGE_LIMIT_S}); the answer then carries \`Age\`. Without it, or with ` +
        "`no-cache` or `max-age=0`, the read is exact. Other directives are ignored.",
      example: "max-age=5",
    }),
});

export const AdjustmentHeaders = z.object({
  "if-match": IfMatch,
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "1 to 255 visible ASCII characters")
    .optional()
    // Named as validated: Hono hands headers over lower-cased, and the OpenAPI generator
    // refuses a parameter whose name differs from its key (header names ignore case anyway).
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "`Idempotency-Key`: a repeat with the same key returns the first result and changes nothing.",
    }),
});

export const Level = z
  .object({
    sku: z.string(),
    warehouse: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lowStockThreshold: z.number().int(),
    reorderQuantity: z.number().int(),
    version: z.number().int(),
    updatedAt: Timestamp,
    shards: z.number().int().openapi({ description: "Pool members taking reservations (1: the item alone)" }),
    regions: z.array(RegionName).nullable().openapi({ description: "Regions the pool members are spread over (v1.2), or null" }),
  })
  .openapi("Level");

export const Shards = z
  .object({
    unallocated: z.number().int().openapi({ description: "Units no pool member may hold yet" }),
    shards: z.array(
      z.object({
        shard: z.number().int(),
        region: RegionName.nullable().openapi({ description: "Where this member lives (v1.2); null when the item has no regions" }),
        allocated: z.number().int(),
        reserved: z.number().int(),
        available: z.number().int(),
        requests: z.number().int().openapi({ description: "Reservation calls this member served since it started" }),
      }),
    ),
  })
  .openapi("Shards");

const Totals = z.object({ onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() });

export const SkuLevels = z.object({ sku: z.string(), warehouses: z.array(Level), totals: Totals }).openapi("SkuLevels");

// Stock listing (v1.1): `GET /v1/stock`, read from D1's projection.

export const StockStatus = z.enum(["low", "out"]);

export const StockListQuery = z.object({
  warehouse: Identifier.optional().openapi({ param: { name: "warehouse", in: "query" }, description: "Only this warehouse" }),
  prefix: z
    .string()
    .regex(/^[\x20-\x7e]{1,64}$/, "1 to 64 printable ASCII characters")
    .optional()
    .openapi({ param: { name: "prefix", in: "query" }, description: "Only SKUs starting with this (taken literally: no wildcards)" }),
  status: StockStatus.optional().openapi({
    param: { name: "status", in: "query" },
    description: "`low`: available ≤ lowStockThreshold, threshold > 0 (includes out of stock); `out`: available ≤ 0",
  }),
  limit: PageLimit,
  cursor: z
    .string()
    .refine((cursor) => decodeListingCursor(cursor) !== null, "not a cursor this API returned as `next`")
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "The `next` of the previous page" }),
});

export const StockPage = z
  .object({
    items: z.array(Level),
    next: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page" }),
  })
  .openapi("StockPage");
