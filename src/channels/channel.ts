/**
 * A sales channel (web shop, marketplace, store): the warehouses that serve it, in the order
 * sourcing tries them, and the units it leaves untouched in each. Pure: what the store keeps,
 * what the directory caches and what sourcing reads.
 */
export interface Channel {
  id: string;
  /** Distinct, in priority order: sourcing tries the first one first. */
  warehouses: string[];
  /** Units of each item kept back in every warehouse of the channel. */
  safetyStock: number;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds. */
  updatedAt: number;
}
