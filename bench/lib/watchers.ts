import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "./procs";
import type { Answer, Command, Connected, Reached, Records } from "./watchers-host";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");

/** `process.hrtime` in milliseconds: the clock the watchers' process stamps messages with. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** base64url without padding, as a browser page would encode its token for the subprotocol. */
export function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/**
 * The watchers' process (bench/lib/watchers-host.ts): one per round with watchers, stopped
 * with the bench like every server it starts.
 */
export class WatcherProcess {
  private readonly child: ChildProcess;
  private readonly unregister: () => void;
  private readonly waiting: { type: Answer["type"]; resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
  private exited = false;

  constructor() {
    this.child = fork(join(HERE, "watchers-host.ts"), [], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // The sockets' messages, not the bench's heap, are what it holds; a few MB.
      serialization: "advanced",
    });
    this.child.on("message", (answer: Answer) => {
      if (answer.type === "error") {
        for (const w of this.waiting.splice(0)) w.reject(new Error(`watchers: ${answer.message}`));
        return;
      }
      const index = this.waiting.findIndex((w) => w.type === answer.type);
      if (index >= 0) this.waiting.splice(index, 1)[0]?.resolve(answer);
    });
    this.child.once("exit", (code) => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error(`the watchers' process exited (${code})`));
    });
    this.unregister = register({
      name: "live watchers",
      stop: () => this.kill(),
      killNow: () => {
        if (!this.exited) this.child.kill("SIGKILL");
      },
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private ask<T extends Answer>(command: Command, type: T["type"]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.exited) return reject(new Error("the watchers' process is gone"));
      this.waiting.push({ type, resolve: resolve as (a: Answer) => void, reject });
      this.child.send(command);
    });
  }

  connect(url: string, protocols: string[], count: number, concurrency: number, timeoutMs: number): Promise<Connected> {
    return this.ask<Connected>({ cmd: "connect", url, protocols, count, concurrency, timeoutMs }, "connected");
  }

  /** Until every open socket's latest message carries at least `version`. */
  awaitVersion(version: number, timeoutMs: number): Promise<Reached> {
    return this.ask<Reached>({ cmd: "await", version, timeoutMs }, "reached");
  }

  collect(): Promise<Records> {
    return this.ask<Records>({ cmd: "collect" }, "records");
  }

  /** Closes every socket, then the process. */
  async close(): Promise<void> {
    try {
      if (!this.exited) await Promise.race([this.ask({ cmd: "close" }, "closed"), new Promise((r) => setTimeout(r, 8_000))]);
    } catch {
      // gone already
    }
    await this.kill();
  }

  private async kill(): Promise<void> {
    if (!this.exited) {
      this.child.kill("SIGTERM");
      const deadline = Date.now() + 5_000;
      while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!this.exited) this.child.kill("SIGKILL");
    }
    this.unregister();
  }
}
