// CORS (api/cors.ts): browsers call from other origins. An allowed origin is reflected with the headers its page may
// read and its preflights are answered; other origins get no CORS header; requests without an Origin get only Vary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { client, server } from './helpers.js';

const EXPOSED = 'inin-correlation-id, retry-after, inin-ratelimit-allowed, inin-ratelimit-count, inin-ratelimit-reset';
const preflight = (url: string, origin: string, extra: Record<string, string> = {}) =>
  fetch(`${url}/api/v2/conversations/callbacks`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', ...extra },
  });
const corsHeaders = (r: Response) => [...r.headers.keys()].filter((k) => k.startsWith('access-control-')).sort();

describe('CORS, default origins (pages on this machine)', () => {
  let srv: RunningServer;
  let token: string;
  beforeAll(async () => {
    srv = await server({ routing: false });
    token = await client(srv.url).app();
  });
  afterAll(async () => srv.close());

  it('answers a preflight from a local page: 204, no body, the methods, the headers asked for, cached 10 minutes', async () => {
    const r = await preflight(srv.url, 'http://[::1]:8080', { 'access-control-request-headers': 'authorization,content-type' });
    expect(r.status).toBe(204);
    expect(r.headers.get('content-length')).toBe('0');
    expect(await r.text()).toBe('');
    expect(r.headers.get('access-control-allow-origin')).toBe('http://[::1]:8080');
    expect(r.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    expect(r.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(r.headers.get('access-control-max-age')).toBe('600');
    expect(r.headers.get('access-control-expose-headers')).toBe(EXPOSED);
    expect(r.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    expect(r.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives another origin no CORS header: its preflight finds no resource (an ErrorBody), its request is answered unreadable', async () => {
    const r = await preflight(srv.url, 'https://evil.example');
    expect(r.status).toBe(404);
    expect(corsHeaders(r)).toEqual([]);
    expect(r.headers.get('vary')).toBe('Origin');
    const body = (await r.json()) as { code: string; contextId: string };
    expect(body.code).toBe('not.found');
    expect(body.contextId).toBe(r.headers.get('inin-correlation-id'));
    const get = await fetch(`${srv.url}/api/v2/routing/queues`, {
      headers: { origin: 'http://localhost.evil.example', authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(200);
    expect(corsHeaders(get)).toEqual([]);
    expect(get.headers.get('vary')).toBe('Origin');
  });

  it('an OPTIONS request that is not a preflight finds no resource, even from an allowed origin', async () => {
    const r = await fetch(`${srv.url}/api/v2/conversations/callbacks`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000' } });
    expect(r.status).toBe(404);
    expect(r.headers.get('access-control-allow-methods')).toBeNull();
    expect(((await r.json()) as { code: string }).code).toBe('not.found');
  });

  it('reflects an allowed origin on answers, errors included, and exposes the headers the SDK reads', async () => {
    const ok = await fetch(`${srv.url}/api/v2/routing/queues`, {
      headers: { origin: 'http://127.0.0.1:5173', authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(ok.headers.get('access-control-expose-headers')).toBe(EXPOSED);
    expect(ok.headers.get('vary')).toBe('Origin');
    const denied = await fetch(`${srv.url}/api/v2/routing/queues`, { headers: { origin: 'https://localhost' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('https://localhost');
    expect(corsHeaders(denied)).toEqual(['access-control-allow-origin', 'access-control-expose-headers']);
  });

  it('a request without an Origin (an SDK on Node, curl) gets Vary and its correlation id, no CORS header', async () => {
    const r = await fetch(`${srv.url}/api/v2/routing/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(corsHeaders(r)).toEqual([]);
    expect(r.headers.get('vary')).toBe('Origin');
    expect(r.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('CORS, configured origins', () => {
  it('exact origins replace the local default; * allows any', async () => {
    const exact = await server({ routing: false, corsOrigins: ['https://app.example'] });
    const any = await server({ routing: false, corsOrigins: '*' });
    try {
      expect((await preflight(exact.url, 'https://app.example')).status).toBe(204);
      const local = await preflight(exact.url, 'http://localhost:5173');
      expect(local.status).toBe(404);
      expect(corsHeaders(local)).toEqual([]);
      const far = await preflight(any.url, 'https://anywhere.example');
      expect(far.status).toBe(204);
      // The origin is reflected, not '*': a page's credentials (the Authorization header) stay usable.
      expect(far.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
    } finally {
      await Promise.all([exact.close(), any.close()]);
    }
  });
});
