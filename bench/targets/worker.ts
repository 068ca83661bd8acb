import { randomBytes } from "node:crypto";
import { constants, existsSync, rmSync } from "node:fs";
import { access, copyFile, cp, mkdir, mkdtemp, readFile, rm, statfs, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort, HOST, waitForHttp } from "../lib/net";
import { type Group, register, run, startGroup } from "../lib/procs";
import type { Target } from "./target";

/**
 * The real Worker, through three paths:
 *  (a) `npm start` (migrations, then `wrangler dev`: its proxy worker in front of the
 *      Worker's workerd), exactly what a developer runs;
 *  (b) the same bundle in workerd through Miniflare's API, no dev proxy in front,
 *      with the bindings wrangler derives from wrangler.toml;
 *  (c) (b) with the project copy and all of Miniflare's state on a tmpfs: on this VM the
 *      Durable Objects' SQLite commits wait on the disk's fsyncs, which production storage
 *      does not do, so (b) and (c) side by side separate the Worker's cost from the disk's.
 *
 * All three serve one snapshot of the sources taken when the bench starts: `wrangler dev`
 * rebuilds and restarts the Worker whenever a file under src/ changes, and other people
 * edit this checkout while the bench runs. Each path runs in its own temporary project
 * (snapshot and node_modules symlinked), so its state starts empty and never touches the
 * developer's `.wrangler/`.
 */

const CONFIG_FILES = ["package.json", "wrangler.toml", "tsconfig.json", ".dev.vars.example", "worker-configuration.d.ts"];
/** `console/` is the operators' console's source: built into the copy's `.console-build/` (wrangler.toml's [assets]). */
const SNAPSHOT_DIRS = ["src", "migrations", "scripts", "console"];
/** Builds the console's static assets, when the project has them (`npm start` does it itself). */
const CONSOLE_BUILD = "scripts/build-console.mjs";

/** The tmpfs the (c) path keeps its state on. */
export const TMPFS = "/dev/shm";
/** statfs(2)'s f_type of a tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

/** Whether `dir` is a tmpfs the bench may write to. */
export async function isWritableTmpfs(dir: string): Promise<boolean> {
  try {
    await access(dir, constants.W_OK);
    return (await statfs(dir)).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** The two Miniflare paths, as the run and its report name them. */
export const WORKERD = { key: "miniflare", label: "workerd (Miniflare)" } as const;
export const WORKERD_TMPFS = { key: "memory", label: "workerd (Miniflare), state on tmpfs" } as const;
/** The same bundle without wrangler.toml's [assets]: the bare ceiling of each Miniflare path. */
export const WORKERD_BARE = { key: "miniflare-bare", label: "workerd (Miniflare), no assets" } as const;
export const WORKERD_TMPFS_BARE = { key: "memory-bare", label: "workerd (Miniflare), state on tmpfs, no assets" } as const;
/** The bundle wrapped in the meter: where the cost table and the per-role CPU come from. */
export const WORKERD_METERED = { key: "metered", label: "workerd (Miniflare), metered" } as const;

/** A fresh directory under `parent` (the OS temp dir by default), removed when the bench stops it or exits. */
async function tempDir(label: string, wholeRun = false, parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, `stockflare-bench-${label}-`));
  register({
    name: `temp dir ${dir}`,
    // fs.rm unlinks symlinks, it never follows them into the real project.
    stop: () => rm(dir, { recursive: true, force: true }),
    killNow: () => rmSync(dir, { recursive: true, force: true }),
    wholeRun,
  });
  return dir;
}

/** The sources as they are now, for every Worker path of this run. */
export async function snapshotSources(root: string): Promise<string> {
  const dir = await tempDir("snapshot", true);
  for (const name of CONFIG_FILES) {
    if (existsSync(join(root, name))) await copyFile(join(root, name), join(dir, name));
  }
  for (const name of SNAPSHOT_DIRS) {
    if (existsSync(join(root, name))) await cp(join(root, name), join(dir, name), { recursive: true });
  }
  // The bundler resolves imports from a file's real path, i.e. here.
  await symlink(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

export interface ProjectCopy {
  dir: string;
  token: string;
}

async function copyProject(root: string, snapshot: string, label: string, parent?: string): Promise<ProjectCopy> {
  const dir = await tempDir(label, false, parent);
  for (const name of CONFIG_FILES) {
    if (existsSync(join(snapshot, name))) await copyFile(join(snapshot, name), join(dir, name));
  }
  for (const name of SNAPSHOT_DIRS) {
    if (existsSync(join(snapshot, name))) await symlink(join(snapshot, name), join(dir, name));
  }
  await symlink(join(root, "node_modules"), join(dir, "node_modules"));
  const token = `bench-${randomBytes(12).toString("hex")}`;
  await writeFile(join(dir, ".dev.vars"), `API_TOKEN=${token}\nWEBHOOK_ALLOW_HTTP=true\n`);
  return { dir, token };
}

const wranglerEnv = (): NodeJS.ProcessEnv => ({ ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" });

async function wranglerVersion(root: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, "node_modules/wrangler/package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** (a) `npm start -- --port N --ip 127.0.0.1 --inspector-port M` in a project copy. */
export async function startWranglerDev(root: string, snapshot: string): Promise<Target> {
  const copy = await copyProject(root, snapshot, "wrangler");
  const port = await freePort();
  const inspectorPort = await freePort();
  const group = startGroup(
    "wrangler dev",
    "npm",
    ["start", "--", "--port", String(port), "--ip", HOST, "--inspector-port", String(inspectorPort)],
    { cwd: copy.dir, env: wranglerEnv(), logFile: join(copy.dir, "wrangler.log") },
  );
  let alive = true;
  void group.exited.then(() => (alive = false));
  const baseUrl = `http://${HOST}:${port}`;
  try {
    await waitForHttp(`${baseUrl}/v1/health`, 120_000, () => alive);
  } catch (error) {
    const log = await readFile(group.logFile, "utf8").catch(() => "");
    await group.stop();
    throw new Error(`${String(error)}\n${log.slice(-3000)}`);
  }
  return {
    key: "wrangler",
    label: "wrangler dev",
    kind: "worker",
    baseUrl,
    token: copy.token,
    pids: () => [group.pid],
    notes: [`wrangler ${await wranglerVersion(root)} dev (npm start), dev proxy in front, request logging on`],
    stop: () => group.stop(),
  };
}

export interface MiniflareOptions {
  /** Open workerd's inspector (for the timing breakdown and CPU profile). */
  inspector: boolean;
  /** Where the project copy, and with it all of Miniflare's state, lives: the OS temp dir by default. */
  parent?: string;
  /** The key and label of the path (default: the plain workerd path). */
  path?: { key: string; label: string };
  /** false: without wrangler.toml's `[assets]` (no asset router in front: the bare ceiling). */
  assets?: boolean;
  /** The bundle wrapped in the bench's meter (targets/meter.ts), which counts billed units. */
  meter?: boolean;
}

/** (b) The bundle `wrangler deploy --dry-run` produces, served by workerd through Miniflare. */
export async function startMiniflare(root: string, snapshot: string, options: MiniflareOptions): Promise<Target> {
  const parent = options.parent ?? tmpdir();
  const path = options.path ?? WORKERD;
  const copy = await copyProject(root, snapshot, path.key, parent);
  // Miniflare keeps the Durable Objects' SQLite files, D1 and its caches under os.tmpdir():
  // pointing TMPDIR into the copy puts them on the copy's filesystem, and the copy's
  // cleanup removes them even when the host is killed before Miniflare can tidy up.
  const stateDir = join(copy.dir, "tmp");
  await mkdir(stateDir);
  const onTmpfs = await isWritableTmpfs(stateDir);
  const outdir = join(copy.dir, "bundle");
  // wrangler.toml's [assets] names .console-build/, which `wrangler deploy` needs to exist.
  if (existsSync(join(copy.dir, CONSOLE_BUILD))) {
    await run(process.execPath, [join(copy.dir, CONSOLE_BUILD), "--quiet"], { cwd: copy.dir, timeoutMs: 120_000 });
  }
  await run(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: copy.dir,
    env: wranglerEnv(),
    timeoutMs: 120_000,
  });
  const port = await freePort();
  const inspectorPort = options.inspector ? await freePort() : undefined;
  const config = {
    configPath: join(copy.dir, "wrangler.toml"),
    scriptPath: join(outdir, "index.js"),
    migrationsDir: join(copy.dir, "migrations"),
    host: HOST,
    port,
    token: copy.token,
    ...(inspectorPort === undefined ? {} : { inspectorPort }),
    ...(options.assets === false ? { assets: false } : {}),
    ...(options.meter === true ? { meter: true } : {}),
  };
  const group = startGroup(
    "miniflare",
    process.execPath,
    ["--import", "tsx", join(root, "bench/targets/miniflare-host.ts"), JSON.stringify(config)],
    { cwd: root, env: { ...wranglerEnv(), TMPDIR: stateDir }, logFile: join(copy.dir, "miniflare.log"), stdout: "pipe" },
  );
  const ready = await miniflareReady(group, 120_000);
  const baseUrl = ready.replace(/\/$/, "");
  await waitForHttp(`${baseUrl}/v1/health`, 30_000);
  return {
    key: path.key,
    label: path.label,
    kind: "worker",
    baseUrl,
    token: copy.token,
    pids: () => [group.pid],
    notes: [
      `wrangler ${await wranglerVersion(root)} bundle on Miniflare's workerd, no dev proxy, request logging off` +
        (options.assets === false ? ", without wrangler.toml's [assets] (no asset router in front)" : "") +
        (options.meter === true ? ", wrapped in the bench's meter (billed units counted)" : ""),
      onTmpfs
        ? "state (Durable Objects' SQLite, D1) on tmpfs: shows the Worker's own cost without this VM's disk fsyncs; production storage is neither"
        : `state (Durable Objects' SQLite, D1) on disk, under ${parent}`,
    ],
    stop: () => group.stop(),
    bundle: join(outdir, "index.js"),
    // workerd names each isolate's DevTools target after its service.
    ...(inspectorPort === undefined ? {} : { inspectorUrl: `ws://${HOST}:${inspectorPort}/core:user:stockflare` }),
  };
}

/**
 * (c) Path (b) with the project copy and Miniflare's state under /dev/shm. Never profiled:
 * the timing breakdown and CPU profile belong to (b), and one profile per run is enough.
 */
export async function startMiniflareOnTmpfs(root: string, snapshot: string): Promise<Target> {
  if (!(await isWritableTmpfs(TMPFS))) throw new Error(`no tmpfs at ${TMPFS}`);
  return startMiniflare(root, snapshot, { inspector: false, parent: TMPFS, path: WORKERD_TMPFS });
}

/**
 * Waits for the Miniflare host (bench/targets/miniflare-host.ts) to print its `{ ready }` line,
 * and answers the URL it serves; stops the host if it exits or is not ready within `timeoutMs`.
 */
export async function miniflareReady(group: Group, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Miniflare did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    void group.exited.then(async (code) => {
      clearTimeout(timer);
      const log = await readFile(group.logFile, "utf8").catch(() => "");
      reject(new Error(`the Miniflare host exited (${code}):\n${log.slice(-3000)}`));
    });
    const stdout = group.child.stdout;
    if (stdout === null) return reject(new Error("no stdout from the Miniflare host"));
    createInterface({ input: stdout }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      const message = JSON.parse(line) as { ready?: string };
      if (message.ready !== undefined) {
        clearTimeout(timer);
        resolve(message.ready);
      }
    });
  }).catch(async (error: unknown) => {
    await group.stop();
    throw error;
  });
}
