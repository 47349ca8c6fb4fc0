// A corpus of bad requests never gets a 500 and never changes stored data; data survives a restart; the OpenAPI
// document covers every served route.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/api/routes/index.js';
import { AGENT1, QUEUE, client, server, snapshot, tempDb } from './helpers.js';

const BODIES = [
  '',
  'null',
  '[]',
  '"text"',
  '42',
  'true',
  '{',
  '{"a":',
  '\u0000',
  '{"state": 12}',
  '{"state":"exploded"}',
  '{"held":"yes"}',
  '{"wrapup": []}',
  '{"wrapup": {"endTime": "2026-02-30T00:00:00Z"}}',
  '{"resumeTime": "soon", "state": "parked"}',
  '{"state":"parked"}',
  '{"callbackNumbers": [null]}',
  '{"attributes": {"a": {}}}',
  '{"attributes": null}',
  '{"conversationId": 5}',
  '{"id": null}',
  '{"callNumber": ["+1"]}',
  '{"recordingState": "LOUD"}',
  '{"patchCallbackRequests": [{}]}',
  '{"callbackDisconnectIdentifiers": "x"}',
  '{"userId": "nobody"}',
  '{"address": "+13175550100"}',
  '{"advance": "soon"}',
  '{"__proto__": {"x": 1}}',
  '{"constructor": {"prototype": {}}}',
  JSON.stringify({ deep: JSON.parse('['.repeat(200) + ']'.repeat(200)) }),
];

/**
 * Requests in the corpus that are valid: a POST whose body is optional, sent without one, and adding no members or
 * codes to a queue. Each must succeed (so the corpus is known to reach the service), and the target is rebuilt after.
 */
const VALID = new Set([
  'POST /api/v2/conversations/{conversationId}/participants/{participantId}/callbacks ',
  'POST /api/v2/routing/queues/{queueId}/members []',
  'POST /api/v2/routing/queues/{queueId}/wrapupcodes []',
]);

describe('bad requests', () => {
  it('never get a 500 and never change stored data, whoever sends them', async () => {
    const db = tempDb();
    const srv = await server({ db });
    try {
      const c = client(srv.url);
      const tokens = { app: await c.app(), agent: await c.agent(1) };
      /** A target conversation offered to agent 1, and the paths of every route that takes a body, on it. */
      const target = async () => {
        const created = await c.call('POST', '/api/v2/conversations/callbacks', {
          token: tokens.app,
          body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
        });
        const id = created.json.conversation.id;
        await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: tokens.app, body: { id: AGENT1 } });
        const conv = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: tokens.app })).json;
        const pid = conv.participants.at(-1).id;
        return (path: string) =>
          path
            .replace('{conversationId}', id)
            .replace('{participantId}', pid)
            .replace('{communicationId}', 'x')
            .replace('{queueId}', QUEUE)
            .replace('{userId}', AGENT1);
      };
      // Routes that take a body. Those that take none ignore whatever is sent (any request to them is valid); the
      // token endpoint has its own error shape, tested below.
      const routes = ROUTES.filter((r) => r.body !== undefined && r.auth === 'bearer');
      let at = await target();
      let before = snapshot(db);
      const succeeded: string[] = [];
      for (const r of routes) {
        for (const raw of BODIES) {
          const what = `${r.method} ${r.path} ${raw.slice(0, 40)}`;
          // Without a token, or with a forged one: refused before anything is read.
          const none = await c.call(r.method, at(r.path), { raw });
          expect(none.json, what).toMatchObject({ status: 401, code: 'authentication.required' });
          const junk = await c.call(r.method, at(r.path), { token: 'junk', raw });
          expect(junk.json, what).toMatchObject({ status: 401, code: 'bad.credentials' });
          for (const [who, token] of Object.entries(tokens)) {
            const res = await c.call(r.method, at(r.path), { token, raw });
            expect(res.status, `${who}: ${what}`).toBeLessThan(500);
            if (res.status >= 400) {
              expect(res.json, `${who}: ${what}`).toMatchObject({
                status: res.status,
                code: expect.any(String),
                contextId: expect.any(String),
              });
              expect(snapshot(db), `${who}: ${what} changed stored data`).toBe(before);
            } else {
              succeeded.push(`${r.method} ${r.path} ${raw}`);
              at = await target();
              before = snapshot(db);
            }
          }
        }
      }
      expect([...new Set(succeeded)].sort()).toEqual([...VALID].sort());
      // Random JSON values too: never a 500, and nothing changes when refused.
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 3 }), async (r, value) => {
          const res = await c.call(r.method, at(r.path), { token: tokens.app, body: value });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(snapshot(db)).toBe(before);
          else {
            at = await target();
            before = snapshot(db);
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      await srv.close();
    }
  }, 180_000);

  it('the token endpoint answers every bad request in the OAuth error shape, never a 500, and issues nothing', async () => {
    const db = tempDb();
    const srv = await server({ db });
    try {
      const before = snapshot(db);
      const count = () => {
        const d = new Database(db, { readonly: true });
        const n = (d.prepare('SELECT COUNT(*) AS n FROM tokens').get() as { n: number }).n;
        d.close();
        return n;
      };
      const tokensBefore = count();
      const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
      const cases: { headers?: Record<string, string>; raw: string; type: string; error: string }[] = [
        { raw: 'grant_type=client_credentials', type: 'application/x-www-form-urlencoded', error: 'invalid_client' },
        { raw: '', type: 'application/x-www-form-urlencoded', error: 'invalid_request' },
        {
          headers: { authorization: basic('callbackd-dev:wrong') },
          raw: 'grant_type=client_credentials',
          type: 'application/x-www-form-urlencoded',
          error: 'invalid_client',
        },
        {
          headers: { authorization: basic('nocolon') },
          raw: 'grant_type=client_credentials',
          type: 'application/x-www-form-urlencoded',
          error: 'invalid_client',
        },
        {
          headers: { authorization: basic('%ff:secret') },
          raw: 'grant_type=client_credentials',
          type: 'application/x-www-form-urlencoded',
          error: 'invalid_client',
        },
        {
          headers: { authorization: basic('callbackd-dev:callbackd-dev-secret') },
          raw: 'grant_type=implicit',
          type: 'application/x-www-form-urlencoded',
          error: 'unsupported_grant_type',
        },
        {
          headers: { authorization: basic('callbackd-dev:callbackd-dev-secret') },
          raw: 'grant_type=password&username=agent1@example.com',
          type: 'application/x-www-form-urlencoded',
          error: 'invalid_request',
        },
        {
          headers: { authorization: basic('callbackd-dev:callbackd-dev-secret') },
          raw: '{"grant_type":"password","username":{"a":1},"password":"x"}',
          type: 'application/json',
          error: 'invalid_request',
        },
        {
          raw: '{"grant_type":"client_credentials","client_id":{},"client_secret":["x"]}',
          type: 'application/json',
          error: 'invalid_client',
        },
      ];
      for (const k of cases) {
        const res = await fetch(`${srv.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': k.type, ...(k.headers ?? {}) },
          body: k.raw,
        });
        const json = (await res.json()) as { error: string; error_description: string };
        expect(res.status, k.raw).toBeLessThan(500);
        expect(json, k.raw).toMatchObject({ error: k.error, error_description: expect.any(String) });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      expect(count()).toBe(tokensBefore);
      expect(snapshot(db)).toBe(before);
    } finally {
      await srv.close();
    }
  });

  it('a failing multi-step change leaves nothing behind', async () => {
    const srv = await server();
    try {
      const c = client(srv.url);
      const app = await c.app();
      const id = (
        await c.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] } })
      ).json.conversation.id;
      await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
      const before = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).text;
      const pid = JSON.parse(before).participants.at(-1).id;
      // answer succeeds, the wrap-up after it must fail (not in ACW): the answer must not be kept either.
      const r = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}`, {
        token: app,
        body: { state: 'connected', wrapup: { code: 'c0de0000-0000-4000-8000-000000000001' } },
      });
      expect(r.json.code).toBe('conversation.error.wrapup.not.pending');
      expect((await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).text).toBe(before);
    } finally {
      await srv.close();
    }
  });
});

describe('persistence', () => {
  it('data survives a restart on the same file', async () => {
    const db = tempDb();
    const first = await server({ db });
    const c1 = client(first.url);
    const app = await c1.app();
    const id = (
      await c1.call('POST', '/api/v2/conversations/callbacks', {
        token: app,
        body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], data: { k: 'v' } },
      })
    ).json.conversation.id;
    await c1.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
    const before = await c1.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app });
    await first.close();
    const second = await server({ db });
    try {
      const c2 = client(second.url);
      // The first read of a conversation the new process has not decoded is served from its stored text: byte for byte.
      const r = await c2.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app });
      expect(r.status).toBe(200);
      expect(r.text).toBe(before.text);
      expect(r.json.participants.map((p: { purpose: string }) => p.purpose)).toEqual(['customer', 'acd', 'agent']);
      const again = await c2.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: await c2.app() });
      expect(again.json.participants.at(-1).state).toBe('alerting');
    } finally {
      await second.close();
    }
  });
});

describe('OpenAPI', () => {
  it('documents every served route, and every documented route is served', async () => {
    const srv = await server();
    try {
      const c = client(srv.url);
      const doc = (await c.call('GET', '/api/v2/docs/openapi.json')).json;
      expect(doc.openapi).toBe('3.0.3');
      for (const r of ROUTES) {
        const op = doc.paths[r.path]?.[r.method.toLowerCase()];
        expect(op, `${r.method} ${r.path}`).toBeDefined();
        expect(op.operationId).toBe(r.operationId);
        const bodySchema = op.requestBody?.content['application/json'].schema;
        if (r.body !== undefined && 'model' in r.body)
          expect(bodySchema.$ref ?? bodySchema.items.$ref).toBe(`#/components/schemas/${r.body.model}`);
      }
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(ops)) {
          const url = path.replace(/\{\w+\}/g, 'x');
          const r = await c.call(method.toUpperCase(), url);
          // Served: auth (401) or the token endpoint's own errors, never "no such route".
          expect(r.status, `${method} ${path}`).not.toBe(404);
        }
      }
      // The token endpoint, the emulator's controls and this document are routes like the others.
      expect(doc.paths['/oauth/token'].post).toMatchObject({ operationId: 'oauthToken', security: [{ 'OAuth client': [] }] });
      expect(Object.keys(doc.paths['/oauth/token'].post.requestBody.content)).toContain('application/x-www-form-urlencoded');
      expect(doc.paths['/emulator/clock'].post.requestBody.content['application/json'].schema.$ref).toBe(
        '#/components/schemas/EmulatorClockRequest',
      );
      expect(doc.paths['/api/v2/docs/openapi.json'].get.security).toEqual([]);
      // Declared query parameters, with their ranges.
      expect(doc.paths['/api/v2/users'].get.parameters).toContainEqual(
        expect.objectContaining({ name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 25 } }),
      );
      expect((await c.call('GET', '/api/v2/users?pageSize=0', { token: await c.app() })).json).toMatchObject({
        status: 400,
        code: 'invalid.value',
        details: [{ fieldName: 'pageSize' }],
      });
      const participant = doc.components.schemas.CallbackMediaParticipant;
      expect(Object.keys(participant.properties)).toHaveLength(47);
      expect(participant.properties.user.allOf[0].$ref).toBe('#/components/schemas/DomainEntityRef');
      expect(participant.properties.attributes.additionalProperties).toEqual({ type: 'string' });
      expect(JSON.stringify(doc)).not.toContain('patternProperties');
    } finally {
      await srv.close();
    }
  });
});
