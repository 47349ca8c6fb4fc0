// A least-recently-used cache bounded by a total weight (the bytes of what it holds, as the caller counts them), so
// that a busy server keeps its hot conversations instead of dropping everything at a count.

export class LruCache<K, V> {
  /** In use order: the first entry is the least recently used (a Map iterates in insertion order). */
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(readonly maxWeight: number) {}

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** Adds or replaces; an entry heavier than the whole budget is not kept. */
  set(key: K, value: V, weight: number): void {
    this.delete(key);
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.entries) {
      if (this.total <= this.maxWeight) break;
      this.entries.delete(k);
      this.total -= e.weight;
    }
  }

  delete(key: K): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.total -= e.weight;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The weight held now (never above maxWeight). */
  get weight(): number {
    return this.total;
  }
}
