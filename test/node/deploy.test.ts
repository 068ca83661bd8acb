// `npm run deploy` (scripts/deploy.ts) against a stand-in wrangler (./deploy-standin.ts): which
// calls it makes, in which order, on a fresh, a half-deployed and a fully deployed account, for
// the dry run and the real run; where secrets come from; what it refuses. Offline, no workerd.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { type AccountFixture, removeStandIns, StandIn } from "./deploy-standin";

const READS = ["queues info stockflare-events", "queues info stockflare-events-dlq", "d1 list --json", "secret list --format json"];
const BUILD = "<build console>";
const MIGRATE = "d1 migrations apply DB --remote";

const SECRETS = {
  API_TOKEN: "a-root-token-only-these-tests-know",
  WEBHOOK_SECRET_KEYS: `k1:${randomBytes(32).toString("base64")}`,
};

afterAll(removeStandIns);

function fresh(): AccountFixture {
  return { queues: [], databases: [], worker: null };
}

function halfDeployed(): AccountFixture {
  return {
    queues: ["stockflare-events", "stockflare-events-dlq"],
    databases: [{ name: "stockflare", uuid: "uuid-existing", migrated: false }],
    worker: { secrets: { API_TOKEN: "set-earlier" }, deploys: 1 },
  };
}

function fullyDeployed(): AccountFixture {
  return {
    queues: ["stockflare-events", "stockflare-events-dlq"],
    databases: [{ name: "stockflare", uuid: "uuid-existing", migrated: true }],
    worker: { secrets: { API_TOKEN: "set-earlier", WEBHOOK_SECRET_KEYS: "set-earlier" }, deploys: 3 },
  };
}

describe("npm run deploy on a fresh account", () => {
  it("--dry-run makes only the read-only calls and prints everything a first deploy does", () => {
    const standIn = new StandIn(fresh());
    const run = standIn.deploy(["--dry-run"], SECRETS);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.calls).toEqual(READS);
    expect(run.account).toEqual(fresh());
    expect(run.stdout).toContain("Deploy plan (dry run: nothing will be changed)");
    for (const line of [
      "queue stockflare-events: missing",
      "queue stockflare-events-dlq: missing",
      "D1 database stockflare: missing",
      "Worker stockflare: not deployed yet",
      "secret API_TOKEN: not set, from the environment",
      "secret WEBHOOK_SECRET_KEYS: not set, from the environment",
      "1. node scripts/build-console.mjs",
      "2. wrangler queues create stockflare-events",
      "3. wrangler queues create stockflare-events-dlq",
      "4. wrangler d1 create stockflare",
      "5. wrangler d1 migrations apply DB --remote",
      "6. wrangler deploy --secrets-file <temporary file with API_TOKEN, WEBHOOK_SECRET_KEYS>",
    ]) {
      expect(run.stdout).toContain(line);
    }
    expect(run.stdout).not.toContain(SECRETS.API_TOKEN);
  });

  it("creates the Queues and the database, migrates it, then deploys with both secrets; a repeat creates nothing", () => {
    const standIn = new StandIn(fresh());
    const first = standIn.deploy([], SECRETS);

    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.calls).toEqual([
      ...READS,
      BUILD,
      "queues create stockflare-events",
      "queues create stockflare-events-dlq",
      "d1 create stockflare",
      MIGRATE,
      "deploy --secrets-file",
    ]);
    const secretsFile = first.log.at(-1)?.secretsFile;
    expect(secretsFile?.content).toEqual(SECRETS);
    expect(secretsFile?.mode).toBe(0o600);
    expect(existsSync(secretsFile?.path ?? "")).toBe(false);
    expect(first.account).toEqual({
      queues: ["stockflare-events", "stockflare-events-dlq"],
      databases: [{ name: "stockflare", uuid: "uuid-of-stockflare", migrated: true }],
      worker: { secrets: SECRETS, deploys: 1 },
    });
    expect(first.stdout).not.toContain(SECRETS.WEBHOOK_SECRET_KEYS);

    const again = standIn.deploy([], SECRETS);
    expect(again.code).toBe(0);
    expect(again.calls).toEqual([...READS, BUILD, MIGRATE, "deploy"]);
    expect(again.account.worker).toEqual({ secrets: SECRETS, deploys: 2 });
  });
});

describe("npm run deploy on a half-deployed account (Queues, an unmigrated database, one secret)", () => {
  it("--dry-run plans only what is missing", () => {
    const standIn = new StandIn(halfDeployed());
    const run = standIn.deploy(["--dry-run"], SECRETS);

    expect(run.code).toBe(0);
    expect(run.calls).toEqual(READS);
    expect(run.account).toEqual(halfDeployed());
    for (const line of [
      "queue stockflare-events: exists",
      "queue stockflare-events-dlq: exists",
      "D1 database stockflare: exists (uuid-existing)",
      "Worker stockflare: deployed, secrets set: API_TOKEN",
      "secret WEBHOOK_SECRET_KEYS: not set, from the environment",
      "2. wrangler d1 migrations apply DB --remote",
      "3. wrangler deploy --secrets-file <temporary file with WEBHOOK_SECRET_KEYS>",
    ]) {
      expect(run.stdout).toContain(line);
    }
    expect(run.stdout).not.toContain("create");
    expect(run.stdout).not.toContain("secret API_TOKEN");
  });

  it("migrates and deploys with the one missing secret, leaving the set one alone", () => {
    const standIn = new StandIn(halfDeployed());
    const run = standIn.deploy([], SECRETS);

    expect(run.code).toBe(0);
    expect(run.calls).toEqual([...READS, BUILD, MIGRATE, "deploy --secrets-file"]);
    expect(run.log.at(-1)?.secretsFile?.content).toEqual({ WEBHOOK_SECRET_KEYS: SECRETS.WEBHOOK_SECRET_KEYS });
    expect(run.account.worker?.secrets).toEqual({ API_TOKEN: "set-earlier", WEBHOOK_SECRET_KEYS: SECRETS.WEBHOOK_SECRET_KEYS });
    expect(run.account.databases).toEqual([{ name: "stockflare", uuid: "uuid-existing", migrated: true }]);
  });

  it("after a run that stopped half-way creates only the missing dead-letter queue", () => {
    const standIn = new StandIn({ ...fresh(), queues: ["stockflare-events"] });
    const run = standIn.deploy([], SECRETS);

    expect(run.code).toBe(0);
    expect(run.calls).toEqual([
      ...READS,
      BUILD,
      "queues create stockflare-events-dlq",
      "d1 create stockflare",
      MIGRATE,
      "deploy --secrets-file",
    ]);
  });
});

describe("npm run deploy on a fully deployed account", () => {
  it("--dry-run plans the migrations and the deploy only", () => {
    const standIn = new StandIn(fullyDeployed());
    const run = standIn.deploy(["--dry-run"]);

    expect(run.code).toBe(0);
    expect(run.calls).toEqual(READS);
    expect(run.stdout).toContain("Worker stockflare: deployed, secrets set: API_TOKEN, WEBHOOK_SECRET_KEYS");
    expect(run.stdout).toContain("2. wrangler d1 migrations apply DB --remote\n  3. wrangler deploy\n");
    expect(run.stdout).not.toContain("secrets-file");
  });

  it("applies the migrations and deploys, creating nothing and needing no secret in the environment", () => {
    const standIn = new StandIn(fullyDeployed());
    const run = standIn.deploy([]);

    expect(run.code).toBe(0);
    expect(run.calls).toEqual([...READS, BUILD, MIGRATE, "deploy"]);
    expect(run.account.worker).toEqual({ ...fullyDeployed().worker, deploys: 4 });
  });

  it("finds wrangler through STOCKFLARE_WRANGLER when it is not on the PATH", () => {
    const standIn = new StandIn(fullyDeployed());
    const run = standIn.deploy([], { STOCKFLARE_WRANGLER: `${standIn.bin}/wrangler` }, { wranglerOnPath: false });

    expect(run.code).toBe(0);
    expect(run.calls).toEqual([...READS, BUILD, MIGRATE, "deploy"]);
  });
});

describe("npm run deploy refuses", () => {
  const addVars = (vars: string) => (toml: string) => toml.replace("[vars]\n", `[vars]\n${vars}`);

  it.each([
    ["FAULT_INJECTION", addVars('FAULT_INJECTION = "true"\n')],
    ["FAULT_INJECTION", addVars('FAULT_INJECTION = "drop-d1-writes"\n')],
    ["FAULT_INJECTION", addVars("FAULT_INJECTION = true\n")],
    ["SIMULATE_REGION_OUTAGE", addVars('SIMULATE_REGION_OUTAGE = "eu"\n')],
    ["LOCAL_REGION", addVars('LOCAL_REGION = "apac"\n')],
    ["WEBHOOK_ALLOW_HTTP", (toml: string) => toml.replace('WEBHOOK_ALLOW_HTTP = "false"', 'WEBHOOK_ALLOW_HTTP = "true"')],
  ])("a wrangler.toml that turns %s on, before any call, dry run or not", (name, editToml) => {
    const standIn = new StandIn(fresh(), { editToml });
    for (const args of [[], ["--dry-run"]]) {
      const run = standIn.deploy(args, SECRETS);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("refusing to deploy");
      expect(run.stderr).toContain(name);
      expect(run.calls).toEqual([]);
    }
  });

  it("nothing when the switches are off", () => {
    const standIn = new StandIn(fullyDeployed(), {
      editToml: addVars('FAULT_INJECTION = "false"\nSIMULATE_GEO = false\nLOCAL_REGION = ""\n'),
    });
    expect(standIn.deploy(["--dry-run"]).code).toBe(0);
  });

  it("to change anything when a missing secret is neither in the environment nor askable", () => {
    const standIn = new StandIn(halfDeployed());
    const dryRun = standIn.deploy(["--dry-run"]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain("secret WEBHOOK_SECRET_KEYS: not set, not in the environment and no terminal to ask on");

    const run = standIn.deploy([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the Worker lacks WEBHOOK_SECRET_KEYS");
    expect(run.calls).toEqual(READS);
    expect(run.account).toEqual(halfDeployed());
  });

  it.each([
    [{ API_TOKEN: "dev-token" }, "API_TOKEN must be at least 16 characters"],
    [{ WEBHOOK_SECRET_KEYS: "dev-1:+vUFLLHENaMM5GNX4InPTnfY/HzbIva8AQY/k113Pqw=" }, "development key"],
    [{ WEBHOOK_SECRET_KEYS: "k1:c2hvcnQ=" }, "not 32"],
  ])("a secret from the environment that is unfit for production (%o)", (env, message) => {
    const standIn = new StandIn(fresh());
    const run = standIn.deploy([], { ...SECRETS, ...env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.calls).toEqual(READS);
  });

  it("to deploy when the migrations fail: the Worker is not replaced", () => {
    const standIn = new StandIn({ ...halfDeployed(), failOn: "d1 migrations apply" });
    const run = standIn.deploy([], SECRETS);
    expect(run.code).toBe(1);
    expect(run.calls).toEqual([...READS, BUILD, MIGRATE]);
    expect(run.stderr).toContain("the steps after it did not run");
    expect(run.account.worker?.deploys).toBe(1);
  });

  it("to go on when wrangler cannot read the account (not logged in)", () => {
    const standIn = new StandIn({ ...fullyDeployed(), failOn: "d1 list" });
    const run = standIn.deploy([]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("`wrangler d1 list --json` failed (exit 1); nothing was changed.");
    expect(run.calls).toEqual(READS.slice(0, 3));
  });
});
