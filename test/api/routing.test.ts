// The ACD and durable time, against a real server on a manual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../../src/server.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { fixturePath } from '../helpers.js';
import { AGENT1, AGENT2, QUEUE, TestClock, client, tempDb } from './helpers.js';

const AGENT3 = 'a1a1a1a1-0000-4000-8000-000000000003';
const AUTO = '0e0e0e0e-0000-4000-8000-000000000002';
const TIMED = '0e0e0e0e-0000-4000-8000-000000000003';

let srv: RunningServer;
let c: ReturnType<typeof client>;
let app: string;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock();
  srv = await startServer({ db: tempDb(), port: 0, seedFile: fixturePath('seed-routing.json'), clock });
  c = client(srv.url);
  app = await c.app();
});
afterEach(async () => srv.close());

const status = (userId: string, value: string) =>
  c.call('PUT', `/api/v2/users/${userId}/routingstatus`, { token: app, body: { status: value } });
const create = async (body: Record<string, unknown>) => {
  const r = await c.call('POST', '/api/v2/conversations/callbacks', {
    token: app,
    body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], ...body },
  });
  expect(r.status).toBe(200);
  return r.json.conversation.id as string;
};
const conv = async (id: string) => (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json;
const agents = async (id: string) => (await conv(id)).participants.filter((p: any) => p.purpose === 'agent');
const tick = async (seconds: number) => {
  const r = await c.call('POST', '/emulator/clock', { token: app, body: { advance: `PT${seconds}S` } });
  expect(r.status).toBe(200);
};

describe('the ACD', () => {
  it('offers to idle on-queue members, longest idle first; priority first, then oldest', async () => {
    const low = await create({ routingData: { queueId: QUEUE, priority: 1 } });
    await tick(1);
    const old = await create({});
    await tick(1);
    const high = await create({ routingData: { queueId: QUEUE, priority: 9 } });
    expect(await agents(high)).toEqual([]);
    await status(AGENT2, 'IDLE');
    await tick(1);
    await status(AGENT1, 'IDLE');
    await srv.settle();
    // AGENT2 has been idle longest: gets the highest priority; AGENT1 the oldest of the rest (priority 1 beats 0).
    expect((await agents(high)).map((a: any) => a.user.id)).toEqual([AGENT2]);
    expect((await agents(low)).map((a: any) => a.user.id)).toEqual([AGENT1]);
    expect(await agents(old)).toEqual([]);
    expect((await c.call('GET', `/api/v2/users/${AGENT2}/routingstatus`, { token: app })).json).toMatchObject({
      userId: AGENT2,
      status: 'INTERACTING',
    });
  });

  it('a missed offer makes the agent NOT_RESPONDING and goes to the next agent', async () => {
    await status(AGENT1, 'IDLE');
    await tick(1);
    await status(AGENT2, 'IDLE');
    const id = await create({});
    await srv.settle();
    expect((await agents(id)).map((a: any) => [a.user.id, a.state])).toEqual([[AGENT1, 'alerting']]);
    await tick(31);
    expect((await agents(id)).map((a: any) => [a.user.id, a.state, a.disconnectType ?? null])).toEqual([
      [AGENT1, 'disconnected', 'system'],
      [AGENT2, 'alerting', null],
    ]);
    expect((await c.call('GET', `/api/v2/users/${AGENT1}/routingstatus`, { token: app })).json.status).toBe('NOT_RESPONDING');
  });

  it('an agent with a callback connected or in wrap-up gets no other; wrap-up timeout frees them', async () => {
    const agent3 = await c.agent(3);
    await status(AGENT3, 'IDLE');
    const first = await create({ queueId: TIMED });
    await srv.settle();
    const leg = (await agents(first))[0];
    expect(leg.user.id).toBe(AGENT3);
    await c.call('PATCH', `/api/v2/conversations/callbacks/${first}/participants/${leg.id}`, {
      token: agent3,
      body: { state: 'connected' },
    });
    await c.call('POST', `/api/v2/conversations/calls/${first}`, { token: agent3, body: { callNumber: '+13175550100' } });
    const second = await create({ queueId: TIMED });
    await srv.settle();
    expect(await agents(second)).toEqual([]);
    await c.call('PATCH', `/api/v2/conversations/callbacks/${first}/participants/${leg.id}`, {
      token: agent3,
      body: { state: 'disconnected' },
    });
    await srv.settle();
    expect(await agents(second)).toEqual([]);
    await tick(11);
    const done = (await agents(first))[0];
    expect(done.wrapup).toMatchObject({ code: 'ININ-WRAP-UP-TIMEOUT' });
    expect((await agents(second)).map((a: any) => a.user.id)).toEqual([AGENT3]);
  });

  it('auto-answer, auto-dial and auto-end run by themselves', async () => {
    await status(AGENT3, 'IDLE');
    const id = await create({ queueId: AUTO });
    await srv.settle();
    expect((await agents(id))[0]).toMatchObject({ state: 'connected', timeoutSeconds: 10 });
    await tick(10);
    expect((await conv(id)).otherMediaUris).toEqual([`/api/v2/conversations/calls/${id}`]);
    // The customer hangs up the placed call: the callback auto-ends five seconds later.
    expect((await c.call('POST', `/emulator/conversations/${id}/call/end`, { token: app })).status).toBe(202);
    expect((await c.call('POST', `/emulator/conversations/${id}/call/end`, { token: app })).status).toBe(400);
    await tick(4);
    expect((await agents(id))[0].state).toBe('connected');
    await tick(1);
    expect((await agents(id))[0]).toMatchObject({ state: 'disconnected', disconnectType: 'system' });
    expect((await conv(id)).participants.every((p: any) => p.state === 'disconnected')).toBe(true);
  });

  it('agent-owned callbacks wait for their owner until the window ends, then go to the queue', async () => {
    await status(AGENT2, 'IDLE');
    const id = await create({
      queueId: TIMED,
      routingData: { queueId: TIMED, preferredAgentIds: [AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] },
    });
    await srv.settle();
    expect(await agents(id)).toEqual([]);
    await tick(3601);
    expect((await agents(id)).map((a: any) => a.user.id)).toEqual([AGENT2]);
  });
});

describe('agent-owned scheduling horizon', () => {
  it('refuses an owned callback scheduled further ahead than maxOwnedCallbackDelayHours', async () => {
    const owned = { queueId: TIMED, preferredAgentIds: [AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] };
    const far = new Date(clock.now().getTime() + 25 * 3600_000).toISOString();
    const r = await c.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: TIMED, callbackNumbers: ['+1555'], callbackScheduledTime: far, routingData: owned },
    });
    expect(r.json).toMatchObject({ status: 400, code: 'callback.error.scheduled.time.too.far.in.future' });
    const near = new Date(clock.now().getTime() + 23 * 3600_000).toISOString();
    expect(
      (
        await c.call('POST', '/api/v2/conversations/callbacks', {
          token: app,
          body: { queueId: TIMED, callbackNumbers: ['+1555'], callbackScheduledTime: near, routingData: owned },
        })
      ).status,
    ).toBe(200);
    // Not owned: the 30-day horizon applies.
    expect(
      (
        await c.call('POST', '/api/v2/conversations/callbacks', {
          token: app,
          body: { queueId: TIMED, callbackNumbers: ['+1555'], callbackScheduledTime: far },
        })
      ).status,
    ).toBe(200);
  });
});

describe('durable time', () => {
  it('a scheduled callback comes due by itself when the clock moves, with no request touching it', async () => {
    const when = new Date(clock.now().getTime() + 24 * 3600_000).toISOString();
    const id = await create({ callbackScheduledTime: when });
    const r = await c.call('POST', '/emulator/clock', { token: app, body: { advance: 'P1D' } });
    expect(r.json).toMatchObject({ mode: 'manual', now: when });
    const stored = await srv.store.getConversation('4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001', id);
    expect(stored?.state.phase).toBe('queued');
    expect(stored?.state.participants[0]?.connectedTime?.toISOString()).toBe(when);
    expect(srv.scheduler.fired).toBeGreaterThanOrEqual(1);
  });

  it('a conversation that cannot be advanced (a corrupt row) is skipped, not allowed to stall the others', async () => {
    const soon = new Date(clock.now().getTime() + 60_000).toISOString();
    const later = new Date(clock.now().getTime() + 120_000).toISOString();
    const bad = await create({ callbackScheduledTime: soon });
    const good = await create({ callbackScheduledTime: later });
    const db = new Database(srv.store instanceof SqliteStore ? srv.store.file : '');
    db.prepare('UPDATE conversations SET body = \'{"broken": true}\' WHERE id = ?').run(bad);
    db.close();
    await tick(180);
    const stored = await srv.store.getConversation('4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001', good);
    expect(stored?.state.phase).toBe('queued');
    expect((await c.call('GET', `/api/v2/conversations/callbacks/${bad}`, { token: app })).status).toBe(500);
    expect((await c.call('GET', '/api/v2/routing/queues', { token: app })).status).toBe(200);
  });

  it('POST /emulator/clock: set an instant, refuse bad input and going back', async () => {
    const later = new Date(clock.now().getTime() + 3600_000).toISOString();
    expect((await c.call('POST', '/emulator/clock', { token: app, body: { instant: later } })).json.now).toBe(later);
    expect((await c.call('POST', '/emulator/clock', { token: app, body: { instant: '2000-01-01T00:00:00Z' } })).status).toBe(400);
    expect((await c.call('POST', '/emulator/clock', { token: app, body: { advance: 'soon' } })).json.code).toBe('invalid.value');
    expect((await c.call('POST', '/emulator/clock', { token: app, body: {} })).status).toBe(400);
    expect((await c.call('POST', '/emulator/clock', { body: { advance: 'PT1S' } })).status).toBe(401);
    expect((await c.call('GET', '/emulator/clock', { token: app })).json).toEqual({ now: later, mode: 'manual' });
  });
});

describe('with the system clock', () => {
  it('the emulator clock cannot be moved', async () => {
    const sys = await startServer({ db: tempDb(), port: 0, seedFile: fixturePath('seed-routing.json') });
    try {
      const s = client(sys.url);
      const r = await s.call('POST', '/emulator/clock', { token: await s.app(), body: { advance: 'PT1H' } });
      expect(r).toMatchObject({ status: 409, json: { code: 'emulator.clock.not.manual' } });
    } finally {
      await sys.close();
    }
  });
});

describe('queue settings and their ranges (from the schema)', () => {
  it('refuses a value out of range at its own pointer, writes nothing, and documents the range', async () => {
    const before = (await c.call('GET', `/api/v2/routing/queues/${QUEUE}`, { token: app })).json;
    for (const [settings, pointer, range] of [
      [{ mediaSettings: { callback: { autoDialDelaySeconds: 5000 } } }, '/mediaSettings/callback/autoDialDelaySeconds', '0 to 1200'],
      [{ mediaSettings: { callback: { autoEndDelaySeconds: -1 } } }, '/mediaSettings/callback/autoEndDelaySeconds', '0 to 1200'],
      [{ mediaSettings: { callback: { alertingTimeoutSeconds: 0 } } }, '/mediaSettings/callback/alertingTimeoutSeconds', '1 to 86400'],
      [{ acwSettings: { wrapupPrompt: 'MANDATORY_TIMEOUT', timeoutMs: 10 } }, '/acwSettings/timeoutMs', '1000 to 3600000'],
      [{ agentOwnedRouting: { maxOwnedCallbackHours: 1000 } }, '/agentOwnedRouting/maxOwnedCallbackHours', '1 to 720'],
    ] as const) {
      const r = await c.call('PUT', `/api/v2/routing/queues/${QUEUE}`, { token: app, body: { name: 'Callbacks', ...settings } });
      expect(r.json, pointer).toMatchObject({ status: 400, code: 'bad.request', details: [{ fieldName: pointer }] });
      expect(r.json.message).toContain(`expected an integer from ${range}`);
    }
    expect((await c.call('GET', `/api/v2/routing/queues/${QUEUE}`, { token: app })).json).toEqual(before);
    const ok = await c.call('PUT', `/api/v2/routing/queues/${QUEUE}`, {
      token: app,
      body: { name: 'Callbacks', mediaSettings: { callback: { autoDialDelaySeconds: 1200, autoEndDelaySeconds: 0 } } },
    });
    expect(ok.json.mediaSettings.callback).toMatchObject({ autoDialDelaySeconds: 1200, autoEndDelaySeconds: 0 });
    const doc = (await c.call('GET', '/api/v2/docs/openapi.json')).json;
    expect(doc.components.schemas.CallbackMediaSettings.properties.autoDialDelaySeconds).toMatchObject({ minimum: 0, maximum: 1200 });
    expect(doc.components.schemas.AcwSettings.properties.timeoutMs).toMatchObject({ minimum: 1000, maximum: 3600000 });
  });
});
