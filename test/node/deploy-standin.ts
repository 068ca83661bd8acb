/**
 * A stand-in `wrangler` for testing scripts/deploy.ts offline: an executable generated into a
 * temporary directory put first on the PATH, acting on a JSON file that says what the account
 * holds (Queues, D1 databases, the Worker and its secrets) and appending every call (its
 * arguments, and the secrets file a deploy was handed) to a log. It answers the few commands
 * the deploy script uses the way wrangler 4.156.2 does, errors included, and refuses any other.
 *
 * The project directory it builds holds the repository's wrangler.toml (edited when a test
 * asks) and a scripts/build-console.mjs that only logs that it ran, so the log shows
 * where the build falls among the wrangler calls.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildSync } from "esbuild";

export interface AccountFixture {
  queues: string[];
  databases: { name: string; uuid: string; migrated: boolean }[];
  /** null: no Worker deployed yet. */
  worker: { secrets: Record<string, string>; deploys: number } | null;
  /** A call (its first words) the stand-in fails, to test what follows a failure. */
  failOn?: string;
}

export interface LoggedCall {
  argv: string[];
  /** For `deploy --secrets-file`: the file's content, its mode, its path. */
  secretsFile?: { content: Record<string, string>; mode: number; path: string };
}

export interface DeployRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Each call's arguments joined by spaces, the build logged as "<build console>". */
  calls: string[];
  log: LoggedCall[];
  /** The account after the run. */
  account: AccountFixture;
}

const repo = resolve(import.meta.dirname, "../..");
let deployBundle: string | undefined;
/** Every temporary directory made here, for removeStandIns. */
const made: string[] = [];

/** Removes the stand-ins' directories and the bundle (after a test file's last test). */
export function removeStandIns(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  deployBundle = undefined;
}

/**
 * scripts/deploy.ts bundled by esbuild into one ES module, once per test file: each run then
 * starts one plain Node process instead of tsx and its loader (about a second less per run).
 */
function bundledDeployScript(): string {
  if (deployBundle === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "stockflare-deploy-bundle-"));
    made.push(dir);
    const outfile = join(dir, "deploy.mjs");
    buildSync({
      entryPoints: [join(repo, "scripts", "deploy.ts")],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      logLevel: "error",
    });
    deployBundle = outfile;
  }
  return deployBundle;
}

const STANDIN = String.raw`
const fs = require("node:fs");
const statePath = process.env.STANDIN_STATE;
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
const argv = process.argv.slice(2);
const entry = { argv };
const words = argv.filter((arg) => !arg.startsWith("--"));
const command = words.slice(0, 2).join(" ");

function finish(code) {
  fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify(entry) + "\n");
  fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
  process.exit(code);
}
function fail(message) {
  console.error("✘ [ERROR] " + message);
  finish(1);
}
function option(name) {
  const index = argv.indexOf(name);
  return index < 0 ? undefined : argv[index + 1];
}
function database() {
  return state.databases.find((db) => db.name === "stockflare");
}

if (state.failOn && argv.join(" ").startsWith(state.failOn)) fail("stand-in: told to fail " + state.failOn);

if (command === "queues info") {
  const name = words[2];
  if (!state.queues.includes(name)) fail('Queue "' + name + '" does not exist. To create it, run: wrangler queues create ' + name);
  console.log("Queue Name: " + name);
  finish(0);
} else if (command === "queues create") {
  const name = words[2];
  if (state.queues.includes(name)) fail("A queue with this name already exists. [code: 11009]");
  state.queues.push(name);
  finish(0);
} else if (command === "d1 list" && argv.includes("--json")) {
  console.log(JSON.stringify(state.databases.map((db) => ({ uuid: db.uuid, name: db.name, version: "production" })), null, 2));
  finish(0);
} else if (command === "d1 create") {
  const name = words[2];
  if (state.databases.some((db) => db.name === name)) fail("A database with that name already exists [code: 7502]");
  state.databases.push({ name, uuid: "uuid-of-" + name, migrated: false });
  finish(0);
} else if (command === "d1 migrations" && words[2] === "apply" && words[3] === "DB" && argv.includes("--remote")) {
  const db = database();
  if (!db) fail("Couldn't find a D1 DB named 'stockflare' (bound as 'DB') in the API. Run 'wrangler d1 create stockflare' to create it.");
  db.migrated = true;
  finish(0);
} else if (command === "secret list" && option("--format") === "json") {
  if (!state.worker) fail('Worker "stockflare" not found.\n\nIf this is a new Worker, run wrangler deploy first to create it.');
  console.log(JSON.stringify(Object.keys(state.worker.secrets).map((name) => ({ name, type: "secret_text" })), null, "  "));
  finish(0);
} else if (argv[0] === "deploy" && (argv.length === 1 || (argv.length === 3 && argv[1] === "--secrets-file"))) {
  const path = option("--secrets-file");
  const secrets = path === undefined ? {} : JSON.parse(fs.readFileSync(path, "utf8"));
  if (path !== undefined) entry.secretsFile = { content: secrets, mode: fs.statSync(path).mode & 0o777, path };
  state.worker = state.worker || { secrets: {}, deploys: 0 };
  Object.assign(state.worker.secrets, secrets);
  state.worker.deploys += 1;
  finish(0);
} else {
  fail("stand-in wrangler: unexpected call: " + argv.join(" "));
}
`;

const BUILD_STUB = `import { appendFileSync } from "node:fs";
appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ argv: ["<build console>"] }) + "\\n");
`;

/** worker-configuration.d.ts declares the Worker's vars on ProcessEnv; a child's environment is a plain map. */
function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return vars as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv;
}

export class StandIn {
  readonly dir = mkdtempSync(join(tmpdir(), "stockflare-deploy-test-"));
  readonly bin = join(this.dir, "bin");
  readonly project = join(this.dir, "project");
  private readonly statePath = join(this.dir, "account.json");
  private readonly logPath = join(this.dir, "calls.jsonl");

  /** `editToml` changes the copy of wrangler.toml the deploy reads. */
  constructor(account: AccountFixture, options: { editToml?: (toml: string) => string } = {}) {
    made.push(this.dir);
    mkdirSync(this.bin);
    mkdirSync(join(this.project, "scripts"), { recursive: true });
    writeFileSync(join(this.bin, "wrangler"), `#!${process.execPath}\n${STANDIN}`);
    chmodSync(join(this.bin, "wrangler"), 0o755);
    writeFileSync(join(this.project, "scripts", "build-console.mjs"), BUILD_STUB);
    copyFileSync(join(repo, ".dev.vars.example"), join(this.project, ".dev.vars.example"));
    const toml = readFileSync(join(repo, "wrangler.toml"), "utf8");
    writeFileSync(join(this.project, "wrangler.toml"), options.editToml ? options.editToml(toml) : toml);
    this.setAccount(account);
  }

  setAccount(account: AccountFixture): void {
    writeFileSync(this.statePath, JSON.stringify(account, null, 2));
    writeFileSync(this.logPath, "");
  }

  /**
   * Runs `scripts/deploy.ts` in the project. The PATH holds only the stand-in and Node's own
   * directory, so the real wrangler (node_modules/.bin, or one installed globally) cannot be
   * reached, and no Cloudflare credentials are passed.
   */
  deploy(args: string[], env: Record<string, string> = {}, options: { wranglerOnPath?: boolean } = {}): DeployRun {
    const path = [options.wranglerOnPath === false ? undefined : this.bin, dirname(process.execPath)];
    const result = spawnSync(process.execPath, [bundledDeployScript(), ...args], {
      cwd: this.project,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: childEnv({
        PATH: path.filter(Boolean).join(":"),
        HOME: this.dir,
        TMPDIR: this.dir,
        STANDIN_STATE: this.statePath,
        STANDIN_LOG: this.logPath,
        ...env,
      }),
    });
    const log = readFileSync(this.logPath, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as LoggedCall);
    writeFileSync(this.logPath, "");
    return {
      code: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      calls: log.map((entry) => entry.argv.filter((arg) => !arg.startsWith(this.dir)).join(" ")),
      log,
      account: JSON.parse(readFileSync(this.statePath, "utf8")) as AccountFixture,
    };
  }
}
