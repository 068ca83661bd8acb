import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { errorSummary } from "../logging/error-summary";
import { REGIONS } from "../regions/regions";
import { CHANGE_TYPES, eventId, type StockEvent } from "./event";
import { events, stockProjection } from "./schema";

/**
 * What a queue message must carry to be recorded. A body that fails this is a poison
 * message: it is retried, never acked, so after `max_retries` the Queue moves it to the
 * dead-letter queue, and it never blocks the rest of its batch. There, where no later queue
 * could take it, it is logged whole and acknowledged.
 */
export const StockEventMessage = z
  .object({
    id: z.string(),
    seq: z.number().int().min(1),
    type: z.enum(CHANGE_TYPES),
    sku: z.string().min(1).max(64),
    warehouse: z.string().min(1).max(64),
    onHandDelta: z.number().int(),
    reservedDelta: z.number().int(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    reservationId: z.string().min(1).max(128).optional(),
    reason: z.string().min(1).max(64).optional(),
    reference: z.string().max(256).optional(),
    // Absent in messages of the previous version: recorded as null.
    actor: z.string().min(1).max(64).nullable().optional(),
    at: z.iso.datetime().refine((at) => Number.isFinite(Date.parse(at)), "not a real instant"),
    // Optional: messages queued by the previous version do not carry them.
    lowStockThreshold: z.number().int().min(0).optional(),
    reorderQuantity: z.number().int().min(0).optional(),
    shards: z.number().int().min(1).max(64).optional(),
    regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length).optional(),
  })
  // Uniqueness in D1 rests on the id naming exactly one (sku, warehouse, seq).
  .refine((e) => e.id === eventId(e.sku, e.warehouse, e.seq), { message: "id does not match sku:warehouse:seq", path: ["id"] });

/** D1 refuses statements with more than 100 bound parameters; rows are chunked to stay under. */
const MAX_BOUND_PARAMETERS = 100;
const EVENT_COLUMNS = 15;
const PROJECTION_COLUMNS = 10;
/** Seconds before a message whose write failed is offered again: 2, 4, 8 … capped. */
const MAX_RETRY_DELAY_S = 60;
/** The dead-letter queue of `stockflare-events` (wrangler.toml); its consumer is this one too. */
export const DEAD_LETTER_QUEUE = "stockflare-events-dlq";
/** On the dead-letter queue a failed write waits this long: D1 has been failing for a while. */
const DEAD_LETTER_RETRY_DELAY_S = 300;

type Db = DrizzleD1Database;
type Statement = BatchItem<"sqlite">;

/**
 * The Queue consumer. Recording is idempotent and order-free: an event already in D1 is
 * skipped, and the projection only ever moves to a higher seq, so duplicates and
 * out-of-order deliveries leave D1 exactly as one in-order delivery would.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Pick<Env, "DB">): Promise<void> {
  const db = drizzle(env.DB);
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  const valid: { message: Message<unknown>; event: StockEvent }[] = [];
  for (const message of batch.messages) {
    const parsed = StockEventMessage.safeParse(message.body);
    if (parsed.success) {
      valid.push({ message, event: parsed.data });
    } else if (deadLetters) {
      console.error(
        `events consumer: dropping malformed dead letter ${message.id}`,
        JSON.stringify(message.body),
        z.prettifyError(parsed.error),
      );
      message.ack();
    } else {
      console.error(`events consumer: poison message ${message.id} (attempt ${message.attempts})`, z.prettifyError(parsed.error));
      message.retry();
    }
  }
  if (valid.length === 0) return;

  let batchError: unknown;
  try {
    await runBatch(
      db,
      recordStatements(
        db,
        valid.map((v) => v.event),
      ),
    );
    for (const { message } of valid) message.ack();
    return;
  } catch (error) {
    batchError = error;
  }
  // One message the batch could not take must not hold back the others.
  let failed = 0;
  let longestDelayS = 0;
  for (const { message, event } of valid) {
    try {
      await runBatch(db, recordStatements(db, [event]));
      message.ack();
    } catch {
      failed++;
      const delaySeconds = deadLetters ? DEAD_LETTER_RETRY_DELAY_S : Math.min(MAX_RETRY_DELAY_S, 2 ** Math.max(1, message.attempts));
      longestDelayS = Math.max(longestDelayS, delaySeconds);
      message.retry({ delaySeconds });
    }
  }
  // One line per batch, without a stack: while D1 is down every batch fails, and under
  // `wrangler dev` each logged stack costs the log reader a source-map pass while the runtime
  // waits on its full stdout, stalling every request (docs/reliability.md, the D1 outage stall).
  console.error(
    `events consumer: writing a batch of ${valid.length} events to D1 failed (${errorSummary(batchError)}); ` +
      (failed === 0 ? "each written on its own" : `${failed} retried, in up to ${longestDelayS} s`),
  );
}

/**
 * The statements that record `batch` in one D1 transaction: the events (a duplicate is a
 * no-op) and, per item, the projection from its highest-seq event, applied only if newer.
 */
function recordStatements(db: Db, batch: readonly StockEvent[]): Statement[] {
  const ordered = [...batch].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareItems(a, b) || a.seq - b.seq);
  const latest = new Map<string, StockEvent>();
  for (const event of ordered) {
    const key = `${event.sku}/${event.warehouse}`;
    const seen = latest.get(key);
    if (seen === undefined || event.seq > seen.seq) latest.set(key, event);
  }

  const statements: Statement[] = [];
  for (const rows of chunks(ordered.map(eventRow), Math.floor(MAX_BOUND_PARAMETERS / EVENT_COLUMNS))) {
    statements.push(db.insert(events).values(rows).onConflictDoNothing());
  }
  // Events that carry different settings update different columns, so each kind gets its own
  // statements (a batch mixes kinds only while a deploy is rolling out).
  const kinds = new Map<string, { carried: Carried; events: StockEvent[] }>();
  for (const event of latest.values()) {
    const carried = carriedSettings(event);
    const key = `${carried.lowStockThreshold}/${carried.reorderQuantity}/${carried.shards}/${carried.regions}`;
    const kind = kinds.get(key) ?? { carried, events: [] };
    kind.events.push(event);
    kinds.set(key, kind);
  }
  for (const { carried, events: kindEvents } of kinds.values()) {
    for (const rows of chunks(kindEvents.map(projectionRow), Math.floor(MAX_BOUND_PARAMETERS / PROJECTION_COLUMNS))) {
      statements.push(
        db
          .insert(stockProjection)
          .values(rows)
          .onConflictDoUpdate({
            target: [stockProjection.sku, stockProjection.warehouse],
            set: {
              onHand: sql`excluded.on_hand`,
              reserved: sql`excluded.reserved`,
              lastSeq: sql`excluded.last_seq`,
              updatedAt: sql`excluded.updated_at`,
              ...(carried.lowStockThreshold ? { lowStockThreshold: sql`excluded.low_stock_threshold` } : {}),
              ...(carried.reorderQuantity ? { reorderQuantity: sql`excluded.reorder_quantity` } : {}),
              ...(carried.shards ? { shards: sql`excluded.shards` } : {}),
              ...(carried.regions ? { regions: sql`excluded.regions` } : {}),
            },
            setWhere: sql`excluded.last_seq > ${stockProjection.lastSeq}`,
          }),
      );
    }
  }
  return statements;
}

/** Which of the level's settings an event tells; the projection keeps the stored value of the others. */
interface Carried {
  lowStockThreshold: boolean;
  reorderQuantity: boolean;
  shards: boolean;
  regions: boolean;
}

function carriedSettings(event: StockEvent): Carried {
  return {
    lowStockThreshold: event.lowStockThreshold !== undefined,
    reorderQuantity: event.reorderQuantity !== undefined,
    // The current version leaves `shards` out when it is 1, so an event that carries the
    // threshold tells the shards too; only an event from before both were carried does not.
    shards: event.shards !== undefined || event.lowStockThreshold !== undefined,
    // Left out when the item has none, like `shards` when 1: an event that carries the
    // threshold tells the regions too (the previous version's events only ever meant none).
    regions: event.regions !== undefined || event.lowStockThreshold !== undefined,
  };
}

async function runBatch(db: Db, statements: Statement[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first === undefined) return;
  await db.batch([first, ...rest]);
}

function eventRow(event: StockEvent): typeof events.$inferInsert {
  return {
    id: event.id,
    sku: event.sku,
    warehouse: event.warehouse,
    seq: event.seq,
    type: event.type,
    onHandDelta: event.onHandDelta,
    reservedDelta: event.reservedDelta,
    onHand: event.onHand,
    reserved: event.reserved,
    reservationId: event.reservationId ?? null,
    reason: event.reason ?? null,
    reference: event.reference ?? null,
    actor: event.actor ?? null,
    at: event.at,
    atMs: Date.parse(event.at),
  };
}

function projectionRow(event: StockEvent): typeof stockProjection.$inferInsert {
  return {
    sku: event.sku,
    warehouse: event.warehouse,
    onHand: event.onHand,
    reserved: event.reserved,
    lastSeq: event.seq,
    updatedAt: Date.parse(event.at),
    // What a new row gets when the event does not tell (the column defaults); an existing
    // row keeps its own, as the update in `recordStatements` leaves such columns alone.
    lowStockThreshold: event.lowStockThreshold ?? 0,
    reorderQuantity: event.reorderQuantity ?? 0,
    shards: event.shards ?? 1,
    regions: event.regions === undefined ? null : JSON.stringify(event.regions),
  };
}

function compareItems(a: StockEvent, b: StockEvent): number {
  return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.warehouse < b.warehouse ? -1 : a.warehouse > b.warehouse ? 1 : 0;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
