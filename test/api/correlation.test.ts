// Correlation ids: UUID-shaped (version 4, RFC 4122 variant), distinct within a server and between servers.
import { describe, expect, it } from 'vitest';
import { correlationIds } from '../../src/api/correlation.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation ids', () => {
  it('are version-4-shaped UUIDs, all distinct, in order of issue within a generator', () => {
    const next = correlationIds();
    const ids = Array.from({ length: 20_000 }, next);
    expect(ids.every((id) => UUID_V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[1]!.slice(-12)).toBe('000000000001');
    expect(ids[19_999]!.slice(-12)).toBe((19_999).toString(16).padStart(12, '0'));
  });

  it('differ between generators (servers, processes): each has a random prefix', () => {
    const prefixes = new Set(Array.from({ length: 200 }, () => correlationIds()().slice(0, 24)));
    expect(prefixes.size).toBe(200);
  });
});
