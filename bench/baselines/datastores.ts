import { rmSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, HOST } from "../lib/net";
import { register, run, startGroup } from "../lib/procs";

/**
 * Starts the baselines' data stores on 127.0.0.1, on free ports, in temporary directories,
 * and registers them to be stopped whatever happens.
 */

export interface DataStore {
  port: number;
  /** Its temporary directory, removed when the run ends. */
  dir: string;
  version: string;
  /** Root pids, for CPU accounting. */
  pids(): number[];
  stop(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, HOST);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${HOST}:${port} after ${timeoutMs} ms`);
}

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `stockflare-bench-${label}-`));
  register({
    name: `temp dir ${dir}`,
    stop: () => rm(dir, { recursive: true, force: true }),
    killNow: () => rmSync(dir, { recursive: true, force: true }),
  });
  return dir;
}

/** Redis with no persistence at all (`--save ''`, no AOF): the in-memory design of seed 002. */
export async function startRedis(redisServer: string): Promise<DataStore> {
  const dir = await tempDir("redis");
  const port = await freePort();
  const version = (await run(redisServer, ["--version"])).trim();
  const group = startGroup(
    "redis-server",
    redisServer,
    ["--port", String(port), "--bind", HOST, "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { cwd: dir, logFile: join(dir, "redis.log") },
  );
  try {
    await waitForPort(port, 20_000);
  } catch (error) {
    await group.stop();
    throw error;
  }
  return { port, dir, version, pids: () => [group.pid], stop: () => group.stop() };
}

async function userIds(name: string): Promise<{ uid: number; gid: number } | null> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

/**
 * PostgreSQL with its default durability (fsync and synchronous_commit on), initialised in
 * a temporary directory. The server refuses to run as root, so as root it runs as the
 * `postgres` system user the Debian package creates.
 */
export async function startPostgres(bin: string): Promise<DataStore> {
  const dir = await tempDir("postgres");
  const asRoot = process.getuid?.() === 0;
  const prefix: string[] = [];
  if (asRoot) {
    const ids = await userIds("postgres");
    if (ids === null) throw new Error("no `postgres` system user to run the server as");
    await chown(dir, ids.uid, ids.gid);
    prefix.push("runuser", "-u", "postgres", "--");
  }
  const as = (command: string, args: string[]) =>
    asRoot
      ? run(prefix[0] as string, [...prefix.slice(1), join(bin, command), ...args], { cwd: dir })
      : run(join(bin, command), args, { cwd: dir });
  const data = join(dir, "data");
  const port = await freePort();
  await as("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const pg_ctl = (args: string[]) => as("pg_ctl", ["-D", data, ...args]);
  const pidOf = async () => Number((await readFile(join(data, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  let postmaster = 0;
  const unregister = register({
    name: "postgres",
    stop: async () => {
      await pg_ctl(["-m", "fast", "-w", "-t", "30", "stop"]).catch(() => {
        if (postmaster > 0) process.kill(postmaster, "SIGQUIT");
      });
    },
    killNow: () => {
      try {
        if (postmaster > 0) process.kill(postmaster, "SIGQUIT");
      } catch {
        // gone
      }
    },
  });
  await pg_ctl([
    "-l",
    join(dir, "postgres.log"),
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=${HOST} -c max_connections=60`,
    "start",
  ]);
  postmaster = await pidOf();
  const version = (await run(join(bin, "postgres"), ["--version"])).trim();
  return {
    port,
    dir,
    version,
    pids: () => (postmaster > 0 ? [postmaster] : []),
    stop: async () => {
      await pg_ctl(["-m", "fast", "-w", "-t", "30", "stop"]).catch(() => {
        if (postmaster > 0) process.kill(postmaster, "SIGQUIT");
      });
      unregister();
    },
  };
}
