import { isFreshEnough } from "./freshness";

/**
 * Copies of stock reads kept in this Worker isolate, in the caller's region (an isolate runs in
 * the data centre that received the request), so a product listing that accepts an answer a few
 * seconds old costs no Durable Object request at all.
 *
 * - A copy is the answer of one read of one stock item (or of one SKU's warehouse list), with the
 *   time that read was *sent*: it reflects every write acknowledged before then, so its age is
 *   never understated.
 * - Many concurrent misses for one key wait on one read (single flight), provided that read was
 *   sent recently enough for each of them.
 * - Writes never wait for copies: a copy simply ages out. Checkout (reservations) never reads here.
 * - At most `capacity` keys are kept; the least recently read is dropped first.
 *
 * Why in the isolate: a Map answers with no I/O at all, and a listing's hot items are read again
 * and again by the same isolates. The Cache API would add sharing between the isolates of one
 * data centre at the price of a lookup (and a put) per item; bench/README.md gives the cached
 * read's figures.
 */
export interface Copy<T> {
  value: T;
  /** When the read that produced it was sent (ms since the epoch). */
  readAt: number;
}

export class ReadCopies<T> {
  private readonly copies = new Map<string, Copy<T>>();
  private readonly inFlight = new Map<string, Promise<Copy<T>>>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** A copy of `key` at most `maxAgeSeconds` old, reading it with `read` when there is none; 0 always reads. */
  async get(key: string, maxAgeSeconds: number, read: () => Promise<T>): Promise<Copy<T>> {
    const now = this.now();
    // The exact read (checkout-grade reads, the default) pays nothing for the copies.
    if (maxAgeSeconds <= 0) return { value: await read(), readAt: now };
    const kept = this.copies.get(key);
    if (kept !== undefined && isFreshEnough(kept.readAt, now, maxAgeSeconds)) {
      this.touch(key, kept);
      return kept;
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      const copy = await pending;
      if (isFreshEnough(copy.readAt, this.now(), maxAgeSeconds)) return copy;
    }
    return this.read(key, read);
  }

  private read(key: string, read: () => Promise<T>): Promise<Copy<T>> {
    const readAt = this.now();
    const pending = read().then((value) => {
      const copy = { value, readAt };
      const kept = this.copies.get(key);
      if (kept === undefined || kept.readAt <= readAt) this.touch(key, copy);
      return copy;
    });
    this.inFlight.set(key, pending);
    const forget = () => {
      if (this.inFlight.get(key) === pending) this.inFlight.delete(key);
    };
    pending.then(forget, forget);
    return pending;
  }

  /** Keeps `copy` as the most recently used entry, dropping the oldest past capacity. */
  private touch(key: string, copy: Copy<T>): void {
    this.copies.delete(key);
    this.copies.set(key, copy);
    if (this.copies.size > this.capacity) {
      const oldest = this.copies.keys().next().value;
      if (oldest !== undefined) this.copies.delete(oldest);
    }
  }
}
