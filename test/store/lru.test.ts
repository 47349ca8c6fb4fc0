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
