import type { Random } from "./random";

/**
 * The faults of a run, drawn from its seed before the run starts (so a seed names a schedule):
 *
 *   kill               SIGKILL of the whole server (npm, wrangler, workerd), then `npm start` again
 *   kill-refill        a burst of pooled reservations that makes pool members ask for more,
 *                      and a SIGKILL a few milliseconds into it (in the middle of refills)
 *   kill-line-change   a burst of line changes, and a SIGKILL a few milliseconds into it
 *   d1                 D1's tables unreadable for 10-20 s (renamed in the local SQLite file)
 *   queue-refuse       the Queue refuses every send for 10-30 s (src/faults: queue.refuse)
 *   queue-lose-ack     the Queue takes sends but the answer is lost, for 10-30 s (queue.lose-ack)
 *   receiver-hang      one webhook receiver takes requests and never answers, for 5-20 s
 *   receiver-500       one webhook receiver answers 500, for 5-20 s
 *   receiver-slow      one webhook receiver answers after 2-6 s, for 10-30 s
 *
 * Kills are spread over the run, one per slot, never two at once. Receiver faults end by 60 %
 * of the run, so deliveries they failed are retried (after 5 s, 30 s, 2 min) before the end.
 */

export const FAULT_KINDS = [
  "kill",
  "kill-refill",
  "kill-line-change",
  "d1",
  "queue-refuse",
  "queue-lose-ack",
  "receiver-hang",
  "receiver-500",
  "receiver-slow",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export type KillKind = "kill" | "kill-refill" | "kill-line-change";

export const RECEIVER_MODES = ["hang", "500", "slow"] as const;

export type ReceiverMode = "ok" | (typeof RECEIVER_MODES)[number];

export type Fault =
  | { kind: KillKind; atS: number; afterMs: number }
  | { kind: "d1" | "queue-refuse" | "queue-lose-ack"; atS: number; forS: number }
  | { kind: "receiver-hang" | "receiver-500" | "receiver-slow"; atS: number; forS: number; receiver: number };

export interface ScheduleInput {
  durationS: number;
  kills: number;
  kinds: Set<FaultKind>;
  receivers: number;
}

export function drawSchedule(random: Random, input: ScheduleInput): Fault[] {
  const { durationS, kinds } = input;
  const faults: Fault[] = [];
  const killKinds = (["kill-refill", "kill-line-change", "kill"] as const).filter((k) => kinds.has(k));
  if (killKinds.length > 0 && input.kills > 0) {
    // Each enabled kind of kill once (while kills last), then any of them; in a shuffled order.
    const eachOnce = random.shuffle(killKinds);
    const kinds: KillKind[] = [];
    for (let i = 0; i < input.kills; i++) kinds.push(i < eachOnce.length ? (eachOnce[i] as KillKind) : random.pick(killKinds));
    const planned = random.shuffle(kinds);
    const from = 0.1 * durationS;
    const slot = (0.8 * durationS) / planned.length;
    planned.forEach((kind, i) => {
      const atS = from + slot * i + random.next() * slot * 0.5;
      const afterMs = kind === "kill" ? 0 : kind === "kill-refill" ? random.int(20, 250) : random.int(5, 120);
      faults.push({ kind, atS: round(atS), afterMs });
    });
  }
  if (kinds.has("d1")) faults.push({ kind: "d1", atS: round(durationS * (0.2 + 0.4 * random.next())), forS: random.int(10, 20) });
  for (const kind of ["queue-refuse", "queue-lose-ack"] as const) {
    if (kinds.has(kind)) faults.push({ kind, atS: round(durationS * (0.1 + 0.5 * random.next())), forS: random.int(10, 30) });
  }
  // Each receiver fault on a receiver of its own while there are enough, so they do not overlap.
  const order = random.shuffle(Array.from({ length: input.receivers }, (_, i) => i));
  for (const [i, kind] of (["receiver-hang", "receiver-500", "receiver-slow"] as const).entries()) {
    if (!kinds.has(kind) || input.receivers === 0) continue;
    const forS = kind === "receiver-slow" ? random.int(10, 30) : random.int(5, 20);
    const atS = round(Math.max(1, durationS * 0.6 - forS) * random.next());
    faults.push({
      kind,
      atS,
      forS: Math.min(forS, Math.max(1, Math.floor(durationS * 0.6 - atS))),
      receiver: order[i % order.length] as number,
    });
  }
  return faults.sort((a, b) => a.atS - b.atS);
}

function round(s: number): number {
  return Math.round(s * 10) / 10;
}

export function describeFault(f: Fault): string {
  if ("afterMs" in f) return f.kind === "kill" ? `${f.kind} at ${f.atS} s` : `${f.kind} at ${f.atS} s (+${f.afterMs} ms)`;
  if ("receiver" in f) return `${f.kind} (receiver ${f.receiver}) at ${f.atS} s for ${f.forS} s`;
  return `${f.kind} at ${f.atS} s for ${f.forS} s`;
}
