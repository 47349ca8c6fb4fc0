// Rate limits as Genesys applies them: every request with a token learns its budget in the inin-ratelimit-* headers;
// past it, 429 too.many.requests.retry.after with an integer Retry-After, when the organization enforces its limits.
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { fixturePath } from '../helpers.js';
import { TestClock, client, server, tempDb } from './helpers.js';

const clock = new TestClock();
let srv: RunningServer;
let c: ReturnType<typeof client>;
const OTHER = 'other-client:other-secret';

// The second organization of the fixture seed enforces 2 requests a minute per client-credentials token.
const seedFile = (() => {
  const seed = JSON.parse(readFileSync(fixturePath('seed-two-orgs.json'), 'utf8'));
  seed.organizations[1].rateLimits = { enforce: true, clientCredentialsPerMinute: 2 };
  const file = `${tempDb()}.seed.json`;
  writeFileSync(file, JSON.stringify(seed));
  return file;
})();

beforeAll(async () => {
  srv = await server({ clock, seedFile });
  c = client(srv.url);
});
afterAll(async () => srv.close());

const limits = (r: { headers: Headers }) => ({
  allowed: r.headers.get('inin-ratelimit-allowed'),
  count: r.headers.get('inin-ratelimit-count'),
  reset: r.headers.get('inin-ratelimit-reset'),
});

describe('rate limits', () => {
  it("every response to a token carries its budget, count and reset, and the correlation id; Genesys' budgets by default", async () => {
    const token = await c.app();
    const first = await c.call('GET', '/api/v2/routing/queues', { token });
    expect(limits(first)).toEqual({ allowed: '300', count: '1', reset: '60' });
    expect(first.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    clock.advanceSeconds(10);
    // An error is counted too: the request was made.
    const missing = await c.call('GET', '/api/v2/conversations/callbacks/nope', { token });
    expect(missing.status).toBe(404);
    expect(limits(missing)).toEqual({ allowed: '300', count: '2', reset: '50' });
    // A user token: 3,000 a minute, its own window per user and client.
    const agent = await c.agent(1);
    expect(limits(await c.call('GET', '/api/v2/users/me', { token: agent }))).toEqual({ allowed: '3000', count: '1', reset: '60' });
    // The emulator's controls report the budget but do not spend it.
    expect(limits(await c.call('GET', '/emulator/clock', { token }))).toMatchObject({ count: '2' });
    clock.advanceSeconds(50);
    expect(limits(await c.call('GET', '/api/v2/routing/queues', { token }))).toMatchObject({ count: '1', reset: '60' });
  });

  it('counted but not enforced by default: past the budget the requests still pass', async () => {
    const token = await c.app();
    const set = await c.call('PUT', '/emulator/ratelimits', { token, body: { clientCredentialsPerMinute: 2 } });
    expect(set.json).toEqual({ enforce: false, clientCredentialsPerMinute: 2, userPerMinute: 3000 });
    for (let i = 1; i <= 3; i++) {
      const r = await c.call('GET', '/api/v2/routing/queues', { token });
      expect(r.status).toBe(200);
      expect(limits(r)).toMatchObject({ allowed: '2', count: String(i) });
    }
    await c.call('PUT', '/emulator/ratelimits', { token, body: { clientCredentialsPerMinute: 300 } });
  });

  it('enforced: the request past the budget gets the normalized 429, with an integer Retry-After; the next window passes', async () => {
    const token = await c.app();
    expect((await c.call('PUT', '/emulator/ratelimits', { token, body: { enforce: true, clientCredentialsPerMinute: 2 } })).status).toBe(
      200,
    );
    expect((await c.call('GET', '/api/v2/routing/queues', { token })).status).toBe(200);
    clock.advanceSeconds(18);
    expect((await c.call('GET', '/api/v2/routing/queues', { token })).status).toBe(200);
    const refused = await c.call('POST', '/api/v2/conversations/callbacks', {
      token,
      body: { queueId: '0e0e0e0e-0000-4000-8000-000000000001', callbackNumbers: ['+15550100'] },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('42');
    expect(limits(refused)).toEqual({ allowed: '2', count: '2', reset: '42' });
    expect(refused.json).toEqual({
      message: 'Rate limit exceeded the maximum. Retry the request in [42] seconds',
      code: 'too.many.requests.retry.after',
      status: 429,
      messageParams: {},
      contextId: refused.headers.get('inin-correlation-id'),
      details: [],
      errors: [],
    });
    // Nothing was created by the refused request.
    expect((await c.call('GET', '/emulator/requests?status=202', { token })).json.entities).toEqual([]);
    // Another token of the same client has its own window; the emulator's controls are never refused.
    expect((await c.call('GET', '/api/v2/routing/queues', { token: await c.app() })).status).toBe(200);
    expect((await c.call('GET', '/emulator/ratelimits', { token })).status).toBe(200);
    clock.advanceSeconds(42);
    expect(limits(await c.call('GET', '/api/v2/routing/queues', { token }))).toMatchObject({ count: '1' });
    await c.call('PUT', '/emulator/ratelimits', { token, body: { enforce: false, clientCredentialsPerMinute: 300 } });
  });

  it("an organization's limits from the seed; a reset brings them back; one organization's limits are not another's", async () => {
    const theirs = (await c.token({ grant_type: 'client_credentials' }, OTHER)).json.access_token;
    expect((await c.call('GET', '/emulator/ratelimits', { token: theirs })).json).toEqual({
      enforce: true,
      clientCredentialsPerMinute: 2,
      userPerMinute: 3000,
    });
    expect((await c.call('GET', '/api/v2/routing/queues', { token: theirs })).status).toBe(200);
    expect((await c.call('GET', '/api/v2/routing/queues', { token: theirs })).status).toBe(200);
    expect((await c.call('GET', '/api/v2/routing/queues', { token: theirs })).status).toBe(429);
    expect((await c.call('GET', '/emulator/ratelimits', { token: await c.app() })).json.enforce).toBe(false);
    await c.call('PUT', '/emulator/ratelimits', { token: theirs, body: { enforce: false } });
    expect((await c.call('GET', '/api/v2/routing/queues', { token: theirs })).status).toBe(200);
    expect((await c.call('POST', '/emulator/reset', { token: theirs })).status).toBe(200);
    expect((await c.call('GET', '/emulator/ratelimits', { token: theirs })).json.enforce).toBe(true);
    // The reset forgot the window: two more pass.
    expect((await c.call('GET', '/api/v2/routing/queues', { token: theirs })).status).toBe(200);
  });

  it('a bad setting is refused at its field', async () => {
    const res = await c.call('PUT', '/emulator/ratelimits', { token: await c.app(), body: { userPerMinute: 0 } });
    expect(res.status).toBe(400);
    expect(res.json.details[0].fieldName).toBe('/userPerMinute');
  });
});
