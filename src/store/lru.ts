// A least-recently-used cache bounded by a total weight (the bytes of what it holds, as the caller counts them), so
// that a busy server keeps its hot conversations instead of dropping everything at a count. A map to the nodes of a
// doubly linked list in use order: every operation is O(1) (reordering a Map by delete and re-insert is not: its
// iteration walks the holes that deletes leave, and under load that cost as much as the request).

interface Node<K, V> {
  key: K;
  value: V;
  weight: number;
  /** Towards the least recently used. */
  older: Node<K, V> | undefined;
  /** Towards the most recently used. */
  newer: Node<K, V> | undefined;
}

export class LruCache<K, V> {
  private readonly nodes = new Map<K, Node<K, V>>();
  private oldest: Node<K, V> | undefined;
  private newest: Node<K, V> | undefined;
  private total = 0;

  constructor(readonly maxWeight: number) {}

  get(key: K): V | undefined {
    const n = this.nodes.get(key);
    if (n === undefined) return undefined;
    if (n !== this.newest) {
      this.unlink(n);
      this.append(n);
    }
    return n.value;
  }

  /** Whether the key is held, without counting as a use. */
  has(key: K): boolean {
    return this.nodes.has(key);
  }

  /** Adds or replaces; an entry heavier than the whole budget is not kept. */
  set(key: K, value: V, weight: number): void {
    if (weight > this.maxWeight) {
      this.delete(key);
      return;
    }
    const existing = this.nodes.get(key);
    if (existing !== undefined) {
      // Updated in place: deleting and re-adding one key over and over lengthens its hash chain in V8's Map
      // (deleted entries stay until the table is rebuilt), and every lookup of it walks that chain.
      this.total += weight - existing.weight;
      existing.value = value;
      existing.weight = weight;
      if (existing !== this.newest) {
        this.unlink(existing);
        this.append(existing);
      }
    } else {
      const n: Node<K, V> = { key, value, weight, older: undefined, newer: undefined };
      this.nodes.set(key, n);
      this.append(n);
      this.total += weight;
    }
    while (this.total > this.maxWeight && this.oldest !== undefined) this.delete(this.oldest.key);
  }

  delete(key: K): void {
    const n = this.nodes.get(key);
    if (n === undefined) return;
    this.nodes.delete(key);
    this.unlink(n);
    this.total -= n.weight;
  }

  clear(): void {
    this.nodes.clear();
    this.oldest = this.newest = undefined;
    this.total = 0;
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The weight held now (never above maxWeight). */
  get weight(): number {
    return this.total;
  }

  private unlink(n: Node<K, V>): void {
    if (n.older !== undefined) n.older.newer = n.newer;
    else this.oldest = n.newer;
    if (n.newer !== undefined) n.newer.older = n.older;
    else this.newest = n.older;
    n.older = n.newer = undefined;
  }

  private append(n: Node<K, V>): void {
    n.older = this.newest;
    if (this.newest !== undefined) this.newest.newer = n;
    else this.oldest = n;
    this.newest = n;
  }
}
