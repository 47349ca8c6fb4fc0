// The router on its own: a real SQLite file, the callbacks service, a manual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallbackConversationState } from '../../src/lifecycle/index.js';
import { CallbackService } from '../../src/service/callbacks.js';
import { ManualClock } from '../../src/service/clock.js';
import { Configuration } from '../../src/service/configuration.js';
import type { Principal } from '../../src/service/principal.js';
import { Router } from '../../src/service/router.js';
import { loadSeed } from '../../src/service/seed.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { QueuedCallback, Store } from '../../src/store/types.js';
import { AGENT1, AGENT2, tempDb } from '../api/helpers.js';
import { fixturePath } from '../helpers.js';

const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const TIMED = '0e0e0e0e-0000-4000-8000-000000000003';
const AGENT3 = 'a1a1a1a1-0000-4000-8000-000000000003';
const app: Principal = { orgId: ORG, clientId: 't' };
const T0 = new Date('2026-06-01T09:00:00.000Z');

let store: SqliteStore;
let clock: ManualClock;
let configuration: Configuration;
let callbacks: CallbackService;
let router: Router;
let n = 0;

function build(wrap: (s: Store) => Store = (s) => s) {
  const used = wrap(store);
  configuration = new Configuration(used, () => clock.now());
  callbacks = new CallbackService({ store: used, configuration, clock: () => clock.now(), newId: () => `c${++n}` });
  router = new Router(used, callbacks, clock);
  callbacks.onChange = (org, _s, events) => router.onEvents(org, events);
  configuration.onRoutingChange = (org) => router.kick(org);
}

beforeEach(async () => {
  store = new SqliteStore(tempDb());
  await store.seed(loadSeed(fixturePath('seed-routing.json'), T0));
  clock = new ManualClock(T0);
  build();
});
afterEach(async () => {
  router.stop();
  await store.close();
});

const create = async (body: Record<string, unknown> = {}) =>
  (await callbacks.createCallback(app, { queueId: TIMED, callbackNumbers: ['+1'], ...body })).conversation.id as string;
const offeredTo = async (id: string) =>
  ((await store.getConversation(ORG, id))?.state as CallbackConversationState).participants
    .filter((p) => p.purpose === 'agent')
    .map((p) => p.user?.id);
const idle = async (...users: string[]) => {
  for (const u of users) {
    await configuration.setRoutingStatus(app, u, 'IDLE');
    clock.advance(1000);
  }
  await router.settle();
};

describe('the router', () => {
  it('offers the longest waiting to the longest idle member, one callback per agent', async () => {
    const first = await create();
    clock.advance(1000);
    const second = await create();
    clock.advance(1000);
    const third = await create();
    await idle(AGENT2, AGENT1);
    expect([await offeredTo(first), await offeredTo(second), await offeredTo(third)]).toEqual([[AGENT2], [AGENT1], []]);
    expect((await store.getRoutingStatus(ORG, AGENT2))?.status).toBe('INTERACTING');
  });

  it('an agent-owned callback waits for its owner, even with others idle, until the window ends', async () => {
    const owned = await create({ routingData: { queueId: TIMED, preferredAgentIds: [AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] } });
    await idle(AGENT2, AGENT3);
    expect(await offeredTo(owned)).toEqual([]);
    // The window (maxOwnedCallbackHours: 1) ends: the router's own timer routes it to the longest idle member.
    clock.advance(3600_000);
    await router.settle();
    expect(await offeredTo(owned)).toEqual([AGENT2]);
  });

  // This found a lost wake-up: a kick between a pass's last look at `dirty` and its end was dropped.
  it('an owner who is idle gets their callback before anyone longer idle', async () => {
    const owned = await create({ routingData: { queueId: TIMED, preferredAgentIds: [AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] } });
    await idle(AGENT2, AGENT1);
    expect(await offeredTo(owned)).toEqual([AGENT1]);
  });

  it('callbacks held for an absent owner, however many, never hide an unowned one behind them', async () => {
    const flags = { queueId: TIMED, preferredAgentIds: [AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] };
    const held: string[] = [];
    for (let i = 0; i < 30; i++) held.push(await create({ routingData: { ...flags, priority: 5 } }));
    clock.advance(1000);
    const free = await create();
    // Agent 1 (the owner) is not idle; agent 2 is: a page of one from the head would be an owned one.
    await idle(AGENT2);
    expect(await offeredTo(free)).toEqual([AGENT2]);
    for (const id of held.slice(0, 3)) expect(await offeredTo(id)).toEqual([]);
  });

  it('an owner with two callbacks takes one; the other idle member gets the next callback in the same pass', async () => {
    const flags = { queueId: TIMED, preferredAgentIds: [AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] };
    const x = await create({ routingData: flags });
    clock.advance(1000);
    const y = await create({ routingData: flags });
    clock.advance(1000);
    const z = await create();
    // Both idle before the pass runs: the first page (two rows, for two idle members) is x and y, both agent 1's.
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT2, status: 'IDLE', startTime: clock.now() });
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT1, status: 'IDLE', startTime: new Date(clock.now().getTime() + 1) });
    router.kick(ORG);
    await router.settle();
    expect([await offeredTo(x), await offeredTo(y), await offeredTo(z)]).toEqual([[AGENT1], [], [AGENT2]]);
  });

  it('a listed callback that moved on is skipped, and the agent gets the next', async () => {
    const gone = await create();
    const next = await create();
    await callbacks.disconnectConversation(app, gone);
    // A stale head: the listing still shows the ended callback first.
    const stale: QueuedCallback = { orgId: ORG, id: gone, queueId: TIMED, priority: 9, queuedAt: T0 };
    build(
      (s) =>
        new Proxy(s, {
          get(target, key) {
            if (key === 'listQueued') return async (...a: [string, string, number]) => [stale, ...(await target.listQueued(...a))];
            const v = Reflect.get(target, key) as unknown;
            return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
          },
        }),
    );
    await idle(AGENT3);
    expect(await offeredTo(next)).toEqual([AGENT3]);
  });

  it('a failing pass is reported, not thrown, and the next kick routes again', async () => {
    let fail = true;
    build(
      (s) =>
        new Proxy(s, {
          get(target, key) {
            if (key === 'idleAgents' && fail) return async () => Promise.reject(new Error('disk on fire'));
            const v = Reflect.get(target, key) as unknown;
            return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
          },
        }),
    );
    const errors: string[] = [];
    router.onError = (e) => errors.push((e as Error).message);
    const id = await create();
    await idle(AGENT3);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBe('disk on fire');
    expect(await offeredTo(id)).toEqual([]);
    fail = false;
    router.kick(ORG);
    await router.settle();
    expect(await offeredTo(id)).toEqual([AGENT3]);
  });

  it('non-members and busy agents are not offered; off-queue agents are not', async () => {
    const onAuto = await callbacks.createCallback(app, { queueId: '0e0e0e0e-0000-4000-8000-000000000002', callbackNumbers: ['+1'] });
    await idle(AGENT1);
    // Agent 1 is not a member of Auto.
    expect(await offeredTo(onAuto.conversation.id as string)).toEqual([]);
    const a = await create();
    await router.settle();
    expect(await offeredTo(a)).toEqual([AGENT1]);
    const b = await create();
    await router.settle();
    // Agent 1 is busy with a (alerting): b waits.
    expect(await offeredTo(b)).toEqual([]);
    await configuration.setRoutingStatus(app, AGENT2, 'OFF_QUEUE');
    await router.settle();
    expect(await offeredTo(b)).toEqual([]);
  });

  it('across queues: an agent in two queues gets the highest priority, then the longest waiting, of both', async () => {
    const CALLBACKS = '0e0e0e0e-0000-4000-8000-000000000001';
    const older = (await callbacks.createCallback(app, { queueId: CALLBACKS, callbackNumbers: ['+1'] })).conversation.id as string;
    clock.advance(1000);
    const newer = await create();
    clock.advance(1000);
    const urgent = await create({ routingData: { queueId: TIMED, priority: 5 } });
    // Agent 1 is a member of both queues.
    await idle(AGENT1);
    expect([await offeredTo(urgent), await offeredTo(older), await offeredTo(newer)]).toEqual([[AGENT1], [], []]);
    await idle(AGENT2);
    expect([await offeredTo(older), await offeredTo(newer)]).toEqual([[AGENT2], []]);
  });
});
