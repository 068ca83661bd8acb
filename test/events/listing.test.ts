import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { StockEvent } from "../../src/events/event";
import { encodeListingCursor } from "../../src/events/listing-cursor";
import { stockItem } from "../../src/stock/address";
import type { LevelBody } from "../../src/stock/level-view";
import { apiJson, record, storedProjection, syntheticEvent, unique } from "./support";

/**
 * `GET /v1/stock`: D1's projection as Levels. D1 is shared by every test file, so each test
 * seeds items under a prefix of its own and lists with that prefix.
 */

/** A listed item: a Level body, as every Level answer has it. */
type ListedLevel = LevelBody;

interface Page {
  items: ListedLevel[];
  next: string | null;
}

const q = encodeURIComponent;

async function list(query: string): Promise<Page> {
  const { status, body } = await apiJson<Page>(`/v1/stock?${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Follows `next` to the end; `between` runs after each page but the last. */
async function walk(query: string, limit: number, between?: (page: number) => Promise<void>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(`${query}&limit=${limit}${cursor === null ? "" : `&cursor=${q(cursor)}`}`);
    pages.push(page);
    cursor = page.next;
    if (cursor !== null && between !== undefined) await between(pages.length);
  } while (cursor !== null && pages.length < 100);
  return pages;
}

const keys = (items: { sku: string; warehouse: string }[]) => items.map((i) => `${i.sku}/${i.warehouse}`);

/** The order the listing promises: sku, then warehouse, compared as bytes (all ASCII here). */
function sorted<T extends { sku: string; warehouse: string }>(items: T[]): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...items].sort((a, b) => cmp(a.sku, b.sku) || cmp(a.warehouse, b.warehouse));
}

/** One item at a given state: its latest event (seq `seq`) carries the level's settings. */
function item(sku: string, warehouse: string, state: Partial<StockEvent> & { seq?: number } = {}): StockEvent {
  const { seq = 1, ...rest } = state;
  return syntheticEvent(sku, warehouse, seq, { lowStockThreshold: 0, reorderQuantity: 0, ...rest });
}

function expectInvalid(response: { status: number; body: Record<string, unknown> }, path: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.code).toBe("invalid_request");
  expect((response.body.errors as { path: string }[]).map((e) => e.path)).toContain(path);
}

describe("GET /v1/stock", () => {
  it("answers whole Levels, ordered by sku then warehouse", async () => {
    const p = unique("ORD");
    const seeded = [
      item(`${p}-B`, "wh-2", { onHand: 9, reserved: 4, seq: 3, lowStockThreshold: 6, reorderQuantity: 20, shards: 4 }),
      item(`${p}-A`, "wh-2"),
      item(`${p}-B`, "wh-1"),
      item(`${p}-A`, "wh-10"),
      item(`${p}-A`, "wh-1"),
      item(`${p}-A.1`, "wh-1"),
    ];
    await record(seeded);
    const page = await list(`prefix=${q(p)}`);
    expect(keys(page.items)).toEqual(keys(sorted(seeded)));
    expect(keys(page.items)).toEqual([`${p}-A/wh-1`, `${p}-A/wh-10`, `${p}-A/wh-2`, `${p}-A.1/wh-1`, `${p}-B/wh-1`, `${p}-B/wh-2`]);
    expect(page.next).toBeNull();
    expect(page.items.at(-1)).toEqual({
      sku: `${p}-B`,
      warehouse: "wh-2",
      onHand: 9,
      reserved: 4,
      available: 5,
      lowStockThreshold: 6,
      reorderQuantity: 20,
      version: 3,
      updatedAt: seeded[0]!.at,
      shards: 4,
      regions: null,
    });
    expect(page.items[0]).toMatchObject({ shards: 1, lowStockThreshold: 0, version: 1 });
  });

  it("matches the prefix literally: _ and % are not wildcards", async () => {
    const p = unique("PFX");
    const skus = [`${p}-a_b`, `${p}-axb`, `${p}-a%b`, `${p}-a%%`, `${p}-a`, `${p}-ab`, `${p}-b`, `${p}-A_b`];
    await record(skus.map((sku) => item(sku, "wh-1")));
    const skusFor = async (prefix: string) => (await list(`prefix=${q(prefix)}`)).items.map((i) => i.sku);

    expect(await skusFor(`${p}-a_`)).toEqual([`${p}-a_b`]);
    expect(await skusFor(`${p}-a%`)).toEqual([`${p}-a%%`, `${p}-a%b`]);
    expect(await skusFor(`${p}-a_b`)).toEqual([`${p}-a_b`]);
    // Bytewise: "%" (0x25) < "_" (0x5f) < "a" (0x61) < "x" (0x78); the prefix itself is a SKU too.
    expect(await skusFor(`${p}-a`)).toEqual([`${p}-a`, `${p}-a%%`, `${p}-a%b`, `${p}-a_b`, `${p}-ab`, `${p}-axb`]);
    expect(await skusFor(`${p}-`)).toHaveLength(skus.length);
    expect(await skusFor(`${p}-c`)).toEqual([]);
    // Case matters, as it does for SKUs.
    expect(await skusFor(`${p}-A`)).toEqual([`${p}-A_b`]);
  });

  it("filters by warehouse, alone and with a prefix", async () => {
    const p = unique("WHF");
    const warehouse = unique("only");
    await record([item(`${p}-2`, warehouse), item(`${p}-1`, warehouse), item(`${p}-1`, "elsewhere"), item(`${p}-3`, `${warehouse}x`)]);
    expect(keys((await list(`warehouse=${warehouse}`)).items)).toEqual([`${p}-1/${warehouse}`, `${p}-2/${warehouse}`]);
    expect(keys((await list(`warehouse=${warehouse}&prefix=${q(`${p}-2`)}`)).items)).toEqual([`${p}-2/${warehouse}`]);
    expect(keys((await list(`warehouse=elsewhere&prefix=${q(p)}`)).items)).toEqual([`${p}-1/elsewhere`]);
  });

  it("filters by status: low is available ≤ a threshold above 0, out is available ≤ 0", async () => {
    const p = unique("STS");
    await record([
      item(`${p}-below`, "w", { onHand: 3, lowStockThreshold: 5 }),
      item(`${p}-at`, "w", { onHand: 5, lowStockThreshold: 5 }),
      item(`${p}-above`, "w", { onHand: 6, lowStockThreshold: 5 }),
      item(`${p}-reserved`, "w", { onHand: 10, reserved: 6, lowStockThreshold: 4 }),
      item(`${p}-zero`, "w", { onHand: 0, lowStockThreshold: 2 }),
      item(`${p}-negative`, "w", { onHand: 1, reserved: 3, lowStockThreshold: 0 }),
      item(`${p}-nothreshold`, "w", { onHand: 0, lowStockThreshold: 0 }),
      item(`${p}-plenty`, "w", { onHand: 50, lowStockThreshold: 0 }),
    ]);
    const skus = async (status: string) => (await list(`prefix=${q(p)}&status=${status}`)).items.map((i) => i.sku.slice(p.length + 1));
    expect(await skus("low")).toEqual(["at", "below", "reserved", "zero"]);
    expect(await skus("out")).toEqual(["negative", "nothreshold", "zero"]);
    expect((await list(`prefix=${q(p)}`)).items).toHaveLength(8);
  });

  it("pages with limit and cursor: every item once, in order, next null on the last page", async () => {
    const p = unique("PGS");
    const seeded = Array.from({ length: 23 }, (_, i) => item(`${p}-${String(i % 7).padStart(2, "0")}`, `wh-${Math.floor(i / 7)}`));
    await record(seeded);
    const pages = await walk(`prefix=${q(p)}`, 4);
    expect(pages.map((page) => page.items.length)).toEqual([4, 4, 4, 4, 4, 3]);
    expect(keys(pages.flatMap((page) => page.items))).toEqual(keys(sorted(seeded)));
    expect(pages.slice(0, -1).every((page) => typeof page.next === "string")).toBe(true);
    expect(pages.at(-1)!.next).toBeNull();

    // A last page that is exactly full still knows nothing follows.
    const exact = await walk(`prefix=${q(p)}`, 23);
    expect(exact).toHaveLength(1);
    expect(exact[0]!.next).toBeNull();
    const byOne = await walk(`prefix=${q(p)}`, 1);
    expect(keys(byOne.flatMap((page) => page.items))).toEqual(keys(sorted(seeded)));
  });

  it("keyset paging: items set between pages neither repeat nor shift the rest", async () => {
    const p = unique("KEY");
    const seeded = ["b", "d", "f", "h", "j", "l"].map((s) => item(`${p}-${s}`, "w"));
    await record(seeded);
    const pages = await walk(`prefix=${q(p)}`, 2, async (page) => {
      // After the first page (b, d): one item before the cursor, one after it, one changed.
      if (page === 1) await record([item(`${p}-a`, "w"), item(`${p}-g`, "w"), item(`${p}-b`, "w", { seq: 2 })]);
    });
    const seen = pages.flatMap((page) => page.items).map((i) => i.sku.slice(p.length + 1));
    expect(seen).toEqual(["b", "d", "f", "g", "h", "j", "l"]);
  });

  it("defaults to 100 items a page", async () => {
    const p = unique("DEF");
    await record(Array.from({ length: 101 }, (_, i) => item(`${p}-${String(i).padStart(3, "0")}`, "w")));
    const first = await list(`prefix=${q(p)}`);
    expect(first.items).toHaveLength(100);
    expect(first.next).not.toBeNull();
    const rest = await list(`prefix=${q(p)}&cursor=${q(first.next!)}`);
    expect(rest.items.map((i) => i.sku)).toEqual([`${p}-100`]);
    expect(rest.next).toBeNull();
    expect((await list(`prefix=${q(p)}&limit=500`)).items).toHaveLength(101);
  });

  it.each([
    ["status=empty", "status"],
    ["status=LOW", "status"],
    ["status=", "status"],
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=abc", "limit"],
    ["limit=1.5", "limit"],
    ["limit=-1", "limit"],
    ["cursor=garbage", "cursor"],
    ["cursor=", "cursor"],
    ["cursor=e1.MQ", "cursor"],
    [`cursor=s1.${btoa('["only-one"]')}`, "cursor"],
    [`cursor=s1.${btoa('{"sku":"a"}')}`, "cursor"],
    ["cursor=s1.%21%21", "cursor"],
    ["warehouse=bad%2Fwh", "warehouse"],
    ["prefix=", "prefix"],
    [`prefix=${"p".repeat(65)}`, "prefix"],
    ["prefix=%C3%A9", "prefix"],
  ])("answers %s with 400 invalid_request", async (query, path) => {
    expectInvalid(await apiJson(`/v1/stock?${query}`), path);
  });

  it("accepts a cursor it issued for an item that is gone or never existed, and starts after it", async () => {
    const p = unique("CUR");
    await record([item(`${p}-a`, "w"), item(`${p}-c`, "w")]);
    const page = await list(`prefix=${q(p)}&cursor=${q(encodeListingCursor({ sku: `${p}-b`, warehouse: "w" }))}`);
    expect(keys(page.items)).toEqual([`${p}-c/w`]);
  });

  it("is documented in the OpenAPI document", async () => {
    const { body } = await apiJson<{ paths: Record<string, { get?: { parameters?: { name: string }[] } }> }>("/v1/openapi.json");
    expect(body.paths["/v1/stock"]?.get?.parameters?.map((p) => p.name).sort()).toEqual([
      "cursor",
      "limit",
      "prefix",
      "status",
      "warehouse",
    ]);
  });
});

describe("the projection's level settings", () => {
  it("projects a message of the previous format (no settings) and keeps what newer ones told", async () => {
    const sku = unique("OLD");
    const old = (seq: number, onHand: number) => syntheticEvent(sku, "w", seq, { onHand });
    expect(old(1, 1)).not.toHaveProperty("lowStockThreshold");

    await record([old(1, 4)]);
    expect(await storedProjection(sku, "w")).toMatchObject({ on_hand: 4, last_seq: 1 });
    const listed = async () => (await list(`prefix=${q(sku)}`)).items;
    expect(await listed()).toEqual([
      expect.objectContaining({ onHand: 4, lowStockThreshold: 0, reorderQuantity: 0, shards: 1, version: 1 }),
    ]);

    await record([syntheticEvent(sku, "w", 2, { onHand: 5, lowStockThreshold: 8, reorderQuantity: 30, shards: 3 })]);
    expect(await listed()).toEqual([
      expect.objectContaining({ onHand: 5, lowStockThreshold: 8, reorderQuantity: 30, shards: 3, version: 2 }),
    ]);

    // An old-format event after them moves the counts and leaves the settings.
    await record([old(3, 6)]);
    expect(await listed()).toEqual([
      expect.objectContaining({ onHand: 6, lowStockThreshold: 8, reorderQuantity: 30, shards: 3, version: 3 }),
    ]);

    // A new-format event leaves shards out when they are 1: back from a pool.
    await record([syntheticEvent(sku, "w", 4, { onHand: 7, lowStockThreshold: 2, reorderQuantity: 0 })]);
    expect(await listed()).toEqual([
      expect.objectContaining({ onHand: 7, lowStockThreshold: 2, reorderQuantity: 0, shards: 1, version: 4 }),
    ]);

    // An older event arriving late changes nothing, settings included.
    await record([syntheticEvent(sku, "w", 2, { onHand: 5, lowStockThreshold: 8, reorderQuantity: 30, shards: 3 })]);
    expect(await listed()).toEqual([expect.objectContaining({ onHand: 7, lowStockThreshold: 2, shards: 1, version: 4 })]);
  });

  it("writes old- and new-format messages of one batch each as they say", async () => {
    const p = unique("MIX");
    await record([
      syntheticEvent(`${p}-new`, "w", 1, { lowStockThreshold: 3, reorderQuantity: 9, shards: 2 }),
      syntheticEvent(`${p}-old`, "w", 1),
      syntheticEvent(`${p}-half`, "w", 1, { reorderQuantity: 4 }),
    ]);
    const items = (await list(`prefix=${q(p)}`)).items;
    expect(items.map((i) => [i.sku.slice(p.length + 1), i.lowStockThreshold, i.reorderQuantity, i.shards])).toEqual([
      ["half", 0, 4, 1],
      ["new", 3, 9, 2],
      ["old", 0, 0, 1],
    ]);
  });

  it("shows a level set through the API, threshold included, once its event reaches D1", async () => {
    const sku = unique("REAL");
    const warehouse = "ams-1";
    const put = await apiJson(`/v1/stock/${sku}/${warehouse}`, {
      method: "PUT",
      body: JSON.stringify({ onHand: 5, lowStockThreshold: 7, reorderQuantity: 40 }),
    });
    expect(put.status).toBe(200);
    await runDurableObjectAlarm(stockItem(env, sku, warehouse));
    const page = await vi.waitFor(
      async () => {
        const found = await list(`prefix=${q(sku)}`);
        if (found.items.length === 0) throw new Error("not in D1 yet");
        return found;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(page.items).toEqual([{ ...put.body, available: 5 }]);
    expect(page.items[0]).toMatchObject({ lowStockThreshold: 7, reorderQuantity: 40, shards: 1 });
    expect((await list(`prefix=${q(sku)}&status=low`)).items.map((i) => i.sku)).toEqual([sku]);
    expect((await list(`prefix=${q(sku)}&status=out`)).items).toEqual([]);
  });
});
