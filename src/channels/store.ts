import { asc, eq, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { Channel } from "./channel";
import { type ChannelRow, channels } from "./schema";

/** Every D1 statement about channels: the HTTP routes manage them, the directory reads them. */

export interface ChannelInput {
  id: string;
  warehouses: string[];
  safetyStock: number;
}

/** Stored as JSON text by `put`; anything else in it (hand-edited) is dropped rather than trusted. */
function parseWarehouses(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((warehouse): warehouse is string => typeof warehouse === "string");
}

function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    warehouses: parseWarehouses(row.warehouses),
    safetyStock: row.safetyStock,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export class ChannelStore {
  private readonly db: DrizzleD1Database;

  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  /** Every channel, by id. */
  async list(): Promise<Channel[]> {
    const rows = await this.db.select().from(channels).orderBy(asc(channels.id));
    return rows.map(toChannel);
  }

  async get(id: string): Promise<Channel | null> {
    const rows = await this.db.select().from(channels).where(eq(channels.id, id));
    const row = rows[0];
    return row === undefined ? null : toChannel(row);
  }

  /**
   * Creates or replaces the channel in one statement, so two PUTs racing cannot both create it.
   * A replacement keeps `createdAt`, and its `updatedAt` moves forward even when the clock has
   * not (two writes in the same millisecond), so a client comparing it sees every change.
   */
  async put(input: ChannelInput, now: number): Promise<Channel> {
    const rows = await this.db
      .insert(channels)
      .values({
        id: input.id,
        warehouses: JSON.stringify(input.warehouses),
        safetyStock: input.safetyStock,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: channels.id,
        set: {
          warehouses: sql`excluded.warehouses`,
          safetyStock: sql`excluded.safety_stock`,
          updatedAt: sql`max(excluded.updated_at, ${channels.updatedAt} + 1)`,
        },
      })
      .returning();
    const row = rows[0];
    if (row === undefined) throw new Error(`channel ${input.id}: the upsert returned no row`);
    return toChannel(row);
  }

  /** True when a channel was deleted by this call. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.db.delete(channels).where(eq(channels.id, id)).returning({ id: channels.id });
    return rows.length > 0;
  }
}
