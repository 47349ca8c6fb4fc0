// A corpus of bad requests never gets a 500 and never changes stored data; data survives a restart; the OpenAPI
// document covers every served route.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/api/routes.js';
import { AGENT1, QUEUE, client, server, tempDb } from './helpers.js';

describe('bad requests', () => {
  it('never get a 500 and never change stored data', async () => {
    const srv = await server();
    try {
      const c = client(srv.url);
      const app = await c.app();
      const agent = await c.agent(1);
      const created = await c.call('POST', '/api/v2/conversations/callbacks', {
        token: app,
        body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
      });
      const id = created.json.conversation.id;
      await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
      const conv = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json;
      const pid = conv.participants.at(-1).id;
      // DELETEs take no body: any request to them is a valid one (and would delete the queue the rest relies on).
      const paths = ROUTES.filter((r) => r.method !== 'GET' && r.method !== 'DELETE').map((r) => ({
        method: r.method,
        path: r.path
          .replace('{conversationId}', id)
          .replace('{participantId}', pid)
          .replace('{communicationId}', 'x')
          .replace('{queueId}', QUEUE)
          .replace('{userId}', AGENT1),
      }));
      const bodies = [
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
        '{"__proto__": {"x": 1}}',
        '{"constructor": {"prototype": {}}}',
        JSON.stringify({ deep: JSON.parse('['.repeat(200) + ']'.repeat(200)) }),
      ];
      const seen = new Set<number>();
      const tokens = [app, agent, undefined, 'junk'];
      for (const { method, path } of paths) {
        for (const raw of bodies) {
          for (const token of tokens) {
            const r = await c.call(method, path, { ...(token !== undefined ? { token } : {}), raw });
            seen.add(r.status);
            expect(r.status, `${method} ${path} ${raw}`).toBeLessThan(500);
            if (r.status >= 400) expect(r.json.code, `${method} ${path} ${raw}`).toBeTypeOf('string');
          }
        }
      }
      // Random JSON values too.
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), async ({ method, path }, value) => {
          const r = await c.call(method, path, { token: app, body: value });
          expect(r.status).toBeLessThan(500);
        }),
        { numRuns: 150 },
      );
      expect([...seen].some((s) => s >= 400)).toBe(true);
      // The conversation some of those requests may have changed is checked only where they had to fail: a fresh one.
      const fresh = await c.call('POST', '/api/v2/conversations/callbacks', {
        token: app,
        body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
      });
      const freshId = fresh.json.conversation.id;
      const snapshot = (await c.call('GET', `/api/v2/conversations/callbacks/${freshId}`, { token: app })).text;
      const invalid = [
        '{"state": 12}',
        '{"held":"yes"}',
        '{"state":"parked"}',
        '{"wrapup": {"code": "nope"}}',
        '{"state":"connected", "wrapup": {"code": 1}}',
      ];
      const fp = JSON.parse(snapshot).participants[0].id;
      for (const raw of invalid) {
        const r = await c.call('PATCH', `/api/v2/conversations/callbacks/${freshId}/participants/${fp}`, { token: app, raw });
        expect(r.status).toBe(400);
      }
      expect((await c.call('GET', `/api/v2/conversations/callbacks/${freshId}`, { token: app })).text).toBe(snapshot);
    } finally {
      await srv.close();
    }
  }, 120_000);

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
    const before = (await c1.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json;
    await first.close();
    const second = await server({ db });
    try {
      const c2 = client(second.url);
      const r = await c2.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app });
      expect(r.status).toBe(200);
      expect(r.json).toEqual(before);
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
        if (r.body !== undefined) expect(bodySchema.$ref ?? bodySchema.items.$ref).toBe(`#/components/schemas/${r.body.model}`);
      }
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(ops)) {
          const url = path.replace(/\{\w+\}/g, 'x');
          const r = await c.call(method.toUpperCase(), url);
          // Served: auth (401) or the token endpoint's own errors, never "no such route".
          expect(r.status, `${method} ${path}`).not.toBe(404);
        }
      }
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
