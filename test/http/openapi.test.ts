import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OPENAPI_CONFIG } from "../../src/http/openapi";

/**
 * The served document names the server it was served from, so `/docs` (Scalar, reading
 * `/v1/openapi.json`) offers a deployment's own host, not `npm start`'s.
 */

async function servedFrom(origin: string): Promise<{ servers: { url: string; description?: string }[] }> {
  const response = await exports.default.fetch(`${origin}/v1/openapi.json`);
  expect(response.status).toBe(200);
  return response.json();
}

describe("GET /v1/openapi.json servers", () => {
  it("names the origin the request reached, and only that", async () => {
    expect((await servedFrom("https://stock.example.com")).servers).toEqual([
      { url: "https://stock.example.com", description: expect.any(String) },
    ]);
    expect((await servedFrom("https://stockflare.acme.workers.dev")).servers.map((s) => s.url)).toEqual([
      "https://stockflare.acme.workers.dev",
    ]);
  });

  it("keeps a port and drops the path and query", async () => {
    const response = await exports.default.fetch("http://127.0.0.1:8787/v1/openapi.json?x=1");
    const doc = (await response.json()) as { servers: { url: string }[] };
    expect(doc.servers.map((s) => s.url)).toEqual(["http://127.0.0.1:8787"]);
  });

  it("differs from the request-less document (lint, client types) only in its servers", async () => {
    const served = (await servedFrom("https://stock.example.com")) as Record<string, unknown>;
    expect(OPENAPI_CONFIG.servers?.map((s) => s.url)).toEqual(["http://127.0.0.1:8787"]);
    const { servers: _served, ...rest } = served;
    expect(rest.info).toEqual(OPENAPI_CONFIG.info);
    expect(rest.tags).toEqual(OPENAPI_CONFIG.tags);
  });
});
