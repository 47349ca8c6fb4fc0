// Which web origins may call the API and open sockets from a browser (the browser build of the JS SDK), and the CORS
// headers that say so. By default pages served from this machine (http(s)://localhost, 127.0.0.1 or [::1], any port):
// what local development needs, and nothing a page on the internet could use. `corsOrigins` (ServerOptions,
// `serve --cors-origin`) replaces it: exact origins, or '*' for any.
import type { FastifyReply, FastifyRequest } from 'fastify';

export type CorsOrigins = readonly string[] | '*';

const LOCAL = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** Whether a page of this origin may call; no origin (not a browser, or a same-origin request) may. */
export function originAllowed(origins: CorsOrigins | undefined): (origin: string | undefined) => boolean {
  if (origins === '*') return () => true;
  if (origins === undefined) return (origin) => origin === undefined || LOCAL.test(origin);
  const set = new Set(origins);
  return (origin) => origin === undefined || set.has(origin);
}

/** The response headers a page may read (the SDK reads the correlation id and the rate-limit budget). */
const EXPOSED = 'inin-correlation-id, retry-after, inin-ratelimit-allowed, inin-ratelimit-count, inin-ratelimit-reset';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** How long a browser may cache a preflight's answer, in seconds. */
const MAX_AGE = '600';

/**
 * Sets a request's CORS headers (the Fetch standard's CORS protocol); true when it answered the request itself: a
 * preflight from an allowed origin gets 204 with the methods, the headers asked for and how long to cache that.
 * Every answer varies by Origin. Requests without an Origin (the SDKs on Node, curl) get nothing else: it is one
 * check, where a CORS plugin's per-request options and headers cost ~5% of a GET's throughput. An origin not allowed
 * gets no CORS header, so its page cannot read the answer; its preflight finds no resource (app.ts).
 */
export function applyCors(allowed: (origin: string | undefined) => boolean, request: FastifyRequest, reply: FastifyReply): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || !allowed(origin)) {
    reply.header('vary', 'Origin');
    return false;
  }
  reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED);
  const asked = request.headers['access-control-request-method'];
  if (request.method !== 'OPTIONS' || asked === undefined) {
    reply.header('vary', 'Origin');
    return false;
  }
  const headers = request.headers['access-control-request-headers'];
  reply
    .header('vary', 'Origin, Access-Control-Request-Headers')
    .header('access-control-allow-methods', METHODS)
    .header('access-control-max-age', MAX_AGE);
  if (headers !== undefined) reply.header('access-control-allow-headers', headers);
  // Some browsers wait for a body on a 204 without a length.
  reply.code(204).header('content-length', '0').send();
  return true;
}
