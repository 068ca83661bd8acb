/**
 * `npm run deploy`: everything a deploy of stockflare needs, in one command, safe to repeat.
 * `npm run deploy -- --dry-run` prints the plan and changes nothing. docs/deploy.md explains the
 * order; in short:
 *
 *   1. refuse a wrangler.toml whose [vars] turn a local-only switch on (FAULT_INJECTION,
 *      SIMULATE_*, WEBHOOK_ALLOW_HTTP, LOCAL_REGION);
 *   2. ask the account, read-only, what exists: each Queue (`queues info`), the D1 database
 *      (`d1 list --json`), the Worker and its secrets (`secret list`);
 *   3. gather the secrets the Worker lacks, from the environment or, on a terminal, by asking;
 *      a missing one stops the run here, before anything is changed;
 *   4. print the plan (the dry run stops here);
 *   5. build the console assets, create the missing Queues and the D1 database, apply the D1
 *      migrations, and deploy, the missing secrets travelling with that deploy
 *      (`wrangler deploy --secrets-file`): the first version of a new Worker already has them.
 *
 * Every step either finds its resource there or creates it, so a run that stopped half-way is
 * finished by running it again. wrangler is found on the PATH (npm puts node_modules/.bin
 * first), or named by STOCKFLARE_WRANGLER; the tests put a stand-in there.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";
import { parse as parseToml } from "smol-toml";
import { KeyRing, KeyRingError } from "../src/webhooks/secret-box";

const REQUIRED_SECRETS = ["API_TOKEN", "WEBHOOK_SECRET_KEYS"] as const;
type SecretName = (typeof REQUIRED_SECRETS)[number];

/** What a deploy needs to know of wrangler.toml. */
interface DeployConfig {
  worker: string;
  /** Every Queue the Worker produces to, consumes from or dead-letters to. */
  queues: string[];
  database: { binding: string; name: string };
  vars: Record<string, unknown>;
}

/** What the read-only calls learned of the account. */
interface AccountState {
  missingQueues: string[];
  database: { id: string } | undefined;
  /** undefined: no Worker of that name yet. */
  workerSecrets: Set<string> | undefined;
}

/** A secret the Worker lacks, and where its value comes from. */
interface MissingSecret {
  name: SecretName;
  source: "environment" | "terminal" | "generated" | "unavailable";
  value?: string;
}

interface Step {
  command: string;
  args: string[];
  /** Secrets written to a temporary file handed to `wrangler deploy --secrets-file`. */
  secrets?: Partial<Record<SecretName, string>>;
}

/** A refusal or a failure the operator must act on: printed without a stack trace. */
class DeployError extends Error {}

const wranglerCommand = process.env.STOCKFLARE_WRANGLER || "wrangler";
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false" };

// ---------------------------------------------------------------------------------------------
// 1. The configuration, and the switches that must never reach production

interface RawConfig {
  name?: string;
  vars?: Record<string, unknown>;
  d1_databases?: { binding?: string; database_name?: string }[];
  queues?: { producers?: { queue?: string }[]; consumers?: { queue?: string; dead_letter_queue?: string }[] };
}

function readConfig(path: string): DeployConfig {
  const raw = parseToml(readFileSync(path, "utf8")) as RawConfig;
  const database = raw.d1_databases?.find((d) => d.binding === "DB");
  if (!raw.name || !database?.database_name) {
    throw new DeployError(`${path} must name the Worker and give the DB binding a database_name`);
  }
  const queues = [
    ...(raw.queues?.producers ?? []).map((p) => p.queue),
    ...(raw.queues?.consumers ?? []).flatMap((c) => [c.queue, c.dead_letter_queue]),
  ].filter((name): name is string => typeof name === "string");
  return {
    worker: raw.name,
    queues: [...new Set(queues)],
    database: { binding: "DB", name: database.database_name },
    vars: raw.vars ?? {},
  };
}

/**
 * Whether a var turns on a switch meant for local runs only: fault injection (the soak), the
 * simulations (SIMULATE_*), plain-http webhooks, a fixed caller region. Off is "false" (or "" for
 * LOCAL_REGION, whose value is a region); an absent var is off too.
 */
function isLocalOnlySwitchOn(name: string, value: unknown): boolean {
  if (name === "LOCAL_REGION") return value !== "";
  const isSwitch = name === "FAULT_INJECTION" || name === "WEBHOOK_ALLOW_HTTP" || name.startsWith("SIMULATE_");
  return isSwitch && value !== "false" && value !== false;
}

function refuseLocalOnlySwitches(vars: Record<string, unknown>): void {
  const on = Object.entries(vars).filter(([name, value]) => isLocalOnlySwitchOn(name, value));
  if (on.length === 0) return;
  const list = on.map(([name, value]) => `${name} = ${JSON.stringify(value)}`).join(", ");
  throw new DeployError(
    `refusing to deploy: wrangler.toml [vars] turns on local-only switches (${list}). ` +
      `Remove them or turn them off ("false"; LOCAL_REGION ""): local values belong in .dev.vars. Then deploy again.`,
  );
}

// ---------------------------------------------------------------------------------------------
// 2. What the account holds (read-only calls)

interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a read-only wrangler call and captures its output. */
function query(args: string[]): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(wranglerCommand, args, { env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (error) => reject(wranglerMissing(error)));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function wranglerMissing(error: Error): Error {
  return new DeployError(
    `cannot run "${wranglerCommand}" (${error.message}): run this through \`npm run deploy\`, or set STOCKFLARE_WRANGLER`,
  );
}

/** The JSON a read-only call printed, or a DeployError showing what it printed instead. */
function parseOutput<T>(args: string[], result: WranglerResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw unexpected(args, result);
  }
}

function unexpected(args: string[], result: WranglerResult): DeployError {
  const output = `${result.stdout}${result.stderr}`.trim();
  const failed = result.code === 0 ? "printed what the deploy cannot read" : `failed (exit ${result.code})`;
  return new DeployError(`\`wrangler ${args.join(" ")}\` ${failed}; nothing was changed.\n${output}`);
}

async function queueExists(name: string): Promise<boolean> {
  const args = ["queues", "info", name];
  const result = await query(args);
  if (result.code === 0) return true;
  if (/does not exist/.test(result.stdout + result.stderr)) return false;
  throw unexpected(args, result);
}

async function findDatabase(name: string): Promise<{ id: string } | undefined> {
  const args = ["d1", "list", "--json"];
  const result = await query(args);
  if (result.code !== 0) throw unexpected(args, result);
  const databases = parseOutput<{ uuid: string; name: string }[]>(args, result);
  const found = databases.find((db) => db.name === name);
  return found && { id: found.uuid };
}

/** The names of the Worker's secrets, or undefined when the account has no such Worker yet. */
async function workerSecrets(worker: string): Promise<Set<string> | undefined> {
  const args = ["secret", "list", "--format", "json"];
  const result = await query(args);
  if (result.code === 0) return new Set(parseOutput<{ name: string }[]>(args, result).map((s) => s.name));
  if (new RegExp(`Worker "${worker}".* not found`).test(result.stdout + result.stderr)) return undefined;
  throw unexpected(args, result);
}

async function inspectAccount(config: DeployConfig): Promise<AccountState> {
  const missingQueues: string[] = [];
  for (const queue of config.queues) {
    if (!(await queueExists(queue))) missingQueues.push(queue);
  }
  return {
    missingQueues,
    database: await findDatabase(config.database.name),
    workerSecrets: await workerSecrets(config.worker),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Secrets the Worker lacks

/** The values `.dev.vars.example` publishes for local development, which must never be deployed. */
function publishedDevValues(): Map<string, string> {
  if (!existsSync(".dev.vars.example")) return new Map();
  const lines = readFileSync(".dev.vars.example", "utf8").split("\n");
  return new Map(
    lines
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
  );
}

/** The key material of a ring, without the key ids. */
function ringKeys(ring: string): string[] {
  return ring.split(",").map((entry) => entry.slice(entry.indexOf(":") + 1).trim());
}

/** Throws when a value cannot serve as the secret `name` in production. */
function checkSecret(name: SecretName, value: string): void {
  const published = publishedDevValues().get(name);
  if (name === "API_TOKEN") {
    if (value.length < 16) throw new DeployError("API_TOKEN must be at least 16 characters");
    if (value === published) throw new DeployError("API_TOKEN is the development token from .dev.vars.example");
    return;
  }
  try {
    KeyRing.parse(value);
  } catch (error) {
    if (error instanceof KeyRingError) throw new DeployError(`${error.message} (the format is keyId:base64-of-32-bytes[,…])`);
    throw error;
  }
  const devKeys = published === undefined ? [] : ringKeys(published);
  if (ringKeys(value).some((key) => devKeys.includes(key))) {
    throw new DeployError("WEBHOOK_SECRET_KEYS holds the development key from .dev.vars.example");
  }
}

/** A new one-key ring, `k<yyyymmdd>:<32 random bytes, base64>`. */
function generateKeyRing(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  return `k${day}:${randomBytes(32).toString("base64")}`;
}

/** Reads a line from the terminal without echoing it. */
async function askHidden(question: string): Promise<string> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: process.stdin, output: silent, terminal: true });
  process.stdout.write(question);
  try {
    return (await reader.question("")).trim();
  } finally {
    reader.close();
    process.stdout.write("\n");
  }
}

async function askForSecret(name: SecretName): Promise<MissingSecret> {
  if (name === "API_TOKEN") {
    return { name, source: "terminal", value: await askHidden("API_TOKEN (the root API key clients send as a bearer token): ") };
  }
  const typed = await askHidden("WEBHOOK_SECRET_KEYS (keyId:base64key; leave empty to generate one): ");
  if (typed !== "") return { name, source: "terminal", value: typed };
  const value = generateKeyRing();
  console.log(
    `Generated WEBHOOK_SECRET_KEYS. Keep this copy somewhere safe: a Worker secret cannot be read back,\n` +
      `and rotating the key later needs the old one.\n\n  ${value}\n`,
  );
  return { name, source: "generated", value };
}

async function gatherSecrets(state: AccountState, options: { dryRun: boolean; interactive: boolean }): Promise<MissingSecret[]> {
  const missing = REQUIRED_SECRETS.filter((name) => !state.workerSecrets?.has(name));
  const gathered: MissingSecret[] = [];
  for (const name of missing) {
    const fromEnvironment = process.env[name];
    let secret: MissingSecret;
    if (fromEnvironment) secret = { name, source: "environment", value: fromEnvironment };
    else if (!options.interactive) secret = { name, source: "unavailable" };
    else if (options.dryRun) secret = { name, source: "terminal" };
    else secret = await askForSecret(name);
    if (secret.value !== undefined) checkSecret(name, secret.value);
    gathered.push(secret);
  }
  return gathered;
}

function refuseUnavailableSecrets(secrets: MissingSecret[]): void {
  const unavailable = secrets.filter((s) => s.source === "unavailable").map((s) => s.name);
  if (unavailable.length === 0) return;
  throw new DeployError(
    `the Worker lacks ${unavailable.join(" and ")}, and this is not a terminal to ask on: set ${unavailable.join(", ")} ` +
      `in the environment (a key ring: echo "k1:$(openssl rand -base64 32)"). Nothing was changed.`,
  );
}

// ---------------------------------------------------------------------------------------------
// 4. The plan

function planSteps(config: DeployConfig, state: AccountState, secrets: MissingSecret[]): Step[] {
  const steps: Step[] = [{ command: "node", args: ["scripts/build-console.mjs"] }];
  for (const queue of state.missingQueues) steps.push({ command: "wrangler", args: ["queues", "create", queue] });
  if (!state.database) steps.push({ command: "wrangler", args: ["d1", "create", config.database.name] });
  steps.push({ command: "wrangler", args: ["d1", "migrations", "apply", config.database.binding, "--remote"] });
  const withSecrets = Object.fromEntries(secrets.map((s) => [s.name, s.value ?? ""]));
  steps.push(
    secrets.length > 0 ? { command: "wrangler", args: ["deploy"], secrets: withSecrets } : { command: "wrangler", args: ["deploy"] },
  );
  return steps;
}

function describeStep(step: Step): string {
  const secrets = step.secrets ? ` --secrets-file <temporary file with ${Object.keys(step.secrets).join(", ")}>` : "";
  return `${step.command} ${step.args.join(" ")}${secrets}`;
}

function describeAccount(config: DeployConfig, state: AccountState, secrets: MissingSecret[]): string[] {
  const lines = config.queues.map((queue) => `queue ${queue}: ${state.missingQueues.includes(queue) ? "missing" : "exists"}`);
  lines.push(`D1 database ${config.database.name}: ${state.database ? `exists (${state.database.id})` : "missing"}`);
  if (state.workerSecrets === undefined) lines.push(`Worker ${config.worker}: not deployed yet`);
  else lines.push(`Worker ${config.worker}: deployed, secrets set: ${[...state.workerSecrets].sort().join(", ") || "none"}`);
  const from = {
    environment: "from the environment",
    terminal: "asked on the terminal",
    generated: "generated",
    unavailable: "not in the environment and no terminal to ask on: the deploy would stop here",
  };
  for (const secret of secrets) lines.push(`secret ${secret.name}: not set, ${from[secret.source]}`);
  return lines;
}

function printPlan(config: DeployConfig, state: AccountState, secrets: MissingSecret[], steps: Step[], dryRun: boolean): void {
  console.log(dryRun ? "Deploy plan (dry run: nothing will be changed)" : "Deploy plan");
  console.log("The account:");
  for (const line of describeAccount(config, state, secrets)) console.log(`  ${line}`);
  console.log("Steps:");
  for (const [index, step] of steps.entries()) console.log(`  ${index + 1}. ${describeStep(step)}`);
}

// ---------------------------------------------------------------------------------------------
// 5. Carrying it out

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: wranglerEnv, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (error) => reject(command === wranglerCommand ? wranglerMissing(error) : error));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new DeployError(
            `\`${command} ${args.join(" ")}\` failed (exit ${code}); the steps after it did not run. Run the deploy again once fixed.`,
          ),
        );
    });
  });
}

async function runStep(step: Step): Promise<void> {
  console.log(`\n> ${describeStep(step)}`);
  if (step.command === "node") return run(process.execPath, step.args);
  if (!step.secrets) return run(wranglerCommand, step.args);
  // Owner-only file in a fresh directory, removed whatever happens.
  const directory = mkdtempSync(join(tmpdir(), "stockflare-deploy-"));
  const file = join(directory, "secrets.json");
  try {
    writeFileSync(file, JSON.stringify(step.secrets), { mode: 0o600 });
    await run(wranglerCommand, [...step.args, "--secrets-file", file]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const dryRun = argv.includes("--dry-run");
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const config = readConfig("wrangler.toml");
  refuseLocalOnlySwitches(config.vars);
  const state = await inspectAccount(config);
  const secrets = await gatherSecrets(state, { dryRun, interactive });
  const steps = planSteps(config, state, secrets);
  printPlan(config, state, secrets, steps, dryRun);
  if (dryRun) return;
  refuseUnavailableSecrets(secrets);
  for (const step of steps) await runStep(step);
  console.log(`\nDeployed ${config.worker}.`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`\ndeploy: ${error instanceof DeployError ? error.message : error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
