// The HTTP layer (Fastify): mounts the route table, authenticates, decodes bodies with the model layer in strict mode
// and queries from each route's declaration, calls one service, encodes the result canonically, and answers every
// error with a catalogue code (ErrorBody, or RFC 6749's shape on the token endpoint). No rules live here.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { CallbackdError, ERRORS } from '../errors.js';
import { decodeModel, stringifyModel, WireText, type Issue, type ModelName } from '../model/core.js';
import { registerConsole } from './console.js';
import { applyCors, originAllowed, type CorsOrigins } from './cors.js';
import { correlationIds } from './correlation.js';
import { asCallbackdError, badBody, errorText, MAX_DETAILS, STATUS } from './errors.js';
import type { FaultAction } from '../service/faults.js';
import type { Principal } from '../service/principal.js';
import { parseQuery, type BodySpec, type RouteDef, type Services } from './route.js';
import { ROUTES } from './routes/index.js';

export interface AppOptions {
  services: Services;
  /** Fastify/pino logger setting; off by default (tests). */
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** How long a request (headers and body) may take to arrive, in ms, before a 408 (default 30 s). */
  requestTimeoutMs?: number;
  /** Web origins allowed to call from a browser (default: pages on this machine). */
  corsOrigins?: CorsOrigins;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Maps Fastify's own errors (body too large, bad content type, ...) to catalogue errors. */
function fromFastify(error: { code?: unknown; statusCode?: unknown; message: string }): CallbackdError | undefined {
  const clientSide = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500;
  // A body that stopped arriving (the client went away): Fastify marks it 400; it is the client's event, not ours.
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_'))
    return clientSide ? new CallbackdError(ERRORS.badRequest, `The request body did not arrive whole (${error.message}).`) : undefined;
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

/** Notes an answered request in the request journal (given the text sent); undefined: not journaled (no organization). */
type Noter = ((text: string | undefined) => void) | undefined;

function sendError(
  reply: FastifyReply,
  error: unknown,
  request: FastifyRequest,
  shape: 'platform' | 'oauth' = 'platform',
  note?: Noter,
): FastifyReply {
  const e = asCallbackdError(error);
  const status = STATUS[e.kind];
  if (status >= 500) request.log.error({ err: error }, 'unexpected error');
  if (e.kind === 'unauthenticated' && shape === 'oauth' && (error as { basic?: boolean }).basic === true)
    reply.header('www-authenticate', 'Basic realm="callbackd"');
  if (shape === 'oauth') reply.header('cache-control', 'no-store');
  if (e.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.retryAfterSeconds));
  const text = errorText(e, request.id, shape);
  reply.code(status).type(JSON_TYPE).send(text);
  note?.(text);
  return reply;
}

/** An injected fault's answer (POST /emulator/faults): an ErrorBody with the rule's status and code. */
function sendFault(reply: FastifyReply, request: FastifyRequest, error: NonNullable<FaultAction['error']>, note: Noter): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  const body = {
    message: error.message,
    code: error.code,
    status: error.status,
    messageParams: {},
    contextId: request.id,
    details: [],
    errors: [],
  };
  const text = stringifyModel('ErrorBody', body);
  reply.code(error.status).type(JSON_TYPE).send(text);
  note?.(text);
  return reply;
}

/**
 * Errors Node's HTTP parser raises before there is a request (a slow body, headers too large, bad chunked encoding,
 * two Content-Lengths, an unknown method): answered with an ErrorBody on the raw socket, then the socket is closed.
 */
function clientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const e =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new CallbackdError(ERRORS.requestTimeout, 'The request did not arrive in time.')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new CallbackdError(ERRORS.headersTooLarge, 'The request headers are too large.')
        : new CallbackdError(ERRORS.badRequest, `The request is not valid HTTP (${error.code ?? 'parse error'}).`);
  const id = randomUUID();
  const body = errorText(e, id, 'platform');
  const status = STATUS[e.kind];
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `inin-correlation-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Errors the router raises before a route is found: a bad URL encoding, an id too long to be one. */
function frameworkError(error: { code?: string; message: string }, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('inin-correlation-id', request.id);
  const e =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new CallbackdError(ERRORS.notFound, `No resource at ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}.`)
      : new CallbackdError(ERRORS.badRequest, 'The request URL is not valid (bad percent-encoding).');
  void sendError(reply, e, request);
}

/** Encoded texts of immutable model values (projections of stored states), so a repeated read is not re-encoded. */
const texts = new WeakMap<object, string>();

function encode(route: RouteDef, value: unknown): string | undefined {
  const r = route.response;
  // Text the service had in its wire form already (written by the codec): sent as it is.
  if (value instanceof WireText && r.kind === 'model' && value.model === r.model) return value.text;
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
    const decoded = decodeModel(spec.model, raw, { strict: true, maxErrors: MAX_DETAILS });
    if (!decoded.ok) throw badBody(decoded.errors, decoded.omitted);
    return decoded.value;
  }
  if (!Array.isArray(raw))
    throw badBody([{ path: '', message: `expected an array of ${spec.model}, got ${raw === null ? 'null' : typeof raw}` }]);
  const items: unknown[] = [];
  const issues: Issue[] = [];
  let omitted = 0;
  raw.forEach((item: unknown, i: number) => {
    const decoded = decodeModel(spec.model as ModelName, item, { strict: true, maxErrors: MAX_DETAILS });
    if (decoded.ok) items.push(decoded.value);
    else {
      issues.push(...decoded.errors.map((e) => ({ path: `/${i}${e.path}`, message: e.message })));
      omitted += decoded.omitted ?? 0;
    }
  });
  if (issues.length > 0) throw badBody(issues, omitted);
  return items;
}

const isJson = (type: string | undefined) => type !== undefined && /^application\/json\s*(;|$)/i.test(type);

const NO_PRINCIPAL: Principal = { orgId: '', clientId: '' };
/**
 * Who sent each request authenticated before its body was read (routes with a body): for the handler, and for the
 * journal when Fastify answers an error before the handler runs (a body too large or not JSON).
 */
const principals = new WeakMap<FastifyRequest, Principal>();

function bearer(header: string | undefined): string | undefined {
  return header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
}

/** Fastify's compilers, for schemas no route has (one given by mistake fails at start, not at a request). */
const noSchemas = (): never => {
  throw new Error('callbackd routes carry no Fastify schemas: requests and responses go through the model codec');
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: correlationIds(),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // Node takes the timeout only when the server is created, and checks for expired requests this often (its
    // default, 30 s, would let a slow body linger that long past the timeout).
    http: {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs ?? 30_000),
    },
    // Idle keep-alive connections close at once on shutdown; busy ones get until the server's shutdown deadline.
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // Requests are decoded by the model's codec and responses written by it: no route has a Fastify schema, so
    // Fastify's own compilers (Ajv, fast-json-stringify: ~20 ms of every start) are never loaded.
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
  });

  // Every answer names its request (the SDK's logs quote it) and carries its CORS headers: browsers (the JS SDK's
  // browser build) call from other origins. A preflight is answered here, before any route authenticates.
  const allowed = originAllowed(options.corsOrigins);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('inin-correlation-id', request.id);
    if (!applyCors(allowed, request, reply)) done();
  });
  // Preflights from allowed origins were answered by the hook; any other OPTIONS request finds no resource.
  app.options('*', (_request, reply) => reply.callNotFound());

  // The request journal: each answered request of a known organization, its bodies kept (cut) for includeBody. Noted
  // where the answer is sent (the handler, sendError, sendFault), which knows the organization and the text: an
  // onResponse hook and per-request maps to carry them there cost ~3% of a GET.
  const journal = (request: FastifyRequest, reply: FastifyReply, orgId: string, text: string | undefined): void => {
    if (request.url.startsWith('/emulator/requests')) return;
    const durationMs = reply.elapsedTime;
    services.journal.record({
      orgId,
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      at: Date.now() - durationMs,
      durationMs,
      correlationId: request.id,
      requestBody: request.body,
      responseBody: text,
    });
  };
  const noter = (request: FastifyRequest, reply: FastifyReply, orgId: string | undefined): Noter =>
    orgId === undefined ? undefined : (text) => journal(request, reply, orgId, text);

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

  const answerError = (error: unknown, request: FastifyRequest, reply: FastifyReply, orgId: string | undefined): FastifyReply => {
    const shape = (request.routeOptions.config as { errors?: 'oauth' } | undefined)?.errors ?? 'platform';
    const e = error instanceof CallbackdError || !(error instanceof Error) ? error : (fromFastify(error) ?? error);
    return sendError(reply, e, request, shape, noter(request, reply, orgId));
  };
  // Errors Fastify raises before a handler runs; a handler answers its own.
  app.setErrorHandler((error, request, reply) => answerError(error, request, reply, principals.get(request)?.orgId));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new CallbackdError(ERRORS.notFound, `No resource at ${request.method} ${request.url.split('?')[0]}.`), request),
  );

  registerConsole(app);

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      config: { errors: route.errors ?? 'platform' },
      ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
      // Routes with a body authenticate before it is read: a request without a valid token never gets its body
      // parsed. Routes without one authenticate in the handler (one hook less on the hot GET path).
      ...(route.auth === 'bearer' && route.body !== undefined
        ? {
            onRequest: async (request: FastifyRequest) => {
              const token = bearer(request.headers.authorization);
              principals.set(request, services.auth.known(token) ?? (await services.auth.authenticate(token)));
            },
          }
        : {}),
      handler: async (request, reply) => {
        // The organization once the caller is known: its requests are journaled, answered or refused.
        let orgId: string | undefined;
        try {
          const authorization = request.headers.authorization;
          let principal = route.body !== undefined ? principals.get(request) : undefined;
          if (principal === undefined) {
            const token = route.auth === 'bearer' ? bearer(authorization) : undefined;
            principal = route.auth !== 'bearer' ? NO_PRINCIPAL : (services.auth.known(token) ?? (await services.auth.authenticate(token)));
          }
          if (principal.orgId !== '') {
            orgId = principal.orgId;
            // Every request with a token learns its budget; the emulator's own controls are reported, never counted.
            const usage = services.rateLimits.take(principal, route.tag !== 'Emulator');
            reply
              .header('inin-ratelimit-allowed', usage.allowed)
              .header('inin-ratelimit-count', usage.count)
              .header('inin-ratelimit-reset', usage.resetSeconds);
            if (usage.refused) throw services.rateLimits.refusal(usage);
            if (route.tag !== 'Emulator' && services.faults.any(orgId)) {
              const fault = services.faults.match(orgId, request.method, request.url.split('?')[0] as string);
              if (fault !== undefined) {
                if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
                if (fault.error !== undefined) return sendFault(reply, request, fault.error, noter(request, reply, orgId));
              }
            }
          }
          if (route.body !== undefined && 'model' in route.body && request.body !== undefined && !isJson(request.headers['content-type']))
            throw new CallbackdError(ERRORS.unsupportedMediaType, 'Unsupported Content-Type: send application/json.');
          const result = await route.handler(services, {
            principal,
            params: request.params as Record<string, string>,
            query: parseQuery(route.query, request.query as Record<string, string | undefined>),
            body: route.body !== undefined ? decodeBody(route.body, request.body) : undefined,
            authorization,
            host: request.headers.host,
          });
          const text = encode(route, result);
          reply.code(route.status);
          if (route.errors === 'oauth') reply.header('cache-control', 'no-store');
          if (text === undefined) reply.send();
          else reply.type(JSON_TYPE).send(text);
          if (orgId !== undefined) journal(request, reply, orgId, text);
          return reply;
        } catch (error) {
          return answerError(error, request, reply, orgId);
        }
      },
    });
  }
  return app;
}
