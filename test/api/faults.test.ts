// Fault injection: rules that fail or slow an organization's requests on demand, to test how clients cope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { QUEUE, TestClock, client, server } from './helpers.js';

let srv: RunningServer;
let c: ReturnType<typeof client>;
let token: string;
const OTHER = 'other-client:other-secret';

beforeAll(async () => {
  srv = await server({ clock: new TestClock() });
  c = client(srv.url);
  token = await c.app();
});
afterAll(async () => srv.close());

const create = (t = token) =>
  c.call('POST', '/api/v2/conversations/callbacks', { token: t, body: { queueId: QUEUE, callbackNumbers: ['+15550100'] } });
const stored = () => srv.store.exportOrganization('4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001').then((s) => s.tables.conversations?.length);

describe('fault injection', () => {
  it('a forced 429 with a chosen Retry-After, for the next N matching requests; nothing is written meanwhile', async () => {
    const before = await stored();
    const added = await c.call('POST', '/emulator/faults', {
      token,
      body: { method: 'post', path: '/api/v2/conversations/callbacks', status: 429, retryAfterSeconds: 200, count: 2 },
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({
      method: 'POST',
      status: 429,
      count: 2,
      remaining: 2,
      matched: 0,
      selfUri: `/emulator/faults/${added.json.id}`,
    });
    for (let i = 0; i < 2; i++) {
      const r = await create();
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('200');
      expect(r.json).toEqual({
        message: 'Rate limit exceeded the maximum. Retry the request in [200] seconds',
        code: 'too.many.requests.retry.after',
        status: 429,
        messageParams: {},
        contextId: r.headers.get('inin-correlation-id'),
        details: [],
        errors: [],
      });
    }
    expect(await stored()).toBe(before);
    // Other methods and paths are not touched; after N, the route serves again.
    expect((await c.call('GET', '/api/v2/routing/queues', { token })).status).toBe(200);
    expect((await create()).status).toBe(200);
    expect(await stored()).toBe((before ?? 0) + 1);
    const listed = (await c.call('GET', '/emulator/faults', { token })).json.entities;
    expect(listed).toMatchObject([{ id: added.json.id, matched: 2, remaining: 0 }]);
    await c.call('DELETE', '/emulator/faults', { token });
  });

  it('a status with its catalogue code, or a code of your own; patterns with * and /**', async () => {
    await c.call('POST', '/emulator/faults', { token, body: { path: '/api/v2/routing/queues/*/members', status: 503 } });
    await c.call('POST', '/emulator/faults', {
      token,
      body: { path: '/api/v2/users/**', status: 502, code: 'upstream.down', message: 'Down.' },
    });
    const members = await c.call('GET', `/api/v2/routing/queues/${QUEUE}/members`, { token });
    expect(members.status).toBe(503);
    expect(members.json).toMatchObject({ code: 'service.unavailable', status: 503 });
    expect(members.headers.get('retry-after')).toBe('1');
    expect((await c.call('GET', `/api/v2/routing/queues/${QUEUE}`, { token })).status).toBe(200);
    const me = await c.call('GET', '/api/v2/users/me', { token: await c.agent(1) });
    expect(me.status).toBe(502);
    expect(me.json).toMatchObject({ code: 'upstream.down', message: 'Down.', status: 502 });
    await c.call('DELETE', '/emulator/faults', { token });
    expect((await c.call('GET', `/api/v2/routing/queues/${QUEUE}/members`, { token })).status).toBe(200);
  });

  it('added latency alone: served normally, later', async () => {
    const fault = await c.call('POST', '/emulator/faults', { token, body: { path: '/api/v2/routing/queues', latencyMs: 300 } });
    const t0 = Date.now();
    const r = await c.call('GET', '/api/v2/routing/queues', { token });
    expect(r.status).toBe(200);
    expect(r.json.entities.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect((await c.call('DELETE', `/emulator/faults/${fault.json.id}`, { token })).status).toBe(204);
    expect((await c.call('DELETE', `/emulator/faults/${fault.json.id}`, { token })).json.code).toBe('emulator.fault.not.found');
  });

  it('by probability, the same sequence for the same seed', async () => {
    const run = async () => {
      await c.call('POST', '/emulator/faults', {
        token,
        body: { path: '/api/v2/routing/queues', status: 500, probability: 0.5, seed: 42 },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await c.call('GET', '/api/v2/routing/queues', { token })).status);
      await c.call('DELETE', '/emulator/faults', { token });
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it("only the organization's own requests; the emulator's controls are never faulted; a reset clears them", async () => {
    const theirs = (await c.token({ grant_type: 'client_credentials' }, OTHER)).json.access_token;
    await c.call('POST', '/emulator/faults', { token, body: { path: '/api/v2/routing/queues', status: 500 } });
    expect((await c.call('GET', '/api/v2/routing/queues', { token: theirs })).status).toBe(200);
    expect((await c.call('GET', '/emulator/faults', { token: theirs })).json.entities).toEqual([]);
    const refused = await c.call('POST', '/emulator/faults', { token, body: { path: '/emulator/**', status: 500 } });
    expect(refused.status).toBe(400);
    expect(refused.json.details[0].fieldName).toBe('/path');
    expect((await c.call('POST', '/emulator/reset', { token })).status).toBe(200);
    expect((await c.call('GET', '/emulator/faults', { token })).json.entities).toEqual([]);
    expect((await c.call('GET', '/api/v2/routing/queues', { token })).status).toBe(200);
  });

  it('refuses rules that cannot work, naming the field', async () => {
    const bad = async (body: unknown) => (await c.call('POST', '/emulator/faults', { token, body })).json.details?.[0]?.fieldName;
    expect(await bad({ path: '/api/v2/users' })).toBe('/status');
    expect(await bad({ path: 'api/v2/users', status: 500 })).toBe('/path');
    expect(await bad({ path: '/api/v2/users', status: 500, probability: 2 })).toBe('/probability');
    expect(await bad({ path: '/api/v2/users', status: 500, probability: 0.5, count: 3 })).toBe('/count');
    expect(await bad({ path: '/api/v2/users', status: 418 })).toBe('/code');
    expect(await bad({ path: '/api/v2/users', status: 200 })).toBe('/status');
  });
});
