import type { ComponentChildren } from "preact";
import { formatCount, type StockState, stockState } from "./format";
import type { ProblemMessage } from "./problem";

/** The API's refusal, in its own words (and its field errors). */
export function ProblemBox({ problem }: { problem: ProblemMessage | null }) {
  if (problem === null) return null;
  return (
    <div class="problem" role="alert">
      <p>{problem.message}</p>
      {problem.fields.length > 0 && (
        <ul>
          {problem.fields.map((field) => (
            <li key={field}>{field}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="notice" role="status">
      {children}
    </div>
  );
}

const STATE_LABEL: Record<StockState, string> = { ok: "In stock", low: "Low", out: "Out" };

export function StateBadge({ level }: { level: { available: number; lowStockThreshold: number } }) {
  const state = stockState(level);
  return <span class={`badge badge-${state}`}>{STATE_LABEL[state]}</span>;
}

export function Figure({ label, value, hint }: { label: string; value: number | string; hint?: string }) {
  return (
    <div class="figure">
      <div class="figure-label">{label}</div>
      <div class="figure-value">{typeof value === "number" ? formatCount(value) : value}</div>
      {hint !== undefined && <div class="figure-hint">{hint}</div>}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
