// The router offers per queue: how many callbacks wait in one queue never hides one in another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { fixturePath } from '../helpers.js';
import { QUEUE, TestClock, client, server } from './helpers.js';

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
});
