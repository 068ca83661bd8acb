import { parseArgs } from "node:util";
import { FAULT_KINDS, type FaultKind } from "./schedule";

/**
 * `npm run soak -- [--duration S] [--kills N] [--seed N] [--faults a,b,...] [--clients N] [--short] [--keep]`
 *
 *   --duration  seconds of load (default 600; --short: 30)
 *   --kills     SIGKILLs of the server (default 6; --short: 1), including the timed ones
 *               (in a pool refill, in a line change) when those faults are on
 *   --seed      the run's seed (default: random, printed); the same seed draws the same
 *               schedule and the same load choices
 *   --faults    which fault kinds to inject (default all): kill, kill-refill, kill-line-change,
 *               d1, queue-refuse, queue-lose-ack, receiver-hang, receiver-500, receiver-slow;
 *               "none" for a run without faults
 *   --clients   concurrent load clients (default 12; --short: 8)
 *   --history   where to write the history (JSONL; default soak-history-<seed>.jsonl in the OS temp dir)
 *   --keep      keep the server's project copy and state for inspection
 */
export interface Options {
  durationS: number;
  kills: number;
  seed: number;
  faults: Set<FaultKind>;
  clients: number;
  short: boolean;
  historyFile: string | null;
  keep: boolean;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string" },
      kills: { type: "string" },
      seed: { type: "string" },
      faults: { type: "string" },
      clients: { type: "string" },
      history: { type: "string" },
      short: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
    strict: true,
  });
  const short = values.short === true;
  const int = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, not ${text}`);
    return n;
  };
  let faults = new Set<FaultKind>(FAULT_KINDS);
  if (values.faults !== undefined) {
    const names = values.faults
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "" && s !== "none");
    const unknown = names.filter((n) => !(FAULT_KINDS as readonly string[]).includes(n));
    if (unknown.length > 0) throw new Error(`unknown fault kinds: ${unknown.join(", ")} (known: ${FAULT_KINDS.join(", ")})`);
    faults = new Set(names as FaultKind[]);
  }
  return {
    durationS: int("duration", values.duration, short ? 30 : 600, 10),
    kills: int("kills", values.kills, short ? 1 : 6, 0),
    seed: int("seed", values.seed, Math.floor(Math.random() * 2 ** 31), 0),
    faults,
    clients: int("clients", values.clients, short ? 8 : 12, 1),
    short,
    historyFile: values.history ?? null,
    keep: values.keep === true,
  };
}
