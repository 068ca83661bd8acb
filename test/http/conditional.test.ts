import { describe, expect, it } from "vitest";
import { etagOf, parseTags, preconditionHolds } from "../../src/stock/precondition";
import { call, expectInvalid, expectProblem, unique } from "./client";

/** Compare-and-set on counts (contract v1.1): ETag on every Level, If-Match / If-None-Match on writes. */

const put = (path: string, json: unknown, headers: Record<string, string> = {}) => call("PUT", path, { json, headers });
const adjust = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  call("POST", `${path}/adjustments`, { json, headers });

describe("the precondition rule", () => {
  it("parses strong tags, lists and *, and refuses anything else", () => {
    expect(parseTags('"7"')).toEqual([7]);
    expect(parseTags(' "6", "7" ')).toEqual([6, 7]);
    expect(parseTags("*")).toBe("*");
    for (const bad of ["7", 'W/"7"', '"x"', "", '"7",', "**"]) expect(parseTags(bad), bad).toBeNull();
    expect(etagOf(12)).toBe('"12"');
  });

  it("decides against the current version, or whether the item exists", () => {
    expect(preconditionHolds({ version: 3 }, undefined)).toBe(true);
    expect(preconditionHolds({ version: 3 }, { ifMatch: [3] })).toBe(true);
    expect(preconditionHolds({ version: 4 }, { ifMatch: [3] })).toBe(false);
    expect(preconditionHolds(null, { ifMatch: [0] })).toBe(false);
    expect(preconditionHolds(null, { ifMatch: "*" })).toBe(false);
    expect(preconditionHolds({ version: 1 }, { ifMatch: "*" })).toBe(true);
    expect(preconditionHolds(null, { ifNoneMatch: "*" })).toBe(true);
    expect(preconditionHolds({ version: 1 }, { ifNoneMatch: "*" })).toBe(false);
  });
});

describe("ETag, If-Match and If-None-Match", () => {
  it("every Level response carries ETag: the quoted version", async () => {
    const path = `/v1/stock/${unique("E")}/wh`;
    const set = await put(path, { onHand: 5 });
    expect(set.headers.get("etag")).toBe('"1"');
    const adjusted = await adjust(path, { delta: 1, reason: "receipt" });
    expect(adjusted.headers.get("etag")).toBe('"2"');
    expect((await call("GET", path)).headers.get("etag")).toBe('"2"');
  });

  it("a count that read version N and writes with If-Match never overwrites a sale made in between", async () => {
    const sku = unique("C");
    const path = `/v1/stock/${sku}/wh`;
    await put(path, { onHand: 10 });
    const read = await call("GET", path);
    const etag = read.headers.get("etag") as string;
    // A sale happens after the read.
    expect((await call("POST", "/v1/reservations", { json: { lines: [{ sku, warehouse: "wh", quantity: 1 }] } })).status).toBe(201);
    const refused = await put(path, { onHand: 7 }, { "if-match": etag });
    const body = expectProblem(refused, 412, "precondition_failed");
    expect(body.level).toMatchObject({ sku, onHand: 10, reserved: 1, version: 2 });
    expect((await call("GET", path)).body).toMatchObject({ onHand: 10, version: 2 });
    // Re-read, count again: applies.
    const counted = await put(path, { onHand: 7 }, { "if-match": '"2"' });
    expect(counted.status).toBe(200);
    expect(counted.body).toMatchObject({ onHand: 7, reserved: 1, version: 3 });
    expect(counted.headers.get("etag")).toBe('"3"');
  });

  it("If-Match: * needs the item to exist; If-None-Match: * needs it never set", async () => {
    const path = `/v1/stock/${unique("S")}/wh`;
    const missing = expectProblem(await put(path, { onHand: 1 }, { "if-match": "*" }), 412, "precondition_failed");
    expect(missing.level).toBeNull();
    expect((await call("GET", path)).status).toBe(404);
    const created = await put(path, { onHand: 4 }, { "if-none-match": "*" });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ onHand: 4, version: 1 });
    const again = expectProblem(await put(path, { onHand: 9 }, { "if-none-match": "*" }), 412, "precondition_failed");
    expect(again.level).toMatchObject({ onHand: 4, version: 1 });
    expect((await put(path, { onHand: 6 }, { "if-match": "*" })).body).toMatchObject({ onHand: 6, version: 2 });
    expect((await put(path, { onHand: 5 }, { "if-match": '"1", "2"' })).body).toMatchObject({ onHand: 5, version: 3 });
  });

  it("adjustments honour If-Match, and a refused one does not use up its Idempotency-Key", async () => {
    const path = `/v1/stock/${unique("A")}/wh`;
    await put(path, { onHand: 10 });
    const stale = await adjust(path, { delta: -2, reason: "damage" }, { "if-match": '"7"', "idempotency-key": "k-1" });
    expect(expectProblem(stale, 412, "precondition_failed").level).toMatchObject({ onHand: 10, version: 1 });
    const applied = await adjust(path, { delta: -2, reason: "damage" }, { "if-match": '"1"', "idempotency-key": "k-1" });
    expect(applied.body).toMatchObject({ onHand: 8, version: 2 });
    const missing = await adjust(`/v1/stock/${unique("A")}/wh`, { delta: 1, reason: "receipt" }, { "if-match": "*" });
    expect(expectProblem(missing, 412, "precondition_failed").level).toBeNull();
  });

  it("malformed conditions are 400 invalid_request and change nothing", async () => {
    const path = `/v1/stock/${unique("M")}/wh`;
    await put(path, { onHand: 3 });
    expectInvalid(await put(path, { onHand: 1 }, { "if-match": "1" }), "if-match");
    expectInvalid(await put(path, { onHand: 1 }, { "if-match": 'W/"1"' }), "if-match");
    expectInvalid(await put(path, { onHand: 1 }, { "if-none-match": '"1"' }), "if-none-match");
    expectInvalid(await put(path, { onHand: 1 }, { "if-match": '"1"', "if-none-match": "*" }), "if-none-match");
    expectInvalid(await adjust(path, { delta: 1, reason: "receipt" }, { "if-match": "one" }), "if-match");
    expect((await call("GET", path)).body).toMatchObject({ onHand: 3, version: 1 });
  });
});
