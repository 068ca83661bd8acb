import { exports } from "cloudflare:workers";
import { expect } from "vitest";

/** Calls the Worker's own fetch (the whole app: auth, limits, validation, onError) as a client would. */

export const TOKEN = "test-token";

export interface Call {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  method: string,
  path: string,
  options: { json?: unknown; body?: BodyInit; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.auth !== false) headers.authorization ??= `Bearer ${TOKEN}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(options.json);
  }
  const response = await exports.default.fetch(`http://stockflare.test${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    // left as text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 12)}`;

/**
 * Asserts an RFC 9457 problem response with the given status and code; returns its body.
 * The body's `status` member is always the HTTP status (contract v1.1).
 */
export function expectProblem(response: Call, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ code, status });
  for (const field of ["type", "title", "detail", "code"]) expect(typeof response.body[field], field).toBe("string");
  return response.body;
}

/** Asserts a 400 invalid_request whose errors include one at `path`. */
export function expectInvalid(response: Call, path: string) {
  const body = expectProblem(response, 400, "invalid_request");
  expect(Array.isArray(body.errors)).toBe(true);
  for (const error of body.errors) {
    expect(typeof error.path).toBe("string");
    expect(typeof error.message).toBe("string");
    expect(error.message.length).toBeGreaterThan(0);
  }
  expect(
    body.errors.map((e: { path: string }) => e.path),
    JSON.stringify(body.errors),
  ).toContain(path);
  return body;
}

/** Sets a level and returns its item path. */
export async function stocked(onHand: number, sku = unique("H"), warehouse = "wh-1") {
  const r = await call("PUT", `/v1/stock/${sku}/${warehouse}`, { json: { onHand } });
  expect(r.status).toBe(200);
  return { sku, warehouse, path: `/v1/stock/${sku}/${warehouse}` };
}
