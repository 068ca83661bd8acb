/**
 * Serves the Worker bundle in workerd through Miniflare's API, without wrangler's dev proxy.
 * Run as a child process by the bench (so its workerd is stopped with its process group):
 *
 *   node --import tsx bench/targets/miniflare-host.ts '<json config>'
 *
 * Prints one JSON line `{"ready": "<url>"}` once the Worker answers and the D1 migrations
 * are applied, then serves until SIGTERM/SIGINT.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { transform } from "esbuild";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import type { MeterConfig } from "./meter";

interface HostConfig {
  configPath: string;
  scriptPath: string;
  migrationsDir: string;
  host: string;
  port: number;
  token: string;
  inspectorPort?: number;
  /**
   * false: leave wrangler.toml's `[assets]` out, so no asset router sits in front of the
   * Worker (the bare ceiling; production's asset router is Cloudflare's edge, not the Worker).
   */
  assets?: boolean;
  /** Serve the bundle wrapped in the bench's meter (./meter.ts): counts of the billed units. */
  meter?: boolean;
}

/**
 * Miniflare is a dependency of wrangler, not of this project: load the copy wrangler uses,
 * so the bench needs nothing installed beyond what wrangler brings.
 */
async function loadMiniflare(): Promise<typeof import("miniflare")> {
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));
  return (await import(pathToFileURL(fromWrangler.resolve("miniflare")).href)) as typeof import("miniflare");
}

/**
 * The metered entry: next to the bundle, the meter (transpiled) and a module importing both
 * that re-exports the bundle's exports, metered, under their own names. Returns its path.
 */
async function meteredEntry(scriptPath: string, meterConfig: MeterConfig): Promise<string> {
  const dir = dirname(scriptPath);
  const source = await readFile(join(dirname(fileURLToPath(import.meta.url)), "meter.ts"), "utf8");
  const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2022" });
  await writeFile(join(dir, "bench-meter.js"), code);
  // esbuild ends the bundle with one `export { a, b as c, … };`
  const bundle = await readFile(scriptPath, "utf8");
  const exportList = [...bundle.matchAll(/export\s*\{([^}]*)\}\s*;?/g)].at(-1)?.[1] ?? "";
  const names = exportList
    .split(",")
    .map(
      (part) =>
        part
          .trim()
          .split(/\s+as\s+/)
          .at(-1) ?? "",
    )
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const entry = [
    `import * as bundle from "./${scriptPath.replace(/^.*\//, "")}";`,
    `import { metered } from "./bench-meter.js";`,
    `const m = metered(bundle, ${JSON.stringify(meterConfig)});`,
    ...names.map((name) => (name === "default" ? "export default m.default;" : `export const ${name} = m.${name};`)),
    "",
  ].join("\n");
  const entryPath = join(dir, "bench-entry.js");
  await writeFile(entryPath, entry);
  return entryPath;
}

/** Miniflare takes some bindings as a list of names or as a record keyed by name. */
function bindingNames(option: unknown): string[] {
  if (Array.isArray(option)) return option.map(String);
  return option !== null && typeof option === "object" ? Object.keys(option) : [];
}

const config = JSON.parse(process.argv[2] ?? "{}") as HostConfig;
const { Miniflare, convertV4MiniflareOptions } = await loadMiniflare();

// The same bindings `wrangler dev` gives the Worker (Durable Objects on SQLite, D1, the
// Queue producer and consumer, vars), derived from wrangler.toml by wrangler itself.
const { workerOptions: derived } = unstable_getMiniflareWorkerOptions(config.configPath);
const { assets, ...withoutAssets } = derived;
const workerOptions = config.assets === false ? withoutAssets : { ...withoutAssets, assets };
const scriptPath = config.meter
  ? await meteredEntry(config.scriptPath, {
      objects: Object.fromEntries(
        Object.entries((derived.durableObjects ?? {}) as Record<string, string | { className: string }>).map(([binding, target]) => [
          binding,
          typeof target === "string" ? target : target.className,
        ]),
      ),
      queues: bindingNames(derived.queueProducers),
      d1: bindingNames(derived.d1Databases),
    })
  : config.scriptPath;
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
      modulesRoot: dirname(config.scriptPath),
      // The metered entry imports the bundle and the meter: Miniflare is given all three modules.
      ...(scriptPath === config.scriptPath
        ? { modules: true, scriptPath }
        : {
            modules: [scriptPath, join(dirname(scriptPath), "bench-meter.js"), config.scriptPath].map((path) => ({
              type: "ESModule",
              path,
            })),
          }),
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
