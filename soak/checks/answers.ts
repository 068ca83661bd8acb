import type { History } from "../history";
import { type Check, fmt, verdict } from "./check";

/**
 * What the clients were answered: never a 500 (a bug shows as one; a dependency that is down
 * is a 503), every 503 with `Retry-After`, and no definitive answer a correct service would
 * not give (the load records those as anomalies: an idempotency conflict on a retry, a 404 for
 * a reservation it was told exists, a write left without any definitive answer).
 */
export function checkAnswers(history: History, anomalies: { n: number; what: string }[]): Check[] {
  const exchanges = history.exchanges;
  const fiveHundreds = exchanges.filter((e) => e.status === 500);
  const bare503 = exchanges.filter((e) => e.status === 503 && !e.retryAfter);
  const all503 = exchanges.filter((e) => e.status === 503).length;
  const keysOf = (n: number) => exchanges.find((e) => e.n === n)?.keys ?? [];
  return [
    verdict(
      "no 500",
      `${fmt(exchanges.length)} answers, ${fiveHundreds.length} of them 500`,
      fiveHundreds.map((e) => ({ what: `#${e.n} ${e.method} ${e.path} answered 500`, keys: e.keys, exchanges: [e.n] })),
    ),
    verdict(
      "every 503 has Retry-After",
      `${fmt(all503)} answers 503, ${bare503.length} without Retry-After`,
      bare503.map((e) => ({ what: `#${e.n} ${e.method} ${e.path} answered 503 without Retry-After`, keys: e.keys, exchanges: [e.n] })),
    ),
    verdict(
      "only expected definitive answers",
      `${anomalies.length} unexpected`,
      anomalies.map((a) => ({ what: `#${a.n} ${a.what}`, keys: keysOf(a.n), exchanges: [a.n] })),
    ),
  ];
}
