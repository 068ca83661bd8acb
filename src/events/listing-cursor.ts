/**
 * The opaque `next` cursor of `GET /v1/stock`: the (sku, warehouse) of the last item a page
 * returned, so the next page starts strictly after it (keyset paging: an item set between two
 * pages is neither repeated nor able to shift the rest). The version prefix lets the format
 * change without misreading old cursors.
 */

const PREFIX = "s1.";
const MAX_PART = 64;

export interface ItemKey {
  sku: string;
  warehouse: string;
}

export function encodeListingCursor(key: ItemKey): string {
  const bytes = new TextEncoder().encode(JSON.stringify([key.sku, key.warehouse]));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return PREFIX + btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The item a cursor stands for, or null if it is not one this API issued. */
export function decodeListingCursor(cursor: string): ItemKey | null {
  if (!cursor.startsWith(PREFIX)) return null;
  const body = cursor.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return null;
  let parsed: unknown;
  try {
    const binary = atob(body.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [sku, warehouse] = parsed as unknown[];
  if (!isPart(sku) || !isPart(warehouse)) return null;
  return { sku, warehouse };
}

function isPart(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= MAX_PART;
}
