import { describe, expect, it } from "vitest";
import { type EventLogState, emptyLog, refreshLog, trimLog } from "../../console/src/event-log";
import { dayAndDistance, formatDays, relativeTime, signed, stockState, utcTime } from "../../console/src/format";
import { base64url, levelOfMessage, liveProtocols, liveUrl } from "../../console/src/live-protocol";
import { href, parseRoute } from "../../console/src/route";
import { subprotocolToken } from "../../src/http/auth";

describe("live subprotocols", () => {
  it("encodes the token as the Worker decodes it", () => {
    for (const token of ["dev-token", "sfk_AbC-_123", "tökén with spaces/+="]) {
      const protocols = liveProtocols(token);
      expect(protocols[0]).toBe("stockflare.v1");
      expect(protocols[1]).toMatch(/^bearer\.[A-Za-z0-9_-]+$/);
      expect(subprotocolToken(protocols.join(", "))).toBe(token);
    }
    expect(base64url("a")).toBe("YQ");
  });

  it("builds the ws URL from the page's origin", () => {
    expect(liveUrl("http://127.0.0.1:8787", "TSHIRT RED", "ams-1")).toBe("ws://127.0.0.1:8787/v1/stock/TSHIRT%20RED/ams-1/live");
    expect(liveUrl("https://inv.example.com", "A", "B")).toBe("wss://inv.example.com/v1/stock/A/B/live");
  });

  it("reads level messages only", () => {
    expect(levelOfMessage(JSON.stringify({ type: "level", level: { version: 3 } }))).toEqual({ version: 3 });
    expect(levelOfMessage(JSON.stringify({ type: "level", level: null }))).toBeNull();
    expect(levelOfMessage("pong")).toBeUndefined();
    expect(levelOfMessage(JSON.stringify({ type: "other" }))).toBeUndefined();
  });
});

describe("routes", () => {
  it("round-trips every page, keeping identifiers with dots and dashes", () => {
    for (const route of [
      { page: "stock" } as const,
      { page: "alerts" } as const,
      { page: "webhooks" } as const,
      { page: "item", sku: "TSHIRT-RED.M_1", warehouse: "ams-1" } as const,
    ]) {
      expect(parseRoute(href(route))).toEqual(route);
    }
  });

  it("falls back to the stock page", () => {
    expect(parseRoute("")).toEqual({ page: "stock" });
    expect(parseRoute("#/nope")).toEqual({ page: "stock" });
    expect(parseRoute("#/item/only-sku")).toEqual({ page: "stock" });
    expect(parseRoute("#/item/%E0%A4%A/x")).toEqual({ page: "stock" });
  });
});

describe("formatting", () => {
  const now = Date.parse("2026-11-28T12:00:00Z");
  it("says how long ago", () => {
    expect(relativeTime("2026-11-28T12:00:01Z", now)).toBe("just now");
    expect(relativeTime("2026-11-28T11:59:30Z", now)).toBe("30 s ago");
    expect(relativeTime("2026-11-28T11:57:00Z", now)).toBe("3 min ago");
    expect(relativeTime("2026-11-28T09:00:00Z", now)).toBe("3 h ago");
    expect(relativeTime("2026-11-25T12:00:00Z", now)).toBe("3 d ago");
    expect(relativeTime("2026-11-28T12:10:00Z", now)).toBe("in 10 min");
  });

  it("formats days of cover, deltas and times", () => {
    expect(formatDays(null)).toBe("—");
    expect(formatDays(0.4)).toBe("under a day");
    expect(formatDays(12.345)).toBe("12.3 days");
    expect(signed(5)).toBe("+5");
    expect(signed(-1200)).toBe("−1,200");
    expect(signed(0)).toBe("0");
    expect(utcTime("2026-11-28T12:00:00.123Z")).toBe("2026-11-28 12:00:00 UTC");
    expect(dayAndDistance("2026-12-26T12:00:00.000Z", now)).toBe("2026-12-26 (in 28 d)");
  });

  it("uses the listing's definitions of low and out", () => {
    expect(stockState({ available: 0, lowStockThreshold: 0 })).toBe("out");
    expect(stockState({ available: -2, lowStockThreshold: 5 })).toBe("out");
    expect(stockState({ available: 5, lowStockThreshold: 5 })).toBe("low");
    expect(stockState({ available: 6, lowStockThreshold: 5 })).toBe("ok");
    expect(stockState({ available: 1, lowStockThreshold: 0 })).toBe("ok");
  });
});

describe("event log", () => {
  interface E {
    seq: number;
    at: string;
  }
  const e = (seq: number, at = "2026-11-28T12:00:00Z"): E => ({ seq, at });

  /** A fake `GET /v1/events`: pages of `size` over `all`, cursors "c<index>". */
  function server(all: E[], size: number) {
    const calls: (string | null)[] = [];
    const fetchPage = async (after: string | null) => {
      calls.push(after);
      const start = after === null ? 0 : Number(after.slice(1));
      const events = all.slice(start, start + size);
      const more = start + size < all.length;
      return { events, next: more ? `c${start + size}` : null };
    };
    return { calls, fetchPage };
  }

  it("reads every page, then re-reads only from the last page's cursor", async () => {
    const all = [1, 2, 3, 4, 5].map((n) => e(n));
    const s = server(all, 2);
    let log: EventLogState<E> = await refreshLog(emptyLog<E>(), s.fetchPage);
    expect(log.events.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(s.calls).toEqual([null, "c2", "c4"]);
    all.push(e(6), e(7));
    s.calls.length = 0;
    log = await refreshLog(log, s.fetchPage);
    expect(log.events.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.calls).toEqual(["c4", "c6"]);
    s.calls.length = 0;
    log = await refreshLog(log, s.fetchPage);
    expect(log.events.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.calls).toEqual(["c6"]);
  });

  it("catches up over several refreshes when the history is long", async () => {
    const all = Array.from({ length: 10 }, (_, i) => e(i + 1));
    const s = server(all, 2);
    let log = await refreshLog(emptyLog<E>(), s.fetchPage, 2);
    expect(log.events.length).toBe(4);
    log = await refreshLog(log, s.fetchPage, 2);
    expect(log.events.length).toBe(8);
    log = await refreshLog(log, s.fetchPage, 2);
    expect(log.events.map((x) => x.seq)).toEqual(all.map((x) => x.seq));
  });

  it("drops events older than the window but the last of them", async () => {
    const old = "2026-11-01T00:00:00Z";
    const all = [e(1, old), e(2, old), e(3, old), e(4), e(5), e(6)];
    const s = server(all, 2);
    const log = await refreshLog(emptyLog<E>(), s.fetchPage);
    const trimmed = trimLog(log, Date.parse("2026-11-21T12:00:00Z"));
    expect(trimmed.events.map((x) => x.seq)).toEqual([3, 4, 5, 6]);
    all.push(e(7));
    const next = await refreshLog(trimmed, s.fetchPage);
    expect(next.events.map((x) => x.seq)).toEqual([3, 4, 5, 6, 7]);
  });
});
