import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { LOCAL_ONLY_ROUTES } from "../../src/http/faults";
import { call, expectProblem, stocked, unique } from "./client";

/** What every route shares: the token, the body rules, unknown routes and methods, the OpenAPI document. */

describe("authentication", () => {
  it("GET /v1/health answers 200 {status: ok} without a token", async () => {
    const r = await call("GET", "/v1/health", { auth: false });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok" });
  });

  const routes: [string, string][] = [
    ["PUT", "/v1/stock/A/B"],
    ["GET", "/v1/stock/A/B"],
    ["POST", "/v1/stock/A/B/adjustments"],
    ["GET", "/v1/stock/A"],
    ["POST", "/v1/reservations"],
    ["GET", "/v1/reservations/r1"],
    ["POST", "/v1/reservations/r1/commit"],
    ["POST", "/v1/reservations/r1/release"],
    ["GET", "/v1/no-such-route"],
  ];
  const bad: [string, Record<string, string>][] = [
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["the token with another scheme", { authorization: "Basic test-token" }],
    ["an empty bearer", { authorization: "Bearer " }],
    ["the token as a prefix", { authorization: "Bearer test-token-and-more" }],
  ];
  for (const [label, headers] of bad) {
    it(`401 unauthorized with ${label}, on every /v1 route`, async () => {
      for (const [method, path] of routes) {
        const r = await call(method, path, { auth: false, headers, json: method === "GET" ? undefined : { onHand: 1 } });
        expectProblem(r, 401, "unauthorized");
        expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
      }
    });
  }

  it("a rejected write changes nothing", async () => {
    const { path } = await stocked(3);
    expectProblem(await call("PUT", path, { auth: false, json: { onHand: 99 } }), 401, "unauthorized");
    expect((await call("GET", path)).body).toMatchObject({ onHand: 3, version: 1 });
  });

  it("the scheme name is case-insensitive", async () => {
    expect((await call("GET", "/v1/stock/NEVER-SET/wh", { auth: false, headers: { authorization: "bearer test-token" } })).status).toBe(
      404,
    );
  });

  it("GET /v1/openapi.json needs no token (contract v1.1), and a wrong one does not stop it", async () => {
    expect((await call("GET", "/v1/openapi.json", { auth: false })).status).toBe(200);
    expect((await call("GET", "/v1/openapi.json", { auth: false, headers: { authorization: "Bearer nope" } })).status).toBe(200);
  });
});

describe("request bodies", () => {
  it("malformed JSON is 400, never 500, and changes nothing", async () => {
    const { path } = await stocked(3);
    for (const body of ["{", "{onHand: 1}", "", "nul", '{"onHand": 1,}']) {
      const r = await call("PUT", path, { body, headers: { "content-type": "application/json" } });
      expectProblem(r, 400, "malformed_json");
    }
    expectProblem(
      await call("POST", "/v1/reservations", { body: "[{", headers: { "content-type": "application/json" } }),
      400,
      "malformed_json",
    );
    expectProblem(
      await call("POST", `${path}/adjustments`, { body: "{'delta': 1}", headers: { "content-type": "application/json" } }),
      400,
      "malformed_json",
    );
    expect((await call("GET", path)).body).toMatchObject({ onHand: 3, version: 1 });
  });

  it("a body that is not application/json is 415, and changes nothing", async () => {
    const { path } = await stocked(3);
    const json = JSON.stringify({ onHand: 9 });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]) {
      expectProblem(await call("PUT", path, { body: json, headers: { "content-type": type } }), 415, "unsupported_media_type");
    }
    expectProblem(await call("PUT", path, { body: json }), 415, "unsupported_media_type");
    expectProblem(
      await call("POST", "/v1/reservations", { body: JSON.stringify({ lines: [] }), headers: { "content-type": "text/plain" } }),
      415,
      "unsupported_media_type",
    );
    expect((await call("GET", path)).body).toMatchObject({ onHand: 3, version: 1 });
    // application/json with a charset is JSON.
    expect((await call("PUT", path, { body: json, headers: { "content-type": "application/json; charset=utf-8" } })).status).toBe(200);
  });

  it("a body over 64 KiB is 413, with or without Content-Length, and changes nothing", async () => {
    const { path } = await stocked(3);
    const big = JSON.stringify({ onHand: 9, padding: "x".repeat(64 * 1024) });
    expectProblem(await call("PUT", path, { body: big, headers: { "content-type": "application/json" } }), 413, "payload_too_large");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(big);
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const r = await exports.default.fetch(`http://stockflare.test${path}`, {
      method: "PUT",
      headers: { authorization: "Bearer test-token", "content-type": "application/json" },
      body: stream,
    });
    expect(r.status).toBe(413);
    expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await r.json()).toMatchObject({ status: 413, code: "payload_too_large" });
    expect((await call("GET", path)).body).toMatchObject({ onHand: 3, version: 1 });
  });

  it("a body of exactly 64 KiB is accepted", async () => {
    const sku = unique("BIG");
    const lines = Array.from({ length: 100 }, (_, i) => ({ sku, warehouse: `w${i}`, quantity: 1 }));
    const base = JSON.stringify({ id: unique("big"), lines });
    const padded = `${base.slice(0, -1)}${" ".repeat(64 * 1024 - base.length)}}`;
    expect(padded.length).toBe(64 * 1024);
    const r = await call("POST", "/v1/reservations", { body: padded, headers: { "content-type": "application/json" } });
    // Reaches the coordinator (nothing is stocked, so it is short), not stopped by the limit.
    expectProblem(r, 409, "insufficient_stock");
    expect(r.body.shortages).toHaveLength(100);
  });
});

describe("unknown routes and methods", () => {
  it("404 not_found for an unknown route, inside and outside /v1", async () => {
    expectProblem(await call("GET", "/v1/nothing-here"), 404, "not_found");
    expectProblem(await call("GET", "/v1/stock/A/B/C/D"), 404, "not_found");
    expectProblem(await call("POST", "/v1/reservations/r1/cancel"), 404, "not_found");
    expectProblem(await call("GET", "/", { auth: false }), 404, "not_found");
  });

  it("405 method_not_allowed with Allow for a known path and a wrong method", async () => {
    const cases: [string, string, string][] = [
      ["PATCH", "/v1/stock/A/B", "GET, HEAD, PUT"],
      ["DELETE", "/v1/stock/A/B", "GET, HEAD, PUT"],
      ["GET", "/v1/stock/A/B/adjustments", "POST"],
      ["PUT", "/v1/reservations", "POST"],
      ["DELETE", "/v1/reservations/r1", "GET, HEAD"],
      ["GET", "/v1/reservations/r1/commit", "POST"],
      ["PUT", "/v1/reservations/r1/release", "POST"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await call(method, path);
      const body = expectProblem(r, 405, "method_not_allowed");
      // Other capabilities may add methods on the same paths; the core's must be there.
      for (const m of allow.split(", ")) {
        expect(r.headers.get("allow")?.split(", "), `${method} ${path}`).toContain(m);
        expect(body.allow).toContain(m);
      }
    }
  });
});

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every route the app serves", async () => {
    const r = await call("GET", "/v1/openapi.json");
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });

    const contract: [string, string][] = [
      ["get", "/v1/health"],
      ["put", "/v1/stock/{sku}/{warehouse}"],
      ["get", "/v1/stock/{sku}/{warehouse}"],
      ["post", "/v1/stock/{sku}/{warehouse}/adjustments"],
      ["get", "/v1/stock/{sku}"],
      ["post", "/v1/reservations"],
      ["get", "/v1/reservations/{id}"],
      ["post", "/v1/reservations/{id}/commit"],
      ["post", "/v1/reservations/{id}/release"],
      ["get", "/v1/stock/{sku}/{warehouse}/shards"],
      ["get", "/v1/stock"],
      ["post", "/v1/availability"],
      ["put", "/v1/channels/{channel}"],
      ["get", "/v1/channels"],
      ["get", "/v1/channels/{channel}"],
      ["delete", "/v1/channels/{channel}"],
      ["post", "/v1/reservations/{id}/extend"],
      ["put", "/v1/reservations/{id}/lines"],
      ["get", "/v1/stock/{sku}/{warehouse}/live"],
    ];
    for (const [method, path] of contract) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
    }

    // Every route of the app, whoever added it, is documented.
    const served = createApp()
      .routes.filter((route) => route.method !== "ALL" && route.path !== "/v1/openapi.json")
      .filter((route) => !LOCAL_ONLY_ROUTES.includes(`${route.method} ${route.path}`))
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect([...new Set(served)].sort()).toEqual(documented.sort());

    // Shapes are documented: the Level has the contract's fields, errors are problem+json.
    const level = doc.components.schemas.Level;
    expect(Object.keys(level.properties).sort()).toEqual([
      "available",
      "lowStockThreshold",
      "onHand",
      "regions",
      "reorderQuantity",
      "reserved",
      "shards",
      "sku",
      "updatedAt",
      "version",
      "warehouse",
    ]);
    const create = doc.paths["/v1/reservations"].post;
    expect(create.responses["409"].content["application/problem+json"]).toBeDefined();
    expect(create.requestBody.content["application/json"]).toBeDefined();
    const adjust = doc.paths["/v1/stock/{sku}/{warehouse}/adjustments"].post;
    expect(adjust.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name.toLowerCase()}`)).toContain(
      "header:idempotency-key",
    );
  });

  it("names, tags and documents the errors of every operation (issue 15)", async () => {
    interface Operation {
      operationId: string;
      tags: string[];
      parameters?: unknown[];
      requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
      responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string } }> }>;
    }
    const doc = (await call("GET", "/v1/openapi.json", { auth: false })).body;
    const paths = doc.paths as Record<string, Record<string, Operation>>;
    expect(doc.info.version).toBe("1.2.0");
    expect(doc.info.license).toMatchObject({ name: expect.any(String) });
    expect(doc.servers).toEqual([expect.objectContaining({ url: expect.stringMatching(/^https?:\/\//) })]);
    const tags = (doc.tags as { name: string; description: string }[]).map((t) => t.name);
    expect(tags.sort()).toEqual(["availability", "channels", "events", "health", "keys", "reservations", "stock", "webhooks"]);

    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method} ${path}`;
        expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId), `${name}: operationId ${op.operationId} repeated`).toBe(false);
        ids.add(op.operationId);
        expect(op.tags, name).toHaveLength(1);
        expect(tags, name).toContain(op.tags[0]);
        const statuses = Object.keys(op.responses);
        if (path === "/v1/health") continue;
        // Every authenticated operation: the token, the scope (naming it), the rate limit, an unreachable dependency.
        expect(statuses, name).toEqual(expect.arrayContaining(["401", "403", "429", "503"]));
        expect(op.responses["403"]?.content?.["application/problem+json"]?.schema.$ref, name).toBe("#/components/schemas/ForbiddenProblem");
        expect(Object.keys(op.responses["429"]?.headers ?? {}), name).toContain("Retry-After");
        if ((op.parameters ?? []).length > 0 || op.requestBody !== undefined) expect(statuses, name).toContain("400");
        if (op.requestBody !== undefined) {
          expect(statuses, name).toEqual(expect.arrayContaining(["413", "415"]));
          expect(op.requestBody.content["application/json"]?.schema.$ref, `${name}: a named body schema, with an example`).toBeDefined();
        }
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, { example?: unknown }>)) {
      const isBody = Object.values(paths).some((ops) =>
        Object.values(ops).some((op) => op.requestBody?.content["application/json"]?.schema.$ref === `#/components/schemas/${name}`),
      );
      if (isBody) expect(schema.example, `${name} has an example`).toBeDefined();
    }
    // A Level's answer documents its ETag.
    expect(Object.keys(paths["/v1/stock/{sku}/{warehouse}"]?.get?.responses["200"]?.headers ?? {})).toContain("ETag");
  });
});
