// The request journal: what a test's code under test sent, with status, correlation id and (on demand) bodies,
// newest first, filtered, bounded, per organization.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { RequestJournal } from '../../src/service/journal.js';
import { QUEUE, client, server } from './helpers.js';

let srv: RunningServer;
let api: ReturnType<typeof client>;
let app: string;
beforeAll(async () => {
  srv = await server({ routing: false });
  api = client(srv.url);
  app = await api.app();
});
afterAll(async () => srv.close());

it('lists recent requests of the organization, newest first, filtered, with bodies on demand; DELETE clears', async () => {
  await api.call('DELETE', '/emulator/requests', { token: app });
  const ok = await api.call('POST', '/api/v2/conversations/callbacks', {
    token: app,
    body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
  });
  const bad = await api.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { queueId: QUEUE, callbackNumbers: 'nope' } });
  await api.call('GET', `/api/v2/conversations/callbacks/${ok.json.conversation.id}?x=1`, { token: app });
  const list = await api.call('GET', '/emulator/requests', { token: app });
  expect(list.json.entities.map((e: any) => [e.method, e.path, e.status])).toEqual([
    ['GET', `/api/v2/conversations/callbacks/${ok.json.conversation.id}`, 200],
    ['POST', '/api/v2/conversations/callbacks', 400],
    ['POST', '/api/v2/conversations/callbacks', 200],
  ]);
  expect(list.json.entities[0]).toMatchObject({ query: 'x=1', correlationId: expect.any(String), durationMs: expect.any(Number) });
  expect(list.json.entities[1].correlationId).toBe(bad.json.contextId);
  expect(list.json.entities[1].requestBody).toBeUndefined();
  const withBodies = await api.call('GET', '/emulator/requests?status=400&includeBody=true', { token: app });
  expect(withBodies.json.entities).toHaveLength(1);
  expect(JSON.parse(withBodies.json.entities[0].requestBody)).toEqual({ queueId: QUEUE, callbackNumbers: 'nope' });
  expect(JSON.parse(withBodies.json.entities[0].responseBody)).toMatchObject({ status: 400, code: 'bad.request' });
  expect((await api.call('GET', '/emulator/requests?method=get&path=/api/v2/conversations', { token: app })).json.entities).toHaveLength(1);
  expect((await api.call('GET', '/emulator/requests?limit=2', { token: app })).json.entities).toHaveLength(2);
  // Another organization sees none of ours.
  const other = (await api.token({ grant_type: 'client_credentials' }, 'other-client:other-secret')).json.access_token as string;
  expect((await api.call('GET', '/emulator/requests', { token: other })).json.entities).toEqual([]);
  expect((await api.call('DELETE', '/emulator/requests', { token: app })).status).toBe(204);
  expect((await api.call('GET', '/emulator/requests', { token: app })).json.entities).toEqual([]);
});

it('journals every answer of a known caller: a fault, a 404, a body Fastify refuses before the handler, a 204; not an unknown caller', async () => {
  await api.call('DELETE', '/emulator/requests', { token: app });
  await api.call('POST', '/emulator/faults', {
    token: app,
    body: { method: 'GET', path: '/api/v2/routing/queues', status: 503, count: 1 },
  });
  const fault = await api.call('GET', '/api/v2/routing/queues', { token: app });
  expect(fault.status).toBe(503);
  const missing = await api.call('GET', '/api/v2/conversations/callbacks/0d4e0000-0000-4000-8000-00000000dead', { token: app });
  expect(missing.status).toBe(404);
  const notJson = await api.call('POST', '/api/v2/conversations/callbacks', { token: app, raw: '{"queueId":' });
  expect(notJson.status).toBe(400);
  const cleared = await api.call('DELETE', '/emulator/faults', { token: app });
  expect(cleared.status).toBe(204);
  await api.call('GET', '/api/v2/routing/queues', { token: 'not-a-token' });
  const list = await api.call('GET', '/emulator/requests?includeBody=true', { token: app });
  expect(list.json.entities.map((e: any) => [e.method, e.path, e.status, e.correlationId])).toEqual([
    ['DELETE', '/emulator/faults', 204, cleared.headers.get('inin-correlation-id')],
    ['POST', '/api/v2/conversations/callbacks', 400, notJson.json.contextId],
    ['GET', '/api/v2/conversations/callbacks/0d4e0000-0000-4000-8000-00000000dead', 404, missing.json.contextId],
    ['GET', '/api/v2/routing/queues', 503, fault.json.contextId],
    ['POST', '/emulator/faults', 200, expect.any(String)],
  ]);
  const [deleted, refused, notFound, injected] = list.json.entities;
  expect(deleted.responseBody).toBeUndefined();
  expect(refused.requestBody).toBeUndefined();
  expect(JSON.parse(refused.responseBody)).toMatchObject({ status: 400, code: 'bad.request' });
  expect(refused.responseBody).toBe(notJson.text);
  expect(notFound.responseBody).toBe(missing.text);
  expect(injected.responseBody).toBe(fault.text);
  for (const e of list.json.entities) expect(e.durationMs).toBeGreaterThanOrEqual(0);
});

it('keeps only the most recent entries and cuts long bodies', () => {
  const j = new RequestJournal(3);
  for (let i = 0; i < 5; i++)
    j.record({
      orgId: 'o',
      method: 'GET',
      url: `/p${i}?n=${i}`,
      status: 200,
      at: 0,
      durationMs: 1,
      correlationId: `c${i}`,
      requestBody: undefined,
      responseBody: 'x'.repeat(20_000),
    });
  const all = j.list('o', { limit: 10, includeBody: true });
  expect(all.map((e) => [e.path, e.query])).toEqual([
    ['/p4', 'n=4'],
    ['/p3', 'n=3'],
    ['/p2', 'n=2'],
  ]);
  expect(all[0]?.responseBody?.length).toBe(16 * 1024 + 1);
});

it('keeps bodies as UTF-8 in a bounded ring: cut on a whole character, whole ones back as sent, the oldest lose theirs first', () => {
  const j = new RequestJournal(10, 64 * 1024);
  const entry = (i: number, responseBody: string | undefined, requestBody?: unknown) =>
    j.record({
      orgId: 'o',
      method: 'POST',
      url: `/p${i}`,
      status: 200,
      at: 0,
      durationMs: 1,
      correlationId: `c${i}`,
      requestBody,
      responseBody,
    });
  entry(0, '{"name":"Zoë Çelik ✓ 𝄞"}', { name: 'Zoë', n: 1 });
  // A body of 3-byte characters whose 16 KiB limit falls inside a character: cut before it.
  entry(1, '✓'.repeat(6000));
  const bodies = () => new Map(j.list('o', { limit: 10, includeBody: true }).map((e) => [e.correlationId, e]));
  expect(bodies().get('c0')).toMatchObject({ responseBody: '{"name":"Zoë Çelik ✓ 𝄞"}', requestBody: '{"name":"Zoë","n":1}' });
  expect(bodies().get('c1')?.responseBody).toBe(`${'✓'.repeat(Math.floor((16 * 1024) / 3))}…`);
  // Four more 16 KiB bodies fill the 64 KiB ring past the first two; the newest keep theirs.
  for (let i = 2; i < 6; i++) entry(i, String(i).repeat(16 * 1024));
  const now = bodies();
  expect(now.get('c0')).not.toHaveProperty('responseBody');
  expect(now.get('c0')).not.toHaveProperty('requestBody');
  expect(now.get('c1')).not.toHaveProperty('responseBody');
  expect(now.get('c5')?.responseBody).toBe('5'.repeat(16 * 1024));
  expect(now.get('c3')?.responseBody).toBe('3'.repeat(16 * 1024));
  expect([...now.keys()]).toEqual(['c5', 'c4', 'c3', 'c2', 'c1', 'c0']);
});

it('never keeps the body of a token request', () => {
  const j = new RequestJournal(3);
  j.record({
    orgId: 'o',
    method: 'POST',
    url: '/oauth/token',
    status: 200,
    at: 0,
    durationMs: 1,
    correlationId: 'c',
    requestBody: { grant_type: 'password', password: 'hunter2' },
    responseBody: '{"access_token":"t"}',
  });
  const [e] = j.list('o', { limit: 1, includeBody: true });
  expect(e).not.toHaveProperty('requestBody');
  expect(e?.responseBody).toBe('{"access_token":"t"}');
  expect((j as unknown as { ring: Buffer }).ring.includes('hunter2')).toBe(false);
});
