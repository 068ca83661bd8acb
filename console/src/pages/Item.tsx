import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type Api, ApiError, idempotencyKey, itemPath, query } from "../api";
import { StockChart } from "../Chart";
import { Empty, Figure, Notice, ProblemBox, StateBadge } from "../components";
import { type EventLogState, emptyLog, refreshLog, trimLog } from "../event-log";
import { dayAndDistance, formatCount, formatDays, formatRate, relativeTime, signed, utcTime } from "../format";
import { POLL_MS, useNow, usePoll } from "../hooks";
import { useLiveLevel } from "../live";
import type { ProblemMessage } from "../problem";
import { href } from "../route";
import { chartSeries, orderedEvents, WINDOW_MS } from "../series";
import { ADJUSTMENT_REASONS, type Analytics, type EventPage, type Level, type StockEvent } from "../types";

const EVENT_PAGE = 500;
const RECENT = 15;

/**
 * The item's events in D1, followed from the last page on every poll. Not re-read on each live
 * change (a busy item changes many times a second): the chart draws the live level itself until
 * D1's events catch up.
 */
function useEventLog(api: Api, sku: string, warehouse: string) {
  const [log, setLog] = useState<EventLogState<StockEvent>>(emptyLog());
  const [error, setError] = useState<ProblemMessage | null>(null);
  const logRef = useRef(log);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    logRef.current = emptyLog();
    setLog(logRef.current);
    setError(null);
  }, [sku, warehouse]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (document.visibilityState !== "hidden") {
        try {
          const fetchPage = (after: string | null) =>
            api.get<EventPage>(`/v1/events${query({ sku, warehouse, limit: EVENT_PAGE, after })}`);
          const next = trimLog(await refreshLog(logRef.current, fetchPage), Date.now() - WINDOW_MS);
          if (stopped) return;
          logRef.current = next;
          setLog(next);
          setError(null);
        } catch (e) {
          if (!stopped && e instanceof ApiError) setError(e.problem);
        }
      }
      if (!stopped) timer = setTimeout(run, POLL_MS);
    };
    void run();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, sku, warehouse, tick]);

  return { log, error, reload: () => setTick((n) => n + 1) };
}

/** One item: its level (live), a 7-day chart from its events, recent events, analytics, count and adjust forms. */
export function ItemPage({ api, token, sku, warehouse }: { api: Api; token: string; sku: string; warehouse: string }) {
  const live = useLiveLevel(api, token, sku, warehouse);
  const level = live.level;
  const events = useEventLog(api, sku, warehouse);
  const analytics = usePoll(
    async () => {
      try {
        return await api.get<Analytics>(`/v1/analytics/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouse)}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    [sku, warehouse],
    POLL_MS * 2,
  );
  const now = useNow(POLL_MS);

  const series = useMemo(() => chartSeries(events.log.events, { now, current: level ?? null }), [events.log.events, now, level]);
  const recent = useMemo(() => orderedEvents(events.log.events).slice(-RECENT).reverse(), [events.log.events]);

  return (
    <section>
      <header class="page-head">
        <p class="crumbs">
          <a href={href({ page: "stock" })}>Stock</a> /
        </p>
        <h2>
          {sku} <span class="muted">in</span> {warehouse} {level ? <StateBadge level={level} /> : null}
        </h2>
        <p class={`live live-${live.mode}`} title="How this page follows the level">
          {live.mode === "live" ? "● Live" : live.mode === "polling" ? "○ Polling every few seconds" : "○ Connecting…"}
        </p>
      </header>
      <ProblemBox problem={live.error} />

      {level === null && <Notice>This item has never been set. Count it below to create it.</Notice>}
      {level && (
        <section class="figures" aria-label="Level">
          <Figure label="On hand" value={level.onHand} />
          <Figure label="Reserved" value={level.reserved} />
          <Figure label="Available" value={level.available} />
          <Figure label="Low-stock threshold" value={level.lowStockThreshold > 0 ? level.lowStockThreshold : "—"} />
          <Figure label="Reorder quantity" value={level.reorderQuantity > 0 ? level.reorderQuantity : "—"} />
          <Figure label="Version" value={level.version} hint={`updated ${relativeTime(level.updatedAt, now)}`} />
        </section>
      )}

      <div class="columns">
        <div class="panel wide">
          <h3>Last 7 days</h3>
          <StockChart series={series} threshold={level?.lowStockThreshold ?? 0} />
          <ProblemBox problem={events.error} />
        </div>
        <div class="panel">
          <h3>Analytics</h3>
          <AnalyticsView analytics={analytics.data} error={analytics.error} now={now} />
        </div>
      </div>

      <div class="columns">
        <CountForm api={api} sku={sku} warehouse={warehouse} level={level} onLevel={live.offer} />
        <AdjustForm api={api} sku={sku} warehouse={warehouse} level={level} onLevel={live.offer} />
      </div>

      <div class="panel">
        <h3>Recent events</h3>
        {recent.length === 0 ? (
          <Empty>No events recorded yet (they reach the analytics store within seconds of a change).</Empty>
        ) : (
          <table class="data" aria-label="Recent events">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>When</th>
                <th>Type</th>
                <th class="num">Δ on hand</th>
                <th class="num">Δ reserved</th>
                <th class="num">On hand</th>
                <th class="num">Available</th>
                <th>Why</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((event) => (
                <tr key={event.id}>
                  <td class="num">{event.seq}</td>
                  <td class="nowrap" title={utcTime(event.at)}>
                    {relativeTime(event.at, now)}
                  </td>
                  <td>
                    <code>{event.type}</code>
                  </td>
                  <td class="num">{signed(event.onHandDelta)}</td>
                  <td class="num">{signed(event.reservedDelta)}</td>
                  <td class="num">{formatCount(event.onHand)}</td>
                  <td class="num">{formatCount(event.onHand - event.reserved)}</td>
                  <td>{[event.reason, event.reference, event.reservationId].filter(Boolean).join(" · ") || "—"}</td>
                  <td>{event.actor ?? "service"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function AnalyticsView({ analytics, error, now }: { analytics: Analytics | null | undefined; error: ProblemMessage | null; now: number }) {
  if (error) return <ProblemBox problem={error} />;
  if (analytics === undefined) return <p class="muted">Loading…</p>;
  if (analytics === null) return <Empty>No events recorded yet.</Empty>;
  return (
    <dl class="facts">
      <dt>Sold per day, 7 days</dt>
      <dd>{formatRate(analytics.unitsPerDay.last7d)}</dd>
      <dt>Sold per day, 30 days</dt>
      <dd>{formatRate(analytics.unitsPerDay.last30d)}</dd>
      {analytics.shrinkPerDay && (
        <>
          <dt>Damaged or lost per day, 7 days</dt>
          <dd>{formatRate(analytics.shrinkPerDay.last7d)}</dd>
        </>
      )}
      <dt>Days of cover</dt>
      <dd>{formatDays(analytics.daysOfCover)}</dd>
      <dt>Projected stockout</dt>
      <dd title={analytics.projectedStockoutAt ?? undefined}>
        {analytics.projectedStockoutAt ? dayAndDistance(analytics.projectedStockoutAt, now) : "not at this rate"}
      </dd>
    </dl>
  );
}

interface FormProps {
  api: Api;
  sku: string;
  warehouse: string;
  level: Level | null | undefined;
  onLevel: (level: Level | null) => void;
}

/**
 * The level a form is checked against: the one on screen when the person started filling it
 * in. Sent as `If-Match: "<version>"`, so a count typed while a sale happened is refused (412)
 * instead of overwriting it; `If-None-Match: *` when the item was never set.
 */
function useBasis(level: Level | null | undefined) {
  const [basis, setBasis] = useState<Level | null | undefined>(undefined);
  const current = basis === undefined ? level : basis;
  return {
    basis: current,
    /** The level moved on since the form was started. */
    stale: basis !== undefined && level !== undefined && (basis?.version ?? 0) !== (level?.version ?? 0),
    start: () => setBasis((b) => (b === undefined ? level : b)),
    reset: () => setBasis(undefined),
    headers: (): Record<string, string> =>
      current === null ? { "if-none-match": "*" } : current === undefined ? {} : { "if-match": `"${current.version}"` },
  };
}

function useSubmit(onLevel: (level: Level | null) => void, reset: () => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemMessage | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (send: () => Promise<Level>, describe: (level: Level) => string) => {
    setBusy(true);
    setProblem(null);
    setDone(null);
    try {
      const level = await send();
      onLevel(level);
      reset();
      setDone(describe(level));
    } catch (error) {
      if (error instanceof ApiError) {
        setProblem(error.problem);
        // 412: the answer carries the current level; the form now checks against that one.
        if (error.problem.level) {
          onLevel(error.problem.level);
          reset();
        }
      } else {
        setProblem({ message: String(error), fields: [], code: null, level: null });
      }
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, done, submit };
}

function StaleHint({ stale, level }: { stale: boolean; level: Level | null | undefined }) {
  if (!stale || !level) return null;
  return (
    <p class="hint">
      The item changed while you were typing (now version {level.version}): saving will be refused so you can check the new numbers.
    </p>
  );
}

const inputValue = (e: Event) => (e.target as HTMLInputElement).value;

function CountForm({ api, sku, warehouse, level, onLevel }: FormProps) {
  const [onHand, setOnHand] = useState("");
  const [threshold, setThreshold] = useState<string | null>(null);
  const [reorder, setReorder] = useState<string | null>(null);
  const basis = useBasis(level);
  const { busy, problem, done, submit } = useSubmit(onLevel, () => {
    basis.reset();
    setThreshold(null);
    setReorder(null);
  });

  const send = (event: Event) => {
    event.preventDefault();
    const body: Record<string, number> = { onHand: Number(onHand) };
    if (threshold !== null && threshold !== "") body.lowStockThreshold = Number(threshold);
    if (reorder !== null && reorder !== "") body.reorderQuantity = Number(reorder);
    const headers = basis.headers();
    void submit(
      async () => (await api.request<Level>(itemPath(sku, warehouse), { method: "PUT", json: body, headers })).body,
      (next) => {
        setOnHand("");
        return `Counted: on hand ${formatCount(next.onHand)}, available ${formatCount(next.available)} (version ${next.version}).`;
      },
    );
  };

  return (
    <form class="panel" aria-label="Count" onSubmit={send}>
      <h3>Count</h3>
      <p class="muted">
        Sets the counted quantity, checked against version {basis.basis ? basis.basis.version : "—"} (<code>If-Match</code>): if the item
        changes meanwhile, the count is refused, never applied over a sale.
      </p>
      <div class="row">
        <label>
          On hand
          <input
            name="onHand"
            type="number"
            min={0}
            step={1}
            required
            value={onHand}
            placeholder={level ? String(level.onHand) : "0"}
            onInput={(e) => {
              basis.start();
              setOnHand(inputValue(e));
            }}
          />
        </label>
        <label>
          Low at
          <input
            name="lowStockThreshold"
            type="number"
            min={0}
            step={1}
            value={threshold ?? String(level?.lowStockThreshold ?? 0)}
            onInput={(e) => {
              basis.start();
              setThreshold(inputValue(e));
            }}
          />
        </label>
        <label>
          Reorder qty
          <input
            name="reorderQuantity"
            type="number"
            min={0}
            step={1}
            value={reorder ?? String(level?.reorderQuantity ?? 0)}
            onInput={(e) => {
              basis.start();
              setReorder(inputValue(e));
            }}
          />
        </label>
      </div>
      <StaleHint stale={basis.stale} level={level} />
      <ProblemBox problem={problem} />
      {done && <Notice>{done}</Notice>}
      <button type="submit" disabled={busy || level === undefined}>
        {busy ? "Saving…" : "Save count"}
      </button>
    </form>
  );
}

const REASON_LABEL: Record<(typeof ADJUSTMENT_REASONS)[number], string> = {
  receipt: "Receipt (goods in)",
  return: "Customer return",
  damage: "Damage",
  loss: "Loss",
  correction: "Correction",
  transfer_in: "Transfer in",
  transfer_out: "Transfer out",
};

function AdjustForm({ api, sku, warehouse, level, onLevel }: FormProps) {
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<(typeof ADJUSTMENT_REASONS)[number]>("receipt");
  const [reference, setReference] = useState("");
  const basis = useBasis(level);
  const { busy, problem, done, submit } = useSubmit(onLevel, basis.reset);

  const send = (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { delta: Number(delta), reason };
    if (reference.trim() !== "") body.reference = reference.trim();
    // One key per submission: a retried request (a flaky network) applies once.
    const headers = { ...basis.headers(), "idempotency-key": idempotencyKey() };
    void submit(
      async () => (await api.request<Level>(`${itemPath(sku, warehouse)}/adjustments`, { method: "POST", json: body, headers })).body,
      (next) => {
        setDelta("");
        setReference("");
        return `Adjusted by ${signed(Number(body.delta))} (${reason}): on hand ${formatCount(next.onHand)} (version ${next.version}).`;
      },
    );
  };

  return (
    <form class="panel" aria-label="Adjust" onSubmit={send}>
      <h3>Adjust</h3>
      <p class="muted">
        Adds or removes units with a reason (negative for damage, loss, transfers out), checked against the version shown.
      </p>
      <div class="row">
        <label>
          Change
          <input
            name="delta"
            type="number"
            step={1}
            required
            value={delta}
            placeholder="+5 or -2"
            onInput={(e) => {
              basis.start();
              setDelta(inputValue(e));
            }}
          />
        </label>
        <label>
          Reason
          <select name="reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value as typeof reason)}>
            {ADJUSTMENT_REASONS.map((r) => (
              <option key={r} value={r}>
                {REASON_LABEL[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reference
          <input name="reference" value={reference} placeholder="optional, e.g. GRN-7781" onInput={(e) => setReference(inputValue(e))} />
        </label>
      </div>
      <StaleHint stale={basis.stale} level={level} />
      <ProblemBox problem={problem} />
      {done && <Notice>{done}</Notice>}
      <button type="submit" disabled={busy || !level}>
        {busy ? "Saving…" : "Apply adjustment"}
      </button>
    </form>
  );
}
