import { useState } from "preact/hooks";
import { type Api, ApiError } from "../api";
import { Empty, ProblemBox } from "../components";
import { relativeTime, utcTime } from "../format";
import { useNow, usePoll } from "../hooks";
import type { ProblemMessage } from "../problem";
import { ALERT_TYPES, type AlertType, type CreatedWebhook, type Delivery, type Webhook } from "../types";

const DELIVERY_LABEL: Record<Delivery["status"], string> = {
  succeeded: "Delivered",
  retrying: "Failed, will retry",
  failed: "Failed",
  gone: "Gone (410)",
};

/** Subscriptions, the deliveries of the one selected, and create/delete (the secret shown once). */
export function WebhooksPage({ api }: { api: Api }) {
  const now = useNow();
  const list = usePoll(() => api.get<{ webhooks: Webhook[] }>("/v1/webhooks"), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const webhooks = list.data?.webhooks ?? [];
  const current = webhooks.find((w) => w.id === selected) ?? webhooks[0] ?? null;

  return (
    <section>
      <header class="page-head">
        <h2>Webhooks</h2>
        <p class="muted">
          Low-stock alerts (<code>stock.low</code>, <code>stock.out</code>, <code>stock.replenished</code>) are POSTed to these URLs, signed
          per Standard Webhooks, and retried with backoff when a receiver fails.
        </p>
      </header>
      {created && <SecretOnce webhook={created} onDismiss={() => setCreated(null)} />}
      <CreateWebhook
        api={api}
        onCreated={(webhook) => {
          setCreated(webhook);
          setSelected(webhook.id);
          list.reload();
        }}
      />
      <ProblemBox problem={list.error} />
      <div class="panel">
        <h3>Subscriptions</h3>
        {list.loading && list.data === undefined ? (
          <p class="muted">Loading…</p>
        ) : webhooks.length === 0 ? (
          <Empty>No subscriptions yet.</Empty>
        ) : (
          <table class="data" aria-label="Webhook subscriptions">
            <thead>
              <tr>
                <th>URL</th>
                <th>Alerts</th>
                <th>Only</th>
                <th>Status</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {webhooks.map((webhook) => (
                <tr key={webhook.id} class={current?.id === webhook.id ? "selected" : ""} onClick={() => setSelected(webhook.id)}>
                  <td>
                    <button type="button" class="link" onClick={() => setSelected(webhook.id)} title={webhook.id}>
                      {webhook.url}
                    </button>
                  </td>
                  <td>{webhook.events.join(", ")}</td>
                  <td>{[webhook.sku, webhook.warehouse].filter(Boolean).join(" in ") || "every item"}</td>
                  <td>
                    <span class={`badge ${webhook.status === "disabled" ? "badge-out" : "badge-ok"}`}>{webhook.status ?? "active"}</span>
                  </td>
                  <td title={webhook.createdAt}>{relativeTime(webhook.createdAt, now)}</td>
                  <td>
                    <DeleteButton
                      api={api}
                      webhook={webhook}
                      onDeleted={() => {
                        if (selected === webhook.id) setSelected(null);
                        list.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {current && <Deliveries api={api} webhook={current} now={now} />}
    </section>
  );
}

function Deliveries({ api, webhook, now }: { api: Api; webhook: Webhook; now: number }) {
  const deliveries = usePoll(
    () => api.get<{ deliveries: Delivery[] }>(`/v1/webhooks/${encodeURIComponent(webhook.id)}/deliveries?limit=50`),
    [webhook.id],
  );
  const rows = deliveries.data?.deliveries ?? [];
  return (
    <div class="panel">
      <h3>
        Deliveries to <span class="mono">{webhook.url}</span>
      </h3>
      <ProblemBox problem={deliveries.error} />
      {deliveries.loading && deliveries.data === undefined ? (
        <p class="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <Empty>No deliveries yet: one is attempted within seconds of an alert.</Empty>
      ) : (
        <table class="data" aria-label="Deliveries">
          <thead>
            <tr>
              <th>When</th>
              <th>Alert</th>
              <th class="num">Attempt</th>
              <th>Result</th>
              <th class="num">Response</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} class={d.status === "succeeded" ? "" : "row-out"}>
                <td title={utcTime(d.at)}>{relativeTime(d.at, now)}</td>
                <td>
                  <code>{d.type}</code>
                </td>
                <td class="num">{d.attempt}</td>
                <td>
                  <span class={`badge ${d.status === "succeeded" ? "badge-ok" : d.status === "gone" ? "badge-low" : "badge-out"}`}>
                    {DELIVERY_LABEL[d.status]}
                  </span>
                </td>
                <td class="num">{d.responseStatus ?? "no answer"}</td>
                <td>{d.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function SecretOnce({ webhook, onDismiss }: { webhook: CreatedWebhook; onDismiss: () => void }) {
  return (
    <div class="secret" role="alert">
      <h3>Signing secret for {webhook.url}</h3>
      <p>Copy it now: it is shown only this once. Receivers verify each delivery's signature with it.</p>
      <pre>
        <code>{webhook.secret}</code>
      </pre>
      <button type="button" onClick={onDismiss}>
        I have copied it
      </button>
    </div>
  );
}

function CreateWebhook({ api, onCreated }: { api: Api; onCreated: (webhook: CreatedWebhook) => void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<AlertType[]>([...ALERT_TYPES]);
  const [sku, setSku] = useState("");
  const [warehouse, setWarehouse] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemMessage | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body: Record<string, unknown> = { url: url.trim(), events };
      if (sku.trim() !== "") body.sku = sku.trim();
      if (warehouse.trim() !== "") body.warehouse = warehouse.trim();
      const created = (await api.request<CreatedWebhook>("/v1/webhooks", { method: "POST", json: body })).body;
      setUrl("");
      setSku("");
      setWarehouse("");
      onCreated(created);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { message: String(error), fields: [], code: null, level: null });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" aria-label="New webhook" onSubmit={submit}>
      <h3>New subscription</h3>
      <div class="row">
        <label class="grow">
          URL
          <input
            name="url"
            type="url"
            required
            value={url}
            placeholder="https://erp.example.com/hooks/stock"
            onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Only SKU
          <input name="sku" value={sku} placeholder="any" onInput={(e) => setSku((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Only warehouse
          <input name="warehouse" value={warehouse} placeholder="any" onInput={(e) => setWarehouse((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <fieldset class="checks">
        <legend>Alerts</legend>
        {ALERT_TYPES.map((type) => (
          <label key={type}>
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(e) =>
                setEvents((current) =>
                  (e.target as HTMLInputElement).checked
                    ? ALERT_TYPES.filter((t) => t === type || current.includes(t))
                    : current.filter((t) => t !== type),
                )
              }
            />{" "}
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <ProblemBox problem={problem} />
      <button type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create subscription"}
      </button>
    </form>
  );
}

function DeleteButton({ api, webhook, onDeleted }: { api: Api; webhook: Webhook; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<ProblemMessage | null>(null);
  const remove = async () => {
    try {
      await api.request(`/v1/webhooks/${encodeURIComponent(webhook.id)}`, { method: "DELETE" });
      onDeleted();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { message: String(error), fields: [], code: null, level: null });
    }
    setConfirming(false);
  };
  if (problem)
    return (
      <span class="error-text" title={problem.message}>
        Not deleted: {problem.message}
      </span>
    );
  return confirming ? (
    <span class="confirm">
      Delete?{" "}
      <button
        type="button"
        class="danger"
        onClick={(e) => {
          e.stopPropagation();
          void remove();
        }}
      >
        Yes, delete
      </button>{" "}
      <button
        type="button"
        class="secondary"
        onClick={(e) => {
          e.stopPropagation();
          setConfirming(false);
        }}
      >
        Keep
      </button>
    </span>
  ) : (
    <button
      type="button"
      class="secondary"
      onClick={(e) => {
        e.stopPropagation();
        setConfirming(true);
      }}
    >
      Delete
    </button>
  );
}
