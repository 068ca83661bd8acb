/**
 * The baselines' HTTP front: a small node:http server with the Worker's request shape
 * (same paths, same JSON bodies, 201/200/409 semantics, bearer token) in front of a
 * Backend. Run as a child process by the bench, so its CPU is accounted apart from the
 * load generator:
 *
 *   node --import tsx bench/baselines/server.ts '{"backend":"redis","storePort":6379,"token":"t"}'
 *
 * Prints one JSON line `{"ready": <port>}` once listening on 127.0.0.1.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Backend, ChangeOutcome, Line } from "./backend";
import { postgresBackend } from "./postgres-sql";
import { redisBackend } from "./redis-lua";

interface ServerConfig {
  backend: "redis" | "postgres";
  storePort: number;
  token: string;
  poolSize?: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as ServerConfig;
const backend: Backend =
  config.backend === "redis" ? await redisBackend(config.storePort) : await postgresBackend(config.storePort, config.poolSize ?? 10);

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RESERVATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BODY_LIMIT = 64 * 1024;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

function send(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendProblem(res: ServerResponse, p: HttpProblem): void {
  send(
    res,
    p.status,
    { type: `urn:stockflare:problem:${p.code}`, title: p.code, status: p.status, detail: p.detail, code: p.code, ...p.extra },
    "application/problem+json",
  );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpProblem(413, "payload_too_large", "Body over 64 KiB.");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpProblem(400, "invalid_request", "Malformed JSON.");
  }
}

const invalid = (detail: string) => new HttpProblem(400, "invalid_request", detail);

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function parseReservation(body: unknown): { id: string; lines: Line[]; ttlSeconds: number } {
  if (typeof body !== "object" || body === null) throw invalid("Body must be an object.");
  const { id, lines, ttlSeconds } = body as Record<string, unknown>;
  if (id !== undefined && (typeof id !== "string" || !RESERVATION_ID.test(id))) throw invalid("Bad id.");
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > 100) throw invalid("lines: 1 to 100.");
  const seen = new Set<string>();
  const parsed = lines.map((line: unknown) => {
    const { sku, warehouse, quantity } = (line ?? {}) as Record<string, unknown>;
    if (typeof sku !== "string" || !IDENTIFIER.test(sku)) throw invalid("Bad sku.");
    if (typeof warehouse !== "string" || !IDENTIFIER.test(warehouse)) throw invalid("Bad warehouse.");
    if (!isInt(quantity, 1, 1_000_000)) throw invalid("Bad quantity.");
    if (seen.has(`${sku}/${warehouse}`)) throw invalid("Duplicate line.");
    seen.add(`${sku}/${warehouse}`);
    return { sku, warehouse, quantity };
  });
  if (ttlSeconds !== undefined && !isInt(ttlSeconds, 1, 86_400)) throw invalid("Bad ttlSeconds.");
  return { id: typeof id === "string" ? id : `res_${randomUUID().replaceAll("-", "")}`, lines: parsed, ttlSeconds: ttlSeconds ?? 900 };
}

function changed(res: ServerResponse, id: string, outcome: ChangeOutcome): void {
  if (outcome.kind === "ok") {
    send(res, 200, outcome.reservation);
    return;
  }
  if (outcome.kind === "not_found") throw new HttpProblem(404, "not_found", `No reservation ${id}.`);
  throw new HttpProblem(409, "invalid_state", `Reservation ${id} is ${outcome.status}.`, { status: outcome.status });
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] as string;
  const method = req.method ?? "GET";
  if (method === "GET" && path === "/v1/health") return send(res, 200, { status: "ok" });
  if (req.headers.authorization !== `Bearer ${config.token}`) throw new HttpProblem(401, "unauthorized", "Bad token.");
  const parts = path.split("/").slice(1).map(decodeURIComponent);
  // /v1/stock/{sku}/{warehouse}, /v1/stock/{sku}
  if (parts[1] === "stock" && parts.length === 4) {
    const [, , sku, warehouse] = parts as [string, string, string, string];
    if (!IDENTIFIER.test(sku) || !IDENTIFIER.test(warehouse)) throw invalid("Bad sku or warehouse.");
    if (method === "PUT") {
      const { onHand } = ((await readJson(req)) ?? {}) as Record<string, unknown>;
      if (!isInt(onHand, 0, 1_000_000_000)) throw invalid("Bad onHand.");
      return send(res, 200, await backend.setCount(sku, warehouse, onHand));
    }
    if (method === "GET") {
      const level = await backend.level(sku, warehouse);
      if (level === null) throw new HttpProblem(404, "not_found", "Never set.");
      return send(res, 200, level);
    }
  }
  if (parts[1] === "stock" && parts.length === 3 && method === "GET") {
    const sku = parts[2] as string;
    const warehouses = await backend.skuLevels(sku);
    if (warehouses.length === 0) throw new HttpProblem(404, "not_found", "Never set.");
    const totals = warehouses.reduce(
      (t, l) => ({ onHand: t.onHand + l.onHand, reserved: t.reserved + l.reserved, available: t.available + l.available }),
      { onHand: 0, reserved: 0, available: 0 },
    );
    return send(res, 200, { sku, warehouses, totals });
  }
  if (parts[1] === "reservations") {
    if (parts.length === 2 && method === "POST") {
      const { id, lines, ttlSeconds } = parseReservation(await readJson(req));
      const outcome = await backend.place(id, lines, ttlSeconds);
      switch (outcome.kind) {
        case "created":
          return send(res, 201, outcome.reservation);
        case "existing":
          return send(res, 200, outcome.reservation);
        case "idempotency_conflict":
          throw new HttpProblem(409, "idempotency_conflict", `Reservation ${id} exists with other lines.`);
        case "insufficient_stock":
          throw new HttpProblem(409, "insufficient_stock", "Not enough stock; nothing was held.", {
            shortages: outcome.shortages,
          });
      }
    }
    const id = parts[2] ?? "";
    if (!RESERVATION_ID.test(id)) throw invalid("Bad reservation id.");
    if (parts.length === 3 && method === "GET") {
      const reservation = await backend.get(id);
      if (reservation === null) throw new HttpProblem(404, "not_found", `No reservation ${id}.`);
      return send(res, 200, reservation);
    }
    if (parts.length === 4 && method === "POST" && (parts[3] === "commit" || parts[3] === "release")) {
      return changed(res, id, await backend.change(id, parts[3]));
    }
  }
  throw new HttpProblem(404, "not_found", `No route for ${method} ${path}.`);
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (error instanceof HttpProblem) return sendProblem(res, error);
    console.error("baseline server: unexpected error", error);
    sendProblem(res, new HttpProblem(500, "internal", "An unexpected error occurred."));
  });
});
server.keepAliveTimeout = 65_000;

const shutdown = () => {
  server.close();
  void backend.close().finally(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: port, describe: backend.describe })}\n`);
});
