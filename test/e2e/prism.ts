/**
 * Contract checking for the end-to-end tests (`npm run test:contract`, or `E2E_PRISM=1`):
 * Stoplight Prism in proxy mode between a test and `npm start`. Prism validates every request
 * and every answer against the OpenAPI document the server itself serves (`GET /v1/openapi.json`,
 * fetched once the server is up) and reports what does not conform in the answer's
 * `sl-violations` header (a JSON array of `{ location, severity, code?, message }`, `location`
 * starting with "request" or "response"); it also logs them as `Violation: …`.
 *
 * Prism runs without `--errors`, so it forwards every request as it came, even the invalid
 * ones the tests send on purpose, and hands back the server's own answer. `check` then fails
 * the request (throws) when:
 *  - any violation concerns the answer: an undocumented status (Prism rates an undocumented
 *    4xx only a warning; here it fails), a body, content type or documented header that does
 *    not match;
 *  - or a request the document calls invalid was accepted (a status below 400): the document
 *    is stricter than the API.
 * A request the document calls invalid and the server refused (4xx) is what the test meant.
 * Paths the document does not describe (`/`, `/docs`, `/v1/openapi.json`, unknown routes)
 * are forwarded unchecked.
 *
 * What cannot go through it, and stays direct (`server.baseUrl`): WebSocket upgrades, and
 * requests in flight when the server is SIGKILLed (Prism would answer them itself with a 5xx
 * instead of the connection failing). Prism also never answers a request whose JSON body is
 * malformed (it parses bodies to validate them), so tests of malformed JSON stay in the workers
 * project (test/http/errors.test.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface Violation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

export interface CheckedExchange {
  method: string;
  path: string;
  status: number;
  violations: Violation[];
}

/** Prism processes still running, killed if this process exits without cleaning up. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether Prism's finding means the document and the API disagree (see the opening comment). */
export function isContractBreach(violation: Violation, status: number): boolean {
  if (violation.location[0] === "response") return true;
  return status < 400 && violation.message !== "Selected route not found";
}

export class ContractProxy {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly exchanges: CheckedExchange[] = [];

  constructor(
    private readonly projectRoot: string,
    private readonly dir: string,
    readonly port: number,
    private readonly log: (text: string) => void,
  ) {}

  /** Where requests go to be checked. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Fetches the upstream's document and starts Prism in front of it; resolves once it forwards.
   * `E2E_PRISM_DOCUMENT=<file>` checks against that document instead (say, the one a client
   * was generated from, to see whether today's server still honours it).
   */
  async start(upstream: string, readyTimeoutMs = 60_000): Promise<void> {
    const document = join(this.dir, "openapi.json");
    const chosen = process.env.E2E_PRISM_DOCUMENT;
    if (chosen !== undefined && chosen !== "") {
      await copyFile(chosen, document);
    } else {
      const served = await fetch(`${upstream}/v1/openapi.json`);
      if (served.status !== 200) throw new Error(`GET /v1/openapi.json answered ${served.status}`);
      await writeFile(document, await served.text());
    }

    const cli = join(this.projectRoot, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
    const args = [cli, "proxy", document, upstream, "--host", "127.0.0.1", "--port", String(this.port), "--verboseLevel", "warn"];
    this.log(`\n[harness] prism ${args.slice(1).join(" ")}\n`);
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    this.child = child;
    running.add(child);
    const onData = (chunk: Buffer) => this.log(chunk.toString().replace(/^(?=.)/gm, "[prism] "));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let gone = false;
    this.exited = new Promise((done) => {
      child.once("exit", (code, signal) => {
        gone = true;
        running.delete(child);
        this.log(`\n[harness] prism exited (code ${code}, signal ${signal})\n`);
        done();
      });
    });

    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (gone) throw new Error("prism exited before it was ready");
      try {
        const r = await fetch(`${this.url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
        await r.body?.cancel();
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error("prism did not forward GET /v1/health in time");
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!stopped) {
      child.kill("SIGKILL");
      await this.exited;
    }
    this.child = null;
  }

  /** Every exchange Prism reported something about (request violations included). */
  reported(): CheckedExchange[] {
    return [...this.exchanges];
  }

  /**
   * Returns `response` if it honours the document; otherwise throws, naming the request and
   * what Prism found. A 5xx that Prism made itself (it could not reach the server) throws too.
   */
  async check(method: string, path: string, response: Response): Promise<Response> {
    const header = response.headers.get("sl-violations");
    if (header !== null) {
      let violations: Violation[];
      try {
        violations = JSON.parse(header) as Violation[];
      } catch {
        // Prism truncates a long list ("Too many violations! …"): that is a breach in itself.
        violations = [{ location: ["response"], severity: "Error", message: header.slice(0, 2_000) }];
      }
      this.exchanges.push({ method, path, status: response.status, violations });
      const breaches = violations.filter((v) => isContractBreach(v, response.status));
      if (breaches.length > 0) {
        const lines = breaches.map((v) => `  - [${v.severity}] ${v.location.join(".")}: ${v.message}`);
        throw new Error(`OpenAPI contract violation: ${method} ${path} answered ${response.status}\n${lines.join("\n")}`);
      }
    }
    if (response.status >= 500) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { type?: string; detail?: string } | null;
      if (body?.type?.startsWith("https://stoplight.io/prism/errors")) {
        throw new Error(`prism answered ${method} ${path} itself (${response.status}): ${body.detail ?? body.type}`);
      }
    }
    return response;
  }
}

/** Whether the end-to-end tests run contract-checked: `E2E_PRISM=1` (`npm run test:contract`). */
export function contractCheckingRequested(): boolean {
  return process.env.E2E_PRISM === "1";
}
