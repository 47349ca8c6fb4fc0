// The router offers per queue: how many callbacks wait in one queue never hides one in another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { fixturePath } from '../helpers.js';
import { AGENT1, AGENT2, QUEUE, TestClock, client, server } from './helpers.js';

const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const AUTO = '0e0e0e0e-0000-4000-8000-000000000002';
const AGENT3 = 'a1a1a1a1-0000-4000-8000-000000000003';
const clock = new TestClock();
let srv: RunningServer;

beforeAll(async () => {
  srv = await server({ clock, seedFile: fixturePath('seed-routing.json') });
});
afterAll(async () => srv.close());

describe('the router, per queue', () => {
  it('5,000 callbacks queued on one queue, one on another whose member is idle: that one is offered at once', async () => {
    const app = { orgId: ORG, clientId: 'test' };
    const { callbacks, configuration } = srv.services;
    for (let i = 0; i < 5000; i++) await callbacks.createCallback(app, { queueId: QUEUE, callbackNumbers: ['+13175550100'] });
    const lone = (await callbacks.createCallback(app, { queueId: AUTO, callbackNumbers: ['+13175550101'] })).conversation.id as string;
    await configuration.setRoutingStatus(app, AGENT3, 'IDLE');
    await srv.router.settle();
    const c = client(srv.url);
    const conv = (await c.call('GET', `/api/v2/conversations/callbacks/${lone}`, { token: await c.app() })).json;
    // The Auto queue answers automatically: agent 3 is connected to it.
    expect(conv.participants.filter((p: any) => p.purpose === 'agent').map((p: any) => [p.user.id, p.state])).toEqual([
      [AGENT3, 'connected'],
    ]);
    expect((await srv.store.listQueued(ORG, QUEUE, 10_000)).length).toBe(5000);
  }, 60_000);

  it('with no agent free a queued callback costs no read of the agents; an agent freed later gets the oldest at once', async () => {
    const ownClock = new TestClock();
    const own = await server({ clock: ownClock, seedFile: fixturePath('seed-routing.json') });
    try {
      const app = { orgId: ORG, clientId: 'test' };
      const { callbacks, configuration } = own.services;
      await own.router.settle();
      let reads = 0;
      const idleAgents = own.store.idleAgents.bind(own.store);
      own.store.idleAgents = (orgId) => (reads++, idleAgents(orgId));
      const create = async () =>
        (await callbacks.createCallback(app, { queueId: QUEUE, callbackNumbers: ['+13175550101'] })).conversation.id as string;
      const agentsOf = async (id: string) =>
        (await own.store.getConversation(ORG, id))?.state.participants.filter((x) => x.purpose === 'agent').map((x) => x.user?.id);
      // No agent was free at start; one goes idle with nothing waiting: the next callback is offered to them.
      await configuration.setRoutingStatus(app, AGENT1, 'IDLE');
      await own.router.settle();
      const x = await create();
      await own.router.settle();
      expect(await agentsOf(x)).toEqual([AGENT1]);
      // Agent 1 is busy now, agent 2 off queue: the next create's pass finds none free; the creates after it read nothing.
      const y = await create();
      await own.router.settle();
      ownClock.advanceSeconds(1);
      reads = 0;
      for (let i = 0; i < 20; i++) await create();
      await own.router.settle();
      expect(reads).toBe(0);
      await configuration.setRoutingStatus(app, AGENT2, 'IDLE');
      await own.router.settle();
      expect(reads).toBeGreaterThan(0);
      expect(await agentsOf(y)).toEqual([AGENT2]);
    } finally {
      await own.close();
    }
  });
});
