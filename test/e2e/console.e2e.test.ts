import { once } from "node:events";
import { accessSync, constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { delimiter, join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, PROJECT_ROOT, startServer } from "./server";

/**
 * The console (`/`) and the API reference (`/docs`) in a real browser: playwright-core drives
 * Debian's Chromium (scripts/ensure-chromium.sh installs it; CHROMIUM_PATH picks another)
 * against the real `npm start`, which builds the console into its assets first.
 *
 * An operator signs in, creates a webhook (its secret shown once), finds an item, sees its
 * chart, counts it (once refused with 412 because a sale came in while typing, then applied),
 * is refused an impossible adjustment with the API's message, sees the low-stock alert appear
 * and the failed delivery (the receiver answers 500). A wrong token gets a clear message. No
 * page logs an error beyond the refusals the test provokes, and nothing loads from another
 * origin. Screenshots of every page go to test/e2e/screenshots/ (ignored by git).
 */

const SHOTS = join(PROJECT_ROOT, "test", "e2e", "screenshots");

/** Chromium to drive: CHROMIUM_PATH, else the first Chromium-like browser on PATH. */
function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  for (const name of ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]) {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  throw new Error("No Chromium found: run scripts/ensure-chromium.sh (Debian's chromium package) or set CHROMIUM_PATH");
}

/** A webhook receiver that always fails: every delivery to it is answered 500. */
async function failingReceiver(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      hits.push(req.url ?? "/");
      res.statusCode = 500;
      res.end("receiver down");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

interface Watched {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Requests to any origin but the server's (aborted). */
  external: string[];
}

/** A fresh context (own session storage) whose errors and foreign requests are recorded. */
async function openPage(browser: Browser, baseUrl: string): Promise<{ context: BrowserContext } & Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: baseUrl });
  const external: string[] = [];
  const origin = new URL(baseUrl).origin;
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === origin) return route.continue();
    external.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { context, page, errors, external };
}

/** Console errors other than the browser's note on a refusal the test provoked (one per status listed). */
function unexpected(errors: string[], provoked: number[]): string[] {
  const allowed = [...provoked];
  return errors.filter((text) => {
    const status = /Failed to load resource: the server responded with a status of (\d{3})/.exec(text)?.[1];
    const index = status === undefined ? -1 : allowed.indexOf(Number(status));
    if (index === -1) return true;
    allowed.splice(index, 1);
    return false;
  });
}

/** A screenshot for people to look at: the whole page from the top, or only the first screen. */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** Straight to the server, as a browser asks (not through any contract-checking proxy the harness may put before `server.fetch`). */
const direct = (path: string, init?: RequestInit) => fetch(`${server.baseUrl}${path}`, init);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: DevServer;
let browser: Browser;
let receiver: Awaited<ReturnType<typeof failingReceiver>>;

const run = Math.random().toString(36).slice(2, 7).toUpperCase();
const PREFIX = `CON-${run}`;
const MUG = `${PREFIX}-MUG`;

async function api(path: string, init?: Parameters<DevServer["fetch"]>[1]): Promise<any> {
  const r = await server.fetch(path, init);
  const text = await r.text();
  if (!r.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${r.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
}

/** Items with a history: counts, a receipt, damage, a reservation committed. */
async function seed(): Promise<void> {
  await api(`/v1/stock/${MUG}/ams-1`, { method: "PUT", json: { onHand: 40, lowStockThreshold: 10, reorderQuantity: 50 } });
  await api(`/v1/stock/${MUG}/ams-1/adjustments`, { method: "POST", json: { delta: 12, reason: "receipt", reference: "GRN-1" } });
  await api(`/v1/stock/${MUG}/ams-1/adjustments`, { method: "POST", json: { delta: -3, reason: "damage" } });
  const reservation = await api("/v1/reservations", { method: "POST", json: { lines: [{ sku: MUG, warehouse: "ams-1", quantity: 9 }] } });
  await api(`/v1/reservations/${reservation.id}/commit`, { method: "POST" });
  await api("/v1/reservations", { method: "POST", json: { lines: [{ sku: MUG, warehouse: "ams-1", quantity: 4 }] } });
  await api(`/v1/stock/${PREFIX}-TEE/ams-1`, { method: "PUT", json: { onHand: 8, lowStockThreshold: 10, reorderQuantity: 40 } });
  await api(`/v1/stock/${PREFIX}-CAP/ber-1`, { method: "PUT", json: { onHand: 0, lowStockThreshold: 2 } });
  await api(`/v1/stock/${PREFIX}-BAG/ber-1`, { method: "PUT", json: { onHand: 120, lowStockThreshold: 20 } });
  // The listing reads D1's projection: wait until it holds all four at their latest version.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await api(`/v1/stock?prefix=${PREFIX}`);
    const mug = page.items.find((level: { sku: string }) => level.sku === MUG);
    if (page.items.length === 4 && mug?.reserved === 4) return;
    if (Date.now() > deadline) throw new Error(`the listing did not catch up: ${JSON.stringify(page)}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  receiver = await failingReceiver();
  server = await startServer();
  browser = await chromium.launch({ executablePath: chromiumPath() });
  await seed();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
  receiver?.server.closeAllConnections();
  await new Promise((done) => receiver?.server.close(done) ?? done(undefined));
});

describe("the console and /docs are static assets beside the API", () => {
  it("serves /, /docs and the bundles without a token, while every /v1 path stays the Worker's", async () => {
    const home = await direct("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toContain("text/html");
    expect(await home.text()).toContain('<script type="module" src="/app.js">');
    const docs = await direct("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/vendor/scalar.js");
    const app = await direct("/app.js");
    expect(app.status).toBe(200);
    const size = (await app.arrayBuffer()).byteLength;
    console.log(`console bundle: app.js ${(size / 1024).toFixed(1)} KB`);
    expect(size).toBeLessThan(80 * 1024);
    expect((await direct("/vendor/scalar.js")).status).toBe(200);

    // The API is untouched: unknown /v1 paths are the API's 404 problem, the document is public.
    const unknown = await direct("/v1/no-such-route", { headers: { authorization: `Bearer ${server.token}` } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect(((await unknown.json()) as { code: string }).code).toBe("not_found");
    expect((await direct("/v1/stock")).status).toBe(401);
    expect((await direct("/v1/openapi.json")).status).toBe(200);
    // Any other path without a file falls through to the Worker's 404 problem, not an HTML page.
    const missing = await direct("/no-such-page");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("the console in Chromium", () => {
  it("refuses a wrong token with a clear message and keeps nothing", async () => {
    const { context, page, errors, external } = await openPage(browser, server.baseUrl);
    try {
      await page.goto("/");
      await page.getByLabel("API token").fill("not-the-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expectText(page, "That token was refused (401)");
      await shot(page, "sign-in-refused");
      expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
      expect(unexpected(errors, [401])).toEqual([]);
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("signs in, finds an item, charts it, counts it, shows the alert and the failed delivery", async () => {
    const { context, page, errors, external } = await openPage(browser, server.baseUrl);
    try {
      // Sign in: the token goes to session storage only, never the URL or local storage.
      await page.goto("/");
      await shot(page, "sign-in");
      await page.getByLabel("API token").fill(server.token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Stock", exact: true }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("stockflare.token"))).toBe(server.token);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect(page.url()).not.toContain(server.token);

      // A webhook for the mug, to a receiver that fails: the secret is shown once.
      await page.getByRole("link", { name: "Webhooks", exact: true }).click();
      await page.getByLabel("URL").fill(`${receiver.url}/console-hook`);
      await page.getByLabel("Only SKU").fill(MUG);
      await page.getByRole("button", { name: "Create subscription" }).click();
      const secret = page.locator(".secret code");
      await secret.waitFor();
      expect(await secret.textContent()).toMatch(/^whsec_/);
      await page.getByRole("button", { name: "I have copied it" }).click();
      await expect.poll(() => page.locator(".secret").count()).toBe(0);

      // Find the item: filter the listing by prefix.
      await page.getByRole("link", { name: "Stock", exact: true }).first().click();
      await page.getByLabel("SKU starts with").fill(PREFIX);
      await page.getByLabel("SKU starts with").press("Enter");
      const rows = page.locator("table[aria-label='Stock levels'] tbody tr");
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(4);
      await page.getByLabel("Status").selectOption("low");
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2); // TEE (8 ≤ 10) and CAP (out)
      await page.getByLabel("Status").selectOption("");
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(4);
      await shot(page, "stock");
      await page.getByRole("link", { name: MUG, exact: true }).click();

      // The item: level, live, chart from its events, analytics, recent events.
      await page.getByRole("heading", { name: new RegExp(MUG) }).waitFor();
      await expectText(page, "● Live");
      const chart = page.locator("figure.chart svg");
      await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
      expect(await page.locator("path.line-onhand").getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+(H[\d.]+V[\d.]+)+$/);
      expect(await page.locator("path.line-available").getAttribute("d")).toMatch(/^M/);
      await expectText(page, "Sold per day, 7 days");
      await expect.poll(() => page.locator("table[aria-label='Recent events'] tbody tr").count(), { timeout: 15_000 }).toBe(6);
      await expect.poll(() => figure(page, "Available")).toBe("36"); // 40 + 12 − 3 − 9 committed − 4 held
      await shot(page, "item");

      // Count 6 on hand, but a receipt arrives while typing: refused (412), nothing overwritten.
      const version = Number(await figure(page, "Version"));
      await page.getByLabel("On hand", { exact: true }).fill("6");
      await api(`/v1/stock/${MUG}/ams-1/adjustments`, { method: "POST", json: { delta: 1, reason: "receipt" } });
      await expect.poll(() => figure(page, "Version"), { timeout: 10_000 }).toBe(String(version + 1)); // over the WebSocket
      await expectText(page, "The item changed while you were typing");
      await page.getByRole("button", { name: "Save count" }).click();
      await expectText(page, "Precondition failed (412)");
      expect((await api(`/v1/stock/${MUG}/ams-1`)).onHand).toBe(41);
      // Submitted again, now against the current version: applied.
      await page.getByRole("button", { name: "Save count" }).click();
      await expectText(page, "Counted: on hand 6, available 2");
      await expect.poll(() => figure(page, "Available")).toBe("2");
      expect((await api(`/v1/stock/${MUG}/ams-1`)).onHand).toBe(6);
      // The chart and the events follow once D1 holds the receipt and the count (8 events).
      const events = page.locator("table[aria-label='Recent events'] tbody tr");
      await expect.poll(() => events.count(), { timeout: 15_000 }).toBe(8);
      expect(await events.first().textContent()).toContain("stock.set");
      await shot(page, "item-counted");

      // An adjustment the API refuses shows the API's own words.
      await page.getByLabel("Change").fill("-100");
      await page.getByLabel("Reason").selectOption("damage");
      await page.getByRole("button", { name: "Apply adjustment" }).click();
      await expectText(page, "On hand would be negative (409): On hand is 6; the adjustment would take it below 0.");
      await shot(page, "item-refused");

      // The low-stock alert appears (the page polls the listing's low items).
      await page.getByRole("link", { name: "Alerts", exact: true }).click();
      const alert = page.locator("table[aria-label='Low and out-of-stock items'] tbody tr", { hasText: MUG });
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.textContent()).toContain("Low");
      await shot(page, "alerts");

      // The alert's delivery failed: the receiver answered 500, and the console says so.
      await page.getByRole("link", { name: "Webhooks", exact: true }).click();
      const failed = page.locator("table[aria-label='Deliveries'] tbody tr", { hasText: "stock.low" });
      await failed.first().waitFor({ timeout: 20_000 });
      expect(await failed.first().textContent()).toMatch(/Failed.*500/);
      expect(receiver.hits).toContain("/console-hook");
      await shot(page, "webhooks");

      // Delete it (asks first).
      await page.getByRole("button", { name: "Delete", exact: true }).click();
      await page.getByRole("button", { name: "Yes, delete" }).click();
      await expectText(page, "No subscriptions yet.");
      expect((await api("/v1/webhooks")).webhooks).toEqual([]);

      // Signing out forgets the token.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("API token").waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

      // The refusals this test provoked (412, 409) are the only errors the browser logged.
      expect(unexpected(errors, [412, 409])).toEqual([]);
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("/docs renders the API reference offline", async () => {
    const { context, page, errors, external } = await openPage(browser, server.baseUrl);
    try {
      await page.goto("/docs");
      // The document's own title and description (from /v1/openapi.json), rendered by Scalar.
      const info = (await api("/v1/openapi.json")).info as { title: string; description: string };
      await page.getByRole("heading", { name: info.title, exact: true }).first().waitFor({ timeout: 30_000 });
      // Its first sentence (the rest is markdown, rendered).
      await page
        .getByText(info.description.split(".")[0] as string)
        .first()
        .waitFor();
      // Its operations are listed (grouped by tag or not): the health check is one.
      await expect.poll(() => page.getByText("/v1/health").count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await shot(page, "docs", false);
      expect(external).toEqual([]);
      expect(unexpected(errors, [])).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

async function expectText(page: Page, text: string, timeout = 10_000): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout });
}

/** The value of one of the item page's figures ("Available", "Version", ...). */
async function figure(page: Page, label: string): Promise<string | null> {
  const box = page.locator(".figure", { has: page.locator(".figure-label", { hasText: new RegExp(`^${label}$`) }) });
  if ((await box.count()) === 0) return null;
  return (await box.locator(".figure-value").textContent())?.trim() ?? null;
}
