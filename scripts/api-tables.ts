/**
 * The route table of docs/api.md, written from the OpenAPI document the app serves (built
 * in-process, as `scripts/openapi.ts` does), so the guide can never list a route the Worker
 * does not serve or miss one it does: method, path, the scope a key needs, and the summary.
 *
 *   tsx scripts/api-tables.ts            rewrite the marked block of docs/api.md (npm run docs:api)
 *   tsx scripts/api-tables.ts --check    exit 1 if the committed block differs (CI)
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/http/app";
import { OPENAPI_CONFIG } from "../src/http/openapi";

const TARGET = fileURLToPath(new URL("../docs/api.md", import.meta.url));
const BEGIN = "<!-- routes:begin (generated from the OpenAPI document by `npm run docs:api`; do not edit by hand) -->";
const END = "<!-- routes:end -->";
const METHODS = ["get", "put", "post", "patch", "delete"] as const;

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
}

/** The scope an operation lists as its security requirement; an empty list means no token. */
function scopeOf(operation: Operation): string {
  if (operation.security === undefined) return "any key";
  const scopes = operation.security.flatMap((requirement) => Object.values(requirement).flat());
  if (operation.security.length === 0) return "none (no token)";
  return scopes.length === 0 ? "any key" : scopes.map((scope) => `\`${scope}\``).join(", ");
}

/** Pipes would end a Markdown table cell. */
const cell = (text: string) => text.replaceAll("|", "\\|").trim();

function routeTable(document: { paths?: Record<string, Record<string, Operation>> }): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const tag = operation.tags?.[0] ?? "";
      rows.push(`| ${tag} | \`${method.toUpperCase()}\` | \`${path}\` | ${scopeOf(operation)} | ${cell(operation.summary ?? "")} |`);
    }
  }
  return ["| tag | method | path | scope | what it does |", "|---|---|---|---|---|", ...rows].join("\n");
}

function replaceBlock(text: string, table: string): string {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/api.md has no ${BEGIN} … ${END} block`);
  return `${text.slice(0, begin + BEGIN.length)}\n${table}\n${text.slice(end)}`;
}

const document = createApp().getOpenAPI31Document(OPENAPI_CONFIG) as unknown as Parameters<typeof routeTable>[0];
const committed = await readFile(TARGET, "utf8");
const fresh = replaceBlock(committed, routeTable(document));
if (process.argv.includes("--check")) {
  if (committed === fresh) {
    console.log("docs/api.md's route table matches the OpenAPI document.");
  } else {
    console.error("docs/api.md's route table has drifted from the OpenAPI document: run `npm run docs:api` and commit the result.");
    process.exitCode = 1;
  }
} else if (committed !== fresh) {
  await writeFile(TARGET, fresh);
  console.log(`wrote the route table of ${TARGET}`);
} else {
  console.log("docs/api.md's route table is up to date.");
}
