import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, HOST, waitForHttp } from "../lib/net";
import { register, run, startGroup } from "../lib/procs";
import { isWritableTmpfs, miniflareReady, snapshotSources, TMPFS } from "../targets/worker";

/**
 * The Worker of the geo bench: the bundle `wrangler deploy --dry-run` makes of a snapshot of
 * the sources, served by workerd through the bench's own Miniflare host
 * (bench/targets/miniflare-host.ts, used as it is), with the simulation switched on the only
 * way it can be: by the Worker's configuration. The copy's wrangler.toml gains, in `[vars]`,
 * `SIMULATE_GEO = "true"`, `SIMULATE_GEO_SEED` and `LOCAL_REGION` (see `withSimulationVars`); every
 * request's region is the one its simulated buyer names in `x-stockflare-simulated-region`.
 *
 * Without wrangler.toml's `[assets]` (no asset router in front: the console is not measured),
 * and with Miniflare's state on a tmpfs when there is one: the commit latency is the simulated
 * one (src/geo/round-trips.ts), not this VM's disk.
 */

export interface GeoWorker {
  baseUrl: string;
  token: string;
  notes: string[];
  pid: number;
  stop(): Promise<void>;
}

const CONFIG_FILES = ["package.json", "wrangler.toml", "tsconfig.json", "worker-configuration.d.ts"];
const SOURCE_DIRS = ["src", "migrations", "scripts", "console"];

/**
 * `wrangler.toml` with the simulation's vars at the top of its `[vars]` table. `LOCAL_REGION` is
 * the operator's region: under the simulation every request's region is its buyer's header, so
 * no caller's region comes from it; the simulation itself uses it as the region of an object
 * whose first caller it does not see (a pooled item's parent, which the stock routes reach
 * without passing the simulated network), which deployed would be where the operator's first
 * `PUT` came from.
 */
export function withSimulationVars(toml: string, seed: string, operatorRegion: string): string {
  const vars = `[vars]\nSIMULATE_GEO = "true"\nSIMULATE_GEO_SEED = ${JSON.stringify(seed)}\nLOCAL_REGION = ${JSON.stringify(operatorRegion)}\n`;
  if (!/^\[vars\][ \t]*$/m.test(toml)) return `${vars}\n${toml}`;
  return toml.replace(/^\[vars\][ \t]*\n/m, vars);
}

async function tempDir(parent: string): Promise<string> {
  const dir = await mkdtemp(join(parent, "stockflare-bench-geo-"));
  register({
    name: `temp dir ${dir}`,
    stop: () => rm(dir, { recursive: true, force: true }),
    killNow: () => rmSync(dir, { recursive: true, force: true }),
  });
  return dir;
}

export async function startGeoWorker(root: string, seed: string, operatorRegion: string): Promise<GeoWorker> {
  const snapshot = await snapshotSources(root);
  const onTmpfs = await isWritableTmpfs(TMPFS);
  const dir = await tempDir(onTmpfs ? TMPFS : tmpdir());
  for (const name of CONFIG_FILES) {
    if (existsSync(join(snapshot, name))) await copyFile(join(snapshot, name), join(dir, name));
  }
  for (const name of SOURCE_DIRS) {
    if (existsSync(join(snapshot, name))) await symlink(join(snapshot, name), join(dir, name));
  }
  await symlink(join(root, "node_modules"), join(dir, "node_modules"));
  const toml = join(dir, "wrangler.toml");
  await writeFile(toml, withSimulationVars(await readFile(toml, "utf8"), seed, operatorRegion));
  // `wrangler deploy` wants the [assets] folder to exist; the host leaves [assets] out.
  await mkdir(join(dir, ".console-build"), { recursive: true });
  const stateDir = join(dir, "tmp");
  await mkdir(stateDir);
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  const outdir = join(dir, "bundle");
  await run(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], { cwd: dir, env, timeoutMs: 180_000 });
  const token = `geo-${randomBytes(12).toString("hex")}`;
  const config = {
    configPath: toml,
    scriptPath: join(outdir, "index.js"),
    migrationsDir: join(dir, "migrations"),
    host: HOST,
    port: await freePort(),
    token,
    assets: false,
  };
  const group = startGroup(
    "geo miniflare",
    process.execPath,
    ["--import", "tsx", join(root, "bench/targets/miniflare-host.ts"), JSON.stringify(config)],
    { cwd: root, env: { ...env, TMPDIR: stateDir }, logFile: join(dir, "miniflare.log"), stdout: "pipe" },
  );
  const ready = await miniflareReady(group, 180_000);
  const baseUrl = ready.replace(/\/$/, "");
  await waitForHttp(`${baseUrl}/v1/health`, 30_000);
  return {
    baseUrl,
    token,
    pid: group.pid,
    notes: [
      "the Worker bundle (wrangler deploy --dry-run) on Miniflare's workerd, no dev proxy, no asset router",
      `vars SIMULATE_GEO="true", SIMULATE_GEO_SEED="${seed}", LOCAL_REGION="${operatorRegion}" (the operator's region; every buyer request names its own)`,
      onTmpfs ? "objects' SQLite and D1 on tmpfs: storage commits cost the simulated commit latency, not this VM's disk" : "state on disk",
    ],
    stop: () => group.stop(),
  };
}
