import type { Hold, HoldStatus } from "./holds";

/**
 * The SQL of an item's holds, one row per reservation (src/stock/holds.ts says what a hold
 * is). Callers write inside the transaction of the level change the hold makes.
 */
export class HoldStore {
  constructor(private readonly sql: SqlStorage) {}

  read(reservationId: string): Hold | null {
    const row = this.sql.exec<HoldRow>("SELECT * FROM holds WHERE reservation_id = ?", reservationId).toArray()[0];
    return row === undefined ? null : holdFromRow(row);
  }

  write(hold: Hold, now: number): void {
    this.sql.exec(
      `INSERT INTO holds (reservation_id, attempt, quantity, status, expires_at, updated_at, change_no, previous_quantity, reverted_change)
       VALUES (?, ?, ?, ?, ?, ?, COALESCE(?, 0), ?, COALESCE(?, 0))
       ON CONFLICT (reservation_id) DO UPDATE SET
         attempt = excluded.attempt, quantity = excluded.quantity, status = excluded.status,
         expires_at = excluded.expires_at, updated_at = excluded.updated_at,
         change_no = COALESCE(?, holds.change_no),
         previous_quantity = CASE WHEN ? THEN excluded.previous_quantity ELSE holds.previous_quantity END,
         reverted_change = COALESCE(?, holds.reverted_change)`,
      hold.reservationId,
      hold.attempt,
      hold.quantity,
      hold.status,
      hold.expiresAt,
      now,
      hold.change ?? null,
      hold.previous ?? null,
      hold.reverted ?? null,
      // A write that does not mention the line-change fields leaves them as they are.
      hold.change ?? null,
      hold.previous === undefined ? 0 : 1,
      hold.reverted ?? null,
    );
  }

  /** Held (not pinned) holds whose time is up, oldest first. */
  expired(now: number): Hold[] {
    return this.sql
      .exec<HoldRow>("SELECT * FROM holds WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at", now)
      .toArray()
      .map(holdFromRow);
  }

  nextExpiry(): number | null {
    const row = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM holds WHERE status = 'held'").one();
    return row.at;
  }

  /** Finished holds are kept a while so that repeated commits and releases stay idempotent. */
  deleteFinished(olderThan: number): void {
    this.sql.exec("DELETE FROM holds WHERE status NOT IN ('held', 'pinned') AND updated_at < ?", olderThan);
  }
}

interface HoldRow {
  reservation_id: string;
  attempt: number;
  quantity: number;
  status: string;
  expires_at: number;
  updated_at: number;
  change_no: number;
  previous_quantity: number | null;
  reverted_change: number;
  [key: string]: SqlStorageValue;
}

function holdFromRow(row: HoldRow): Hold {
  return {
    reservationId: row.reservation_id,
    attempt: row.attempt,
    quantity: row.quantity,
    status: row.status as HoldStatus,
    expiresAt: row.expires_at,
    change: row.change_no,
    previous: row.previous_quantity,
    reverted: row.reverted_change,
  };
}
