import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type Api, ApiError, itemPath } from "./api";
import { POLL_MS } from "./hooks";
import { levelOfMessage, liveProtocols, liveUrl } from "./live-protocol";
import type { ProblemMessage } from "./problem";
import type { Level } from "./types";

export type LiveMode = "connecting" | "live" | "polling";

export interface LiveLevel {
  /** undefined: not read yet; null: never set. */
  level: Level | null | undefined;
  mode: LiveMode;
  error: ProblemMessage | null;
  /** Shows a level the page got itself (a count's answer); an older version is ignored. */
  offer: (level: Level | null) => void;
}

/** Newer wins: a level replaces the shown one unless its version is lower. */
function newer(current: Level | null | undefined, next: Level | null): Level | null | undefined {
  if (next === null) return current ?? null;
  if (current && next.version < current.version) return current;
  return next;
}

/**
 * One item's level, kept current: the live WebSocket (`…/live`, token in the subprotocols)
 * while it is open; when it closes or cannot open, `GET` every few seconds and a reconnect
 * with backoff (5 s doubling to a minute).
 */
export function useLiveLevel(api: Api, token: string, sku: string, warehouse: string): LiveLevel {
  const [level, setLevel] = useState<Level | null | undefined>(undefined);
  const [mode, setMode] = useState<LiveMode>("connecting");
  const [error, setError] = useState<ProblemMessage | null>(null);
  const offer = useCallback((next: Level | null) => setLevel((current) => newer(current, next)), []);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    setLevel(undefined);
    setMode("connecting");
    setError(null);
    let socket: WebSocket | null = null;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
    let backoff = 5000;

    const poll = async () => {
      try {
        const next = await api.get<Level>(itemPath(sku, warehouse));
        if (alive.current) {
          setLevel((current) => newer(current, next));
          setError(null);
        }
      } catch (e) {
        if (!alive.current) return;
        if (e instanceof ApiError && e.status === 404) setLevel((current) => current ?? null);
        else if (e instanceof ApiError) setError(e.problem);
      }
      if (alive.current && socket === null) pollTimer = setTimeout(poll, POLL_MS);
    };

    const connect = () => {
      let opened = false;
      try {
        socket = new WebSocket(liveUrl(location.origin, sku, warehouse), liveProtocols(token));
      } catch {
        socket = null;
        fallBack();
        return;
      }
      const ws = socket;
      ws.addEventListener("open", () => {
        opened = true;
        backoff = 5000;
        if (pollTimer !== undefined) clearTimeout(pollTimer);
        setMode("live");
        setError(null);
      });
      ws.addEventListener("message", (event) => {
        const next = levelOfMessage<Level>(event.data);
        if (next !== undefined) setLevel((current) => (next === null ? (current ?? null) : newer(current, next)));
      });
      ws.addEventListener("close", () => {
        if (!alive.current || socket !== ws) return;
        socket = null;
        if (!opened) backoff = Math.min(backoff * 2, 60_000);
        fallBack();
      });
    };

    const fallBack = () => {
      setMode("polling");
      void poll();
      reconnectTimer = setTimeout(() => {
        if (pollTimer !== undefined) clearTimeout(pollTimer);
        connect();
      }, backoff);
    };

    // The first read comes over HTTP too, so the page shows the level (and a 403's message) even if the socket is slow.
    void (async () => {
      try {
        const first = await api.get<Level>(itemPath(sku, warehouse));
        if (alive.current) setLevel((current) => newer(current, first));
      } catch (e) {
        if (!alive.current) return;
        if (e instanceof ApiError && e.status === 404) setLevel((current) => current ?? null);
        else if (e instanceof ApiError) setError(e.problem);
      }
    })();
    connect();

    return () => {
      alive.current = false;
      if (pollTimer !== undefined) clearTimeout(pollTimer);
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, "page closed");
    };
  }, [api, token, sku, warehouse]);

  return { level, mode, error, offer };
}
