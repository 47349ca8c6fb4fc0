// The wire codec, compiled once at load time from the schema descriptors into plain JavaScript functions (the way
// ajv and fast-json-stringify do): one decoder, one wire-object encoder and one JSON-text writer per model. The
// generated code only ever contains property names and enum values from schema.ts, never input data.
import { parseDateTime, explainDateTime, formatDateTime } from './datetime.js';
import { INT32_MAX, INT32_MIN } from './limits.js';
import { DESCRIPTORS, MODEL_NAMES, type Shape } from './descriptors.js';
import type { ModelName } from './registry.js';

/** Where unknown wire properties of a decoded object are kept, so that encoding writes them back. */
export const unknownProperties: unique symbol = Symbol.for('callbackd.unknownProperties');

/** Any JSON value (what an unknown property may hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Unknown properties of a decoded object, by wire name, in the order they came. */
export type UnknownProperties = Readonly<Record<string, JsonValue>>;

/** One problem found while decoding: a JSON pointer (RFC 6901) to the value and what was wrong with it. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export interface DecodeOptions {
  /** Turn every warning into an error (for what we accept from clients). Default false: tolerant reading. */
  readonly strict?: boolean;
  /** Keep at most this many errors (the rest are only counted, in `omitted`): bounds the cost of a huge bad input. */
  readonly maxErrors?: number;
}

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Issue[] }
  | {
      readonly ok: false;
      readonly errors: readonly Issue[];
      readonly warnings: readonly Issue[];
      /** Errors found beyond `maxErrors` and not kept. */
      readonly omitted?: number;
    };

/** Escapes one JSON pointer reference token. */
export function pointerToken(key: string | number): string {
  const s = String(key);
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

function preview(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length} item${x.length === 1 ? '' : 's'}`;
  switch (typeof x) {
    case 'string': {
      const t = x.length > 60 ? `${x.slice(0, 57)}...` : x;
      return x.length > 60 ? `a string of ${x.length} characters (${JSON.stringify(t)})` : `a string (${JSON.stringify(t)})`;
    }
    case 'number':
      return Number.isInteger(x) ? `the integer ${x}` : `the number ${x}`;
    case 'boolean':
      return `the boolean ${x}`;
    case 'object': {
      const n = Object.keys(x as object).length;
      return `an object with ${n} propert${n === 1 ? 'y' : 'ies'}`;
    }
    default:
      return `a ${typeof x}`;
  }
}

/** Sets an own data property, also for keys such as `__proto__` that plain assignment would not create. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const DATE_EXPECTED = 'an ISO-8601 date-time with Z or a ±hh:mm offset, such as 2026-01-31T09:30:00.000Z';

/** Collects issues for one decode call. */
class Context {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];
  omitted = 0;
  constructor(
    readonly strict: boolean,
    private readonly maxErrors = Infinity,
  ) {}
  /** True (and counted) when no more errors are kept: the caller skips building the message. */
  private full(): boolean {
    if (this.errors.length < this.maxErrors) return false;
    this.omitted++;
    return true;
  }
  error(path: string, message: string): void {
    if (!this.full()) this.errors.push({ path, message });
  }
  /** A warning, or an error in strict mode; `tolerated` says what tolerant reading did about it. */
  warn(path: string, message: string, tolerated: string): void {
    if (this.strict) this.error(path, message);
    else this.warnings.push({ path, message: `${message}; ${tolerated}` });
  }
  /** Wrong type at parent/key. */
  t(p: string, k: string | number, expected: string, x: unknown): void {
    if (this.full()) return;
    this.errors.push({ path: `${p}/${pointerToken(k)}`, message: `expected ${expected}, got ${preview(x)}` });
  }
  /** Bad date at parent/key. */
  d(p: string, k: string | number, x: unknown): void {
    if (this.full()) return;
    const why = typeof x === 'string' ? ` (${explainDateTime(x)})` : '';
    this.errors.push({ path: `${p}/${pointerToken(k)}`, message: `expected ${DATE_EXPECTED}, got ${preview(x)}${why}` });
  }
  /** Required property missing (absent or null). */
  m(p: string, k: string, expected: string): void {
    this.error(`${p}/${pointerToken(k)}`, `expected ${expected}: the property is required but missing`);
  }
  /** Unknown property: kept, with a warning. */
  x(o: Record<string | symbol, unknown>, k: string, v: unknown, p: string, model: string): void {
    let bag = o[unknownProperties] as Record<string, unknown> | undefined;
    if (bag === undefined) o[unknownProperties] = bag = {};
    setOwn(bag, k, v);
    this.warn(`${p}/${pointerToken(k)}`, `unknown property "${k}" on ${model}`, 'kept as is');
  }
}

type EnumReader = (x: string, p: string, k: string, c: Context) => string;

function enumReader(values: readonly string[]): EnumReader {
  const known = new Set(values);
  const folded = new Map(values.map((v) => [v.toLowerCase(), v]));
  const list = values.join(', ');
  return (x, p, k, c) => {
    if (known.has(x)) return x;
    const canonical = folded.get(x.toLowerCase());
    if (canonical !== undefined) {
      c.warn(`${p}/${pointerToken(k)}`, `"${x}" is not the canonical spelling of "${canonical}"`, `read as "${canonical}"`);
      return canonical;
    }
    c.warn(`${p}/${pointerToken(k)}`, `unknown value ${JSON.stringify(x)} (known: ${list})`, 'kept as is');
    return x;
  };
}

function readMap(x: Record<string, unknown>, p: string, c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in x) {
    const v = x[k];
    if (typeof v === 'string') setOwn(out, k, v);
    else if (typeof v === 'number' || typeof v === 'boolean') {
      const text = JSON.stringify(v);
      c.warn(`${p}/${pointerToken(k)}`, `expected a string, got ${preview(v)}`, `converted to "${text}"`);
      setOwn(out, k, text);
    } else if (v === null) {
      c.warn(`${p}/${pointerToken(k)}`, 'expected a string, got null', 'the attribute is dropped');
    } else c.t(p, k, 'a string', v);
  }
  return out;
}

// ---- code generation ----

const lit = (s: string) => JSON.stringify(s);
const fn = (kind: string, name: string) => `${kind}_${name}`;

function expected(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      return shape.maxLength !== undefined ? `a string of at most ${shape.maxLength} characters` : 'a string';
    case 'boolean':
      return 'a boolean';
    case 'int32':
      return `an integer from ${shape.minimum} to ${shape.maximum}`;
    case 'int64':
      return 'an integer (int64, within ±2^53)';
    case 'number':
      return 'a number';
    case 'json':
      return 'any JSON value';
    case 'datetime':
      return DATE_EXPECTED;
    case 'enum':
      return `a string (one of ${shape.values.join(', ')})`;
    case 'map':
      return shape.maxProperties !== undefined ? `an object of at most ${shape.maxProperties} string values` : 'an object of string values';
    case 'array':
      // "a string of at most 32 characters" → "strings of at most 32 characters".
      return `an array of ${shape.maxItems !== undefined ? `at most ${shape.maxItems} ` : ''}${expected(shape.items)
        .replace(/^an? /, '')
        .replace(/^(\S+)/, '$1s')}`;
    case 'model':
      return `an object (${shape.name})`;
  }
}

interface Gen {
  enums: string[][];
  arrays: Map<string, string>;
  out: string[];
}

function enumIndex(g: Gen, values: readonly string[]): number {
  const key = values.join('\u0000');
  let i = g.enums.findIndex((e) => e.join('\u0000') === key);
  if (i < 0) i = g.enums.push([...values]) - 1;
  return i;
}

/**
 * Statements that read `x` (known not null) per `shape` and, when it is valid, assign it with `assign(expr)`;
 * on a bad value they report at parent path `p` and key expression `kx`.
 */
function readValue(g: Gen, shape: Shape, assign: (e: string) => string, kx: string, childPath: string): string {
  const bad = `c.t(p, ${kx}, ${lit(expected(shape))}, x);`;
  switch (shape.kind) {
    case 'string': {
      // Bounds come from the schema, as numbers: safe to put in generated code.
      const max = shape.maxLength !== undefined ? ` && x.length <= ${Number(shape.maxLength)}` : '';
      return `if (typeof x === "string"${max}) ${assign('x')}; else ${bad}`;
    }
    case 'boolean':
      return `if (typeof x === "boolean") ${assign('x')}; else ${bad}`;
    case 'int32': {
      // Ranges come from the schema, as numbers: safe to put in generated code.
      const narrower = shape.minimum !== INT32_MIN || shape.maximum !== INT32_MAX;
      const range = narrower ? ` && x >= ${Number(shape.minimum)} && x <= ${Number(shape.maximum)}` : '';
      return `if (typeof x === "number" && (x | 0) === x${range}) ${assign('x')}; else ${bad}`;
    }
    case 'int64':
      return `if (Number.isSafeInteger(x)) ${assign('x')}; else ${bad}`;
    case 'number':
      return `if (typeof x === "number" && Number.isFinite(x)) ${assign('x')}; else ${bad}`;
    case 'json':
      return `${assign('x')};`;
    case 'datetime':
      return `if (typeof x === "string" && (y = D(x)) !== undefined) ${assign('y')}; else c.d(p, ${kx}, x);`;
    case 'enum':
      return `if (typeof x === "string") ${assign(`E${enumIndex(g, shape.values)}(x, p, ${kx}, c)`)}; else ${bad}`;
    case 'map': {
      const max = shape.maxProperties !== undefined ? ` && Object.keys(x).length <= ${Number(shape.maxProperties)}` : '';
      return `if (typeof x === "object" && !Array.isArray(x)${max}) ${assign(`M(x, ${childPath}, c)`)}; else ${bad}`;
    }
    case 'model':
      return `if (typeof x === "object" && !Array.isArray(x)) ${assign(`${fn('d', shape.name)}(x, ${childPath}, c)`)}; else ${bad}`;
    case 'array': {
      // An array over its bound is one error, its items unread: a huge bad input costs little.
      const max = shape.maxItems !== undefined ? ` && x.length <= ${Number(shape.maxItems)}` : '';
      return `if (Array.isArray(x)${max}) ${assign(`${arrayReader(g, shape.items)}(x, ${childPath}, c)`)}; else ${bad}`;
    }
  }
}

function arrayReader(g: Gen, items: Shape): string {
  const key = JSON.stringify(items);
  const existing = g.arrays.get(key);
  if (existing !== undefined) return existing;
  const name = `a${g.arrays.size}`;
  g.arrays.set(key, name);
  const body = readValue(g, items, (e) => `r.push(${e})`, 'i', 'p + "/" + i');
  g.out.push(`function ${name}(v, p, c) {
  const n = v.length, r = [];
  let x, y;
  for (let i = 0; i < n; i++) {
    x = v[i];
    if (x === null) { c.t(p, i, ${lit(expected(items))}, x); continue; }
    ${body}
  }
  return r;
}`);
  return name;
}

function decoderSource(g: Gen, name: ModelName): string {
  const d = DESCRIPTORS[name];
  const cases = d.properties
    .map((prop) => {
      const key = lit(prop.key);
      const body = readValue(g, prop.shape, (e) => `o[${key}] = ${e}`, key, `p + ${lit('/' + prop.key)}`);
      return `      case ${key}: if (x !== null) { ${body} } break;`;
    })
    .join('\n');
  const required = d.properties
    .filter((prop) => prop.required)
    .map((prop) => `  if (v[${lit(prop.key)}] == null) c.m(p, ${lit(prop.key)}, ${lit(expected(prop.shape))});`)
    .join('\n');
  return `function ${fn('d', name)}(v, p, c) {
  const o = {};
  let x, y;
  for (const k in v) {
    x = v[k];
    switch (k) {
${cases}
      default: c.x(o, k, x, p, ${lit(name)});
    }
  }
${required}
  return o;
}`;
}

function writeValue(shape: Shape, x: string): string {
  switch (shape.kind) {
    case 'string':
    case 'boolean':
    case 'int32':
    case 'int64':
    case 'number':
    case 'enum':
    case 'json':
      return x;
    case 'datetime':
      return `F(${x})`;
    case 'map':
      return `W(${x})`;
    case 'model':
      return `${fn('w', shape.name)}(${x})`;
    case 'array':
      return `${x}.map((x) => ${writeValue(shape.items, 'x')})`;
  }
}

function encoderSource(name: ModelName): string {
  const lines = DESCRIPTORS[name].properties.map(
    (p) => `  x = o[${lit(p.key)}]; if (x != null) r[${lit(p.key)}] = ${writeValue(p.shape, 'x')};`,
  );
  return `function ${fn('w', name)}(o) {
  const r = {};
  let x;
${lines.join('\n')}
  x = o[X]; if (x !== undefined) for (const k in x) S(r, k, x[k]);
  return r;
}`;
}

function textValue(shape: Shape, x: string): string {
  switch (shape.kind) {
    case 'string':
    case 'enum':
      return `Q(${x})`;
    case 'boolean':
      return `(${x} ? "true" : "false")`;
    case 'int32':
    case 'int64':
    case 'number':
      return `("" + ${x})`;
    case 'json':
      return `J(${x})`;
    case 'datetime':
      return `('"' + F(${x}) + '"')`;
    case 'map':
      return `T(${x})`;
    case 'model':
      return fn('s', shape.name) + `(${x})`;
    case 'array':
      return `A(${x}, (x) => ${textValue(shape.items, 'x')})`;
  }
}

function writerSource(name: ModelName): string {
  const lines = DESCRIPTORS[name].properties.map((p, i) => {
    const head = lit(`${lit(p.key)}:`);
    const sep = i === 0 ? head : `(s.length > 1 ? ${lit(`,${lit(p.key)}:`)} : ${head})`;
    return `  x = o[${lit(p.key)}]; if (x != null) s += ${sep} + ${textValue(p.shape, 'x')};`;
  });
  return `function ${fn('s', name)}(o) {
  let s = "{";
  let x;
${lines.join('\n')}
  x = o[X]; if (x !== undefined) for (const k in x) { const v = J(x[k]); if (v !== undefined) s += (s.length > 1 ? "," : "") + Q(k) + ":" + v; }
  return s + "}";
}`;
}

/**
 * A reader of trusted wire objects (what this service wrote itself, e.g. its stored state): converts dates and
 * nested models in place and moves unknown properties to their bag, without checking types, enums or bounds.
 */
function trustedValue(shape: Shape, x: string): string | undefined {
  switch (shape.kind) {
    case 'datetime':
      return `R(${x})`;
    case 'model':
      return `${fn('r', shape.name)}(${x})`;
    case 'array': {
      const item = trustedValue(shape.items, 'y');
      return item === undefined ? undefined : `${x}.map((y) => ${item})`;
    }
    default:
      return undefined;
  }
}

function trustedSource(name: ModelName): string {
  const props = DESCRIPTORS[name].properties;
  const cases = props.map((p) => {
    const conv = trustedValue(p.shape, 'x');
    return conv === undefined ? `      case ${lit(p.key)}: break;` : `      case ${lit(p.key)}: o[k] = ${conv}; break;`;
  });
  return `function ${fn('r', name)}(o) {
  let x, bag;
  for (const k in o) {
    x = o[k];
    switch (k) {
${cases.join('\n')}
      default: if (bag === undefined) o[X] = bag = {}; S(bag, k, x); delete o[k];
    }
  }
  return o;
}`;
}

/** A date the service wrote: our own format, so any failure means the stored data is corrupt. */
function trustedDate(x: unknown): Date {
  const d = typeof x === 'string' ? parseDateTime(x) : undefined;
  if (d === undefined) throw new Error(`stored data: expected a date-time, got ${preview(x)}`);
  return d;
}

// ---- runtime helpers handed to the generated code ----

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
function quote(s: string): string {
  return s.length < 256 && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s);
}
function textArray<T>(a: readonly T[], each: (x: T) => string): string {
  let s = '[';
  for (let i = 0; i < a.length; i++) s += (i === 0 ? '' : ',') + each(a[i] as T);
  return s + ']';
}
function textMap(m: Readonly<Record<string, string>>): string {
  let s = '{';
  for (const k in m) s += (s.length > 1 ? ',' : '') + quote(k) + ':' + quote(m[k] as string);
  return s + '}';
}
function copyMap(m: Readonly<Record<string, string>>): Record<string, string> {
  const r: Record<string, string> = {};
  for (const k in m) setOwn(r, k, m[k]);
  return r;
}

type Decoder = (v: object, p: string, c: Context) => unknown;
type Encoder = (o: unknown) => Record<string, unknown>;
type Writer = (o: unknown) => string;

interface Compiled {
  decoders: Record<ModelName, Decoder>;
  encoders: Record<ModelName, Encoder>;
  writers: Record<ModelName, Writer>;
  readers: Record<ModelName, (o: object) => unknown>;
  source: string;
}

function compile(): Compiled {
  const g: Gen = { enums: [], arrays: new Map(), out: [] };
  for (const name of MODEL_NAMES) {
    g.out.push(decoderSource(g, name), encoderSource(name), writerSource(name), trustedSource(name));
  }
  const table = (kind: string) => `{ ${MODEL_NAMES.map((n) => `${n}: ${fn(kind, n)}`).join(', ')} }`;
  const enumDecls = g.enums.map((_, i) => `const E${i} = H.enums[${i}];`).join('\n');
  const source = `"use strict";
const { D, F, M, W, S, Q, A, T, J, X, R } = H;
${enumDecls}
${g.out.join('\n\n')}
return { decoders: ${table('d')}, encoders: ${table('w')}, writers: ${table('s')}, readers: ${table('r')} };`;
  const helpers = {
    D: parseDateTime,
    F: formatDateTime,
    M: readMap,
    W: copyMap,
    S: setOwn,
    Q: quote,
    A: textArray,
    T: textMap,
    J: (v: unknown) => JSON.stringify(v),
    X: unknownProperties,
    R: trustedDate,
    enums: g.enums.map(enumReader),
  };
  const built = new Function('H', source)(helpers) as Omit<Compiled, 'source'>;
  return { ...built, source };
}

const compiled = compile();

/** The generated JavaScript, for inspection and debugging. */
export const generatedSource: string = compiled.source;

/** Decodes a wire value of the named model (see the decoding rules in the README). */
export function decodeModel<T>(name: ModelName, input: unknown, options?: DecodeOptions): DecodeResult<T> {
  const c = new Context(options?.strict === true, options?.maxErrors);
  let value: unknown;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    value = compiled.decoders[name](input, '', c);
  } else {
    c.error('', `expected an object (${name}), got ${preview(input)}`);
  }
  if (c.errors.length > 0) return { ok: false, errors: c.errors, warnings: c.warnings, ...(c.omitted > 0 ? { omitted: c.omitted } : {}) };
  return { ok: true, value: value as T, warnings: c.warnings };
}

/** The wire JSON object of a model value: canonical order, unknown properties last, absent ones omitted. */
export function encodeModel(name: ModelName, value: unknown): Record<string, unknown> {
  return compiled.encoders[name](value);
}

/** The wire JSON text of a model value; the same as JSON.stringify(encodeModel(name, value)), faster. */
export function stringifyModel(name: ModelName, value: unknown): string {
  return compiled.writers[name](value);
}

/**
 * Reads a wire object this service wrote itself (parsed from its own JSON text), in place and without validation:
 * dates become Dates, unknown properties move to their bag. Never for input from outside: use decodeModel.
 */
export function readTrustedModel<T>(name: ModelName, parsed: object): T {
  return compiled.readers[name](parsed) as T;
}
