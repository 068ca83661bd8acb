import { describe, expect, it } from "vitest";
import { describeNetworkError, describeProblem, REFUSED_TOKEN } from "../../console/src/problem";

describe("problem messages", () => {
  it("says clearly that a token was refused", () => {
    const m = describeProblem(401, { title: "Unauthorized", status: 401, code: "unauthorized", detail: "A valid…" });
    expect(m.message).toBe(REFUSED_TOKEN);
    expect(m.message).toMatch(/^That token was refused \(401\)/);
  });

  it("shows the title, status and detail, and the field errors", () => {
    const m = describeProblem(400, {
      title: "Invalid request",
      status: 400,
      code: "invalid_request",
      detail: "The request does not match the schema.",
      errors: [{ path: "onHand", message: "Too small: expected number to be >=0" }],
    });
    expect(m.message).toBe("Invalid request (400): The request does not match the schema.");
    expect(m.fields).toEqual(["onHand: Too small: expected number to be >=0"]);
    expect(m.code).toBe("invalid_request");
  });

  it("carries a 412's current level and says what to do", () => {
    const level = {
      sku: "A",
      warehouse: "W",
      onHand: 4,
      reserved: 0,
      available: 4,
      lowStockThreshold: 0,
      reorderQuantity: 0,
      version: 9,
      updatedAt: "x",
    };
    const m = describeProblem(412, {
      title: "Precondition failed",
      status: 412,
      code: "precondition_failed",
      detail: "The item is at version 9; read it again and retry.",
      level,
    });
    expect(m.level).toEqual(level);
    expect(m.message).toContain("version 9");
    expect(m.message).toContain("submit again");
  });

  it("names a missing scope", () => {
    const m = describeProblem(403, { title: "Forbidden", status: 403, code: "forbidden", detail: "No.", requiredScope: "stock:write" });
    expect(m.message).toBe('Forbidden (403): No. This key needs the scope "stock:write".');
  });

  it("copes with a body that is not a problem", () => {
    expect(describeProblem(502, null).message).toBe("HTTP 502 (502) Nothing was acknowledged; try again.");
    expect(describeProblem(409, "text").message).toBe("HTTP 409 (409)");
    expect(describeProblem(409, { title: "Conflict", detail: "Conflict" }).message).toBe("Conflict (409)");
  });

  it("describes a request that got no answer", () => {
    expect(describeNetworkError(new TypeError("Failed to fetch")).message).toContain("Could not reach the API (Failed to fetch)");
  });
});
