// The OpenAPI 3 document of everything served, generated from the route table and the same schemas the server
// decodes and encodes with.
import { MODELS, type ModelName } from '../model/index.js';
import type { QueryParam, ResponseKind, RouteDef } from './route.js';
import { ROUTES } from './routes/index.js';

type Json = Record<string, unknown>;

/** A model's JSON Schema with nested models replaced by $refs to components. */
function component(schema: unknown, top: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => component(s, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Json;
  if (!top && typeof s.$id === 'string') {
    return s.description !== undefined
      ? { allOf: [{ $ref: `#/components/schemas/${s.$id}` }], description: s.description }
      : { $ref: `#/components/schemas/${s.$id}` };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$id' || k === 'x-enum-name') continue;
    // OpenAPI 3.0 has no patternProperties: a string map is additionalProperties.
    if (k === 'patternProperties') out.additionalProperties = component(Object.values(v as Json)[0], false);
    else out[k] = component(v, false);
  }
  return out;
}

const ref = (m: ModelName) => ({ $ref: `#/components/schemas/${m}` });

function responseSchema(r: ResponseKind): Json | undefined {
  switch (r.kind) {
    case 'model':
    case 'listing':
      return ref(r.model);
    case 'array':
      return { type: 'array', items: ref(r.model) };
    case 'string':
      return { type: 'string', ...(r.values !== undefined ? { enum: [...r.values] } : {}) };
    case 'json':
      return { type: 'object' };
    case 'emptyObject':
      return { type: 'object' };
    case 'empty':
      return undefined;
  }
}

function querySchema(q: QueryParam): Json {
  if (q.type === 'strings') return { type: 'array', items: { type: 'string' } };
  return q.type === 'integer' ? { type: 'integer', minimum: q.minimum, maximum: q.maximum, default: q.default } : { type: q.type };
}

function requestBody(r: RouteDef): Json | undefined {
  const b = r.body;
  if (b === undefined) return undefined;
  if ('form' in b) {
    const schema = { type: 'object', properties: Object.fromEntries(b.form.map((k) => [k, { type: 'string' }])), required: ['grant_type'] };
    return { required: true, content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } } };
  }
  return {
    required: b.required,
    content: { 'application/json': { schema: b.array === true ? { type: 'array', items: ref(b.model) } : ref(b.model) } },
  };
}

function operation(r: RouteDef): Json {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = Object.entries(r.query ?? {}).map(([name, q]) => ({
    name,
    in: 'query',
    required: false,
    description: q.description,
    schema: querySchema(q),
  }));
  const schema = responseSchema(r.response);
  const body = requestBody(r);
  return {
    operationId: r.operationId,
    summary: r.summary,
    tags: [r.tag],
    security: r.auth === 'bearer' ? [{ 'PureCloud OAuth': [] }] : r.auth === 'client' ? [{ 'OAuth client': [] }] : [],
    ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
    ...(body !== undefined ? { requestBody: body } : {}),
    responses: {
      [String(r.status)]: { description: 'Success', ...(schema !== undefined ? { content: { 'application/json': { schema } } } : {}) },
      default: {
        description: 'Error',
        content: { 'application/json': { schema: ref(r.errors === 'oauth' ? 'OAuthError' : 'ErrorBody') } },
      },
    },
  };
}

export function openApiDocument(serverUrl?: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  const schemas: Json = {};
  for (const [name, schema] of Object.entries(MODELS)) schemas[name] = component(schema, true);
  return {
    openapi: '3.0.3',
    info: { title: 'callbackd: the callback part of the Genesys Cloud Platform API v2', version: '0.1.0' },
    ...(serverUrl !== undefined ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      securitySchemes: { 'PureCloud OAuth': { type: 'http', scheme: 'bearer' }, 'OAuth client': { type: 'http', scheme: 'basic' } },
    },
  };
}
