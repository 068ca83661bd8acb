import { describe, expect, it } from "vitest";
import { allows, type Principal, ROOT, SCOPES } from "../../src/keys/scopes";
import { hashToken, looksLikeKeyToken, newKeyId, newToken } from "../../src/keys/token";

/** The scope rules and token format alone. */

const key = (scopes: Principal["scopes"], warehouses: string[] | null = null): Principal => ({
  id: "key_x",
  root: false,
  scopes,
  warehouses,
});

describe("allows", () => {
  it("the root key everything, anywhere", () => {
    for (const scope of SCOPES) expect(allows(ROOT, scope, "any")).toBe(true);
  });

  it("a key exactly its scopes", () => {
    const storefront = key(["stock:read", "reservations"]);
    expect(SCOPES.filter((s) => allows(storefront, s))).toEqual(["stock:read", "reservations"]);
  });

  it("limits stock:write to the key's warehouses, and nothing else", () => {
    const warehouse = key(["stock:write", "stock:read"], ["ams-1"]);
    expect(allows(warehouse, "stock:write", "ams-1")).toBe(true);
    expect(allows(warehouse, "stock:write", "ber-1")).toBe(false);
    expect(allows(warehouse, "stock:read", "ber-1")).toBe(true);
  });
});

describe("tokens", () => {
  it("are sfk_ + 32 random bytes base64url, different each time, hashed to 64 hex characters", async () => {
    const a = newToken();
    const b = newToken();
    expect(a).toMatch(/^sfk_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeKeyToken(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(await hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashToken(a)).not.toBe(await hashToken(b));
    expect(looksLikeKeyToken("sfk_short")).toBe(false);
    expect(newKeyId()).toMatch(/^key_[A-Za-z0-9_-]{16}$/);
  });
});
