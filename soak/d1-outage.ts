import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/**
 * D1 down, on the local files: `wrangler dev` keeps the D1 database in one SQLite file under
 * the state directory (`.wrangler/state/v3/d1/miniflare-D1DatabaseObject/<hash>.sqlite`). An
 * outage renames every application table (events, projection, webhooks, channels, keys) so
 * that every D1 statement fails as it would against an unreachable database; the end of the
 * outage renames them back. No code of the service is involved; SQLite's own locking makes the
 * renames safe while workerd has the file open.
 */

const SUFFIX = "__soak_down";

async function findD1File(stateDir: string): Promise<string> {
  const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database file in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0] as string);
}

function applicationTables(db: DatabaseSync): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return rows.map((r) => r.name).filter((name) => !name.startsWith("sqlite_") && !name.startsWith("_cf_") && name !== "d1_migrations");
}

function withDb<T>(file: string, work: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file, { timeout: 10_000 });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

export class D1Outage {
  private file: string | null = null;

  constructor(private readonly stateDir: string) {}

  /** Makes the tables unreadable; returns their names. */
  async begin(): Promise<string[]> {
    this.file ??= await findD1File(this.stateDir);
    return withDb(this.file, (db) => {
      const tables = applicationTables(db).filter((t) => !t.endsWith(SUFFIX));
      db.exec("BEGIN IMMEDIATE");
      for (const t of tables) db.exec(`ALTER TABLE "${t}" RENAME TO "${t}${SUFFIX}"`);
      db.exec("COMMIT");
      return tables;
    });
  }

  /** Puts every renamed table back (also safe to call when nothing is renamed). */
  async end(): Promise<void> {
    if (this.file === null) return;
    withDb(this.file, (db) => {
      const renamed = applicationTables(db).filter((t) => t.endsWith(SUFFIX));
      db.exec("BEGIN IMMEDIATE");
      for (const t of renamed) db.exec(`ALTER TABLE "${t}" RENAME TO "${t.slice(0, -SUFFIX.length)}"`);
      db.exec("COMMIT");
    });
  }
}
