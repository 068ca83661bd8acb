import { readdirSync, readFileSync } from "node:fs";

/**
 * Where the CPU went during a measurement: the processes of the system under test, the
 * bench itself (the load generator), and everything else on the machine (other people's
 * test runs on this shared box). Read from /proc, so Linux only; elsewhere it reports nothing.
 */

/** /proc reports CPU time in USER_HZ ticks, which Linux fixes at 100 per second. */
const MS_PER_TICK = 10;

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain anything: parse after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ppid) && Number.isFinite(ticks) ? { ppid, ticks } : null;
  } catch {
    return null;
  }
}

function allPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((name) => /^[0-9]+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU ticks used so far by `roots` and all their descendants. */
function treeTicks(roots: readonly number[]): number {
  const stats = new Map<number, ProcStat>();
  for (const pid of allPids()) {
    const stat = readStat(pid);
    if (stat !== null) stats.set(pid, stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  let ticks = 0;
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface CpuSnapshot {
  at: number;
  target: number;
  bench: number;
  machine: { busy: number; total: number };
}

export function snapshot(roots: readonly number[]): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    target: treeTicks(roots) * MS_PER_TICK,
    bench: (usage.user + usage.system) / 1000,
    machine: machineTicks(),
  };
}

export interface CpuUse {
  wallMs: number;
  /** CPU of the system under test (all its processes), in cores busy on average. */
  targetCores: number;
  /** CPU of the bench process (autocannon and the audit client). */
  benchCores: number;
  /** Everything else on the machine over the same time. */
  otherCores: number;
  /** Target CPU milliseconds per completed request (filled in by the caller). */
  targetMsPerRequest?: number;
}

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const wallMs = after.at - before.at;
  const targetMs = after.target - before.target;
  const benchMs = after.bench - before.bench;
  const busyMs = (after.machine.busy - before.machine.busy) * MS_PER_TICK;
  const cores = (ms: number) => (wallMs > 0 ? Math.max(0, ms) / wallMs : 0);
  return {
    wallMs,
    targetCores: cores(targetMs),
    benchCores: cores(benchMs),
    otherCores: cores(busyMs - targetMs - benchMs),
  };
}
