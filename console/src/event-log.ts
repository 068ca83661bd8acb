/**
 * Follows one item's change events in D1 (`GET /v1/events?sku=&warehouse=`), which pages
 * forward in recording order with an opaque `next` cursor (null on the last page, so there is
 * no cursor "after the end" to poll from). The log remembers the cursor that led to its last
 * page and re-reads from there: a refresh costs one request while the item is quiet, and
 * an event recorded later always appears after that cursor, so none is missed.
 *
 * Events older than the chart needs are dropped (all but the last one before the window,
 * which gives the window's opening level). Pure: the page fetch is injected.
 */

export interface LogEvent {
  seq: number;
  at: string;
}

export interface EventLogState<E extends LogEvent> {
  /** Events in the order read (recording order). */
  events: E[];
  /** The cursor the last page was read from (null: the beginning). */
  tailCursor: string | null;
  /** How many of `events` came before the last page. */
  tailStart: number;
}

export type FetchPage<E> = (after: string | null) => Promise<{ events: E[]; next: string | null }>;

export function emptyLog<E extends LogEvent>(): EventLogState<E> {
  return { events: [], tailCursor: null, tailStart: 0 };
}

/**
 * Reads from the last page on: at most `maxPages` pages (an item with a long history catches
 * up over several refreshes). Returns a new state; the given one is not changed.
 */
export async function refreshLog<E extends LogEvent>(
  state: EventLogState<E>,
  fetchPage: FetchPage<E>,
  maxPages = 20,
): Promise<EventLogState<E>> {
  let events = state.events.slice(0, state.tailStart);
  let cursor = state.tailCursor;
  for (let pages = 0; ; pages++) {
    const page = await fetchPage(cursor);
    if (page.next === null || pages + 1 >= maxPages) {
      const tailStart = events.length;
      events = events.concat(page.events);
      // Stopped early: the next refresh goes on from `next`, not from this page again.
      return page.next === null ? { events, tailCursor: cursor, tailStart } : { events, tailCursor: page.next, tailStart: events.length };
    }
    events = events.concat(page.events);
    cursor = page.next;
  }
}

/**
 * Drops events before `windowStart` except the newest of them, and only among the events
 * before the last page (those are never read again).
 */
export function trimLog<E extends LogEvent>(state: EventLogState<E>, windowStart: number): EventLogState<E> {
  let lastBefore = -1;
  for (let i = 0; i < state.tailStart; i++) {
    const event = state.events[i] as E;
    if (Date.parse(event.at) < windowStart) lastBefore = i;
  }
  if (lastBefore <= 0) return state;
  // Keep the newest old event by seq (recording order is seq order unless a delivery was retried).
  const old = state.events.slice(0, lastBefore + 1).filter((e) => Date.parse(e.at) < windowStart);
  const newest = old.reduce((a, b) => (b.seq > a.seq ? b : a));
  const rest = state.events.slice(0, lastBefore + 1).filter((e) => Date.parse(e.at) >= windowStart);
  const kept = [newest, ...rest];
  return {
    events: [...kept, ...state.events.slice(lastBefore + 1)],
    tailCursor: state.tailCursor,
    tailStart: state.tailStart - (lastBefore + 1) + kept.length,
  };
}
