/**
 * How a browser authenticates the live WebSocket (`GET /v1/stock/{sku}/{warehouse}/live`):
 * it cannot set headers, so the token travels in the subprotocol list, base64url-encoded
 * without padding, beside `stockflare.v1` (docs/api.md, "Live levels over WebSocket").
 * Pure.
 */

export const LIVE_SUBPROTOCOL = "stockflare.v1";

/** UTF-8 text as base64url without padding. */
export function base64url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function liveProtocols(token: string): string[] {
  return [LIVE_SUBPROTOCOL, `bearer.${base64url(token)}`];
}

/** `ws(s)://host/v1/stock/{sku}/{warehouse}/live` for a page at `origin` (http or https). */
export function liveUrl(origin: string, sku: string, warehouse: string): string {
  return `${origin.replace(/^http/, "ws")}/v1/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouse)}/live`;
}

/** A live message's level: the Level, `null` (never set), or undefined for anything else. */
export function levelOfMessage<L>(data: unknown): L | null | undefined {
  if (typeof data !== "string") return undefined;
  try {
    const message = JSON.parse(data) as { type?: unknown; level?: unknown };
    if (message.type !== "level") return undefined;
    return message.level === null ? null : typeof message.level === "object" ? (message.level as L) : undefined;
  } catch {
    return undefined;
  }
}
