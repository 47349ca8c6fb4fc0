// The HTTP server (Fastify): OAuth, bearer auth, body decoding with the model layer in strict mode, canonical
// encoding of responses, and Platform-API error bodies for everything that goes wrong.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { decodeModel, parseDateTime, stringifyModel, type Issue, type ModelName } from '../model/index.js';
import type { ManualClock } from '../service/clock.js';
import type { CallbackBackend } from '../service/backend.js';
import { authenticate, issueToken, OAuthError } from './auth.js';
import { ApiError, badBody, errorText, toErrorBody } from './errors.js';
import { openApiDocument } from './openapi.js';
import { ROUTES, type RouteDef } from './routes.js';

export interface AppOptions {
  backend: CallbackBackend;
  /** Fastify/pino logger setting; off by default (tests). */
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  tokenTtlSeconds?: number;
  /** With `--clock manual`: the clock POST /emulator/clock moves, and what to run after moving it. */
  manualClock?: { clock: ManualClock; settle: () => Promise<void> };
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO-8601 duration (PnDTnHnMnS) or of a number of milliseconds. */
function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string' || v === 'P' || v.endsWith('T')) return undefined;
  const m = DURATION.exec(v);
  if (m === null) return undefined;
  const [, d, h, mi, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60000 + Number(sec ?? 0) * 1000;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function sendError(reply: FastifyReply, error: unknown, request: FastifyRequest): FastifyReply {
  const { status, body } = toErrorBody(error, request.id);
  if (status >= 500) request.log.error({ err: error }, 'unexpected error');
  return reply.code(status).type(JSON_TYPE).send(errorText(body));
}

/** Maps Fastify's own errors (body too large, bad content type, ...) to ApiErrors. */
function fromFastify(error: { code?: string; statusCode?: number; message: string }): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'request.entity.too.large', `The request is over the size limit. ${error.message}`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(415, 'unsupported.media.type', 'Unsupported Content-Type: send application/json.');
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new ApiError(error.statusCode, 'bad.request', error.message);
      }
      return undefined;
  }
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
      return JSON.stringify(value);
    case 'emptyObject':
      return '{}';
    case 'empty':
      return undefined;
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { backend } = options;
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
      done(new ApiError(400, 'bad.request', `The request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError || !(error instanceof Error)) return sendError(reply, error, request);
    const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
    const mapped =
      typeof code === 'string' && code.startsWith('FST_')
        ? fromFastify({ code, message: error.message, ...(typeof statusCode === 'number' ? { statusCode } : {}) })
        : undefined;
    return sendError(reply, mapped ?? error, request);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ApiError(404, 'not.found', `No resource at ${request.method} ${request.url.split('?')[0]}.`), request),
  );

  app.post('/oauth/token', async (request, reply) => {
    try {
      const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, string>;
      const token = await issueToken(backend.store, request.headers.authorization, form, backend.now(), options.tokenTtlSeconds ?? 86400);
      return reply.header('cache-control', 'no-store').type(JSON_TYPE).send(JSON.stringify(token));
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      if (e.basic) reply.header('www-authenticate', 'Basic realm="callbackd"');
      return reply
        .code(e.status)
        .type(JSON_TYPE)
        .send(JSON.stringify({ error: e.error, error_description: e.description }));
    }
  });

  // Time travel for users' tests (only with --clock manual): move the clock, then fire what came due.
  app.get('/emulator/clock', async (request, reply) => {
    await authenticate(backend.store, request.headers.authorization, backend.now());
    return reply
      .type(JSON_TYPE)
      .send(JSON.stringify({ now: backend.now().toISOString(), mode: options.manualClock !== undefined ? 'manual' : 'system' }));
  });
  app.post('/emulator/clock', async (request, reply) => {
    await authenticate(backend.store, request.headers.authorization, backend.now());
    const manual = options.manualClock;
    if (manual === undefined)
      throw new ApiError(409, 'emulator.clock.not.manual', 'The clock can only be moved when the server runs with --clock manual.');
    const body = (request.body ?? {}) as { advance?: unknown; instant?: unknown };
    let target: Date;
    if (body.advance !== undefined && body.instant === undefined) {
      const ms = durationMs(body.advance);
      if (ms === undefined)
        throw new ApiError(400, 'invalid.value', 'advance is an ISO-8601 duration such as PT1H30M, or a number of milliseconds.', [
          { errorCode: 'invalid.value', fieldName: '/advance' },
        ]);
      target = new Date(manual.clock.now().getTime() + ms);
    } else if (body.instant !== undefined && body.advance === undefined) {
      const t = typeof body.instant === 'string' ? parseDateTime(body.instant) : undefined;
      if (t === undefined)
        throw new ApiError(400, 'invalid.date', 'instant is an ISO-8601 date-time such as 2026-01-31T09:30:00.000Z.', [
          { errorCode: 'invalid.date', fieldName: '/instant' },
        ]);
      if (t.getTime() < manual.clock.now().getTime())
        throw new ApiError(400, 'invalid.value', 'The clock never goes back.', [{ errorCode: 'invalid.value', fieldName: '/instant' }]);
      target = t;
    } else {
      throw new ApiError(400, 'bad.request', 'Give either advance (a duration) or instant (a date-time).');
    }
    manual.clock.set(target);
    await manual.settle();
    return reply.type(JSON_TYPE).send(JSON.stringify({ now: manual.clock.now().toISOString(), mode: 'manual' }));
  });

  // Emulator control: the customer hangs up the voice call placed from a callback (drives auto-end).
  app.post('/emulator/conversations/:conversationId/call/end', async (request, reply) => {
    const principal = await authenticate(backend.store, request.headers.authorization, backend.now());
    await backend.endPlacedCall(principal, (request.params as { conversationId: string }).conversationId);
    await options.manualClock?.settle();
    return reply.code(202).send();
  });

  app.get('/api/v2/docs/openapi.json', async (_request, reply) => reply.type(JSON_TYPE).send(JSON.stringify(openApiDocument())));

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      handler: async (request, reply) => {
        const principal = await authenticate(backend.store, request.headers.authorization, backend.now());
        let body: unknown;
        if (route.body !== undefined) {
          if (request.body === undefined && !route.body.required) body = undefined;
          else if (route.body.array === true) {
            if (!Array.isArray(request.body))
              throw badBody([
                {
                  path: '',
                  message: `expected an array of ${route.body.model}, got ${request.body === null ? 'null' : typeof request.body}`,
                },
              ]);
            const items: unknown[] = [];
            const issues: Issue[] = [];
            request.body.forEach((item: unknown, i: number) => {
              const decoded = decodeModel(route.body?.model as ModelName, item, { strict: true });
              if (decoded.ok) items.push(decoded.value);
              else issues.push(...decoded.errors.map((e) => ({ path: `/${i}${e.path}`, message: e.message })));
            });
            if (issues.length > 0) throw badBody(issues);
            body = items;
          } else {
            const decoded = decodeModel(route.body.model as ModelName, request.body, { strict: true });
            if (!decoded.ok) throw badBody(decoded.errors);
            body = decoded.value;
          }
        }
        const result = await route.handler(backend, {
          principal,
          params: request.params as Record<string, string>,
          query: request.query as Record<string, string | undefined>,
          body,
        });
        const text = encode(route, result);
        reply.code(route.status);
        return text === undefined ? reply.send() : reply.type(JSON_TYPE).send(text);
      },
    });
  }
  return app;
}
