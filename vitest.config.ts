import { execFileSync } from "node:child_process";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// wrangler.toml's [assets] directory (the console, .console-build/) must exist before the
// workers project's Miniflare starts: build it first, however vitest was started. CI builds it
// once before starting vitest processes side by side and sets CONSOLE_BUILT=1, so that two
// builds never replace the directory under a running Miniflare.
if (process.env.CONSOLE_BUILT !== "1") {
  execFileSync(process.execPath, ["scripts/build-console.mjs", "--quiet"], { stdio: "inherit" });
}

// End-to-end files run side by side: each starts its own `npm start` in its own copy of the
// project, on ports of its own (test/e2e/server.ts). Two at a time suits two cores.
const e2eWorkers = Number(process.env.E2E_MAX_WORKERS ?? 2);

// Three projects: everything that can run inside workerd does (the Workers Vitest
// integration, `@cloudflare/vitest-plugin`); the repository's tooling is tested in Node; and
// the end-to-end tests run in Node because they start `npm start` as a real process and talk
// HTTP to it.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                API_TOKEN: "test-token",
                WEBHOOK_ALLOW_HTTP: "true",
                // Miniflare's Queue lives in memory, as under `npm start`.
                CONFIRM_EVENTS_IN_D1: "true",
                // Test-only key ring for webhook secrets at rest (src/webhooks/secret-box.ts).
                WEBHOOK_SECRET_KEYS: "test-1:Ja9rNcHtg3e44jNxnniVlgmFH0mTbRugnYDIUyCRBP4=",
                // Every request of the tests comes from this region, as under `npm start` (src/regions/caller.ts).
                LOCAL_REGION: "weur",
                // Applied to D1 by test/setup/apply-migrations.ts, the same files `npm start` applies.
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
              },
              // A lower limit than wrangler.toml's, same period, so a test's burst passes it quickly.
              ratelimits: { KEY_RATE_LIMIT: { namespace_id: "1001", simple: { limit: 100, period: 10 } } },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/node/**"],
          setupFiles: ["./test/setup/apply-migrations.ts"],
          // Vitest's 5 s default is too tight for the property and contention tests when CI runs
          // them beside the end-to-end tests and the type check on two cores.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Node-side tests of the repository's own tooling (deploy plan, client package): no
        // workerd, no server, run in parallel.
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          // They start processes (a stand-in wrangler, tsx): 5 s is too tight beside CI's other lanes.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: e2eWorkers,
          // Its own group (after the others in `npm test`), since its worker count differs.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
