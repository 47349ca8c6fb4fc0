import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/store/lru.js';

describe('the LRU cache', () => {
  it('evicts the least recently used first, by weight; a read counts as a use', () => {
    const c = new LruCache<string, number>(10);
    c.set('a', 1, 4);
    c.set('b', 2, 4);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3, 4); // 12 > 10: b goes
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect([c.size, c.weight]).toEqual([2, 8]);
    // Replacing an entry re-counts its weight.
    c.set('a', 9, 2);
    expect([c.get('a'), c.weight]).toEqual([9, 6]);
    // Several may go to make room for a heavy one.
    c.set('d', 4, 9);
    expect([c.get('a'), c.get('c'), c.get('d'), c.weight]).toEqual([undefined, undefined, 4, 9]);
  });

  it('has() answers without counting as a use', () => {
    const c = new LruCache<string, number>(8);
    c.set('a', 1, 4);
    c.set('b', 2, 4);
    expect([c.has('a'), c.has('z')]).toEqual([true, false]);
    c.set('c', 3, 4); // a is still the least recently used: it goes
    expect([c.has('a'), c.has('b'), c.has('c')]).toEqual([false, true, true]);
  });

  it('keeps its order through many uses: the oldest untouched entries go first', () => {
    const c = new LruCache<number, number>(100);
    for (let i = 0; i < 100; i++) c.set(i, i, 1);
    // Use every even key (in reverse), then add 50 more: exactly the odd keys are evicted.
    for (let i = 98; i >= 0; i -= 2) expect(c.get(i)).toBe(i);
    for (let i = 100; i < 150; i++) c.set(i, i, 1);
    const kept = Array.from({ length: 150 }, (_, i) => i).filter((i) => c.get(i) !== undefined);
    expect(kept).toEqual([...Array.from({ length: 50 }, (_, i) => i * 2), ...Array.from({ length: 50 }, (_, i) => 100 + i)]);
    expect([c.size, c.weight]).toEqual([100, 100]);
    // Deleting the newest and the oldest keeps the links whole.
    c.delete(149);
    c.delete(0);
    c.set(200, 200, 2);
    expect([c.get(2), c.get(148), c.get(200), c.size, c.weight]).toEqual([2, 148, 200, 99, 100]);
  });

  it('never holds more than its budget: an entry heavier than the budget is not kept', () => {
    const c = new LruCache<string, string>(5);
    c.set('small', 's', 3);
    c.set('huge', 'h', 6);
    expect([c.get('huge'), c.get('small'), c.weight]).toEqual([undefined, 's', 3]);
    c.delete('small');
    c.delete('absent');
    expect([c.size, c.weight]).toEqual([0, 0]);
    c.set('x', 'x', 1);
    c.clear();
    expect([c.size, c.weight, c.get('x')]).toEqual([0, 0, undefined]);
  });
});
