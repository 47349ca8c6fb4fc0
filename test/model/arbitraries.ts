// fast-check generators walked from the same schema descriptors as the codec, so that every property of every
// model can appear (and does: see the coverage test).
import fc from 'fast-check';
import { DESCRIPTORS, type Shape } from '../../src/model/descriptors.js';
import { unknownProperties, type ModelName } from '../../src/index.js';

const MIN = new Date('0000-01-01T00:00:00.000Z');
const MAX = new Date('9999-12-31T23:59:59.999Z');

/** Strings that are not a case variant of a known value (those are canonicalised by design, not kept). */
function enumArb(values: readonly string[]): fc.Arbitrary<string> {
  const lower = new Set(values.map((v) => v.toLowerCase()));
  const unknown = fc.string().filter((s) => !lower.has(s.toLowerCase()));
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: unknown });
}

export function shapeArb(shape: Shape): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 12 });
    case 'boolean':
      return fc.boolean();
    case 'int32':
      return fc.integer({ min: shape.minimum, max: shape.maximum });
    case 'int64':
      return fc.maxSafeInteger();
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
    case 'json':
      // null is absent, as for every property.
      return fc
        .jsonValue({ maxDepth: 2 })
        .filter((v) => v !== null)
        .map((v) => JSON.parse(JSON.stringify(v)));
    case 'datetime':
      return fc.date({ min: MIN, max: MAX, noInvalidDate: true });
    case 'enum':
      return enumArb(shape.values);
    case 'map':
      return fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), { maxKeys: 3 });
    case 'array':
      return fc.array(shapeArb(shape.items), { maxLength: 3 });
    case 'model':
      return modelArb(shape.name);
  }
}

const arbCache = new Map<ModelName, fc.Arbitrary<Record<string | symbol, unknown>>>();

/** A typed value of the model, sometimes with unknown properties. */
export function modelArb(name: ModelName): fc.Arbitrary<Record<string | symbol, unknown>> {
  const cached = arbCache.get(name);
  if (cached !== undefined) return cached;
  const d = DESCRIPTORS[name];
  const known = new Set(d.properties.map((p) => p.key));
  const record = fc.record(Object.fromEntries(d.properties.map((p) => [p.key, shapeArb(p.shape)])), {
    requiredKeys: d.properties.filter((p) => p.required).map((p) => p.key),
  });
  const extras = fc.option(
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !known.has(k)),
      fc.jsonValue({ maxDepth: 2 }),
      {
        minKeys: 1,
        maxKeys: 2,
      },
    ),
    { freq: 4, nil: undefined },
  );
  const arb = fc.tuple(record, extras).map(([value, extra]) => {
    const out: Record<string | symbol, unknown> = { ...value };
    if (extra !== undefined) out[unknownProperties] = extra;
    return out;
  });
  arbCache.set(name, arb);
  return arb;
}

/** Every (model, property) pair a value reaches, as "Model.key". */
export function reached(name: ModelName, value: Record<string, unknown>, into = new Set<string>()): Set<string> {
  for (const p of DESCRIPTORS[name].properties) {
    const v = value[p.key];
    if (v === undefined) continue;
    into.add(`${name}.${p.key}`);
    const walk = (shape: Shape, x: unknown) => {
      if (shape.kind === 'model') reached(shape.name, x as Record<string, unknown>, into);
      else if (shape.kind === 'array') for (const item of x as unknown[]) walk(shape.items, item);
    };
    walk(p.shape, v);
  }
  return into;
}
