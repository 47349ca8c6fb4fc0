// What a route is: path, SDK method, how it authenticates, its declared path and query parameters (validated from
// the declaration), its body and response models, and a handler that turns the decoded request into one service
// call. app.ts mounts the table (routes/*.ts); openapi.ts documents the same table.
import { ERRORS, ServiceError } from '../errors.js';
import type { ModelName, ModelTypes } from '../model/core.js';
import type { AnalyticsService } from '../service/analytics.js';
import type { AuthService } from '../service/auth.js';
import type { CallbackService } from '../service/callbacks.js';
import type { Configuration } from '../service/configuration.js';
import type { EmulatorService } from '../service/emulator.js';
import type { NotificationService } from '../service/notifications.js';
import type { RequestJournal } from '../service/journal.js';
import type { RateLimiter } from '../service/ratelimits.js';
import type { FaultInjector } from '../service/faults.js';
import type { Principal } from '../service/principal.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The services a handler calls, by resource (as moto splits a service's backend from its responses). */
export interface Services {
  callbacks: CallbackService;
  configuration: Configuration;
  auth: AuthService;
  emulator: EmulatorService;
  notifications: NotificationService;
  analytics: AnalyticsService;
  journal: RequestJournal;
  rateLimits: RateLimiter;
  faults: FaultInjector;
}

/** A declared query parameter. */
export type QueryParam =
  | { type: 'boolean'; description: string }
  | { type: 'integer'; description: string; minimum: number; maximum: number; default: number }
  | { type: 'string'; description: string }
  /** Repeated (`id=a&id=b`, the SDK's "multi") or comma-separated (`id=a,b`): every value. */
  | { type: 'strings'; description: string };
export type QuerySpec = Readonly<Record<string, QueryParam>>;
/** The query as a handler sees it: booleans default to false, integers to their default. */
export type QueryValues<Q extends QuerySpec> = {
  [K in keyof Q]: Q[K] extends { type: 'boolean' }
    ? boolean
    : Q[K] extends { type: 'integer' }
      ? number
      : Q[K] extends { type: 'strings' }
        ? string[]
        : string | undefined;
};

/** What a successful response carries. */
export type ResponseKind =
  | { kind: 'model'; model: ModelName }
  | { kind: 'array'; model: ModelName }
  | { kind: 'listing'; model: ModelName; item: ModelName }
  | { kind: 'string'; values?: readonly string[] }
  /** Any JSON document, written as it is (the OpenAPI document). */
  | { kind: 'json' }
  /** The API's `Empty` model: `{}`. */
  | { kind: 'emptyObject' }
  | { kind: 'empty' };

/** A JSON body decoded (strictly) into a model, an array of it, or an OAuth form. */
export type BodySpec = { model: ModelName; required: boolean; array?: boolean } | { form: readonly string[] };

export interface RequestContext<Body = unknown, Query = Record<string, unknown>> {
  /** Who is calling (routes with `auth: 'bearer'`; a placeholder otherwise). */
  principal: Principal;
  params: Record<string, string>;
  query: Query;
  body: Body;
  /** The Authorization header as sent (the token endpoint reads client credentials from it). */
  authorization: string | undefined;
  /** The Host header as sent: where this server was reached (a channel's connectUri is on the same host and port). */
  host: string | undefined;
}

export interface RouteDef {
  method: Method;
  /** OpenAPI-style path with {params}. */
  path: string;
  /** The official JS SDK method that calls this route (or ours, for the emulator's own routes). */
  operationId: string;
  summary: string;
  tag: string;
  /** `bearer`: a token from /oauth/token; `client`: OAuth client authentication (the token endpoint); `none`. */
  auth: 'bearer' | 'client' | 'none';
  /** How errors are answered: the Platform ErrorBody, or RFC 6749's `{error, error_description}`. */
  errors?: 'oauth';
  body?: BodySpec;
  /** A larger body limit than the server's 1 MiB (a state snapshot). */
  bodyLimit?: number;
  query?: QuerySpec;
  status: number;
  response: ResponseKind;
  handler: (services: Services, ctx: RequestContext) => Promise<unknown>;
}

/** The decoded body's type: the model, an array of it, and undefined when the body is optional. */
type BodyType<B extends ModelName, A extends boolean, R extends boolean> =
  (A extends true ? ModelTypes[B][] : ModelTypes[B]) | (R extends true ? never : undefined);

interface RouteSpec<B extends ModelName, A extends boolean, R extends boolean, Q extends QuerySpec> extends Omit<
  RouteDef,
  'body' | 'handler' | 'query' | 'auth'
> {
  auth?: RouteDef['auth'];
  body?: { model: B; required: R; array?: A };
  query?: Q;
  handler: (services: Services, ctx: RequestContext<BodyType<B, A, R>, QueryValues<Q>>) => Promise<unknown>;
}

/** A route whose handler sees its body typed from the body's model and its query from the declaration. */
export function route<B extends ModelName = never, A extends boolean = false, R extends boolean = true, Q extends QuerySpec = {}>(
  spec: RouteSpec<B, A, R, Q>,
): RouteDef {
  // The one cast: app.ts decodes every body with spec.body's model and the query with spec.query before the handler.
  return { auth: 'bearer', ...spec } as unknown as RouteDef;
}

/** What a route without a query sees (shared: handlers only read it). */
const NO_QUERY: Record<string, unknown> = Object.freeze({});

/** Parses the query a route declares; anything else in the query is ignored, as the platform does. */
export function parseQuery(spec: QuerySpec | undefined, raw: Record<string, string | string[] | undefined>): Record<string, unknown> {
  if (spec === undefined) return NO_QUERY;
  const out: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(spec)) {
    const given = raw[name];
    const v = Array.isArray(given) ? given.at(-1) : given;
    const bad = (expected: string) =>
      new ServiceError(ERRORS.invalidValue, `Value [${v}] is not valid for query parameter ${name}: expected ${expected}.`, [
        { field: name, code: ERRORS.invalidValue.code, message: `expected ${expected}, got ${JSON.stringify(v)}` },
      ]);
    switch (param.type) {
      case 'boolean':
        if (v !== undefined && v !== 'true' && v !== 'false') throw bad('true or false');
        out[name] = v === 'true';
        break;
      case 'integer': {
        const n = v === undefined ? param.default : Number(v);
        if (v !== undefined && (!/^-?\d+$/.test(v) || n < param.minimum || n > param.maximum))
          throw bad(`an integer from ${param.minimum} to ${param.maximum}`);
        out[name] = n;
        break;
      }
      case 'string':
        out[name] = v;
        break;
      case 'strings':
        out[name] = (Array.isArray(given) ? given : given === undefined ? [] : [given])
          .flatMap((x) => x.split(','))
          .map((x) => x.trim())
          .filter((x) => x !== '');
        break;
    }
  }
  return out;
}

export const PAGING = {
  pageSize: { type: 'integer', description: 'Items per page.', minimum: 1, maximum: 500, default: 25 },
  pageNumber: { type: 'integer', description: 'Page, from 1.', minimum: 1, maximum: 1_000_000, default: 1 },
} as const satisfies QuerySpec;

/** A page of items in the Platform API's listing envelope (§3.2). */
export function listing<T>(items: readonly T[], path: string, query: { pageSize: number; pageNumber: number }): Record<string, unknown> {
  const { pageSize, pageNumber } = query;
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const uri = (n: number) => `${path}?pageSize=${pageSize}&pageNumber=${n}`;
  return {
    entities: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total: items.length,
    firstUri: uri(1),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
    lastUri: uri(pageCount),
    selfUri: uri(pageNumber),
    pageCount,
  };
}

/** The listing envelope of an endpoint without paging: every item on page 1 (§3.2). */
export function onePage<T>(items: readonly T[], path: string): Record<string, unknown> {
  return {
    entities: items,
    pageSize: items.length,
    pageNumber: 1,
    total: items.length,
    firstUri: path,
    lastUri: path,
    selfUri: path,
    pageCount: 1,
  };
}

export const param = (ctx: { params: Record<string, string> }, name: string): string => ctx.params[name] as string;
