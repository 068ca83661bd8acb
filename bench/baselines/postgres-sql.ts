import pg from "pg";
import {
  type Backend,
  type ChangeOutcome,
  type Level,
  type Line,
  ordered,
  type PlaceOutcome,
  type ReservationView,
  type Status,
  sameLines,
} from "./backend";

/**
 * The relational design of seed 001: one row per SKU + warehouse, a reservation is a
 * transaction that inserts the order row and runs a conditional
 * `UPDATE … SET available = available - $1 WHERE available >= $1` per line (in one global
 * order, so concurrent orders cannot deadlock); any line short rolls the whole order back.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stock (
  sku text NOT NULL,
  warehouse text NOT NULL,
  on_hand integer NOT NULL,
  reserved integer NOT NULL DEFAULT 0,
  available integer NOT NULL,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, warehouse)
);
CREATE TABLE IF NOT EXISTS orders (
  id text PRIMARY KEY,
  status text NOT NULL,
  lines jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);`;

interface StockRow {
  sku: string;
  warehouse: string;
  on_hand: number;
  reserved: number;
  available: number;
  version: number;
}

interface OrderRow {
  id: string;
  status: Status;
  lines: Line[];
  created_at: Date;
  expires_at: Date;
}

const toLevel = (r: StockRow): Level => ({
  sku: r.sku,
  warehouse: r.warehouse,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.available,
  version: r.version,
});

const toView = (r: OrderRow): ReservationView => ({
  id: r.id,
  status: r.status,
  lines: r.lines,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
});

export async function postgresBackend(port: number, poolSize: number): Promise<Backend> {
  const pool = new pg.Pool({ host: "127.0.0.1", port, user: "postgres", database: "postgres", max: poolSize });
  await pool.query(SCHEMA);

  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const get = async (id: string) => {
    const r = await pool.query<OrderRow>({ name: "order", text: "SELECT * FROM orders WHERE id = $1", values: [id] });
    return r.rows[0] === undefined ? null : toView(r.rows[0]);
  };

  const level = async (sku: string, warehouse: string) => {
    const r = await pool.query<StockRow>({
      name: "level",
      text: "SELECT * FROM stock WHERE sku = $1 AND warehouse = $2",
      values: [sku, warehouse],
    });
    return r.rows[0] === undefined ? null : toLevel(r.rows[0]);
  };

  /** A line could not be reserved: the transaction rolls back. */
  class Short extends Error {}

  return {
    describe: "PostgreSQL conditional UPDATE … WHERE available >= $1 + order row, one transaction (seed 001)",
    async setCount(sku, warehouse, onHand) {
      const r = await pool.query<StockRow>({
        name: "set-count",
        text: `INSERT INTO stock (sku, warehouse, on_hand, available) VALUES ($1, $2, $3, $3)
               ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = EXCLUDED.on_hand,
                 available = EXCLUDED.on_hand - stock.reserved, version = stock.version + 1, updated_at = now()
               RETURNING *`,
        values: [sku, warehouse, onHand],
      });
      return toLevel(r.rows[0] as StockRow);
    },
    level,
    async skuLevels(sku) {
      const r = await pool.query<StockRow>({
        name: "sku-levels",
        text: "SELECT * FROM stock WHERE sku = $1 ORDER BY warehouse",
        values: [sku],
      });
      return r.rows.map(toLevel);
    },
    async place(id, lines, ttlSeconds): Promise<PlaceOutcome> {
      const now = new Date();
      try {
        const created = await transaction(async (client) => {
          const inserted = await client.query({
            name: "insert-order",
            text: `INSERT INTO orders (id, status, lines, created_at, expires_at) VALUES ($1, 'held', $2, $3, $4)
                   ON CONFLICT (id) DO NOTHING RETURNING id`,
            values: [id, JSON.stringify(lines), now, new Date(now.getTime() + ttlSeconds * 1000)],
          });
          if (inserted.rowCount === 0) return false;
          for (const line of ordered(lines)) {
            const updated = await client.query({
              name: "reserve",
              text: `UPDATE stock SET available = available - $1, reserved = reserved + $1, version = version + 1, updated_at = now()
                     WHERE sku = $2 AND warehouse = $3 AND available >= $1`,
              values: [line.quantity, line.sku, line.warehouse],
            });
            if (updated.rowCount === 0) throw new Short();
          }
          return true;
        });
        if (created) {
          return {
            kind: "created",
            reservation: {
              id,
              status: "held",
              lines,
              createdAt: now.toISOString(),
              expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
            },
          };
        }
        const existing = await get(id);
        if (existing === null) return { kind: "idempotency_conflict" };
        return sameLines(existing.lines, lines) ? { kind: "existing", reservation: existing } : { kind: "idempotency_conflict" };
      } catch (error) {
        if (!(error instanceof Short)) throw error;
        const levels = await Promise.all(lines.map((l) => level(l.sku, l.warehouse)));
        const shortages = lines
          .map((line, i) => ({ ...line, requested: line.quantity, available: levels[i]?.available ?? 0 }))
          .filter((s) => s.available < s.requested);
        return { kind: "insufficient_stock", shortages };
      }
    },
    get,
    async change(id, op): Promise<ChangeOutcome> {
      return transaction(async (client): Promise<ChangeOutcome> => {
        const r = await client.query<OrderRow>({
          name: "lock-order",
          text: "SELECT * FROM orders WHERE id = $1 FOR UPDATE",
          values: [id],
        });
        const row = r.rows[0];
        if (row === undefined) return { kind: "not_found" };
        const target: Status = op === "commit" ? "committed" : "released";
        if (row.status === target) return { kind: "ok", reservation: toView(row) };
        if (row.status !== "held") return { kind: "invalid_state", status: row.status };
        for (const line of ordered(row.lines)) {
          await client.query(
            op === "commit"
              ? {
                  name: "commit-line",
                  text: `UPDATE stock SET on_hand = on_hand - $1, reserved = reserved - $1, version = version + 1, updated_at = now()
                         WHERE sku = $2 AND warehouse = $3`,
                  values: [line.quantity, line.sku, line.warehouse],
                }
              : {
                  name: "release-line",
                  text: `UPDATE stock SET available = available + $1, reserved = reserved - $1, version = version + 1, updated_at = now()
                         WHERE sku = $2 AND warehouse = $3`,
                  values: [line.quantity, line.sku, line.warehouse],
                },
          );
        }
        await client.query({ name: "set-status", text: "UPDATE orders SET status = $2 WHERE id = $1", values: [id, target] });
        return { kind: "ok", reservation: toView({ ...row, status: target }) };
      });
    },
    async close() {
      await pool.end();
    },
  };
}
