import { and, asc, eq, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type ApiKeyRow, apiKeys } from "./schema";
import { SCOPES, type Scope } from "./scopes";

/** A key as the API shows it (never its token, which is not stored). */
export interface ApiKey {
  id: string;
  name: string;
  scopes: Scope[];
  warehouses: string[] | null;
  /** Epoch milliseconds. */
  createdAt: number;
}

function parseList(text: string | null): string[] | null {
  if (text === null) return null;
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
}

function fromRow(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    // A scope this version does not know (written by a later one) grants nothing here.
    scopes: SCOPES.filter((s) => (parseList(row.scopes) ?? []).includes(s)),
    warehouses: parseList(row.warehouses),
    createdAt: row.createdAt,
  };
}

/** Every D1 statement about API keys. */
export class KeyStore {
  private readonly db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async create(key: ApiKey, tokenHash: string): Promise<void> {
    await this.db.insert(apiKeys).values({
      id: key.id,
      name: key.name,
      scopes: JSON.stringify(key.scopes),
      warehouses: key.warehouses === null ? null : JSON.stringify(key.warehouses),
      tokenHash,
      createdAt: key.createdAt,
    });
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db.select().from(apiKeys).where(isNull(apiKeys.deletedAt)).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return rows.map(fromRow);
  }

  async get(id: string): Promise<ApiKey | null> {
    const rows = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.deletedAt)));
    return rows[0] === undefined ? null : fromRow(rows[0]);
  }

  /** The live key whose token hashes to `tokenHash`, or null. */
  async byTokenHash(tokenHash: string): Promise<ApiKey | null> {
    const rows = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tokenHash, tokenHash), isNull(apiKeys.deletedAt)));
    return rows[0] === undefined ? null : fromRow(rows[0]);
  }

  /** Marks the key deleted; false when there was no live key `id`. Returns its token hash so caches can forget it. */
  async delete(id: string, now: number): Promise<string | null> {
    const rows = await this.db
      .update(apiKeys)
      .set({ deletedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.deletedAt)))
      .returning({ tokenHash: apiKeys.tokenHash });
    return rows[0]?.tokenHash ?? null;
  }
}
