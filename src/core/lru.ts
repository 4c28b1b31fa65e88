/**
 * A Map that keeps at most `capacity` entries, dropping the least recently
 * used: the bound on every cache of generated code or plans, so a program that
 * keeps meeting new shapes or new expressions does not grow without end.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  /** `onEvict` releases what an entry holds elsewhere (e.g. a kernel module loaded in workers). */
  constructor(
    readonly capacity: number,
    private readonly onEvict?: (value: V, key: K) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry as the newest.
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const [oldKey, oldValue] = this.entries.entries().next().value as [K, V];
      this.entries.delete(oldKey);
      this.onEvict?.(oldValue, oldKey);
    }
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }
}
