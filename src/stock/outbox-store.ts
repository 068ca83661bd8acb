import type { StockEvent } from "../events/event";

/**
 * The SQL of an item's event outbox: one row per change, appended in the change's own
 * transaction (src/stock/changes.ts) and removed only once it is known to be delivered
 * (src/stock/shipping.ts; a pool member's, once its parent absorbed it: src/stock/pool-member.ts).
 */
export class OutboxStore {
  constructor(private readonly sql: SqlStorage) {}

  append(event: StockEvent): void {
    this.sql.exec("INSERT INTO outbox (seq, event) VALUES (?, ?)", event.seq, JSON.stringify(event));
  }

  /** A member's events the parent has not confirmed absorbing, oldest first. */
  eventsAfter(seq: number, limit: number): StockEvent[] {
    return this.sql
      .exec<{ event: string }>("SELECT event FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map((row) => JSON.parse(row.event) as StockEvent);
  }

  /** Events not yet sent to the Queue (or sent but found missing in D1), oldest first. */
  pending(limit: number): StockEvent[] {
    return this.sql
      .exec<{ event: string }>("SELECT event FROM outbox WHERE shipped_at IS NULL ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => JSON.parse(row.event) as StockEvent);
  }

  hasPending(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox WHERE shipped_at IS NULL LIMIT 1").toArray().length > 0;
  }

  /**
   * The Queue accepted these; they stay until D1 is seen to hold them, because a Queue
   * message can still be lost after acceptance (local dev keeps the Queue in memory; in
   * production a message the consumer cannot write goes to the dead-letter queue).
   */
  markShipped(throughSeq: number, now: number): void {
    this.sql.exec("UPDATE outbox SET shipped_at = ? WHERE seq <= ? AND shipped_at IS NULL", now, throughSeq);
  }

  /** Seqs shipped at or before `shippedBy` and not yet confirmed, oldest first. */
  shipped(shippedBy: number, limit: number): number[] {
    return this.sql
      .exec<{ seq: number }>(
        "SELECT seq FROM outbox WHERE shipped_at IS NOT NULL AND shipped_at <= ? ORDER BY seq LIMIT ?",
        shippedBy,
        limit,
      )
      .toArray()
      .map((row) => row.seq);
  }

  oldestShipment(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(shipped_at) AS at FROM outbox").one().at;
  }

  /** Delivered for good (a durable Queue took them, or a parent absorbed them): done with. */
  deleteThrough(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
  }

  /** D1 holds it: the event is done with. */
  delete(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
  }

  /** D1 does not hold it long after shipping: it is pending again, to be sent once more. */
  unship(seq: number): void {
    this.sql.exec("UPDATE outbox SET shipped_at = NULL WHERE seq = ?", seq);
  }
}
