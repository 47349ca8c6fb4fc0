// The codec's laws, over generated values that reach every property of every model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, equals, readTrustedModel, stringifyModel, unknownProperties } from '../../src/index.js';
import { DESCRIPTORS, MODEL_NAMES, type Shape } from '../../src/model/descriptors.js';
import { SEED_MODELS } from '../../src/model/schema.js';
import { generateModelsSource } from '../../src/model/typegen.js';
import { describeModels, generateDescriptorsSource } from '../../src/model/describe.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelArb, reached } from './arbitraries.js';

const ROOT = 'CallbackMediaParticipant' as const;

describe('laws', () => {
  it('generated participants reach all 90 properties of the seed models', () => {
    const seen = new Set<string>();
    for (const v of fc.sample(modelArb(ROOT), { numRuns: 300, seed: 1 })) reached(ROOT, v as Record<string, unknown>, seen);
    const seed = SEED_MODELS.flatMap((m) => DESCRIPTORS[m].properties.map((p) => `${m}.${p.key}`));
    expect(seed.filter((k) => !seen.has(k))).toEqual([]);
  });

  it('decode(encode(v)) and the trusted read of the text equal v, and the text writer agrees with JSON.stringify(encode(v))', () => {
    for (const name of MODEL_NAMES) {
      fc.assert(
        fc.property(modelArb(name), (v) => {
          const wire = encodeModel(name, v);
          const text = stringifyModel(name, v);
          // Same text, except that a JS object lists integer-like keys first while the writer keeps unknown
          // properties in the order they came: then the same JSON value.
          if (/"\d+":/.test(text)) expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(wire)));
          else expect(text).toBe(JSON.stringify(wire));
          const r = decodeModel(name, JSON.parse(text));
          expect(r.ok).toBe(true);
          expect(r.ok && equals(r.value, v)).toBe(true);
          // The trusted reader (stored state) gives back the same value from the text the writer made.
          expect(equals(readTrustedModel(name, JSON.parse(text) as object), v)).toBe(true);
        }),
        { numRuns: name === ROOT || name === 'CallbackConversation' ? 300 : 60 },
      );
    }
  });

  // Rewrites a wire value the way other writers would: nulls for absent properties, dates with offsets and other
  // fraction lengths. Decoding then encoding must give back the canonical form.
  const perturb = (shape: Shape, wire: unknown, rnd: () => number): unknown => {
    switch (shape.kind) {
      case 'datetime': {
        const d = new Date(wire as string);
        const choice = Math.floor(rnd() * 3);
        if (choice === 0) return (wire as string).replace('.000Z', 'Z');
        if (choice === 1) {
          const shifted = new Date(d.getTime() + 2 * 3600000 + 30 * 60000).toISOString().slice(0, 23);
          return shifted.startsWith('+') || shifted.startsWith('-') ? wire : `${shifted}+02:30`;
        }
        return (wire as string).replace('Z', '000000Z');
      }
      case 'model':
        return perturbModel(shape.name, wire as Record<string, unknown>, rnd);
      case 'array':
        return (wire as unknown[]).map((x) => perturb(shape.items, x, rnd));
      default:
        return wire;
    }
  };
  const perturbModel = (name: (typeof MODEL_NAMES)[number], wire: Record<string, unknown>, rnd: () => number) => {
    const out: Record<string, unknown> = {};
    for (const p of DESCRIPTORS[name].properties) {
      if (Object.hasOwn(wire, p.key)) out[p.key] = perturb(p.shape, wire[p.key], rnd);
      else if (rnd() < 0.3) out[p.key] = null;
    }
    for (const k of Object.keys(wire)) if (!Object.hasOwn(out, k)) out[k] = wire[k];
    return out;
  };

  it('encode(decode(x)) keeps every property of x (dates normalised, nulls dropped)', () => {
    fc.assert(
      fc.property(modelArb(ROOT), fc.integer(), (v, seed) => {
        let s = seed;
        const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
        const canonical = encodeModel(ROOT, v);
        const x = perturbModel(ROOT, JSON.parse(JSON.stringify(canonical)), rnd);
        const r = decodeModel(ROOT, x);
        expect(r.ok).toBe(true);
        expect(r.ok && JSON.stringify(encodeModel(ROOT, r.value))).toBe(JSON.stringify(canonical));
      }),
      { numRuns: 300 },
    );
  });
});

describe('equals', () => {
  it('compares dates by instant, maps by keys, and unknown properties too', () => {
    expect(equals({ startTime: new Date('2024-01-01T00:00:00Z') }, { startTime: new Date('2024-01-01T01:00:00+01:00') })).toBe(true);
    expect(equals({ startTime: new Date(1) }, { startTime: new Date(2) })).toBe(false);
    expect(equals({ attributes: { a: '1', b: '2' } }, { attributes: { b: '2', a: '1' } })).toBe(true);
    expect(equals({ callbackNumbers: ['1', '2'] }, { callbackNumbers: ['2', '1'] })).toBe(false);
    expect(equals({ id: 'x', held: undefined }, { id: 'x' })).toBe(true);
    expect(equals({ id: 'x', [unknownProperties]: { a: 1 } }, { id: 'x' })).toBe(false);
    expect(equals({ id: 'x', [unknownProperties]: { a: 1 } }, { id: 'x', [unknownProperties]: { a: 1 } })).toBe(true);
    expect(equals({ user: { id: 'a' } }, { user: { id: 'b' } })).toBe(false);
    expect(equals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});

describe('generated code', () => {
  it('src/model/models.ts is what `npm run gen` writes from the schema', () => {
    const file = readFileSync(fileURLToPath(new URL('../../src/model/models.ts', import.meta.url)), 'utf8');
    expect(file).toBe(generateModelsSource());
  });

  it('src/model/descriptors-data.ts (what the running code reads instead of the schema) is what the schema gives', () => {
    const file = readFileSync(fileURLToPath(new URL('../../src/model/descriptors-data.ts', import.meta.url)), 'utf8');
    expect(file).toBe(generateDescriptorsSource());
    expect(DESCRIPTORS).toEqual(describeModels());
  });
});
