// The few shapes the wire format has, per model and property: what the codec compiler, the type generator and the
// test generators walk instead of raw JSON Schema. Read from the schema by describe.ts; the running code loads the
// copy `npm run gen` writes to descriptors-data.ts (so that a server never loads the schema library: ~100 ms).
import { DESCRIPTOR_DATA } from './descriptors-data.js';
import type { ModelName } from './registry.js';

export type Shape =
  | { kind: 'string'; maxLength?: number }
  | { kind: 'boolean' }
  | { kind: 'int32'; minimum: number; maximum: number }
  | { kind: 'int64' }
  | { kind: 'number' }
  | { kind: 'json' }
  | { kind: 'datetime' }
  | { kind: 'enum'; name: string; values: readonly string[] }
  | { kind: 'map'; maxProperties?: number }
  | { kind: 'array'; items: Shape; maxItems?: number }
  | { kind: 'model'; name: ModelName };

export interface PropertyDescriptor {
  key: string;
  shape: Shape;
  required: boolean;
  description: string;
}

export interface ModelDescriptor {
  name: ModelName;
  description: string;
  properties: PropertyDescriptor[];
}

export const DESCRIPTORS: { readonly [N in ModelName]: ModelDescriptor } = DESCRIPTOR_DATA;
export const MODEL_NAMES = Object.keys(DESCRIPTORS) as ModelName[];

/** Every enum in the models, by its type name. */
export function allEnums(): Map<string, readonly string[]> {
  const enums = new Map<string, readonly string[]>();
  const visit = (s: Shape): void => {
    if (s.kind === 'enum') enums.set(s.name, s.values);
    else if (s.kind === 'array') visit(s.items);
  };
  for (const n of MODEL_NAMES) for (const p of DESCRIPTORS[n].properties) visit(p.shape);
  return enums;
}
