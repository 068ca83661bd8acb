import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { HOST, waitForHttp } from "../lib/net";
import { startGroup } from "../lib/procs";
import type { Target } from "../targets/target";
import { type DataStore, startPostgres, startRedis } from "./datastores";

/** A baseline: its data store plus the node:http front (server.ts) in a child process. */
async function startFront(root: string, key: "redis" | "postgres", store: DataStore, label: string, notes: string[]): Promise<Target> {
  const token = `bench-${randomBytes(12).toString("hex")}`;
  const config = { backend: key, storePort: store.port, token, poolSize: 10 };
  const group = startGroup(
    `${key} front`,
    process.execPath,
    ["--import", "tsx", join(root, "bench/baselines/server.ts"), JSON.stringify(config)],
    { cwd: root, logFile: join(store.dir, "front.log"), stdout: "pipe" },
  );
  let describe = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${key} front did not start within 60 s`)), 60_000);
    void group.exited.then(async (code) => {
      clearTimeout(timer);
      const log = await readFile(group.logFile, "utf8").catch(() => "");
      reject(new Error(`the ${key} front exited (${code}):\n${log.slice(-2000)}`));
    });
    const stdout = group.child.stdout;
    if (stdout === null) return reject(new Error("no stdout"));
    createInterface({ input: stdout }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      const message = JSON.parse(line) as { ready?: number; describe?: string };
      if (message.ready !== undefined) {
        clearTimeout(timer);
        describe = message.describe ?? "";
        resolve(message.ready);
      }
    });
  }).catch(async (error: unknown) => {
    await group.stop();
    throw error;
  });
  const baseUrl = `http://${HOST}:${port}`;
  await waitForHttp(`${baseUrl}/v1/health`, 10_000);
  return {
    key,
    label,
    kind: "baseline",
    baseUrl,
    token,
    pids: () => [group.pid, ...store.pids()],
    notes: [store.version, describe, ...notes],
    stop: async () => {
      await group.stop();
      await store.stop();
    },
  };
}

export async function startRedisBaseline(root: string, redisServer: string): Promise<Target> {
  const store = await startRedis(redisServer);
  try {
    return await startFront(root, "redis", store, "Redis Lua", ["no persistence (--save '', no AOF)", "node:http front, ioredis"]);
  } catch (error) {
    await store.stop();
    throw error;
  }
}

export async function startPostgresBaseline(root: string, bin: string): Promise<Target> {
  const store = await startPostgres(bin);
  try {
    return await startFront(root, "postgres", store, "PostgreSQL", [
      "defaults: fsync on, synchronous_commit on",
      "node:http front, pg pool of 10",
    ]);
  } catch (error) {
    await store.stop();
    throw error;
  }
}
