/**
 * The console's pages live in the URL's fragment (`#/stock`, `#/item/SKU/WH`, ...), so the
 * static assets need no fallback routing and a page can be bookmarked. Never the token.
 * Pure: parses and formats strings.
 */

export type Route = { page: "stock" } | { page: "item"; sku: string; warehouse: string } | { page: "alerts" } | { page: "webhooks" };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "");
  const [first, second, third] = parts;
  if (first === "item" && second !== undefined && third !== undefined && parts.length === 3) {
    try {
      return { page: "item", sku: decodeURIComponent(second), warehouse: decodeURIComponent(third) };
    } catch {
      return { page: "stock" };
    }
  }
  if (first === "alerts" && parts.length === 1) return { page: "alerts" };
  if (first === "webhooks" && parts.length === 1) return { page: "webhooks" };
  return { page: "stock" };
}

export function href(route: Route): string {
  switch (route.page) {
    case "item":
      return `#/item/${encodeURIComponent(route.sku)}/${encodeURIComponent(route.warehouse)}`;
    default:
      return `#/${route.page}`;
  }
}
