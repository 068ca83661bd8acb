/**
 * Fault switches for the soak (`npm run soak`, soak/): failures that cannot be caused from
 * outside the process, turned on for a while at run time, so the soak can show that what the
 * service promises still holds when a dependency misbehaves.
 *
 * Honoured only where the Worker variable `FAULT_INJECTION` is exactly `"true"`, which only the
 * soak sets (in its project copy's `.dev.vars`). `wrangler.toml` leaves it out (or `"false"`),
 * and a deploy refuses any other value, so in production every function here is a pass-through.
 *
 * The switches:
 *   queue.refuse        `send`/`sendBatch` throw before anything is sent (the Queue is down).
 *   queue.lose-ack      the messages are sent, then the call throws anyway (the Queue took them
 *                       but the answer was lost): the sender sends again, the consumer sees repeats.
 *
 * A switch is a deadline (epoch ms) kept in this module's state. Under `wrangler dev` the
 * Worker and its Durable Objects run in one isolate, so the route that sets a switch
 * (src/http/faults.ts) and the stock items that read it share it; a restart clears them all,
 * which is what a killed process would do anyway.
 */

export const FAULT_NAMES = ["queue.refuse", "queue.lose-ack"] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

/** The most a switch may stay on in one call: a forgotten switch heals itself. */
export const MAX_FAULT_MS = 10 * 60_000;

export interface ActiveFault {
  name: FaultName;
  until: number;
}

const deadlines = new Map<FaultName, number>();

/** Whether this Worker honours fault switches: only with `FAULT_INJECTION = "true"`. */
export function faultInjectionEnabled(env: object): boolean {
  return (env as { FAULT_INJECTION?: unknown }).FAULT_INJECTION === "true";
}

export function isFaultName(name: unknown): name is FaultName {
  return typeof name === "string" && (FAULT_NAMES as readonly string[]).includes(name);
}

/** Turns `name` on for `forMs` (capped at MAX_FAULT_MS); 0 or less turns it off. */
export function setFault(name: FaultName, forMs: number, now = Date.now()): ActiveFault | null {
  if (forMs <= 0) {
    deadlines.delete(name);
    return null;
  }
  const until = now + Math.min(forMs, MAX_FAULT_MS);
  deadlines.set(name, until);
  return { name, until };
}

export function clearFaults(): void {
  deadlines.clear();
}

export function faultActive(name: FaultName, now = Date.now()): boolean {
  const until = deadlines.get(name);
  if (until === undefined) return false;
  if (until > now) return true;
  deadlines.delete(name);
  return false;
}

export function activeFaults(now = Date.now()): ActiveFault[] {
  return FAULT_NAMES.filter((name) => faultActive(name, now)).map((name) => ({ name, until: deadlines.get(name) as number }));
}

/** `queue` itself, or (with fault injection on) the same Queue obeying the queue switches. */
export function faultyQueue<Body>(queue: Queue<Body>, env: object): Queue<Body> {
  if (!faultInjectionEnabled(env)) return queue;
  return {
    metrics: () => queue.metrics(),
    async send(body, options) {
      refuseIfSwitched();
      const sent = await queue.send(body, options);
      loseAckIfSwitched();
      return sent;
    },
    async sendBatch(messages, options) {
      refuseIfSwitched();
      const sent = await queue.sendBatch(messages, options);
      loseAckIfSwitched();
      return sent;
    },
  };
}

function refuseIfSwitched(): void {
  if (faultActive("queue.refuse")) throw new Error("fault injected: the Queue refused the send (queue.refuse)");
}

function loseAckIfSwitched(): void {
  if (faultActive("queue.lose-ack")) throw new Error("fault injected: the Queue's answer was lost after the send (queue.lose-ack)");
}
