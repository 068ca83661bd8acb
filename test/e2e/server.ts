/**
 * End-to-end harness: runs the real `npm start` (wrangler dev: workerd with local Durable
 * Objects, D1 and Queues) as a child process and talks HTTP to it.
 *
 * Each server lives in its own temporary copy of the project (package.json, wrangler.toml,
 * tsconfig.json, .dev.vars.example copied; node_modules, src, migrations, scripts, console symlinked), so its
 * `.wrangler/` state never collides with other runs or with a developer's `npm start`.
 * The HTTP port and the devtools inspector port are both picked free, so instances run in
 * parallel (the e2e project runs its files side by side); a port taken between the pick and
 * the bind is picked again.
 *
 * ```ts
 * import { startServer, type DevServer } from "./server";
 *
 * let server: DevServer;
 * beforeAll(async () => { server = await startServer(); });
 * afterAll(async () => { await server?.cleanup(); });
 *
 * it("answers", async () => {
 *   const r = await server.fetch("/v1/stock/SKU1/WH1", { method: "PUT", json: { onHand: 5 } });
 *   expect(r.status).toBe(200);
 *   await server.kill("SIGKILL");   // the whole process group, no goodbye
 *   await server.restart();          // same state directory, same port
 * });
 * ```
 *
 * `server.fetch` sends `Authorization: Bearer <token>` unless `auth: false`, and encodes `json`.
 * `server.output()` returns what the process printed (useful in failure messages).
 *
 * Contract checking (`npm run test:contract`, i.e. `E2E_PRISM=1`, or `contract: true`): `fetch`
 * and `send` go through Stoplight Prism in proxy mode (test/e2e/prism.ts), which validates each
 * exchange against the OpenAPI document the server serves; an answer that breaks it makes the
 * call throw. `baseUrl` stays the server itself (WebSockets, browsers); `apiUrl` is where
 * `fetch` goes. A file whose requests cannot go through a proxy opts out with `contract: false`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { ContractProxy, contractCheckingRequested } from "./prism";

/** The repository root (this file is test/e2e/server.ts). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

const COPIED = ["package.json", "wrangler.toml", "tsconfig.json", ".dev.vars.example"];
// console/ is the console's source: `npm start` builds it into the copy's own .console-build/.
const LINKED = ["node_modules", "src", "migrations", "scripts", "console"];

export interface StartOptions {
  /** HTTP port; a free one is picked when omitted. */
  port?: number;
  /**
   * Extra lines for the server's `.dev.vars` (written next to the copy of
   * `.dev.vars.example`, whose values they override), e.g. `{ WEBHOOK_ALLOW_HTTP: "true" }`.
   */
  vars?: Record<string, string>;
  /** How long to wait for `GET /v1/health` to answer 200. Default 120 s. */
  readyTimeoutMs?: number;
  /** Echo the server's output to this process's stderr as it comes. Default false. */
  echo?: boolean;
  /**
   * Check every `fetch`/`send` against the OpenAPI document through Prism (test/e2e/prism.ts).
   * Default: on when `E2E_PRISM=1` (`npm run test:contract`). `false` for a file that must talk
   * to the server directly (requests in flight during a SIGKILL).
   */
  contract?: boolean;
}

export interface FetchInit extends Omit<RequestInit, "body"> {
  /** JSON-encoded as the body, with `content-type: application/json`. */
  json?: unknown;
  body?: RequestInit["body"];
  /** Send the bearer token. Default true. */
  auth?: boolean;
}

export interface DevServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash: the server itself. */
  readonly baseUrl: string;
  /** Where `fetch` and `send` go: Prism's address when contract-checking, else `baseUrl`. */
  readonly apiUrl: string;
  readonly port: number;
  /** The API token the server accepts (`API_TOKEN` from .dev.vars.example: "dev-token"). */
  readonly token: string;
  /** The temporary project copy; its `.wrangler/state` holds the server's state. */
  readonly dir: string;
  /** Pid of the `npm start` process (also its process group id), or null when stopped. */
  readonly pid: number | null;
  /** Fetches `path` (e.g. "/v1/health") from the server, authenticated by default. */
  fetch(path: string, init?: FetchInit): Promise<Response>;
  /**
   * Sends a ready-made request (its URL under `apiUrl`) as it is, checked like `fetch`: for
   * clients that build their own requests (openapi-fetch's `fetch` option).
   */
  send(request: Request): Promise<Response>;
  /**
   * Signals the whole process group (npm, wrangler, workerd) and waits until the port is
   * free. SIGKILL is an abrupt crash; SIGTERM/SIGINT a polite stop (escalated to SIGKILL
   * after 10 s).
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts `npm start` again on the same state directory; on the same port unless
   * `newPort` is true (then `baseUrl`/`port` change). Kills a running server first (SIGTERM).
   */
  restart(options?: { newPort?: boolean }): Promise<void>;
  /** Everything the current and earlier processes printed (stdout and stderr). */
  output(): string;
  /** Kills the server if running (SIGKILL) and removes the temporary directory. */
  cleanup(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port assigned");
  return address.port;
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((done) => {
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** Process groups still running, killed if this process exits without cleaning up. */
const liveGroups = new Set<number>();
process.once("exit", () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Launches tried when a freshly picked port turns out taken (files run in parallel). */
const PORT_ATTEMPTS = 3;

async function readToken(dir: string): Promise<string> {
  const text = await readFile(join(dir, ".dev.vars.example"), "utf8");
  const match = /^API_TOKEN=(.*)$/m.exec(text);
  if (!match?.[1]) throw new Error(".dev.vars.example has no API_TOKEN");
  return match[1].trim();
}

/** Copies the project into a fresh temporary directory and starts `npm start` there. */
export async function startServer(options: StartOptions = {}): Promise<DevServer> {
  const dir = await mkdtemp(join(tmpdir(), "stockflare-e2e-"));
  try {
    for (const name of COPIED) await copyFile(join(PROJECT_ROOT, name), join(dir, name));
    for (const name of LINKED) await symlink(join(PROJECT_ROOT, name), join(dir, name));
    const example = await readFile(join(dir, ".dev.vars.example"), "utf8");
    const extra = Object.entries(options.vars ?? {}).map(([k, v]) => `${k}=${v}`);
    await writeFile(join(dir, ".dev.vars"), [example.trimEnd(), ...extra, ""].join("\n"));
    const server = new Server(dir, await readToken(dir), options.port ?? (await freePort()), options);
    await server.firstLaunch();
    try {
      await server.startContractProxy();
    } catch (error) {
      await server.cleanup();
      throw error;
    }
    return server;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class Server implements DevServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log = "";
  private proxy: ContractProxy | null = null;

  constructor(
    readonly dir: string,
    readonly token: string,
    private currentPort: number,
    private readonly options: StartOptions,
  ) {}

  get port(): number {
    return this.currentPort;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.currentPort}`;
  }

  get apiUrl(): string {
    return this.proxy?.url ?? this.baseUrl;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts Prism in front of the server when this run checks the contract. */
  async startContractProxy(): Promise<void> {
    if (!(this.options.contract ?? contractCheckingRequested())) return;
    for (let attempt = 1; ; attempt++) {
      const proxy = new ContractProxy(PROJECT_ROOT, this.dir, await freePort(), (text) => {
        this.log += text;
        if (this.options.echo) process.stderr.write(text);
      });
      try {
        await proxy.start(this.baseUrl);
        this.proxy = proxy;
        return;
      } catch (error) {
        // Its port may have been taken by a file running beside this one (see firstLaunch).
        if (attempt >= PORT_ATTEMPTS || !/prism exited before it was ready/.test(String(error))) throw error;
        this.log += "\n[harness] prism did not start; trying another port\n";
      }
    }
  }

  /**
   * The first launch. Test files run side by side, and a port picked free can be taken by
   * another file's server before wrangler binds it: then new ports are picked (at most
   * PORT_ATTEMPTS launches). A port the caller chose is never changed.
   */
  async firstLaunch(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launch();
        return;
      } catch (error) {
        const taken = /address already in use|port \d+ is in use/i.test(String(error));
        if (!taken || this.options.port !== undefined || attempt >= PORT_ATTEMPTS) throw error;
        this.log += "\n[harness] a port was taken meanwhile; trying new ones\n";
        this.currentPort = await freePort();
      }
    }
  }

  output(): string {
    return this.log;
  }

  async fetch(path: string, init: FetchInit = {}): Promise<Response> {
    const { json, auth = true, headers, ...rest } = init;
    const h = new Headers(headers);
    if (auth && !h.has("authorization")) h.set("authorization", `Bearer ${this.token}`);
    if (json !== undefined) {
      h.set("content-type", "application/json");
      rest.body = JSON.stringify(json);
    }
    const response = await fetch(`${this.apiUrl}${path}`, { ...rest, headers: h });
    return this.proxy === null ? response : this.proxy.check(rest.method ?? "GET", path, response);
  }

  async send(request: Request): Promise<Response> {
    const { pathname, search } = new URL(request.url);
    const response = await fetch(request);
    return this.proxy === null ? response : this.proxy.check(request.method, `${pathname}${search}`, response);
  }

  async launch(): Promise<void> {
    if (!(await portIsFree(this.currentPort))) throw new Error(`port ${this.currentPort} is in use`);
    const inspectorPort = await freePort();
    const args = [
      "start",
      "--",
      "--port",
      String(this.currentPort),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspectorPort),
      "--show-interactive-dev-session=false",
    ];
    this.log += `\n[harness] npm ${args.join(" ")} (in ${this.dir})\n`;
    // Detached: the child leads its own process group, so kill(-pid) reaches wrangler and workerd too.
    const child = spawn("npm", args, {
      cwd: this.dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    this.child = child;
    if (child.pid !== undefined) liveGroups.add(child.pid);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      this.log += text;
      if (this.options.echo) process.stderr.write(text);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let gone = false;
    this.exited = new Promise((done) => {
      child.once("exit", (code, signal) => {
        gone = true;
        this.log += `\n[harness] npm start exited (code ${code}, signal ${signal})\n`;
        done();
      });
    });
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      if (gone) throw new Error(`npm start exited before it was ready:\n${this.log.slice(-4000)}`);
      try {
        const r = await fetch(`${this.baseUrl}/v1/health`, { signal: AbortSignal.timeout(2_000) });
        if (r.status === 200) return;
        await r.body?.cancel();
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    await this.kill("SIGKILL");
    throw new Error(`npm start did not answer /v1/health in time:\n${this.log.slice(-4000)}`);
  }

  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined) return;
    const pid = child.pid;
    const signalGroup = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        // the group is already gone
      }
    };
    signalGroup(signal);
    const stopped = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      signalGroup("SIGKILL");
      await this.exited;
    }
    // npm may exit before its grandchildren: make sure nothing of the group survives.
    signalGroup("SIGKILL");
    liveGroups.delete(pid);
    this.child = null;
    for (let i = 0; i < 100 && !(await portIsFree(this.currentPort)); i++) await sleep(100);
  }

  async restart(options: { newPort?: boolean } = {}): Promise<void> {
    await this.kill("SIGTERM");
    if (options.newPort) this.currentPort = await freePort();
    await this.launch();
    // Prism keeps running across a restart on the same port; a new port needs a new upstream.
    if (options.newPort && this.proxy !== null) {
      await this.proxy.stop();
      await this.proxy.start(this.baseUrl);
    }
  }

  async cleanup(): Promise<void> {
    await this.proxy?.stop();
    await this.kill("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * One `npm start` for a whole test file: started before its first test, cleaned up after its
 * last. Returns the running server (valid inside tests).
 */
export function serverForFile(options: StartOptions = {}): () => DevServer {
  let server: DevServer | undefined;
  beforeAll(async () => {
    server = await startServer(options);
  });
  afterAll(async () => {
    await server?.cleanup();
  });
  return () => {
    if (server === undefined) throw new Error("the server starts in beforeAll");
    return server;
  };
}

/** Fetches `path` and parses the JSON answer. */
export async function fetchJson<T = any>(server: DevServer, path: string, init?: FetchInit): Promise<{ status: number; body: T }> {
  const response = await server.fetch(path, init);
  return { status: response.status, body: (await response.json()) as T };
}
