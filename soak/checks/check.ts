/** One check's verdict, with what broke it and which history keys show it. */
export interface Violation {
  what: string;
  /** History keys (reservation id, item `sku/warehouse`, webhook id) whose exchanges show it. */
  keys: string[];
  /** The exchanges (by `n`) that show it, when they are known exactly. */
  exchanges?: number[];
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
  violations: Violation[];
}

export function verdict(name: string, detail: string, violations: Violation[]): Check {
  return { name, pass: violations.length === 0, detail, violations };
}

export const fmt = (n: number) => n.toLocaleString("en-US");
