import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, OTHER_QUEUE, QUEUE, RESOLVED, TestClock, client, server } from './helpers.js';

let srv: RunningServer;
let c: ReturnType<typeof client>;
let app: string;
let agent1: string;
let agent2: string;
const clock = new TestClock();

beforeAll(async () => {
  srv = await server({ clock });
  c = client(srv.url);
  app = await c.app();
  agent1 = await c.agent(1);
  agent2 = await c.agent(2);
});
afterAll(async () => srv.close());

const create = async (body: Record<string, unknown> = {}) => {
  const r = await c.call('POST', '/api/v2/conversations/callbacks', {
    token: app,
    body: {
      queueId: QUEUE,
      callbackNumbers: ['+13175550100', '+13175550101'],
      callbackUserName: 'Pat Doe',
      data: { orderId: 'A-17' },
      ...body,
    },
  });
  expect(r.status).toBe(200);
  return r.json.conversation.id as string;
};
const get = async (id: string) => (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json;
const agentLeg = async (id: string, userId = AGENT1) =>
  (await get(id)).participants.filter((p: any) => p.purpose === 'agent' && p.user.id === userId).at(-1);
const assign = async (id: string, userId = AGENT1) =>
  expect((await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: userId } })).status).toBe(202);
const patch = (id: string, pid: string, body: unknown, token = agent1) =>
  c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}`, { token, body });

describe('OAuth', () => {
  it('client credentials with Basic auth, and the password grant for users', async () => {
    const r = await c.token({ grant_type: 'client_credentials' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: 'bearer', expires_in: 86400 });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const me = await c.call('GET', '/api/v2/users/me', { token: agent1 });
    expect(me.json).toMatchObject({ id: AGENT1, email: 'agent1@example.com', name: 'Agent One' });
  });

  it('errors as RFC 6749', async () => {
    const bad = await c.token({ grant_type: 'client_credentials' }, 'callbackd-dev:wrong');
    expect(bad).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(bad.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await c.token({ grant_type: 'password', username: 'agent1@example.com', password: 'nope' })).json.error).toBe('invalid_grant');
    expect((await c.token({ grant_type: 'password', username: 'agent9@other.example', password: 'other' })).json.error).toBe(
      'invalid_grant',
    );
    expect((await c.token({ grant_type: 'authorization_code' })).json.error).toBe('unsupported_grant_type');
    expect((await c.token({})).json.error).toBe('invalid_request');
  });

  it('every /api/v2 route needs a valid, unexpired bearer token', async () => {
    const none = await c.call('GET', '/api/v2/routing/queues');
    expect(none).toMatchObject({ status: 401, json: { code: 'authentication.required', status: 401 } });
    expect((await c.call('GET', '/api/v2/routing/queues', { token: 'forged' })).json.code).toBe('bad.credentials');
    await srv.store.putToken({
      token: 'old',
      orgId: '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001',
      clientId: 'callbackd-dev',
      expiresAt: new Date(clock.t.getTime() - 1),
    });
    expect((await c.call('GET', '/api/v2/routing/queues', { token: 'old' })).json.code).toBe('bad.credentials');
  });
});

describe('discovery', () => {
  it('lists the seeded queue and users in Platform API shapes', async () => {
    const queues = await c.call('GET', '/api/v2/routing/queues', { token: app });
    expect(queues.json).toMatchObject({
      pageSize: 25,
      pageNumber: 1,
      total: 1,
      pageCount: 1,
      entities: [
        {
          id: QUEUE,
          name: 'Callbacks',
          memberCount: 2,
          mediaSettings: { callback: { alertingTimeoutSeconds: 30 } },
          acwSettings: { wrapupPrompt: 'MANDATORY_TIMEOUT', timeoutMs: 120000 },
        },
      ],
    });
    const users = await c.call('GET', '/api/v2/users?pageSize=1&pageNumber=2', { token: app });
    expect(users.json).toMatchObject({
      pageSize: 1,
      pageNumber: 2,
      total: 2,
      pageCount: 2,
      entities: [{ id: AGENT2 }],
      previousUri: '/api/v2/users?pageSize=1&pageNumber=1',
    });
    expect(users.json.nextUri).toBeUndefined();
    expect((await c.call('GET', `/api/v2/users/${AGENT1}`, { token: app })).json.email).toBe('agent1@example.com');
    expect((await c.call('GET', `/api/v2/routing/queues/${QUEUE}`, { token: app })).json.selfUri).toBe(`/api/v2/routing/queues/${QUEUE}`);
    expect((await c.call('GET', '/api/v2/users/me', { token: app })).status).toBe(400);
  });
});

describe('a callback through its life', () => {
  it('create, assign, answer, dial, hold, disconnect, wrap up', async () => {
    const id = await create();
    let conv = await get(id);
    expect(conv.selfUri).toBe(`/api/v2/conversations/callbacks/${id}`);
    expect(conv.participants.map((p: any) => [p.purpose, p.state])).toEqual([
      ['customer', 'connected'],
      ['acd', 'connected'],
    ]);
    expect(conv.participants[0].attributes).toEqual({ orderId: 'A-17' });
    await assign(id);
    const leg = await agentLeg(id);
    expect(leg).toMatchObject({ state: 'alerting', alertingTimeoutMs: 30000, wrapupPrompt: 'timeout', wrapupTimeoutMs: 120000 });
    expect((await patch(id, leg.id, { held: true })).json.code).toBe('conversation.error.hold.alerting');
    expect((await patch(id, leg.id, { state: 'connected' })).status).toBe(202);
    expect(await agentLeg(id)).toMatchObject({ state: 'connected', connectedTime: clock.t.toISOString() });
    // The ACD leg handed the callback over.
    expect((await get(id)).participants[1]).toMatchObject({ purpose: 'acd', state: 'disconnected', disconnectType: 'transfer' });
    const mine = await c.call('GET', '/api/v2/conversations/callbacks', { token: agent1 });
    expect(mine.json.entities.map((e: any) => e.id)).toContain(id);
    expect((await c.call('GET', '/api/v2/conversations/callbacks', { token: app })).status).toBe(400);
    const call = await c.call('POST', `/api/v2/conversations/calls/${id}`, { token: agent1, body: { callNumber: '+13175550101' } });
    expect(call.status).toBe(200);
    expect(call.json.participants.find((p: any) => p.id === leg.id).callbacks[0]).toMatchObject({
      state: 'connected',
      afterCallWork: { state: 'notApplicable' },
    });
    expect((await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.otherMediaUris).toEqual([
      `/api/v2/conversations/calls/${id}`,
    ]);
    expect((await patch(id, leg.id, { held: true })).status).toBe(202);
    expect((await agentLeg(id)).held).toBe(true);
    expect((await patch(id, leg.id, { held: false })).status).toBe(202);
    expect(await agentLeg(id)).toMatchObject({ state: 'connected', held: false });
    expect((await agentLeg(id)).startHoldTime).toBeUndefined();
    expect((await patch(id, leg.id, { state: 'disconnected' })).status).toBe(202);
    expect(await agentLeg(id)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'client',
      endTime: clock.t.toISOString(),
      startAcwTime: clock.t.toISOString(),
      wrapupRequired: true,
    });
    conv = await get(id);
    expect(conv.participants.every((p: any) => p.state === 'disconnected')).toBe(true);
    const codes = await c.call('GET', `/api/v2/conversations/callbacks/${id}/participants/${leg.id}/wrapupcodes`, { token: agent1 });
    expect(codes.json.map((w: any) => w.name)).toEqual(['Resolved', 'Call back later', 'No answer'].sort());
    expect((await patch(id, leg.id, { wrapup: { notes: 'x' } })).json.code).toBe('conversation.error.wrapup.code.required');
    clock.advanceSeconds(20);
    expect((await patch(id, leg.id, { wrapup: { code: RESOLVED, notes: 'all good' } })).status).toBe(202);
    const wrapup = await c.call('GET', `/api/v2/conversations/callbacks/${id}/participants/${leg.id}/wrapup`, { token: agent1 });
    expect(wrapup.json).toMatchObject({ code: RESOLVED, notes: 'all good', durationSeconds: 20 });
    const generic = await c.call('GET', `/api/v2/conversations/${id}`, { token: app });
    expect(generic.json).toMatchObject({ id, state: 'disconnected', recordingState: 'NONE' });
    expect(generic.json.participants.find((p: any) => p.id === leg.id).callbacks[0].afterCallWork.state).toBe('complete');
  });

  it('a scheduled callback shows as scheduled in the generic shape and comes due with the clock', async () => {
    const when = new Date(clock.t.getTime() + 3600_000).toISOString();
    const id = await create({ callbackScheduledTime: when });
    const generic = (await c.call('GET', `/api/v2/conversations/${id}`, { token: app })).json;
    expect(generic.participants[0].callbacks[0]).toMatchObject({
      state: 'scheduled',
      initialState: 'scheduled',
      callbackScheduledTime: when,
    });
    clock.advanceSeconds(3601);
    expect((await get(id)).participants.map((p: any) => p.state)).toEqual(['connected', 'connected']);
  });

  it('an unanswered offer times out on the next access after the alerting timeout', async () => {
    const id = await create();
    await assign(id, AGENT2);
    clock.advanceSeconds(31);
    expect(await agentLeg(id, AGENT2)).toMatchObject({ state: 'disconnected', disconnectType: 'system' });
  });

  it('reschedules, replaces and tears down', async () => {
    const id = await create({ callbackScheduledTime: new Date(clock.t.getTime() + 600_000).toISOString() });
    const later = new Date(clock.t.getTime() + 7200_000).toISOString();
    const r = await c.call('PATCH', '/api/v2/conversations/callbacks', {
      token: app,
      body: { conversationId: id, callbackScheduledTime: later, agentId: AGENT2 },
    });
    expect(r.status).toBe(200);
    expect(r.json.callbackIdentifiers.map((x: any) => x.type)).toEqual(['EXTERNAL', 'ACD']);
    const rescheduled = await get(id);
    expect(rescheduled.participants.map((p: any) => p.callbackScheduledTime)).toEqual([later, later]);
    // The agent named becomes the preferred (scored) agent of the ACD leg.
    expect(rescheduled.participants[1].conversationRoutingData.scoredAgents).toEqual([
      { agent: { id: AGENT2, selfUri: `/api/v2/users/${AGENT2}` }, score: 100 },
    ]);
    const bulk = await c.call('POST', '/api/v2/conversations/callbacks/bulk/update', {
      token: app,
      body: { patchCallbackRequests: [{ conversationId: id, callbackNumbers: ['+15555550123'] }, { conversationId: 'nope' }] },
    });
    expect(bulk.json).toMatchObject({
      errorCount: 1,
      errorIndexes: [1],
      results: [{ entity: { conversation: { id } } }, { error: { code: 'conversation.error.conversation.not.found' } }],
    });

    const live = await create();
    await assign(live);
    const leg = await agentLeg(live);
    expect(
      (
        await c.call('POST', `/api/v2/conversations/callbacks/${live}/participants/${leg.id}/replace`, {
          token: agent1,
          body: { userId: AGENT2 },
        })
      ).json.code,
    ).toBe('conversations.error.transfer.not.connected');
    await patch(live, leg.id, { state: 'connected' });
    expect(
      (
        await c.call('POST', `/api/v2/conversations/callbacks/${live}/participants/${leg.id}/replace`, {
          token: agent1,
          body: { address: '+13175550100' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await c.call('POST', `/api/v2/conversations/callbacks/${live}/participants/${leg.id}/replace`, {
          token: agent1,
          body: { queueId: 'nope' },
        })
      ).json.code,
    ).toBe('conversations.error.queue.not.found');
    expect(
      (
        await c.call('POST', `/api/v2/conversations/callbacks/${live}/participants/${leg.id}/replace`, {
          token: agent1,
          body: { userId: AGENT2 },
        })
      ).status,
    ).toBe(202);
    const after = await get(live);
    // Pending while the new agent is alerting (R-TRF-1).
    expect(after.recentTransfers).toMatchObject([
      { state: 'Pending', transferType: 'Unattended', destination: { userId: AGENT2 }, initiator: { userId: AGENT1 } },
    ]);
    expect((await agentLeg(live, AGENT2)).state).toBe('alerting');
    const teardown = await c.call('POST', `/api/v2/conversations/${live}/disconnect`, { token: app });
    expect(teardown).toMatchObject({ status: 202, json: 'Accepted' });
    expect((await agentLeg(live, AGENT1)).wrapup.code).toBe('ININ-WRAP-UP-TIMEOUT');
    const comm = await c.call('POST', '/api/v2/conversations/callbacks/bulk/disconnect', {
      token: app,
      body: { callbackDisconnectIdentifiers: [{ conversationId: id, callbackId: 'nope' }] },
    });
    expect(comm.status).toBe(404);
  });

  it('attributes, recording state, communication disconnect, callbacks from a participant', async () => {
    const id = await create();
    const customer = (await get(id)).participants[0];
    const attrs = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer.id}/attributes`, {
      token: app,
      body: { attributes: { tier: 'gold' } },
    });
    expect(attrs).toMatchObject({ status: 202, json: { attributes: { orderId: 'A-17', tier: 'gold' } } });
    expect(
      (await c.call('PATCH', `/api/v2/conversations/${id}/participants/${customer.id}/attributes`, { token: app, body: {} })).json.code,
    ).toBe('conversation.error.participant.attribute.null');
    expect(
      (await c.call('PUT', `/api/v2/conversations/callbacks/${id}/recordingstate`, { token: app, body: { recordingState: 'PAUSED' } }))
        .json,
    ).toBe('PAUSED');
    const scheduledIds = async () =>
      ((await c.call('GET', '/emulator/conversations?phase=scheduled&pageSize=100', { token: app })).json.entities as { id: string }[]).map(
        (x) => x.id,
      );
    const before = await scheduledIds();
    const made = await c.call('POST', `/api/v2/conversations/${id}/participants/${customer.id}/callbacks`, {
      token: app,
      body: { callbackScheduledTime: new Date(clock.t.getTime() + 60_000).toISOString() },
    });
    expect(made.status).toBe(201);
    expect(made.text).toBe('');
    // The new callback: same number and name, scheduled, on the source's queue.
    const added = (await scheduledIds()).filter((x) => !before.includes(x));
    expect(added).toHaveLength(1);
    const newest = (await c.call('GET', `/emulator/conversations?phase=scheduled&queueId=${QUEUE}`, { token: app })).json.entities.find(
      (x: { id: string }) => x.id === added[0],
    );
    expect(newest).toMatchObject({ phase: 'scheduled', queueId: QUEUE });
    expect((await get(newest.id)).participants[0]).toMatchObject({
      callbackNumbers: customer.callbackNumbers,
      callbackUserName: 'Pat Doe',
    });
    const acd = (await get(id)).participants[1];
    expect((await c.call('POST', `/api/v2/conversations/${id}/participants/${acd.id}/callbacks`, { token: app })).json.code).toBe(
      'conversation.error.cannot.callback.acd',
    );
    const generic = (await c.call('GET', `/api/v2/conversations/${id}`, { token: app })).json;
    const commId = generic.participants[0].callbacks[0].id;
    expect(
      (
        await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer.id}/communications/${commId}`, {
          token: app,
          body: { state: 'connected' },
        })
      ).json.code,
    ).toBe('communication.state.required');
    const done = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer.id}/communications/${commId}`, {
      token: app,
      body: { state: 'disconnected' },
    });
    expect(done).toMatchObject({ status: 200, json: {} });
    expect((await get(id)).participants.every((p: any) => p.state === 'disconnected')).toBe(true);
  });
});

describe('tenancy and ownership', () => {
  it("another organization's token never sees this one's data", async () => {
    const id = await create();
    const other = (await c.token({ grant_type: 'client_credentials' }, 'other-client:other-secret')).json.access_token;
    const r = await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: other });
    expect(r).toMatchObject({ status: 404, json: { code: 'conversation.error.conversation.not.found' } });
    expect((await c.call('GET', `/api/v2/routing/queues/${QUEUE}`, { token: other })).status).toBe(404);
    expect((await c.call('GET', '/api/v2/routing/queues', { token: other })).json.entities.map((q: any) => q.id)).toEqual([OTHER_QUEUE]);
    expect(
      (await c.call('POST', '/api/v2/conversations/callbacks', { token: other, body: { queueId: QUEUE, callbackNumbers: ['+1555'] } })).json
        .code,
    ).toBe('conversations.error.queue.not.found');
    expect((await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: other, body: { id: AGENT1 } })).status).toBe(400);
  });

  it("an agent cannot act on another agent's participant, nor on a conversation they are not in", async () => {
    const id = await create();
    await assign(id);
    const leg = await agentLeg(id);
    expect(await patch(id, leg.id, { state: 'connected' }, agent2)).toMatchObject({
      status: 404,
      json: { code: 'conversation.error.not.conversation.participant' },
    });
    expect(
      (await c.call('POST', `/api/v2/conversations/calls/${id}`, { token: agent2, body: { callNumber: '+13175550100' } })).json.code,
    ).toBe('conversation.error.forbidden.not.active.participant');
    expect(
      (await c.call('POST', `/api/v2/conversations/calls/${id}`, { token: app, body: { callNumber: '+13175550100' } })).json.code,
    ).toBe('not.a.user');
  });
});

describe('errors', () => {
  it('unknown ids: 404 with the ErrorBody, contextId matching the correlation header', async () => {
    const r = await c.call('GET', '/api/v2/conversations/callbacks/does-not-exist', { token: app });
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({
      code: 'conversation.error.conversation.not.found',
      status: 404,
      messageParams: {},
      details: [],
      errors: [],
    });
    expect(r.json.contextId).toBe(r.headers.get('inin-correlation-id'));
  });

  it('bad bodies name the JSON pointer of the bad field', async () => {
    const r = await c.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: QUEUE, callbackNumbers: ['+1', 5], callbackScheduledTime: '2026-02-30T10:00:00Z', extra: 1 },
    });
    expect(r.status).toBe(400);
    expect(r.json.details.map((d: any) => d.fieldName)).toEqual(['/callbackNumbers/1', '/callbackScheduledTime', '/extra']);
    expect(r.json.message).toMatch(
      /^The request body is invalid: \/callbackNumbers\/1: expected a string of at most 32 characters, got the integer 5 \(and 2 more\)/,
    );
    const date = await c.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: QUEUE, callbackNumbers: ['+1'], callbackScheduledTime: 'tomorrow' },
    });
    expect(date.json).toMatchObject({
      code: 'invalid.date',
      details: [{ errorCode: 'invalid.date', fieldName: '/callbackScheduledTime' }],
    });
    expect((await c.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { queueId: QUEUE } })).json.code).toBe(
      'callback.error.missing.callback.numbers',
    );
    expect((await c.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { callbackNumbers: ['+1'] } })).json.code).toBe(
      'callback.error.missing.queue.id',
    );
    const far = new Date(clock.t.getTime() + 40 * 86400_000).toISOString();
    expect(
      (
        await c.call('POST', '/api/v2/conversations/callbacks', {
          token: app,
          body: { queueId: QUEUE, callbackNumbers: ['+1'], callbackScheduledTime: far },
        })
      ).json.code,
    ).toBe('callback.error.scheduled.time.too.far.in.future');
  });

  it('malformed JSON 400, wrong content type 415, too large 413, unknown route 404', async () => {
    const path = '/api/v2/conversations/callbacks';
    expect((await c.call('POST', path, { token: app, raw: '{"queueId": ' })).json).toMatchObject({ status: 400, code: 'bad.request' });
    expect((await c.call('POST', path, { token: app, raw: 'queueId=x', contentType: 'text/plain' })).json).toMatchObject({
      status: 415,
      code: 'unsupported.media.type',
    });
    expect((await c.call('POST', path, { token: app, raw: JSON.stringify({ data: { x: 'y'.repeat(1_100_000) } }) })).json).toMatchObject({
      status: 413,
    });
    expect((await c.call('GET', '/api/v2/nothing/here', { token: app })).json).toMatchObject({ status: 404, code: 'not.found' });
    expect((await c.call('PUT', path, { token: app, body: {} })).status).toBe(404);
  });
});

describe('storage', () => {
  it('concurrent changes to one conversation never lose one another', async () => {
    const id = await create();
    const customer = (await get(id)).participants[0];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer.id}/attributes`, {
          token: app,
          body: { attributes: { [`k${i}`]: String(i) } },
        }),
      ),
    );
    const attrs = (await get(id)).participants[0].attributes;
    for (let i = 0; i < 40; i++) expect(attrs[`k${i}`]).toBe(String(i));
  });
});
