// The HTTP layer (Fastify): mounts the route table, authenticates, decodes bodies with the model layer in strict mode
// and queries from each route's declaration, calls one service, encodes the result canonically, and answers every
// error with a catalogue code (ErrorBody, or RFC 6749's shape on the token endpoint). No rules live here.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CallbackdError, ERRORS } from '../errors.js';
import { decodeModel, stringifyModel, type Issue, type ModelName } from '../model/index.js';
import { asCallbackdError, badBody, errorText, STATUS } from './errors.js';
import type { Principal } from '../service/principal.js';
import { parseQuery, type BodySpec, type RouteDef, type Services } from './route.js';
import { ROUTES } from './routes/index.js';

export interface AppOptions {
  services: Services;
  /** Fastify/pino logger setting; off by default (tests). */
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Maps Fastify's own errors (body too large, bad content type, ...) to catalogue errors. */
function fromFastify(error: { code?: unknown; statusCode?: unknown; message: string }): CallbackdError | undefined {
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CallbackdError(ERRORS.tooLarge, `The request is over the size limit. ${error.message}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new CallbackdError(ERRORS.unsupportedMediaType, 'Unsupported Content-Type: send application/json.');
    default:
      return typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500
        ? new CallbackdError(ERRORS.badRequest, error.message)
        : undefined;
  }
}

function sendError(reply: FastifyReply, error: unknown, request: FastifyRequest, shape: 'platform' | 'oauth' = 'platform'): FastifyReply {
  const e = asCallbackdError(error);
  const status = STATUS[e.kind];
  if (status >= 500) request.log.error({ err: error }, 'unexpected error');
  if (e.kind === 'unauthenticated' && shape === 'oauth' && (error as { basic?: boolean }).basic === true)
    reply.header('www-authenticate', 'Basic realm="callbackd"');
  if (shape === 'oauth') reply.header('cache-control', 'no-store');
  return reply
    .code(status)
    .type(JSON_TYPE)
    .send(errorText(e, request.id, shape));
}

/** Encoded texts of immutable model values (projections of stored states), so a repeated read is not re-encoded. */
const texts = new WeakMap<object, string>();

function encode(route: RouteDef, value: unknown): string | undefined {
  const r = route.response;
  switch (r.kind) {
    case 'model':
    case 'listing': {
      if (r.kind === 'model' && route.method === 'GET' && typeof value === 'object' && value !== null) {
        let text = texts.get(value);
        if (text === undefined) texts.set(value, (text = stringifyModel(r.model, value)));
        return text;
      }
      return stringifyModel(r.model, value);
    }
    case 'array':
      return `[${(value as unknown[]).map((v) => stringifyModel(r.model, v)).join(',')}]`;
    case 'string':
    case 'json':
      return JSON.stringify(value);
    case 'emptyObject':
      return '{}';
    case 'empty':
      return undefined;
  }
}

/** The request body, decoded as the route declares it. */
function decodeBody(spec: BodySpec, raw: unknown): unknown {
  if ('form' in spec) {
    // Form fields (or a JSON object) as strings; anything else is left out, so the service sees it missing.
    const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    return Object.fromEntries(spec.form.flatMap((k) => (typeof fields[k] === 'string' ? [[k, fields[k]]] : [])));
  }
  if (raw === undefined && !spec.required) return undefined;
  if (spec.array !== true) {
    const decoded = decodeModel(spec.model, raw, { strict: true });
    if (!decoded.ok) throw badBody(decoded.errors);
    return decoded.value;
  }
  if (!Array.isArray(raw))
    throw badBody([{ path: '', message: `expected an array of ${spec.model}, got ${raw === null ? 'null' : typeof raw}` }]);
  const items: unknown[] = [];
  const issues: Issue[] = [];
  raw.forEach((item: unknown, i: number) => {
    const decoded = decodeModel(spec.model as ModelName, item, { strict: true });
    if (decoded.ok) items.push(decoded.value);
    else issues.push(...decoded.errors.map((e) => ({ path: `/${i}${e.path}`, message: e.message })));
  });
  if (issues.length > 0) throw badBody(issues);
  return items;
}

const NO_PRINCIPAL: Principal = { orgId: '', clientId: '' };
const principals = new WeakMap<FastifyRequest, Principal>();

function bearer(header: string | undefined): string | undefined {
  return header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('inin-correlation-id', request.id);
    done();
  });

  // JSON bodies: an empty body is no body (the SDK sends Content-Type: application/json on body-less POSTs).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new CallbackdError(ERRORS.badRequest, `The request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler((error, request, reply) => {
    const shape = (request.routeOptions.config as { errors?: 'oauth' } | undefined)?.errors ?? 'platform';
    return sendError(reply, error instanceof CallbackdError ? error : (fromFastify(error as Error) ?? error), request, shape);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new CallbackdError(ERRORS.notFound, `No resource at ${request.method} ${request.url.split('?')[0]}.`), request),
  );

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      config: { errors: route.errors ?? 'platform' },
      // Authenticated before the body is read: a request without a valid token never gets its body parsed.
      onRequest: async (request) => {
        if (route.auth === 'bearer') principals.set(request, await services.auth.authenticate(bearer(request.headers.authorization)));
      },
      handler: async (request, reply) => {
        const authorization = request.headers.authorization;
        const principal = principals.get(request) ?? NO_PRINCIPAL;
        const result = await route.handler(services, {
          principal,
          params: request.params as Record<string, string>,
          query: parseQuery(route.query, request.query as Record<string, string | undefined>),
          body: route.body !== undefined ? decodeBody(route.body, request.body) : undefined,
          authorization,
        });
        const text = encode(route, result);
        reply.code(route.status);
        if (route.errors === 'oauth') reply.header('cache-control', 'no-store');
        return text === undefined ? reply.send() : reply.type(JSON_TYPE).send(text);
      },
    });
  }
  return app;
}
