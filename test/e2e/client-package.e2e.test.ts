import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, serverForFile } from "./server";

/**
 * `@stockflare/client` as a user gets it: `npm pack` in client/ (which builds it), the tarball
 * installed into an empty project, a program type-checked against the installed package with
 * tsc (the README's examples too, and calls the types must refuse), then run by Node against a
 * real `npm start`.
 *
 * The program talks to the server directly, under `npm run test:contract` too (a user's
 * program has no proxy to report to); client.e2e.test.ts sends the same client's requests
 * through Prism.
 */

const run = promisify(execFile);
const CLIENT = join(PROJECT_ROOT, "client");
const TSC = join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");

/** The consumer: ES modules resolved as Node does (the package's `exports`), types from @types/node, no DOM. */
const TSCONFIG = {
  compilerOptions: {
    target: "es2022",
    lib: ["es2022"],
    module: "nodenext",
    moduleResolution: "nodenext",
    types: ["node"],
    strict: true,
    outDir: "out",
  },
  include: ["*.ts"],
};

/**
 * The program that runs: every call the README shows, on a fresh SKU, answering what it saw as
 * JSON. Takes the server's URL and token as arguments.
 */
const MAIN = `
import { createClient, type Level, type Shortage } from "@stockflare/client";

const [baseUrl, token, sku] = process.argv.slice(2) as [string, string, string];
const stockflare = createClient({ baseUrl, token });
const item = { params: { path: { sku, warehouse: "ams-1" } } };

const set = await stockflare.PUT("/v1/stock/{sku}/{warehouse}", { ...item, body: { onHand: 5 } });
const level: Level | undefined = set.data;

const short = await stockflare.POST("/v1/reservations", { body: { lines: [{ sku, warehouse: "ams-1", quantity: 8 }] } });
const shortages: Shortage[] | undefined = short.error?.code === "insufficient_stock" ? short.error.shortages : undefined;

const held = await stockflare.POST("/v1/reservations", { body: { id: sku + "-a", lines: [{ sku, warehouse: "ams-1", quantity: 3 }] } });
const committed = await stockflare.POST("/v1/reservations/{id}/commit", { params: { path: { id: sku + "-a" } } });

await stockflare.POST("/v1/reservations", { body: { id: sku + "-b", lines: [{ sku, warehouse: "ams-1", quantity: 1 }] } });
const released = await stockflare.POST("/v1/reservations/{id}/release", { params: { path: { id: sku + "-b" } } });
const late = await stockflare.POST("/v1/reservations/{id}/commit", { params: { path: { id: sku + "-b" } } });

const availability = await stockflare.POST("/v1/availability", { body: { items: [{ sku, warehouse: "ams-1" }] } });
const after = await stockflare.GET("/v1/stock/{sku}/{warehouse}", item);

const denied = await createClient({ baseUrl, token: "not-a-token" }).GET("/v1/stock/{sku}/{warehouse}", item);

console.log(JSON.stringify({
  set: { status: set.response.status, onHand: level?.onHand, version: level?.version },
  short: { status: short.response.status, code: short.error?.code, shortages },
  held: held.data?.status,
  committed: committed.data?.status,
  released: released.data?.status,
  late: { status: late.response.status, code: late.error?.code, reservationStatus: late.error?.reservationStatus },
  availability: availability.data?.items,
  after: { onHand: after.data?.onHand, reserved: after.data?.reserved, available: after.data?.available, etag: after.response.headers.get("etag") },
  denied: { status: denied.response.status, code: denied.error?.code },
}));
`;

/** Calls the types must refuse: if the package's types were lost (any), each directive is unused and tsc fails. */
const REFUSED = `
import { createClient } from "@stockflare/client";

const stockflare = createClient({ baseUrl: "http://127.0.0.1:8787", token: "t" });
export async function refused() {
  // @ts-expect-error not a path of the API
  await stockflare.GET("/v1/no-such-route");
  // @ts-expect-error quantity is a number
  await stockflare.POST("/v1/reservations", { body: { lines: [{ sku: "A", warehouse: "w", quantity: "2" }] } });
  // @ts-expect-error a reservation needs lines
  await stockflare.POST("/v1/reservations", { body: { id: "x" } });
  const { data } = await stockflare.GET("/v1/stock/{sku}/{warehouse}", { params: { path: { sku: "A", warehouse: "w" } } });
  // @ts-expect-error a level has no such field
  data?.quantityOnHand;
}
// @ts-expect-error the token is required
createClient({ baseUrl: "http://127.0.0.1:8787" });
`;

/**
 * The README's TypeScript blocks as one module: their imports first, the setup block (which
 * makes \`stockflare\`) at the top level, each example in a block of its own.
 */
function readmeExamples(readme: string): string {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  const imports = new Set<string>();
  const bodies = blocks.map((block) =>
    block
      .split("\n")
      .filter((line) => {
        if (!line.startsWith("import ")) return true;
        imports.add(line);
        return false;
      })
      .join("\n"),
  );
  const [setup = "", ...examples] = bodies;
  return [...imports, setup, ...examples.map((body) => `{\n${body}\n}`), "export {};"].join("\n");
}

describe("the client package, packed, installed and run", () => {
  const server = serverForFile({ contract: false });
  let dir: string;
  let tarball: string;
  let packed: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "stockflare-client-package-"));
    const out = join(dir, "pack");
    await mkdir(out);
    // prepack builds dist/ first; --json lists what went into the tarball.
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", out], { cwd: CLIENT, maxBuffer: 16 << 20 });
    const [result] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
    if (result === undefined) throw new Error(`npm pack printed no result: ${stdout}`);
    tarball = join(out, result.filename);
    packed = result.files.map((file) => file.path).sort();
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("packs the built ES modules, their types, the README and the manifest, and no source", async () => {
    const manifest = JSON.parse(await readFile(join(CLIENT, "package.json"), "utf8")) as { name: string; version: string };
    expect(tarball.endsWith(`stockflare-client-${manifest.version}.tgz`)).toBe(true);
    expect(packed).toEqual(["README.md", "dist/index.d.ts", "dist/index.js", "dist/schema.d.ts", "dist/schema.js", "package.json"]);
  });

  it("installs into an empty project, type-checks against it, and runs against npm start", async () => {
    const project = join(dir, "project");
    await mkdir(project);
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "client-package-check", private: true, type: "module" }));
    const typesNode = (
      JSON.parse(await readFile(join(PROJECT_ROOT, "node_modules", "@types", "node", "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball, `@types/node@${typesNode}`], {
      cwd: project,
      maxBuffer: 16 << 20,
    });
    const installed = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies)).toContain("@stockflare/client");

    await writeFile(join(project, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
    await writeFile(join(project, "main.ts"), MAIN);
    await writeFile(join(project, "refused.ts"), REFUSED);
    await writeFile(join(project, "readme.ts"), readmeExamples(await readFile(join(CLIENT, "README.md"), "utf8")));
    const tsc = await run(process.execPath, [TSC, "-p", project], { cwd: project }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed against the installed package:\n${error.stdout ?? String(error)}`);
    });
    expect(tsc.stdout).toBe("");

    const sku = `E2E-PKG-${Math.random().toString(36).slice(2, 8)}`;
    const { stdout } = await run(process.execPath, [join(project, "out", "main.js"), server().baseUrl, server().token, sku], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toEqual({
      set: { status: 200, onHand: 5, version: 1 },
      short: { status: 409, code: "insufficient_stock", shortages: [{ sku, warehouse: "ams-1", requested: 8, available: 5 }] },
      held: "held",
      committed: "committed",
      released: "released",
      late: { status: 409, code: "invalid_state", reservationStatus: "released" },
      availability: [expect.objectContaining({ sku, warehouse: "ams-1", onHand: 2, reserved: 0, available: 2 })],
      after: { onHand: 2, reserved: 0, available: 2, etag: expect.stringMatching(/^"\d+"$/) },
      denied: { status: 401, code: "unauthorized" },
    });
  });
});
