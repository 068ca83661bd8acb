/** A system the bench measures: the Worker through one path, or a baseline. */
export interface Target {
  /** Short key used in the JSON results: "wrangler", "miniflare", "memory", "redis", "postgres". */
  key: string;
  /** What the table calls it. */
  label: string;
  kind: "worker" | "baseline";
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  baseUrl: string;
  token: string;
  /** Root pids of the processes under test, for CPU accounting. */
  pids(): number[];
  /** Facts worth printing next to the figures (versions, settings). */
  notes: string[];
  /** The Worker isolate's DevTools endpoint, when started with an inspector (for profiling). */
  inspectorUrl?: string;
  /** The Worker bundle (with its .map beside it), for mapping a profile back to sources. */
  bundle?: string;
  stop(): Promise<void>;
}

/** A target that could not be had: the table says why instead of failing the run. */
export interface Unavailable {
  key: string;
  label: string;
  reason: string;
}
