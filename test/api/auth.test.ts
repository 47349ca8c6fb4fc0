// Logins per organization, and the limit on failed token requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { TestClock, client, server } from './helpers.js';

const clock = new TestClock();
let srv: RunningServer;
let c: ReturnType<typeof client>;

beforeAll(async () => {
  srv = await server({ clock, auth: { maxFailures: 3, failureWindowSeconds: 60 } });
  c = client(srv.url);
});
afterAll(async () => srv.close());

const OTHER = 'other-client:other-secret';

describe('logins are per organization', () => {
  it('another organization may have agent1@example.com too, learns nothing, and each logs in to its own', async () => {
    const other = (await c.token({ grant_type: 'client_credentials' }, OTHER)).json.access_token;
    const made = await c.call('POST', '/api/v2/users', {
      token: other,
      body: { name: 'Other One', email: 'agent1@example.com', password: 'elsewhere' },
    });
    expect(made.status).toBe(200);
    const again = await c.call('POST', '/api/v2/users', { token: other, body: { name: 'Twice', email: 'agent1@example.com' } });
    expect(again.json).toMatchObject({ status: 409, code: 'general.conflict' });
    const theirs = await c.token({ grant_type: 'password', username: 'agent1@example.com', password: 'elsewhere' }, OTHER);
    const ours = await c.token({ grant_type: 'password', username: 'agent1@example.com', password: 'callbackd' });
    const me = async (token: string) => (await c.call('GET', '/api/v2/users/me', { token })).json;
    expect((await me(theirs.json.access_token)).id).toBe(made.json.id);
    expect((await me(ours.json.access_token)).email).toBe('agent1@example.com');
    expect((await me(ours.json.access_token)).id).not.toBe(made.json.id);
    // One organization's password does not open the other's user.
    expect((await c.token({ grant_type: 'password', username: 'agent1@example.com', password: 'elsewhere' })).json.error).toBe(
      'invalid_grant',
    );
  });
});

describe('failed token requests are limited', () => {
  it('after 3 wrong passwords a login gets 429 with Retry-After, the right password too, until the window passes', async () => {
    const wrong = () => c.token({ grant_type: 'password', username: 'agent2@example.com', password: 'guess' });
    for (let i = 0; i < 3; i++) expect((await wrong()).json.error).toBe('invalid_grant');
    const limited = await c.token({ grant_type: 'password', username: 'agent2@example.com', password: 'callbackd' });
    expect(limited.json).toMatchObject({ status: 429, code: 'too.many.requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    // Other logins are not held up.
    expect((await c.token({ grant_type: 'password', username: 'agent1@example.com', password: 'callbackd' })).status).toBe(200);
    clock.advanceSeconds(61);
    expect((await c.token({ grant_type: 'password', username: 'agent2@example.com', password: 'callbackd' })).status).toBe(200);
  });

  it('after 3 wrong client secrets the client id is limited', async () => {
    for (let i = 0; i < 3; i++)
      expect((await c.token({ grant_type: 'client_credentials' }, 'callbackd-dev:nope')).json.error).toBe('invalid_client');
    const limited = await c.token({ grant_type: 'client_credentials' });
    expect(limited.json).toMatchObject({ status: 429, code: 'too.many.requests' });
    expect(limited.headers.get('retry-after')).not.toBeNull();
    clock.advanceSeconds(61);
    expect((await c.token({ grant_type: 'client_credentials' })).status).toBe(200);
  });
});

describe('an expired token', () => {
  it('is refused with bad.credentials and a message that says it expired, on the service clock', async () => {
    const token = (await c.token({ grant_type: 'client_credentials' })).json.access_token;
    expect((await c.call('GET', '/api/v2/users/me', { token })).status).not.toBe(401);
    const issued = clock.now().getTime();
    clock.advance(24 * 3600_000);
    const res = await c.call('GET', '/api/v2/routing/queues', { token });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('bad.credentials');
    expect(res.json.message).toBe(
      `Invalid login credentials: the access token expired at ${new Date(issued + 24 * 3600_000).toISOString()} (the service's clock is at ` +
        `${clock.now().toISOString()}); get a new one from POST /oauth/token.`,
    );
    // So is a request with a body (authenticated before its body is read).
    const post = await c.call('POST', '/api/v2/conversations/callbacks', {
      token,
      body: { queueId: 'x', callbackNumbers: ['+13175550100'] },
    });
    expect(post.status).toBe(401);
    expect(post.json.message).toMatch(/^Invalid login credentials: the access token expired at /);
    // A token that never existed still says only that.
    expect((await c.call('GET', '/api/v2/routing/queues', { token: 'nope' })).json.message).toBe('Invalid login credentials.');
  });
});
