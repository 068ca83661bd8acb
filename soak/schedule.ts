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
 * Kills are spread over the run, one per slot, never two at once; D1 and Queue faults fall
 * between kills when there is room. Receiver faults end by 60 % of the run, so deliveries they
 * failed are retried (after 5 s, 30 s, 2 min) before the end; while one lasts, the injector
 * drains the watched items so that crossings (and deliveries) happen during it.
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
  // An outage while the server is down for a kill would show nothing: D1 and Queue faults are
  // placed clear of the kills (a restart takes up to about 40 s here) when the run has room.
  const kills = faults.map((f) => f.atS);
  const outages: [number, number][] = [];
  const clear = (from: number, to: number) =>
    kills.every((k) => to < k - 2 || from > k + 40) && outages.every(([a, b]) => to < a || from > b + 5);
  const placed = (forS: number, lo: number, hi: number): number => {
    let atS = round(durationS * (lo + (hi - lo) * random.next()));
    for (let tries = 0; tries < 50 && !clear(atS, atS + forS); tries++) atS = round(durationS * (lo + (hi - lo) * random.next()));
    return atS;
  };
  // Shorter outages in a short run, so they fit beside its kill.
  const span = (lo: number, hi: number) => random.int(Math.min(lo, Math.ceil(durationS / 5)), Math.min(hi, Math.ceil(durationS / 3)));
  if (kinds.has("d1")) {
    const forS = span(10, 20);
    const atS = placed(forS, 0.1, 0.6);
    faults.push({ kind: "d1", atS, forS });
    // Deliveries need D1 (the subscriptions): receiver faults go clear of the outage too.
    outages.push([atS, atS + forS]);
  }
  for (const kind of ["queue-refuse", "queue-lose-ack"] as const) {
    if (!kinds.has(kind)) continue;
    const forS = span(10, 30);
    faults.push({ kind, atS: placed(forS, 0.05, 0.6), forS });
  }
  // Each receiver fault on a receiver of its own while there are enough, so they do not overlap.
  const order = random.shuffle(Array.from({ length: input.receivers }, (_, i) => i));
  for (const [i, kind] of (["receiver-hang", "receiver-500", "receiver-slow"] as const).entries()) {
    if (!kinds.has(kind) || input.receivers === 0) continue;
    const forS = kind === "receiver-slow" ? span(10, 30) : span(5, 20);
    const atS = placed(forS, 0, Math.max(0.05, 0.6 - forS / durationS));
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
