import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";

// The binding is test-only (vitest.config.ts), so it is not part of the Worker's Env type.
const { TEST_MIGRATIONS } = env as unknown as { TEST_MIGRATIONS: D1Migration[] };

// Runs before every test file, against one D1 that all files share: already-applied
// migrations are skipped, and a file that loses the race to apply one first simply
// finds it applied on the next try.
for (let attempt = 1; ; attempt++) {
  try {
    await applyD1Migrations(env.DB, TEST_MIGRATIONS);
    break;
  } catch (error) {
    if (attempt >= 5) throw error;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}
