import { describe, expect, it } from "vitest";
import { call, expectInvalid, expectProblem, unique } from "./client";

/** Channels are shared by every test file: each test names its own. */

const put = (id: string, json: unknown) => call("PUT", `/v1/channels/${id}`, { json });

function isIsoUtc(value: unknown): boolean {
  return typeof value === "string" && new Date(value).toISOString() === value;
}

describe("PUT /v1/channels/{channel}", () => {
  it("creates a channel, defaulting safetyStock to 0, and reads it back the same", async () => {
    const id = unique("web");
    const created = await put(id, { warehouses: ["ams-1", "fra-1", "lon_2"] });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ id, warehouses: ["ams-1", "fra-1", "lon_2"], safetyStock: 0 });
    expect(Object.keys(created.body).sort()).toEqual(["createdAt", "id", "safetyStock", "updatedAt", "warehouses"]);
    expect(isIsoUtc(created.body.createdAt)).toBe(true);
    expect(created.body.updatedAt).toBe(created.body.createdAt);

    const read = await call("GET", `/v1/channels/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it("replaces a channel, keeping createdAt and moving updatedAt forward", async () => {
    const id = unique("market");
    const first = await put(id, { warehouses: ["ams-1", "fra-1"], safetyStock: 5 });
    expect(first.status).toBe(200);
    const second = await put(id, { warehouses: ["fra-1"], safetyStock: 0 });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id, warehouses: ["fra-1"], safetyStock: 0, createdAt: first.body.createdAt });
    expect(isIsoUtc(second.body.updatedAt)).toBe(true);
    expect(Date.parse(second.body.updatedAt)).toBeGreaterThan(Date.parse(first.body.updatedAt));
    expect((await call("GET", `/v1/channels/${id}`)).body).toEqual(second.body);
  });

  it("keeps the warehouses in the order given: it is the priority order", async () => {
    const id = unique("store");
    const warehouses = ["zz-9", "aa-1", "mm-5"];
    expect((await put(id, { warehouses })).body.warehouses).toEqual(warehouses);
    expect((await call("GET", `/v1/channels/${id}`)).body.warehouses).toEqual(warehouses);
  });

  it("accepts 50 warehouses and refuses 51", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `wh-${i}`);
    const id = unique("wide");
    const fifty = await put(id, { warehouses: many(50) });
    expect(fifty.status).toBe(200);
    expect(fifty.body.warehouses).toHaveLength(50);
    expectInvalid(await put(unique("wider"), { warehouses: many(51) }), "warehouses");
  });

  it("refuses a warehouse listed twice, pointing at the repeat", async () => {
    const id = unique("dup");
    const body = expectInvalid(await put(id, { warehouses: ["ams-1", "fra-1", "ams-1"] }), "warehouses.2");
    expect(body.errors.map((e: { path: string }) => e.path)).not.toContain("warehouses.0");
    expectProblem(await call("GET", `/v1/channels/${id}`), 404, "not_found");
  });

  it("accepts safetyStock from 0 to 1,000,000", async () => {
    expect((await put(unique("ss"), { warehouses: ["w"], safetyStock: 0 })).body.safetyStock).toBe(0);
    expect((await put(unique("ss"), { warehouses: ["w"], safetyStock: 1_000_000 })).body.safetyStock).toBe(1_000_000);
  });

  it.each([
    [{ warehouses: [] }, "warehouses"],
    [{}, "warehouses"],
    [{ warehouses: "ams-1" }, "warehouses"],
    [{ warehouses: ["ams-1", "-bad"] }, "warehouses.1"],
    [{ warehouses: ["a/b"] }, "warehouses.0"],
    [{ warehouses: ["w".repeat(65)] }, "warehouses.0"],
    [{ warehouses: ["ams-1"], safetyStock: -1 }, "safetyStock"],
    [{ warehouses: ["ams-1"], safetyStock: 1_000_001 }, "safetyStock"],
    [{ warehouses: ["ams-1"], safetyStock: 1.5 }, "safetyStock"],
    [{ warehouses: ["ams-1"], safetyStock: "3" }, "safetyStock"],
  ])("refuses %j (error at %s)", async (body, path) => {
    expectInvalid(await put(unique("bad"), body), path);
  });

  it("refuses a channel id that is not an identifier", async () => {
    expectInvalid(await put("-web", { warehouses: ["ams-1"] }), "channel");
    expectInvalid(await put("w".repeat(65), { warehouses: ["ams-1"] }), "channel");
    expectInvalid(await call("GET", "/v1/channels/we%24b"), "channel");
    expectInvalid(await call("DELETE", "/v1/channels/we%24b"), "channel");
  });

  it("answers malformed JSON with 400, not 500", async () => {
    const r = await call("PUT", `/v1/channels/${unique("json")}`, { body: "{", headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
  });
});

describe("GET /v1/channels", () => {
  it("lists every channel ordered by id", async () => {
    const stem = unique("list");
    const ids = [`${stem}-c`, `${stem}-a`, `${stem}-b`];
    for (const [i, id] of ids.entries()) expect((await put(id, { warehouses: [`wh-${i}`], safetyStock: i })).status).toBe(200);

    const r = await call("GET", "/v1/channels");
    expect(r.status).toBe(200);
    const all: { id: string }[] = r.body.channels;
    const listedIds = all.map((c) => c.id);
    expect(listedIds).toEqual([...listedIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const mine = all.filter((c) => c.id.startsWith(stem));
    expect(mine.map((c) => c.id)).toEqual([`${stem}-a`, `${stem}-b`, `${stem}-c`]);
    expect(mine[0]).toEqual((await call("GET", `/v1/channels/${stem}-a`)).body);
    expect(mine[0]).toMatchObject({ warehouses: ["wh-1"], safetyStock: 1 });
  });
});

describe("GET /v1/channels/{channel}", () => {
  it("answers 404 not_found for a channel never created", async () => {
    expectProblem(await call("GET", `/v1/channels/${unique("none")}`), 404, "not_found");
  });
});

describe("DELETE /v1/channels/{channel}", () => {
  it("deletes a channel: 204, then it is gone from reads and the list", async () => {
    const id = unique("gone");
    expect((await put(id, { warehouses: ["ams-1"] })).status).toBe(200);
    const r = await call("DELETE", `/v1/channels/${id}`);
    expect(r.status).toBe(204);
    expect(r.body).toBeNull();
    expectProblem(await call("GET", `/v1/channels/${id}`), 404, "not_found");
    const list = await call("GET", "/v1/channels");
    expect(list.body.channels.map((c: { id: string }) => c.id)).not.toContain(id);
  });

  it("answers 404 for a channel that does not exist (or no longer does), as webhooks do", async () => {
    expectProblem(await call("DELETE", `/v1/channels/${unique("never")}`), 404, "not_found");
    const id = unique("twice");
    await put(id, { warehouses: ["ams-1"] });
    expect((await call("DELETE", `/v1/channels/${id}`)).status).toBe(204);
    expectProblem(await call("DELETE", `/v1/channels/${id}`), 404, "not_found");
  });

  it("lets a deleted channel be created again, as new", async () => {
    const id = unique("again");
    const first = await put(id, { warehouses: ["ams-1"] });
    await call("DELETE", `/v1/channels/${id}`);
    const second = await put(id, { warehouses: ["fra-1"] });
    expect(second.status).toBe(200);
    expect(second.body.warehouses).toEqual(["fra-1"]);
    expect(Date.parse(second.body.createdAt)).toBeGreaterThanOrEqual(Date.parse(first.body.createdAt));
  });
});

describe("channels and auth", () => {
  it.each([
    ["PUT", "/v1/channels/web", { warehouses: ["ams-1"] }],
    ["GET", "/v1/channels", undefined],
    ["GET", "/v1/channels/web", undefined],
    ["DELETE", "/v1/channels/web", undefined],
  ])("%s %s answers 401 without the token", async (method, path, json) => {
    const r = await call(method, path, { auth: false, ...(json === undefined ? {} : { json }) });
    expectProblem(r, 401, "unauthorized");
  });

  it("answers 401 with a wrong token", async () => {
    expectProblem(await call("GET", "/v1/channels", { headers: { authorization: "Bearer nope" } }), 401, "unauthorized");
  });
});

describe("OpenAPI", () => {
  it("documents the channel routes and their shapes", async () => {
    const r = await call("GET", "/v1/openapi.json");
    expect(r.status).toBe(200);
    const paths = r.body.paths;
    expect(Object.keys(paths["/v1/channels"] ?? {})).toEqual(["get"]);
    expect(Object.keys(paths["/v1/channels/{channel}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(paths["/v1/channels/{channel}"].put.parameters.map((p: { name: string }) => p.name)).toEqual(["channel"]);
    for (const name of ["Channel", "ChannelList", "PutChannel"]) expect(r.body.components.schemas[name], name).toBeDefined();
    expect(r.body.components.schemas.PutChannel.properties.warehouses).toMatchObject({ minItems: 1, maxItems: 50 });
  });
});
