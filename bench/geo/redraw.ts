/**
 * Redraws a geo run's chart from its JSON, without running anything:
 *
 *   npx tsx bench/geo/redraw.ts bench/results/<date>-geo.json [out.svg]
 *
 * (default out: bench/geo/chart.svg), for a chart whose drawing changed after the run.
 */
import { readFile, writeFile } from "node:fs/promises";
import { chart, DESIGN_ORDER, type Row } from "./report";

const [input, output = "bench/geo/chart.svg"] = process.argv.slice(2);
if (input === undefined) throw new Error("usage: tsx bench/geo/redraw.ts <results json> [out.svg]");
const { meta, rows } = JSON.parse(await readFile(input, "utf8")) as {
  meta: { profile: string; seed: string; commit: string; uncommittedSrcFiles: number; perRegion: number };
  rows: Row[];
};
const shown = DESIGN_ORDER.filter((d) => rows.some((r) => r.design === d));
const caption = `${meta.profile} run, seed ${meta.seed}, commit ${meta.commit}${meta.uncommittedSrcFiles > 0 ? "+" : ""}, ${meta.perRegion} reservations per region and design`;
await writeFile(output, chart(rows, shown, ["single", "flash"], caption));
process.stdout.write(`written: ${output}\n`);
