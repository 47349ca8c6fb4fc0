// The doorkeeper: every id noted is seen until the window is full; others are seen wrongly only rarely.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Doorkeeper } from '../../src/store/doorkeeper.js';

describe('the doorkeeper', () => {
  it('sees every id noted within its window, few it was not given, and forgets all once the window is full', () => {
    const door = new Doorkeeper(10_000);
    const noted = Array.from({ length: 10_000 }, () => randomUUID());
    let seenBefore = 0;
    for (const id of noted) {
      if (door.has(id)) seenBefore++;
      door.note(id);
    }
    expect(seenBefore).toBeLessThan(20);
    expect(noted.every((id) => door.has(id))).toBe(true);
    const others = Array.from({ length: 20_000 }, () => randomUUID());
    const wrong = others.filter((id) => door.has(id)).length;
    // ~0.04% expected at 2^20 bits, two per id: 8 of 20k; far fewer than a per-id hash collision table would show.
    expect(wrong).toBeLessThan(40);
    // One note past the window starts a new one: the old ids are forgotten.
    door.note('fresh');
    expect(door.has('fresh')).toBe(true);
    expect(noted.filter((id) => door.has(id)).length).toBeLessThan(40);
  });

  it('tells ids apart that differ in one character', () => {
    const door = new Doorkeeper(10);
    door.note('0e0e0e0e-0000-4000-8000-000000000001');
    expect(door.has('0e0e0e0e-0000-4000-8000-000000000001')).toBe(true);
    expect(door.has('0e0e0e0e-0000-4000-8000-000000000002')).toBe(false);
    expect(door.has('1e0e0e0e-0000-4000-8000-000000000001')).toBe(false);
  });
});
