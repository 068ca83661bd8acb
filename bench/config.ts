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
  /**
   * Flash sale (issue 11), Worker paths: two fresh items, one with `shards` 1 and one with 8,
   * each stocked with what the hot SKU's measured sell-out rate sells in `sellOutSeconds`
   * (within the hot SKU's min..max), sold out by single-unit reservations.
   */
  flash: { sellOutSeconds: number; shards: number };
  /**
   * `skusThroughDevProxy` replaces `skus` on the wrangler dev path: seeding runs at a few
   * dozen PUTs a second through the dev proxy on this machine, and 10,000 of them would
   * take most of the run's time budget on their own.
   */
  wide: { skus: number; skusThroughDevProxy: number; warehousesPerSku: number; onHand: number; seconds: number };
  /** Longest wait for a target's background work to finish before a scenario. */
  settleSeconds: number;
  orders: { skus: number; warehousesPerSku: number; onHand: number; seconds: number };
  /**
   * Sourced orders (issue 12), Worker paths: the orders scenario's shape over its items, the
   * lines naming a channel instead of a warehouse. `safetyStock` is every bench channel's;
   * the mix's own SKUs: `emptySkus` whose first warehouse holds only the safety stock (lines
   * fall through to the second), `splitSkus` each stocked for one split line (see
   * scenarios/sourced.ts).
   */
  sourced: { safetyStock: number; emptySkus: number; splitSkus: number; seconds: number };
  /** Batch availability reads (issue 12), Worker paths: `items` per `POST /v1/availability`. */
  availability: { items: number; seconds: number };
  reads: { seconds: number };
  /**
   * Live availability (issue 13), Worker paths: `watchers` WebSockets on one item while the
   * hot SKU's load sells it out (stock sized like the hot SKU's, for `sellOutSeconds`), in
   * `withRounds` rounds with the watchers, each between two rounds without (so 2 gives
   * without / with / without / with / without). Sockets open `connectConcurrency` at a time.
   */
  live: { watchers: number; withRounds: number; sellOutSeconds: number; connectConcurrency: number };
  /**
   * Scoped keys (issue 14), Worker paths: the hot SKU's sell-out with the root key and with
   * scoped keys, `rounds` of each, in the order root, key, key, root, root, key, … (each
   * adjacent pair compared). Every scoped key is limited to 1,000 requests per 10 s, which the
   * hot SKU outruns: the key rounds spread their requests over as few keys as keep each at
   * most `shareOfLimit` of its limit at the warm-up's rate (fewer keys, fewer D1 reads: each
   * key is read again every 10 s).
   */
  keys: { rounds: number; shareOfLimit: number; sellOutSeconds: number };
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
  ceilingSeconds: 6,
  hot: { warmupSeconds: 2, sellOutSeconds: 8, minStock: 500, maxStock: 30_000, rejectSeconds: 5 },
  flash: { sellOutSeconds: 5, shards: 8 },
  wide: { skus: 2_500, skusThroughDevProxy: 625, warehousesPerSku: 4, onHand: 1_000, seconds: 8 },
  settleSeconds: 45,
  orders: { skus: 250, warehousesPerSku: 4, onHand: 1_000_000, seconds: 8 },
  sourced: { safetyStock: 2, emptySkus: 25, splitSkus: 600, seconds: 8 },
  availability: { items: 100, seconds: 8 },
  reads: { seconds: 8 },
  live: { watchers: 1_000, withRounds: 2, sellOutSeconds: 8, connectConcurrency: 50 },
  keys: { rounds: 4, shareOfLimit: 0.5, sellOutSeconds: 6 },
  eventItems: 20,
  untouchedSample: 200,
  totalsSample: 30,
  setupConcurrency: 32,
  caveats: [
    "wrangler dev: wide seeds 2,500 items (not 10,000): through the dev proxy seeding runs at a few dozen PUTs a second here, so 10,000 would take most of the 10-minute budget; the 10,000-item seed is timed on the workerd (Miniflare) path",
  ],
};

export const QUICK: Profile = {
  name: "quick",
  connections: 32,
  ceilingSeconds: 2,
  hot: { warmupSeconds: 1, sellOutSeconds: 2, minStock: 200, maxStock: 20_000, rejectSeconds: 2 },
  flash: { sellOutSeconds: 2, shards: 8 },
  wide: { skus: 75, skusThroughDevProxy: 75, warehousesPerSku: 4, onHand: 1_000, seconds: 2 },
  settleSeconds: 5,
  orders: { skus: 20, warehousesPerSku: 4, onHand: 1_000_000, seconds: 2 },
  sourced: { safetyStock: 2, emptySkus: 5, splitSkus: 100, seconds: 2 },
  availability: { items: 100, seconds: 2 },
  reads: { seconds: 2 },
  live: { watchers: 1_000, withRounds: 1, sellOutSeconds: 2, connectConcurrency: 50 },
  keys: { rounds: 2, shareOfLimit: 0.5, sellOutSeconds: 2 },
  sampleAcknowledged: 50,
  eventItems: 2,
  untouchedSample: 20,
  totalsSample: 5,
  setupConcurrency: 32,
  caveats: [
    "--quick: wide seeds 300 items (not 10,000), orders and sourced orders run over 80 items (not 1,000), the sourced mix has 100 split SKUs (not 600), the hot SKU sells out in about 2 s (not 8 s), each flash sale is stocked for about 2 s at the hot SKU's rate (not 5 s)",
    "--quick: each audit looks up a random sample of 50 acknowledged reservations (not all) and 20 never-reserved items; events are checked on 2 items per scenario",
    "--quick: 2-second loads: figures are indicative only",
    "--quick: live runs 1 round with the 1,000 watchers between 2 without (not 2 between 3), keys 2 rounds each (not 4)",
  ],
};
