import { execFileSync } from "node:child_process";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// wrangler.toml's [assets] directory (the console, .console-build/) must exist before the
// workers project's Miniflare starts: build it first, however vitest was started.
execFileSync(process.execPath, ["scripts/build-console.mjs", "--quiet"], { stdio: "inherit" });

// Two projects: everything that can run inside workerd does (the Workers Vitest
// integration, `@cloudflare/vitest-plugin`), and the end-to-end tests run in Node
// because they start `npm start` as a real process and talk HTTP to it.
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
        },
      },
      {
        // Node-side tests of the repository's own tooling (deploy plan, client package): no
        // workerd, no server, run in parallel.
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
