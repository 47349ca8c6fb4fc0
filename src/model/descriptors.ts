// Reads the JSON Schemas of schema.ts into the few shapes the wire format has, so that the codec compiler, the
// type generator and the test generators all walk the same small description instead of raw JSON Schema.
import type { TSchema } from 'typebox';
import { INT32_MAX, INT32_MIN, OPEN_ENUM } from './schema.js';
import { MODELS, type ModelName } from './registry.js';

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

interface JsonSchemaLike {
  type?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  enum?: string[];
  $id?: string;
  items?: JsonSchemaLike;
  properties?: Record<string, JsonSchemaLike>;
  patternProperties?: Record<string, JsonSchemaLike>;
  required?: string[];
  description?: string;
  [OPEN_ENUM]?: boolean;
  'x-enum-name'?: string;
  'x-any-json'?: boolean;
}

function shapeOf(schema: JsonSchemaLike, where: string): Shape {
  if (schema['x-any-json'] === true) return { kind: 'json' };
  if (schema.type === 'object' && schema.$id !== undefined) {
    if (!(schema.$id in MODELS)) throw new Error(`${where}: unknown model ${schema.$id}`);
    return { kind: 'model', name: schema.$id as ModelName };
  }
  if (schema.type === 'object' && schema.patternProperties !== undefined)
    return { kind: 'map', ...(schema.maxProperties !== undefined ? { maxProperties: schema.maxProperties } : {}) };
  if (schema.type === 'array' && schema.items !== undefined)
    return { kind: 'array', items: shapeOf(schema.items, where), ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}) };
  if (schema.type === 'string' && schema.enum !== undefined && schema[OPEN_ENUM] === true) {
    return { kind: 'enum', name: schema['x-enum-name'] ?? 'Enum', values: schema.enum };
  }
  if (schema.type === 'string' && schema.format === 'date-time') return { kind: 'datetime' };
  if (schema.type === 'string') return { kind: 'string', ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}) };
  if (schema.type === 'boolean') return { kind: 'boolean' };
  if (schema.type === 'integer' && schema.format === 'int32')
    return { kind: 'int32', minimum: schema.minimum ?? INT32_MIN, maximum: schema.maximum ?? INT32_MAX };
  if (schema.type === 'integer' && schema.format === 'int64') return { kind: 'int64' };
  if (schema.type === 'number') return { kind: 'number' };
  throw new Error(`${where}: no wire shape for schema ${JSON.stringify(schema)}`);
}

export function describeModel(name: ModelName): ModelDescriptor {
  const schema = MODELS[name] as TSchema as JsonSchemaLike;
  const required = new Set(schema.required ?? []);
  const properties = Object.entries(schema.properties ?? {}).map(([key, prop]) => ({
    key,
    shape: shapeOf(prop, `${name}.${key}`),
    required: required.has(key),
    description: prop.description ?? '',
  }));
  return { name, description: schema.description ?? '', properties };
}

export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];
export const DESCRIPTORS: { readonly [N in ModelName]: ModelDescriptor } = Object.fromEntries(
  MODEL_NAMES.map((n) => [n, describeModel(n)]),
) as { [N in ModelName]: ModelDescriptor };

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
