/**
 * The opaque `next` cursor of the event feed. It wraps the recording position of the last
 * event returned; the version prefix lets the format change without misreading old cursors.
 */

const PREFIX = "e1.";

export function encodeCursor(pos: number): string {
  return PREFIX + btoa(String(pos)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The position a cursor stands for, or null if it is not one this API issued. */
export function decodeCursor(cursor: string): number | null {
  if (!cursor.startsWith(PREFIX)) return null;
  let text: string;
  try {
    text = atob(cursor.slice(PREFIX.length).replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return null;
  const pos = Number(text);
  return Number.isSafeInteger(pos) ? pos : null;
}
