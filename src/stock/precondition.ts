/**
 * Conditional writes on a stock level (HTTP `If-Match` / `If-None-Match`, RFC 9110 §13),
 * with the level's `version` as its entity tag. Pure: the StockItem object decides with it
 * inside the transaction of the write, so a count that read version 7 can never overwrite a
 * sale made in between.
 */

export type Precondition =
  /** `If-Match: "7", "8"`: the current version is one of these. */
  | { ifMatch: number[] }
  /** `If-Match: *`: the item has been set. */
  | { ifMatch: "*" }
  /** `If-None-Match: *`: the item has never been set. */
  | { ifNoneMatch: "*" };

export function preconditionHolds(current: { version: number } | null, precondition: Precondition | undefined): boolean {
  if (precondition === undefined) return true;
  if ("ifNoneMatch" in precondition) return current === null;
  if (current === null) return false;
  return precondition.ifMatch === "*" || precondition.ifMatch.includes(current.version);
}

/** The entity tag of a level: its version, quoted. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Parses an `If-Match` / `If-None-Match` value: `*`, or a list of strong tags `"7"`.
 * Returns null for anything else (weak tags never match a write, RFC 9110 §13.1.1).
 */
export function parseTags(header: string): number[] | "*" | null {
  const value = header.trim();
  if (value === "*") return "*";
  const tags = value.split(",").map((part) => part.trim());
  const versions: number[] = [];
  for (const tag of tags) {
    const match = /^"(\d{1,15})"$/.exec(tag);
    if (match?.[1] === undefined) return null;
    versions.push(Number(match[1]));
  }
  return versions.length === 0 ? null : versions;
}
