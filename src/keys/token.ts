/**
 * Key tokens: `sfk_` + 32 random bytes, base64url. Only their SHA-256 is stored, so a copy of
 * the key store cannot be used to call the API; a presented token is hashed and looked up.
 */

export const TOKEN_PREFIX = "sfk_";

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function newToken(): string {
  return TOKEN_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export function newKeyId(): string {
  return `key_${base64url(crypto.getRandomValues(new Uint8Array(12)))}`;
}

/** SHA-256 of a presented token: compared with the root key's, and (in hex) what keys are looked up by. */
export function tokenDigest(token: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
}

export function hexOf(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of the token: what the store keeps and looks keys up by. */
export async function hashToken(token: string): Promise<string> {
  return hexOf(await tokenDigest(token));
}

/** Could be one of our tokens: the prefix and 43 base64url characters (32 bytes). */
export function looksLikeKeyToken(token: string): boolean {
  return /^sfk_[A-Za-z0-9_-]{43}$/.test(token);
}
