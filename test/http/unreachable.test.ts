import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app";
import { TOKEN, unique } from "./client";

/**
 * A stock object that cannot be reached (reset, connection lost, overloaded) makes a read
 * answer `503 unavailable` with `Retry-After`, never 500. The app is served with a stock
 * namespace whose objects fail every call the way the runtime reports it.
 */

function failingNamespace(flag: "retryable" | "overloaded"): Env["STOCK_ITEM"] {
  const real = env.STOCK_ITEM;
  return new Proxy(real, {
    get(target, property) {
      if (property !== "get") {
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      }
      return () =>
        new Proxy(
          {},
          {
            get: () => () => Promise.reject(Object.assign(new Error("Network connection lost."), { [flag]: true })),
          },
        );
    },
  }) as Env["STOCK_ITEM"];
}

const app = createApp();

async function get(path: string, flag: "retryable" | "overloaded") {
  const response = await app.fetch(
    new Request(`http://stockflare.test${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }),
    { ...env, STOCK_ITEM: failingNamespace(flag) },
    createExecutionContext(),
  );
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("an unreachable stock object", () => {
  for (const flag of ["retryable", "overloaded"] as const) {
    it(`answers a read with 503 unavailable and Retry-After (${flag})`, async () => {
      for (const path of [`/v1/stock/${unique("U")}/wh`, `/v1/stock/${unique("U")}/wh/shards`]) {
        const r = await get(path, flag);
        expect(r.status, path).toBe(503);
        expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(r.body).toMatchObject({ code: "unavailable", status: 503 });
      }
    });
  }
});
