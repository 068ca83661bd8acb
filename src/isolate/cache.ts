/**
 * A small cache of values read from D1, kept in one Worker isolate, for what the hot path must
 * know without waiting on D1 per request (sales channels, API keys).
 *
 * - An entry, "none" included, is served without a read for `freshMs`.
 * - A stale entry is read again; concurrent misses for one key share the read.
 * - While the read fails (D1 down), a stale entry of any age is served, so what was working
 *   keeps working; a key never read fails with the read's error.
 * - `remember` is this isolate's own write: in effect at once, and a read started before it
 *   cannot overwrite it.
 * - At most `maxEntries`; past that the entry written longest ago goes first.
 */
export class IsolateCache<V> {
  /** Insertion-ordered: re-inserted on every write, so the first key is the oldest. */
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly reads = new Map<string, Promise<V>>();
  /** Bumped by `remember`: a read started before it must not overwrite what it set. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly name: string,
    private readonly freshMs: number,
    private readonly maxEntries: number,
  ) {}

  async get(key: string, read: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached !== undefined && Date.now() - cached.at < this.freshMs) return cached.value;
    try {
      return await this.readOnce(key, read);
    } catch (error) {
      // Looked up again: this isolate may have written it while the read was failing.
      const stale = this.entries.get(key);
      if (stale === undefined) throw error;
      console.warn(`${this.name}: D1 unreachable, serving what this isolate read ${Date.now() - stale.at} ms ago`);
      return stale.value;
    }
  }

  remember(key: string, value: V): void {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.reads.delete(key);
    this.store(key, value);
  }

  clear(): void {
    this.entries.clear();
    this.reads.clear();
    this.generations.clear();
  }

  private readOnce(key: string, read: () => Promise<V>): Promise<V> {
    const pending = this.reads.get(key);
    if (pending !== undefined) return pending;
    const generation = this.generations.get(key) ?? 0;
    const started = read()
      .then((value) => {
        if ((this.generations.get(key) ?? 0) === generation) this.store(key, value);
        return value;
      })
      .finally(() => {
        if (this.reads.get(key) === started) this.reads.delete(key);
      });
    this.reads.set(key, started);
    return started;
  }

  private store(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: Date.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
      this.generations.delete(oldest.value);
    }
  }
}
