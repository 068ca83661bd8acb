import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";
import type { ProblemMessage } from "./problem";

/** How often pages re-read what they show while open (and the tab is visible). */
export const POLL_MS = 4000;

export interface Polled<T> {
  data: T | undefined;
  error: ProblemMessage | null;
  loading: boolean;
  /** Re-reads now (after a change the page made itself). */
  reload: () => void;
  /** When the data was last read successfully. */
  at: number | null;
}

/**
 * Reads `load()` at once, then every `intervalMs` while the tab is visible, and again when
 * `deps` change. A read that comes back after a newer one started is dropped, so the page
 * never goes back to older data.
 */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ProblemMessage | null; loading: boolean; at: number | null }>({
    data: undefined,
    error: null,
    loading: true,
    at: null,
  });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);

  useEffect(() => {
    setState({ data: undefined, error: null, loading: true, at: null });
  }, deps);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const run = async () => {
      const mine = ++generation.current;
      try {
        const data = await loadRef.current();
        if (!stopped && mine === generation.current) setState({ data, error: null, loading: false, at: Date.now() });
      } catch (error) {
        if (!stopped && mine === generation.current) {
          const problem = error instanceof ApiError ? error.problem : { message: String(error), fields: [], code: null, level: null };
          setState((previous) => ({ ...previous, error: problem, loading: false }));
        }
      }
      if (!stopped) timer = setTimeout(schedule, intervalMs);
    };
    const schedule = () => {
      if (document.visibilityState === "hidden") {
        timer = setTimeout(schedule, intervalMs);
        return;
      }
      void run();
    };
    void run();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [...deps, tick, intervalMs]);

  return { ...state, reload: () => setTick((n) => n + 1) };
}

/** The current time, refreshed every `everyMs` (for "3 min ago" labels). */
export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
