/**
 * The `Server-Timing` header (W3C) of the reservation answers (contract "Regions (v1.2)"): the
 * caller's region, then each object the request called with its duration, so a storefront sees
 * where its checkout spent its time: `region;desc="weur", coordinator;dur=4.1, item;dur=2.3`.
 * Pure.
 */
export interface ObjectTiming {
  /** `coordinator`, `item` or `pool`. */
  name: string;
  /** Milliseconds, wall clock, as the caller of the object saw them. */
  dur: number;
  /** Optional: which object or region, e.g. `enam` for a call that crossed to another region. */
  desc?: string;
}

export function serverTiming(region: string, timings: readonly ObjectTiming[]): string {
  const entries = [`region;desc="${region}"`];
  for (const timing of timings) {
    const duration = `${timing.name};dur=${round(timing.dur)}`;
    entries.push(timing.desc === undefined ? duration : `${duration};desc="${quoted(timing.desc)}"`);
  }
  return entries.join(", ");
}

function round(ms: number): number {
  return Math.max(0, Math.round(ms * 10) / 10);
}

/** A quoted-string (RFC 9110) may hold neither `"` nor `\` unescaped: drop them, they are never needed here. */
function quoted(text: string): string {
  return text.replace(/["\\]/g, "");
}
