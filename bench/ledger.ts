/**
 * What the client knows: the stock it set and every reservation it sent, with the last
 * answer it got. The audit compares this with what the service says afterwards.
 */

export interface Line {
  sku: string;
  warehouse: string;
  quantity: number;
}

export type Known = "held" | "committed" | "released" | "rejected";

export interface Placement {
  id: string;
  scenario: string;
  lines: Line[];
  /** `unknown` until an answer settles it: no answer, a 5xx, or a change in flight. */
  state: Known | "unknown";
  /** The service acknowledged this reservation with 201 at some point. */
  acknowledged: boolean;
}

export interface Item {
  sku: string;
  warehouse: string;
  /** The onHand that was set; nothing else changes it except commits. */
  set: number;
}

export function itemKey(sku: string, warehouse: string): string {
  return `${sku}/${warehouse}`;
}

/** Reservation ids must be 1..128 of A-Z a-z 0-9 . _ : - */
export function reservationId(runTag: string, scenario: string, n: number): string {
  return `${runTag}.${scenario}.${n}`;
}

export class Ledger {
  readonly items = new Map<string, Item>();
  readonly placements = new Map<string, Placement>();
  /** Answers other than the expected ones, by scenario and status (for the table). */
  readonly unexpected = new Map<string, Record<string, number>>();
  /** The first few bodies of those answers, to tell who gave them (the Worker or the runtime). */
  readonly unexpectedBodies = new Map<string, string[]>();

  setItem(sku: string, warehouse: string, onHand: number): void {
    this.items.set(itemKey(sku, warehouse), { sku, warehouse, set: onHand });
  }

  sent(id: string, scenario: string, lines: Line[]): void {
    this.placements.set(id, { id, scenario, lines, state: "unknown", acknowledged: false });
  }

  /** The answer to `POST /v1/reservations`. */
  placed(id: string, status: number, body?: string): void {
    const placement = this.placements.get(id);
    if (placement === undefined) return;
    if (status === 201) {
      placement.state = "held";
      placement.acknowledged = true;
    } else if (status === 409) {
      placement.state = "rejected";
    } else {
      placement.state = "unknown";
      this.noteUnexpected(placement.scenario, `place ${status}`, body);
    }
  }

  /** A commit or release is on its way: until it is answered the state is unknown. */
  changing(id: string): void {
    const placement = this.placements.get(id);
    if (placement !== undefined) placement.state = "unknown";
  }

  changed(id: string, op: "commit" | "release", status: number, body?: string): void {
    const placement = this.placements.get(id);
    if (placement === undefined) return;
    if (status === 200) placement.state = op === "commit" ? "committed" : "released";
    else this.noteUnexpected(placement.scenario, `${op} ${status}`, body);
  }

  noteUnexpected(scenario: string, what: string, body?: string): void {
    const counts = this.unexpected.get(scenario) ?? {};
    counts[what] = (counts[what] ?? 0) + 1;
    this.unexpected.set(scenario, counts);
    const bodies = this.unexpectedBodies.get(scenario) ?? [];
    if (body !== undefined && bodies.length < 2) bodies.push(`${what}: ${body.slice(0, 300)}`);
    this.unexpectedBodies.set(scenario, bodies);
  }

  of(scenario: string): Placement[] {
    return [...this.placements.values()].filter((p) => p.scenario === scenario);
  }
}
