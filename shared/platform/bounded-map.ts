/**
 * A Map of at most `capacity` entries: beyond it the oldest goes first (inserted longest ago, or used longest ago
 * when read with `use`), handed to `onEvict` to close what it holds. For an instance's memories (decisions made,
 * entries delivered, connection pools), where forgetting only costs a read or a reconnect.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(
    readonly capacity: number,
    private readonly onEvict?: (value: V, key: K) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity}: a whole number ≥ 1`);
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Like get, and the entry becomes the most recently used. */
  use(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Sets the entry as the newest, then drops the oldest beyond capacity. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const [oldest, evicted] = this.entries.entries().next().value as [K, V];
      this.entries.delete(oldest);
      this.onEvict?.(evicted, oldest);
    }
  }

  /** Drops every entry, each through onEvict. */
  clear(): void {
    for (const [key, value] of this.entries) this.onEvict?.(value, key);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
