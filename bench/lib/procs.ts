import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Every server the bench starts, so that nothing outlives it: a normal end, an error and
 * Ctrl-C all go through `stopAll`, and `killAllNow` is the last word on process exit.
 */
export interface Resource {
  name: string;
  /** Polite stop; must not throw. */
  stop(): Promise<void>;
  /** Synchronous last resort for the `exit` handler. */
  killNow(): void;
  /** Lives for the whole run (the source snapshot): `stopAll(true)` leaves it. */
  wholeRun?: boolean;
}

const resources: Resource[] = [];

export function register(resource: Resource): () => void {
  resources.push(resource);
  return () => {
    const i = resources.indexOf(resource);
    if (i >= 0) resources.splice(i, 1);
  };
}

let stopping: Promise<void> = Promise.resolve();

/**
 * Stops everything still registered, newest first (except whole-run resources when asked).
 * Calls queue behind each other: a Ctrl-C during a normal stop must not remove a server's
 * directory while the server is still being stopped.
 */
export function stopAll(keepWholeRun = false): Promise<void> {
  stopping = stopping.then(() => stopRegistered(keepWholeRun));
  return stopping;
}

async function stopRegistered(keepWholeRun: boolean): Promise<void> {
  for (;;) {
    const index = resources.findLastIndex((r) => !(keepWholeRun && r.wholeRun === true));
    if (index < 0) return;
    const resource = resources.splice(index, 1)[0] as Resource;
    try {
      await resource.stop();
    } catch (error) {
      console.error(`bench: stopping ${resource.name} failed`, error);
      resource.killNow();
    }
  }
}

export function killAllNow(): void {
  for (const resource of resources.splice(0).reverse()) resource.killNow();
}

export interface Group {
  name: string;
  /** Pid of the leader, also the process group id. */
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts a command as the leader of its own process group (so wrangler's and Miniflare's
 * workerd children are stopped with it), output appended to `logFile`.
 */
export function startGroup(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string; stdout?: "log" | "pipe" },
): Group {
  const log = openSync(options.logFile, "a");
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", options.stdout === "pipe" ? "pipe" : log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  let unregister = (): void => {};
  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    signalGroup(pid, signal);
    const deadline = Date.now() + 10_000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pid)) {
      signalGroup(pid, "SIGKILL");
      while (groupAlive(pid)) await sleep(50);
    }
    unregister();
  };
  unregister = register({ name, stop: () => stop(), killNow: () => signalGroup(pid, "SIGKILL") });
  return { name, pid, child, logFile: options.logFile, exited, stop };
}

/** Runs a command to completion; rejects with its output on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code ?? signal}:\n${output.slice(-4000)}`));
    });
  });
}
