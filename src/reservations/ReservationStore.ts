import type { ReservationRecord } from "./lifecycle";

/**
 * Every SQL statement of a ReservationCoordinator, in one place. One coordinator keeps the
 * records of many reservations (those whose id hashes to it), one row each.
 *
 * `coordinator_facts` (v1.2) keeps what the coordinator knows of itself: its region. Created
 * with `IF NOT EXISTS` like the rest, so a coordinator of an older version gains it when it
 * next opens, its records untouched.
 *
 * `due_at` is when the coordinator's alarm must look at the record again: soon for a step a
 * crash may have interrupted (`placing`, `committing`, `releasing`), else when the record's
 * retention ends and it is forgotten. The alarm is armed for the smallest `due_at`.
 */
export class ReservationStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Idempotent; run under blockConcurrencyWhile before the object serves anything. */
  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        due_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS reservations_by_due ON reservations (due_at);
      CREATE TABLE IF NOT EXISTS coordinator_facts (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  }

  /** A fact the coordinator keeps about itself (its region: records.ts), or null. */
  fact(name: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM coordinator_facts WHERE name = ?", name).toArray()[0]?.value ?? null;
  }

  /** Records `value` unless a value is already recorded; answers the recorded one. */
  recordFactOnce(name: string, value: string): string {
    this.sql.exec("INSERT INTO coordinator_facts (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, value);
    return this.fact(name) ?? value;
  }

  load(id: string): ReservationRecord | null {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM reservations WHERE id = ?", id).toArray()[0];
    return row === undefined ? null : (JSON.parse(row.record) as ReservationRecord);
  }

  save(record: ReservationRecord, dueAt: number): void {
    this.sql.exec(
      `INSERT INTO reservations (id, record, due_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, due_at = excluded.due_at`,
      record.id,
      JSON.stringify(record),
      dueAt,
    );
  }

  /** Looks at the record again at `dueAt` (a re-drive that could not finish). */
  postpone(id: string, dueAt: number): void {
    this.sql.exec("UPDATE reservations SET due_at = ? WHERE id = ?", dueAt, id);
  }

  delete(id: string): void {
    this.sql.exec("DELETE FROM reservations WHERE id = ?", id);
  }

  /** Ids of the records due by `now`, earliest first. */
  due(now: number, limit: number): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM reservations WHERE due_at <= ? ORDER BY due_at LIMIT ?", now, limit)
      .toArray()
      .map((row) => row.id);
  }

  nextDue(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM reservations").one().at;
  }
}
