/**
 * Which member of a fixed pool of Durable Objects serves a key: a stable hash of the key,
 * modulo the pool's size. Pure, so every Worker isolate anywhere picks the same member for
 * the same key without asking anyone, which is how a reservation id supplied by a client is
 * found again from any location.
 *
 * A pool's size is part of its stored layout: changing it would send keys to members that
 * do not hold their records. A new size needs a new pool name and a migration.
 */
export function poolMember(key: string, size: number): number {
  return fnv1a32(key) % size;
}

/** FNV-1a, 32 bits, over the UTF-16 code units: fast, well spread, and the same everywhere. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
