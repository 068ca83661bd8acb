import { existsSync } from "node:fs";
import { copyFile, cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, HOST, waitForHttp } from "../bench/lib/net";
import { type Group, startGroup } from "../bench/lib/procs";

/**
 * The service under test, run the way a user runs it: `npm start` (D1 migrations, then
 * `wrangler dev`) in a copy of the project, state on disk under the copy's `.wrangler/state`.
 *
 * The copy holds a snapshot of the sources taken at the start (wrangler dev restarts the
 * Worker whenever a source file changes, and others may edit the checkout during a run) and a
 * `.dev.vars` with `FAULT_INJECTION=true`, which turns on the fault switches (src/faults/).
 * A kill is a SIGKILL of the whole process group (npm, wrangler, workerd); a restart is
 * `npm start` again on the same port and the same state.
 */

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

const COPIED = ["package.json", "wrangler.toml", "tsconfig.json", ".dev.vars.example", "worker-configuration.d.ts"];
const SNAPSHOT = ["src", "migrations", "scripts", "console"];

export interface Service {
  readonly baseUrl: string;
  readonly token: string;
  /** The project copy; its `.wrangler/state` is the service's state. */
  readonly dir: string;
  readonly running: boolean;
  /** SIGKILL of the whole process group, no goodbye. */
  kill(): Promise<void>;
  /** `npm start` again on the same state and port; resolves when /v1/health answers. */
  start(): Promise<void>;
  /** Stops the server and removes the copy (unless `keep`). */
  cleanup(keep?: boolean): Promise<void>;
  /** The last `chars` characters the server printed. */
  logTail(chars?: number): Promise<string>;
}

export async function createService(options: { root?: string; source?: string } = {}): Promise<Service> {
  const root = options.root ?? PROJECT_ROOT;
  const source = options.source ?? root;
  const dir = await mkdtemp(join(tmpdir(), "stockflare-soak-"));
  for (const name of COPIED) {
    if (existsSync(join(source, name))) await copyFile(join(source, name), join(dir, name));
  }
  for (const name of SNAPSHOT) {
    if (existsSync(join(source, name))) await cp(join(source, name), join(dir, name), { recursive: true });
  }
  await symlink(join(root, "node_modules"), join(dir, "node_modules"));
  const example = await readFile(join(dir, ".dev.vars.example"), "utf8");
  const token = /^API_TOKEN=(.*)$/m.exec(example)?.[1]?.trim();
  if (!token) throw new Error(".dev.vars.example has no API_TOKEN");
  const vars = ["WEBHOOK_ALLOW_HTTP=true", "CONFIRM_EVENTS_IN_D1=true", "FAULT_INJECTION=true"];
  await writeFile(join(dir, ".dev.vars"), [example.trimEnd(), ...vars, ""].join("\n"));
  return new DevService(dir, token, await freePort());
}

class DevService implements Service {
  private group: Group | null = null;
  private alive = false;

  constructor(
    readonly dir: string,
    readonly token: string,
    private readonly port: number,
  ) {}

  get baseUrl(): string {
    return `http://${HOST}:${this.port}`;
  }

  get running(): boolean {
    return this.group !== null && this.alive;
  }

  async start(): Promise<void> {
    if (this.group !== null) throw new Error("the server is already running");
    const inspectorPort = await freePort();
    const group = startGroup(
      "npm start",
      "npm",
      [
        "start",
        "--",
        "--port",
        String(this.port),
        "--ip",
        HOST,
        "--inspector-port",
        String(inspectorPort),
        "--show-interactive-dev-session=false",
      ],
      {
        cwd: this.dir,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
        logFile: join(this.dir, "server.log"),
      },
    );
    this.group = group;
    this.alive = true;
    void group.exited.then(() => {
      if (this.group === group) this.alive = false;
    });
    try {
      await waitForHttp(`${this.baseUrl}/v1/health`, 180_000, () => this.alive);
    } catch (error) {
      await this.kill();
      throw new Error(`${String(error)}\n${await this.logTail(3000)}`);
    }
  }

  async kill(): Promise<void> {
    const group = this.group;
    if (group === null) return;
    this.group = null;
    this.alive = false;
    await group.stop("SIGKILL");
  }

  async cleanup(keep = false): Promise<void> {
    await this.kill();
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }

  async logTail(chars = 4000): Promise<string> {
    const log = await readFile(join(this.dir, "server.log"), "utf8").catch(() => "");
    return log.slice(-chars);
  }
}
