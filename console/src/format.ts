/** Numbers and times as the console shows them. Pure: `now` is given. */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export const formatCount = (n: number) => integer.format(n);

/** Units per day: one decimal, "0" for nothing. */
export const formatRate = (n: number) => decimal.format(n);

/** Days of cover: "12.5 days", "under a day", or "—" when nothing sells. */
export function formatDays(days: number | null): string {
  if (days === null || !Number.isFinite(days)) return "—";
  if (days < 1) return "under a day";
  return `${decimal.format(days)} days`;
}

/** "just now", "5 s ago", "3 min ago", "2 h ago", "4 d ago"; "in …" for the future. */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 3) return "just now";
  const [value, unit] =
    abs < 60
      ? [abs, "s"]
      : abs < 3600
        ? [Math.round(abs / 60), "min"]
        : abs < 86_400
          ? [Math.round(abs / 3600), "h"]
          : [Math.round(abs / 86_400), "d"];
  return seconds < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** A day to come or gone: "2026-12-27 (in 28 d)". */
export function dayAndDistance(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${iso.slice(0, 10)} (${relativeTime(iso, now)})`;
}

/** ISO timestamp as "2026-11-28 14:03:07 UTC" (tooltips, tables). */
export function utcTime(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
}

/** A signed delta: "+5", "−3", "0". */
export function signed(n: number): string {
  return n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : "0";
}

export type StockState = "ok" | "low" | "out";

/** The listing's definitions: out when available ≤ 0; low when available ≤ threshold > 0. */
export function stockState(level: { available: number; lowStockThreshold: number }): StockState {
  if (level.available <= 0) return "out";
  if (level.lowStockThreshold > 0 && level.available <= level.lowStockThreshold) return "low";
  return "ok";
}
