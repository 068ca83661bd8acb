/**
 * Serves the Worker bundle in workerd through Miniflare's API, without wrangler's dev proxy.
 * Run as a child process by the bench (so its workerd is stopped with its process group):
 *
 *   node --import tsx bench/targets/miniflare-host.ts '<json config>'
 *
 * Prints one JSON line `{"ready": "<url>"}` once the Worker answers and the D1 migrations
 * are applied, then serves until SIGTERM/SIGINT.
 */
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";

interface HostConfig {
  configPath: string;
  scriptPath: string;
  migrationsDir: string;
  host: string;
  port: number;
  token: string;
  inspectorPort?: number;
}

/**
 * Miniflare is a dependency of wrangler, not of this project: load the copy wrangler uses,
 * so the bench needs nothing installed beyond what wrangler brings.
 */
async function loadMiniflare(): Promise<typeof import("miniflare")> {
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));
  return (await import(pathToFileURL(fromWrangler.resolve("miniflare")).href)) as typeof import("miniflare");
}

const config = JSON.parse(process.argv[2] ?? "{}") as HostConfig;
const { Miniflare, convertV4MiniflareOptions } = await loadMiniflare();

// The same bindings `wrangler dev` gives the Worker (Durable Objects on SQLite, D1, the
// Queue producer and consumer, vars), derived from wrangler.toml by wrangler itself.
const { workerOptions } = unstable_getMiniflareWorkerOptions(config.configPath);
type V4Options = Parameters<typeof convertV4MiniflareOptions>[0];
const options = {
  host: config.host,
  port: config.port,
  ...(config.inspectorPort === undefined ? {} : { inspectorPort: config.inspectorPort }),
  // Miniflare's default request log goes through Node on every request: off, so this path
  // measures workerd alone.
  logRequests: false,
  workers: [
    {
      ...workerOptions,
      name: "stockflare",
      // The bundle is one self-contained module: no module rules, rooted at its own folder.
      rootPath: undefined,
      modulesRules: undefined,
      modules: true,
      modulesRoot: dirname(config.scriptPath),
      scriptPath: config.scriptPath,
      bindings: { ...(workerOptions.bindings as Record<string, unknown> | undefined), API_TOKEN: config.token, WEBHOOK_ALLOW_HTTP: "true" },
    },
  ],
} as unknown as V4Options;

const mf = new Miniflare(convertV4MiniflareOptions(options));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await mf.dispose();
  } finally {
    process.exit(0);
  }
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

const url = await mf.ready;

// What `npm start` does before `wrangler dev`: apply the D1 migrations, in order.
const db = await mf.getD1Database("DB");
const files = (await readdir(config.migrationsDir)).filter((f) => f.endsWith(".sql")).sort();
for (const file of files) {
  for (const statement of unstable_splitSqlQuery(await readFile(join(config.migrationsDir, file), "utf8"))) {
    await db.prepare(statement).run();
  }
}

process.stdout.write(`${JSON.stringify({ ready: url.href, migrations: files.length })}\n`);
