import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/procs";
import type { Progress } from "../lib/progress";

/**
 * Finds redis-server and PostgreSQL's server binaries, installing them from Debian's
 * packages when missing and the bench runs as root. Whatever cannot be had is reported
 * with the reason, for the table, rather than failing the run.
 */
export interface BaselineBinaries {
  redisServer?: string;
  postgresBin?: string;
  problems: { redis?: string; postgres?: string };
}

function findRedis(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"])) {
    const candidate = join(dir, "redis-server");
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function findPostgres(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin/initdb")) && existsSync(join(base, v, "bin/pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], "bin");
}

export async function ensureBaselines(progress: Progress): Promise<BaselineBinaries> {
  let redisServer = findRedis();
  let postgresBin = findPostgres();
  const problems: BaselineBinaries["problems"] = {};
  if (redisServer === undefined || postgresBin === undefined) {
    if (process.getuid?.() !== 0) {
      const why = "not installed, and the bench is not root to apt-get install it";
      if (redisServer === undefined) problems.redis = why;
      if (postgresBin === undefined) problems.postgres = why;
      return { redisServer, postgresBin, problems };
    }
    const wanted = [redisServer === undefined ? "redis-server" : "", postgresBin === undefined ? "postgresql" : ""].filter(Boolean);
    progress.log(`baselines: installing ${wanted.join(" and ")} from Debian's packages (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
      await run("apt-get", ["update"], { env, timeoutMs: 300_000 });
      await run("apt-get", ["install", "-y", "--no-install-recommends", ...wanted], { env, timeoutMs: 600_000 });
    } catch (error) {
      const why = `apt-get install failed: ${String(error).split("\n").slice(-3).join(" ")}`;
      progress.log(`baselines: ${why}`);
    }
    redisServer = findRedis();
    postgresBin = findPostgres();
    if (redisServer === undefined) problems.redis = "redis-server could not be installed";
    if (postgresBin === undefined) problems.postgres = "postgresql could not be installed";
  }
  return { redisServer, postgresBin, problems };
}
