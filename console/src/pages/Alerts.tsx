import { type Api, query } from "../api";
import { Empty, ProblemBox, StateBadge } from "../components";
import { formatCount, relativeTime, stockState } from "../format";
import { useNow, usePoll } from "../hooks";
import { href } from "../route";
import type { StockPage } from "../types";

/** Items that are low or out (`GET /v1/stock?status=low`), out of stock first. */
export function AlertsPage({ api }: { api: Api }) {
  const now = useNow();
  const listing = usePoll(() => api.get<StockPage>(`/v1/stock${query({ status: "low", limit: 500 })}`), []);
  const items = [...(listing.data?.items ?? [])].sort(
    (a, b) => Number(stockState(b) === "out") - Number(stockState(a) === "out") || a.available - b.available,
  );
  const out = items.filter((level) => stockState(level) === "out").length;

  return (
    <section>
      <header class="page-head">
        <h2>Alerts</h2>
        <p class="muted">
          Items at or below their low-stock threshold, or out of stock. Webhook subscribers get <code>stock.low</code> and{" "}
          <code>stock.out</code> for each crossing.
        </p>
      </header>
      <ProblemBox problem={listing.error} />
      {listing.data !== undefined && (
        <p class="summary">
          <strong>{items.length}</strong> {items.length === 1 ? "item needs" : "items need"} attention; <strong>{out}</strong> out of stock.
        </p>
      )}
      {listing.loading && listing.data === undefined ? (
        <p class="muted">Loading…</p>
      ) : items.length === 0 ? (
        <Empty>Nothing is low or out of stock.</Empty>
      ) : (
        <table class="data" aria-label="Low and out-of-stock items">
          <thead>
            <tr>
              <th>Status</th>
              <th>SKU</th>
              <th>Warehouse</th>
              <th class="num">Available</th>
              <th class="num">Low at</th>
              <th class="num">Reorder qty</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((level) => (
              <tr key={`${level.sku}/${level.warehouse}`} class={`row-${stockState(level)}`}>
                <td>
                  <StateBadge level={level} />
                </td>
                <td>
                  <a href={href({ page: "item", sku: level.sku, warehouse: level.warehouse })}>{level.sku}</a>
                </td>
                <td>{level.warehouse}</td>
                <td class="num strong">{formatCount(level.available)}</td>
                <td class="num">{level.lowStockThreshold > 0 ? formatCount(level.lowStockThreshold) : "—"}</td>
                <td class="num">{level.reorderQuantity > 0 ? formatCount(level.reorderQuantity) : "—"}</td>
                <td title={level.updatedAt}>{relativeTime(level.updatedAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
