import type { Check } from "./checks/check";
import { fmt } from "./checks/check";
import { type FaultRecord, formatExchange, type History } from "./history";
import type { Model } from "./model";

/**
 * The run's printed summary: the figures (operations, faults, downtime, answers by status),
 * each check, and for a failed check its first violations with the smallest history excerpt
 * that shows each: the exchanges tagged with what the violation names.
 */

export interface Figures {
  seed: number;
  command: string;
  loadS: number;
  clients: number;
  downtimeMs: number;
  restarts: number;
  historyFile: string | null;
}

export function printFigures(f: Figures, history: History, model: Model): void {
  const byStatus = new Map<number, number>();
  for (const e of history.exchanges) byStatus.set(e.status, (byStatus.get(e.status) ?? 0) + 1);
  const statuses = [...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === 0 ? "no answer" : s}: ${fmt(n)}`);
  const ops = [...model.operations].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${fmt(n)}`);
  const totalOps = [...model.operations.values()].reduce((s, n) => s + n, 0);
  const retries = history.exchanges.filter((e) => e.attempt > 1).length;
  console.log("");
  console.log(`soak: seed ${f.seed} (reproduce: ${f.command})`);
  console.log(`  load        ${f.loadS} s, ${f.clients} clients, ${fmt(totalOps)} writes (${ops.join(", ")})`);
  console.log(`  requests    ${fmt(history.exchanges.length)} (${fmt(retries)} of them retries of a write)`);
  console.log(`  answers     ${statuses.join(", ")}`);
  const answered = history.exchanges.filter((e) => e.status !== 0).map((e) => e.doneMs - e.sentMs);
  answered.sort((a, b) => a - b);
  const at = (q: number) => answered[Math.min(answered.length - 1, Math.floor(q * answered.length))] ?? 0;
  const slow = answered.filter((ms) => ms > 5_000).length;
  console.log(`  latency     p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; ${fmt(slow)} answers took over 5 s`);
  console.log(`  faults      ${history.faults.length}: ${summarizeFaults(history.faults)}`);
  console.log(`  downtime    ${(f.downtimeMs / 1000).toFixed(1)} s over ${f.restarts} kills (SIGKILL to /v1/health answering again)`);
  if (f.historyFile !== null) console.log(`  history     ${f.historyFile}`);
}

function summarizeFaults(faults: FaultRecord[]): string {
  return faults
    .map((r) => `${r.fault} ${(r.startMs / 1000).toFixed(1)}-${(r.endMs / 1000).toFixed(1)} s${r.detail ? ` (${r.detail})` : ""}`)
    .join("; ");
}

export function printChecks(checks: Check[], history: History, seed: number): boolean {
  console.log("");
  for (const c of checks) console.log(`  ${c.pass ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => !c.pass);
  if (failed.length === 0) {
    console.log(`\nsoak: every check held (seed ${seed})`);
    return true;
  }
  console.log(`\nsoak: ${failed.length} check(s) FAILED, seed ${seed}`);
  for (const c of failed) {
    console.log(`\n== ${c.name}: ${c.violations.length} violation(s)`);
    for (const v of c.violations.slice(0, 3)) {
      console.log(`  - ${v.what}`);
      const key = v.keys[0];
      const excerpt =
        v.exchanges !== undefined ? v.exchanges.flatMap((n) => history.byNumber(n) ?? []) : key === undefined ? [] : history.about(key);
      if (excerpt.length === 0) continue;
      console.log(`    history${v.exchanges === undefined ? ` of ${key}` : ""}:`);
      for (const e of excerpt) console.log(`      ${formatExchange(e)}`);
    }
    if (c.violations.length > 3) console.log(`  … and ${c.violations.length - 3} more`);
  }
  return false;
}
