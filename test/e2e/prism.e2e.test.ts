import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractProxy } from "./prism";
import { freePort, PROJECT_ROOT } from "./server";

/**
 * The contract checker that `npm run test:contract` puts in front of `npm start` is not
 * vacuous: in front of a stand-in server that serves a tiny OpenAPI document and breaks it on
 * purpose, Prism's findings fail exactly the exchanges that break the document (an undocumented
 * status, a body of the wrong type, a missing documented header, an invalid request accepted),
 * and let through an invalid request that was refused.
 */

const DOCUMENT = {
  openapi: "3.1.0",
  info: { title: "stand-in", version: "1" },
  paths: {
    "/v1/health": { get: { responses: { "200": { description: "ok" } } } },
    "/v1/openapi.json": { get: { responses: { "200": { description: "this document" } } } },
    "/v1/things/{id}": {
      get: {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]+$" } }],
        responses: {
          "200": {
            description: "a thing",
            headers: { ETag: { required: true, schema: { type: "string" } } },
            content: {
              "application/json": {
                schema: { type: "object", properties: { count: { type: "integer" } }, required: ["count"] },
              },
            },
          },
          "400": { description: "bad id", content: { "application/problem+json": { schema: { type: "object" } } } },
        },
      },
    },
  },
};

/** What the stand-in answers for `/v1/things/<id>`. */
function answer(id: string): { status: number; headers: Record<string, string>; body: unknown } {
  switch (id) {
    case "good":
      return { status: 200, headers: { etag: '"1"' }, body: { count: 1 } };
    case "string":
      return { status: 200, headers: { etag: '"1"' }, body: { count: "1" } };
    case "noetag":
      return { status: 200, headers: {}, body: { count: 1 } };
    case "teapot":
      return { status: 418, headers: {}, body: { status: 418 } };
    case "BAD":
      return { status: 400, headers: {}, body: { status: 400 } };
    default:
      // An id the document refuses (digits), accepted anyway.
      return { status: 200, headers: { etag: '"1"' }, body: { count: 2 } };
  }
}

let upstream: Server;
let proxy: ContractProxy;
let dir: string;
let log = "";

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/v1/openapi.json" || path === "/v1/health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(path === "/v1/health" ? "{}" : JSON.stringify(DOCUMENT));
      return;
    }
    const { status, headers, body } = answer(path.split("/").at(-1) ?? "");
    res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json", ...headers });
    res.end(JSON.stringify(body));
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  dir = await mkdtemp(join(tmpdir(), "stockflare-prism-"));
  proxy = new ContractProxy(PROJECT_ROOT, dir, await freePort(), (text) => {
    log += text;
  });
  await proxy.start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await proxy?.stop();
  upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (id: string) => {
  const path = `/v1/things/${id}`;
  return proxy.check("GET", path, await fetch(`${proxy.url}${path}`));
};

describe("the contract checker (Prism in proxy mode)", () => {
  it("passes an answer that honours the document", async () => {
    const r = await get("good");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ count: 1 });
  });

  it("fails an answer that breaks it", async () => {
    await expect(get("string"), log).rejects.toThrow(/contract violation.*\n.*response\.body\.count/);
    await expect(get("noetag")).rejects.toThrow(/contract violation.*\n.*response\.header/i);
    await expect(get("teapot")).rejects.toThrow(/answered 418\n.*Unable to match the returned status code/);
  });

  it("fails an invalid request the server accepted, and lets through one it refused", async () => {
    await expect(get("123")).rejects.toThrow(/answered 200\n.*request\.path/);
    expect((await get("BAD")).status).toBe(400);
  });
});
