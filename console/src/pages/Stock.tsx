import { useState } from "preact/hooks";
import { type Api, query } from "../api";
import { Empty, ProblemBox, StateBadge } from "../components";
import { formatCount, relativeTime } from "../format";
import { useNow, usePoll } from "../hooks";
import { href } from "../route";
import type { Level, StockPage } from "../types";

type StatusFilter = "" | "low" | "out";

interface Filters {
  prefix: string;
  warehouse: string;
  status: StatusFilter;
}

/** The listing (`GET /v1/stock`) with its filters; each row opens the item. */
export function StockPageView({ api }: { api: Api }) {
  const [draft, setDraft] = useState<Filters>({ prefix: "", warehouse: "", status: "" });
  const [filters, setFilters] = useState<Filters>(draft);
  const [more, setMore] = useState<{ items: Level[]; next: string | null } | null>(null);
  const [pages, setPages] = useState(1);
  const now = useNow();

  const limit = Math.min(500, 100 * pages);
  const listing = usePoll(
    () => api.get<StockPage>(`/v1/stock${query({ prefix: filters.prefix, warehouse: filters.warehouse, status: filters.status, limit })}`),
    [filters.prefix, filters.warehouse, filters.status, limit],
  );

  const apply = (event: Event) => {
    event.preventDefault();
    setMore(null);
    setPages(1);
    setFilters({ ...draft, prefix: draft.prefix.trim(), warehouse: draft.warehouse.trim() });
  };

  const loadMore = async () => {
    const cursor = more?.next ?? listing.data?.next;
    if (!cursor) return;
    if (limit < 500 && more === null) {
      setPages((p) => p + 1);
      return;
    }
    const page = await api.get<StockPage>(
      `/v1/stock${query({ prefix: filters.prefix, warehouse: filters.warehouse, status: filters.status, limit: 500, cursor })}`,
    );
    setMore((previous) => ({ items: [...(previous?.items ?? []), ...page.items], next: page.next }));
  };

  const items = [...(listing.data?.items ?? []), ...(more?.items ?? [])];
  const next = more ? more.next : (listing.data?.next ?? null);

  return (
    <section>
      <header class="page-head">
        <h2>Stock</h2>
        <p class="muted">Every item ever set, from the analytics projection (a change shows here within seconds).</p>
      </header>
      <form class="filters" onSubmit={apply}>
        <label>
          SKU starts with
          <input
            name="prefix"
            value={draft.prefix}
            placeholder="e.g. TSHIRT-"
            onInput={(e) => setDraft({ ...draft, prefix: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Warehouse
          <input
            name="warehouse"
            value={draft.warehouse}
            placeholder="any"
            onInput={(e) => setDraft({ ...draft, warehouse: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Status
          <select
            name="status"
            value={draft.status}
            onChange={(e) => {
              const status = (e.target as HTMLSelectElement).value as StatusFilter;
              setDraft({ ...draft, status });
              setMore(null);
              setPages(1);
              setFilters({ ...draft, status });
            }}
          >
            <option value="">All</option>
            <option value="low">Low (and out)</option>
            <option value="out">Out of stock</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <ProblemBox problem={listing.error} />
      {listing.loading && items.length === 0 ? (
        <p class="muted">Loading…</p>
      ) : items.length === 0 ? (
        <Empty>No items match.</Empty>
      ) : (
        <table class="data" aria-label="Stock levels">
          <thead>
            <tr>
              <th>SKU</th>
              <th>Warehouse</th>
              <th class="num">On hand</th>
              <th class="num">Reserved</th>
              <th class="num">Available</th>
              <th class="num">Low at</th>
              <th>Status</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((level) => (
              <tr key={`${level.sku}/${level.warehouse}`}>
                <td>
                  <a href={href({ page: "item", sku: level.sku, warehouse: level.warehouse })}>{level.sku}</a>
                </td>
                <td>{level.warehouse}</td>
                <td class="num">{formatCount(level.onHand)}</td>
                <td class="num">{formatCount(level.reserved)}</td>
                <td class="num strong">{formatCount(level.available)}</td>
                <td class="num">{level.lowStockThreshold > 0 ? formatCount(level.lowStockThreshold) : "—"}</td>
                <td>
                  <StateBadge level={level} />
                </td>
                <td title={level.updatedAt}>{relativeTime(level.updatedAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" class="secondary" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </section>
  );
}
