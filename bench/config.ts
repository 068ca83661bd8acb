/**
 * How big and how long each scenario runs. `full` is the published run (about 10 minutes
 * on the 2-core reference machine); `quick` (--quick) is for development, under 2 minutes,
 * with fewer items and sampled audits, and says so in its output.
 */
export interface Profile {
  name: "full" | "quick";
  /** Concurrent connections of every load (reads split them between writers and readers). */
  connections: number;
  ceilingSeconds: number;
  /**
   * The hot SKU's stock is sized per target so that selling out takes about
   * `sellOutSeconds` at the rate a warm-up of `warmupSeconds` measured (within min..max):
   * a fixed stock would sell out in a blink on a fast baseline and measure nothing.
   */
  hot: { warmupSeconds: number; sellOutSeconds: number; minStock: number; maxStock: number; rejectSeconds: number };
  wide: { skus: number; warehousesPerSku: number; onHand: number; seconds: number };
  orders: { skus: number; warehousesPerSku: number; onHand: number; seconds: number };
  reads: { seconds: number };
  /** Acknowledged reservations looked up per audit: all when undefined, else a random sample. */
  sampleAcknowledged?: number;
  /** Items whose events are read back from D1 per scenario (when the pipeline exists). */
  eventItems: number;
  /** Items nothing reserved from, checked per audit (at random). */
  untouchedSample: number;
  /** SKUs whose totals are checked per audit. */
  totalsSample: number;
  /** Concurrency of seeding PUTs and audit reads. */
  setupConcurrency: number;
  /** What this profile leaves out, printed with the table. */
  caveats: string[];
}

export const FULL: Profile = {
  name: "full",
  connections: 32,
  ceilingSeconds: 10,
  hot: { warmupSeconds: 3, sellOutSeconds: 15, minStock: 1_000, maxStock: 50_000, rejectSeconds: 10 },
  wide: { skus: 2_500, warehousesPerSku: 4, onHand: 1_000, seconds: 15 },
  orders: { skus: 250, warehousesPerSku: 4, onHand: 1_000_000, seconds: 15 },
  reads: { seconds: 15 },
  eventItems: 25,
  untouchedSample: 250,
  totalsSample: 50,
  setupConcurrency: 32,
  caveats: [],
};

export const QUICK: Profile = {
  name: "quick",
  connections: 32,
  ceilingSeconds: 2,
  hot: { warmupSeconds: 1, sellOutSeconds: 2, minStock: 200, maxStock: 20_000, rejectSeconds: 2 },
  wide: { skus: 100, warehousesPerSku: 4, onHand: 1_000, seconds: 2 },
  orders: { skus: 25, warehousesPerSku: 4, onHand: 1_000_000, seconds: 2 },
  reads: { seconds: 2 },
  sampleAcknowledged: 100,
  eventItems: 3,
  untouchedSample: 50,
  totalsSample: 10,
  setupConcurrency: 32,
  caveats: [
    "--quick: wide seeds 400 items (not 10,000), orders run over 100 items (not 1,000), the hot SKU sells out in about 2 s (not 15 s)",
    "--quick: each audit looks up a random sample of 100 acknowledged reservations (not all) and 50 never-reserved items; events are checked on 3 items per scenario",
    "--quick: 2-second loads: figures are indicative only",
  ],
};
