// The OpenAPI 3 document of everything served, generated from the route table and the same schemas the server
// decodes and encodes with.
import { MODELS, type ModelName } from '../model/index.js';
import { ROUTES, type ResponseKind } from './routes.js';

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
    case 'emptyObject':
      return { type: 'object' };
    case 'empty':
      return undefined;
  }
}

export function openApiDocument(serverUrl?: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = (r.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: false,
      description: q.description,
      schema: { type: q.type },
    }));
    const schema = responseSchema(r.response);
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      security: [{ 'PureCloud OAuth': [] }],
      ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
      ...(r.body !== undefined
        ? {
            requestBody: {
              required: r.body.required,
              content: {
                'application/json': { schema: r.body.array === true ? { type: 'array', items: ref(r.body.model) } : ref(r.body.model) },
              },
            },
          }
        : {}),
      responses: {
        [String(r.status)]: { description: 'Success', ...(schema !== undefined ? { content: { 'application/json': { schema } } } : {}) },
        default: { description: 'Error', content: { 'application/json': { schema: ref('ErrorBody') } } },
      },
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  paths['/oauth/token'] = {
    post: {
      operationId: 'oauthToken',
      summary: 'Get an access token: grant_type client_credentials (HTTP Basic client auth) or password (username, password).',
      tags: ['OAuth'],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: {
                grant_type: { type: 'string', enum: ['client_credentials', 'password'] },
                username: { type: 'string' },
                password: { type: 'string' },
              },
              required: ['grant_type'],
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'A bearer token',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' } },
              },
            },
          },
        },
      },
    },
  };
  const schemas: Json = {};
  for (const [name, schema] of Object.entries(MODELS)) schemas[name] = component(schema, true);
  return {
    openapi: '3.0.3',
    info: { title: 'callbackd: the callback part of the Genesys Cloud Platform API v2', version: '0.1.0' },
    ...(serverUrl !== undefined ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      schemas,
      securitySchemes: { 'PureCloud OAuth': { type: 'http', scheme: 'bearer' } },
    },
  };
}
