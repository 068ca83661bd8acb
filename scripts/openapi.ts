/**
 * Writes the OpenAPI document that `GET /v1/openapi.json` serves, without a server: the same
 * `createApp()` and config, run in Node (the HTTP layer imports nothing from `cloudflare:workers`).
 * Its server is `npm start`'s, http://127.0.0.1:8787; the served document names the origin it
 * was requested from instead.
 *
 *   tsx scripts/openapi.ts [out.json]     (stdout when no file is given)
 *
 * Used by `npm run lint:openapi` and `npm run client:generate` / `client:check`.
 */
import { writeFile } from "node:fs/promises";
import { createApp } from "../src/http/app";
import { OPENAPI_CONFIG } from "../src/http/openapi";

const document = createApp().getOpenAPI31Document(OPENAPI_CONFIG);
const text = `${JSON.stringify(document, null, 2)}\n`;
const out = process.argv[2];
if (out === undefined) process.stdout.write(text);
else await writeFile(out, text);
