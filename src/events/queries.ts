import { and, asc, eq, gt, gte, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { DAY_MS, type OutflowTotals, WINDOWS } from "./analytics";
import { type EventRow, events, stockProjection } from "./schema";

/**
 * Spelled out because drizzle leaves the outer columns of a one-table select unqualified,
 * which inside the subquery would name the events table's own columns.
 */
const RECORDED_EVENTS = sql
  .raw("(select count(*) from events e where e.sku = stock_projection.sku and e.warehouse = stock_projection.warehouse)")
  .mapWith(Number);

/** Every read of the events database, in one place. */
export class EventsReader {
  private readonly db: DrizzleD1Database;

  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  /** Events in recording order after position `after`; one more than `limit` tells if there are more. */
  async listEvents(filter: {
    sku?: string;
    warehouse?: string;
    type?: string;
    actor?: string | null;
    after: number;
    limit: number;
  }): Promise<{
    events: EventRow[];
    more: boolean;
  }> {
    const conditions: SQL[] = [gt(events.pos, filter.after)];
    if (filter.sku !== undefined) conditions.push(eq(events.sku, filter.sku));
    if (filter.warehouse !== undefined) conditions.push(eq(events.warehouse, filter.warehouse));
    if (filter.type !== undefined) conditions.push(eq(events.type, filter.type));
    if (filter.actor !== undefined) conditions.push(filter.actor === null ? isNull(events.actor) : eq(events.actor, filter.actor));
    const rows = await this.db
      .select()
      .from(events)
      .where(and(...conditions))
      .orderBy(asc(events.pos))
      .limit(filter.limit + 1);
    return { events: rows.slice(0, filter.limit), more: rows.length > filter.limit };
  }

  /** Which of the item's seqs in [from, to] D1 holds. */
  async recordedSeqs(sku: string, warehouse: string, from: number, to: number): Promise<Set<number>> {
    const rows = await this.db
      .select({ seq: events.seq })
      .from(events)
      .where(and(eq(events.sku, sku), eq(events.warehouse, warehouse), gte(events.seq, from), lte(events.seq, to)));
    return new Set(rows.map((row) => row.seq));
  }

  async projection(sku: string, warehouse: string) {
    const rows = await this.db
      .select()
      .from(stockProjection)
      .where(and(eq(stockProjection.sku, sku), eq(stockProjection.warehouse, warehouse)));
    return rows[0] ?? null;
  }

  /** Units out per (type, reason) over (now - 7d, now] and (now - 30d, now]: the same as `outflowTotals`. */
  async outflowTotals(sku: string, warehouse: string, now: number): Promise<OutflowTotals[]> {
    const since7 = now - WINDOWS.last7d * DAY_MS;
    const since30 = now - WINDOWS.last30d * DAY_MS;
    return this.db
      .select({
        type: events.type,
        reason: events.reason,
        last7d: sql`coalesce(sum(case when ${events.atMs} > ${since7} then -${events.onHandDelta} else 0 end), 0)`.mapWith(Number),
        last30d: sql`coalesce(sum(-${events.onHandDelta}), 0)`.mapWith(Number),
      })
      .from(events)
      .where(
        and(
          eq(events.sku, sku),
          eq(events.warehouse, warehouse),
          gt(events.atMs, since30),
          lte(events.atMs, now),
          lt(events.onHandDelta, 0),
        ),
      )
      .groupBy(events.type, events.reason);
  }

  /** A page of projections in (sku, warehouse) order, each with how many of its events D1 holds. */
  async projectionsAfter(after: { sku: string; warehouse: string } | null, limit: number): Promise<ProjectionState[]> {
    const where =
      after === null ? undefined : sql`(${stockProjection.sku}, ${stockProjection.warehouse}) > (${after.sku}, ${after.warehouse})`;
    return this.projectionQuery(where, limit);
  }

  /** The projections of the given items (those that have one). At most 49 items per call. */
  async projectionsOf(items: readonly { sku: string; warehouse: string }[]): Promise<ProjectionState[]> {
    if (items.length === 0) return [];
    const where = or(...items.map((i) => and(eq(stockProjection.sku, i.sku), eq(stockProjection.warehouse, i.warehouse))));
    return this.projectionQuery(where, items.length);
  }

  private projectionQuery(where: SQL | undefined, limit: number): Promise<ProjectionState[]> {
    return this.db
      .select({
        sku: stockProjection.sku,
        warehouse: stockProjection.warehouse,
        onHand: stockProjection.onHand,
        reserved: stockProjection.reserved,
        lastSeq: stockProjection.lastSeq,
        updatedAt: stockProjection.updatedAt,
        events: RECORDED_EVENTS,
      })
      .from(stockProjection)
      .where(where)
      .orderBy(asc(stockProjection.sku), asc(stockProjection.warehouse))
      .limit(limit);
  }
}

/** What D1 knows of one item: its projection and how many of its events are recorded. */
export interface ProjectionState {
  sku: string;
  warehouse: string;
  onHand: number;
  reserved: number;
  lastSeq: number;
  /** Epoch milliseconds of the event at `lastSeq`. */
  updatedAt: number;
  /** Events recorded for the item; equals `lastSeq` when none is missing. */
  events: number;
}
