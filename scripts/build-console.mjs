// Builds the operators' console (console/) and the API reference page into .console-build/,
// the directory wrangler.toml's [assets] serves at `/` and `/docs`. Offline: esbuild bundles
// console/src/main.tsx (preact) and console/src/docs.ts from node_modules, and Scalar's standalone bundle is copied
// from node_modules/@scalar/api-reference, so nothing is fetched from the internet, neither
// here nor by the browser. The output is not committed (.gitignore).
//
// Paths are taken from the working directory (npm runs scripts from the package root), so a
// copy of the project whose scripts/ is a symlink (test/e2e/server.ts) builds into its own copy.
//
//   node scripts/build-console.mjs            # build once
//   node scripts/build-console.mjs --quiet    # no size report
import { copyFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

const root = process.cwd();
const source = join(root, "console");
const out = join(root, ".console-build");
const quiet = process.argv.includes("--quiet");

const SCALAR = join(root, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");

await rm(out, { recursive: true, force: true });
await mkdir(join(out, "vendor"), { recursive: true });

const result = await build({
  entryPoints: { app: join(source, "src", "main.tsx"), docs: join(source, "src", "docs.ts") },
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

for (const name of ["index.html", "docs.html", "styles.css", "favicon.svg"]) {
  await copyFile(join(source, name), join(out, name));
}

// Scalar's self-contained browser build, without its 20 MB source map (and the comment naming it).
const scalar = await readFile(SCALAR, "utf8");
await writeFile(join(out, "vendor", "scalar.js"), scalar.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));

if (!quiet) {
  const sizes = [];
  for (const file of [
    ...Object.keys(result.metafile.outputs).map((p) => p.slice(p.indexOf(".console-build/") + 15)),
    "index.html",
    "styles.css",
  ]) {
    sizes.push(`${file} ${((await stat(join(out, file))).size / 1024).toFixed(1)} KB`);
  }
  const vendor = (await stat(join(out, "vendor", "scalar.js"))).size / 1024 / 1024;
  console.log(`console: ${sizes.join(", ")}; /docs: vendor/scalar.js ${vendor.toFixed(1)} MB → .console-build/`);
}
