// A day in a contact center, driven through the official SDK against a server on a manual clock: queues, agents
// and wrap-up codes configured over the API; callbacks created now and for later; missed offers, auto-answer is not
// used but auto-dial and auto-end are; parks, transfers, and every wrap-up mode. The end state of every
// conversation and agent is asserted.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, TestClock, client, server } from './helpers.js';

let srv: RunningServer;
const clock = new TestClock(new Date('2026-06-01T08:00:00.000Z'));
const sdk = platformClient.ApiClient.instance;
const conversations = new platformClient.ConversationsApi();
const routing = new platformClient.RoutingApi();
const users = new platformClient.UsersApi();
let http: ReturnType<typeof client>;
let appToken: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  srv = await server({ clock });
  sdk.config.live_reload_config = false;
  sdk.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(new URL(srv.url).port) });
  appToken = (await sdk.loginClientCredentialsGrant('callbackd-dev', 'callbackd-dev-secret')).accessToken;
  http = client(srv.url);
});
afterAll(async () => srv.close());

const as = (who: string) => sdk.setAccessToken(who === 'app' ? appToken : (tokens[who] as string));
const tick = async (seconds: number) => {
  const r = await http.call('POST', '/emulator/clock', { token: appToken, body: { advance: `PT${seconds}S` } });
  expect(r.status).toBe(200);
};
const legs = async (id: string) => {
  as('app');
  return (await conversations.getConversationsCallback(id)).participants ?? [];
};
const agentLegs = async (id: string) => (await legs(id)).filter((p) => p.purpose === 'agent');
const current = async (id: string, userId: string) => (await agentLegs(id)).filter((p) => p.user?.id === userId).at(-1);
const statusOf = async (userId: string) => {
  as('app');
  return (await users.getUserRoutingstatus(userId)).status;
};

describe('a day in a contact center', () => {
  it('runs from configuration to the last wrap-up', async () => {
    // ---- configuration over the API ----
    as('app');
    const sold = await routing.postRoutingWrapupcodes({ name: 'Sold' });
    const notInterested = await routing.postRoutingWrapupcodes({ name: 'Not interested' });
    const sales = await routing.postRoutingQueues({
      name: 'Sales',
      mediaSettings: { callback: { alertingTimeoutSeconds: 20 } } as never,
      acwSettings: { wrapupPrompt: 'MANDATORY_TIMEOUT', timeoutMs: 30000 },
    });
    const support = await routing.postRoutingQueues({
      name: 'Support',
      mediaSettings: {
        callback: { alertingTimeoutSeconds: 30, enableAutoDialAndEnd: true, autoDialDelaySeconds: 15, autoEndDelaySeconds: 10 },
      } as never,
      acwSettings: { wrapupPrompt: 'OPTIONAL' },
    });
    const SALES = sales.id as string;
    const SUPPORT = support.id as string;
    expect(sales.mediaSettings?.callback?.alertingTimeoutSeconds).toBe(20);
    await routing.postRoutingQueueWrapupcodes(SALES, [{ id: sold.id as string }, { id: notInterested.id as string }]);
    await routing.postRoutingQueueWrapupcodes(SUPPORT, [{ id: sold.id as string }]);
    const agent3 = await users.postUsers({ name: 'Agent Three', email: 'agent3@example.com', password: 'three', divisionId: 'home' });
    const AGENT3 = agent3.id as string;
    await routing.postRoutingQueueMembers(SALES, [{ id: AGENT1 }, { id: AGENT2 }]);
    await routing.postRoutingQueueMembers(SUPPORT, [{ id: AGENT2 }, { id: AGENT3 }]);
    await routing.postRoutingQueueMembers(SUPPORT, [{ id: AGENT2 }], { _delete: true });
    expect((await routing.getRoutingQueueMembers(SUPPORT)).entities?.map((m) => m.id)).toEqual([AGENT3]);
    tokens.a1 = await http.agent(1);
    tokens.a2 = await http.agent(2);
    tokens.a3 = (await http.token({ grant_type: 'password', username: 'agent3@example.com', password: 'three' })).json.access_token;

    // Agents log on, one after another: agent 1 has been idle longest.
    for (const [who, id] of [
      ['a1', AGENT1],
      ['a2', AGENT2],
      ['a3', AGENT3],
    ] as const) {
      as(who);
      await users.putUserRoutingstatus(id, { status: 'IDLE' });
      await tick(1);
    }

    // ---- C1: Sales, now. Agent 1 misses it, agent 2 takes it, parks it, dials, and lets wrap-up time out. ----
    as('app');
    const c1 = (
      await conversations.postConversationsCallbacks({ queueId: SALES, callbackNumbers: ['+13175550101'], callbackUserName: 'Ann' })
    ).conversation.id as string;
    await tick(0);
    expect((await current(c1, AGENT1))?.state).toBe('alerting');
    await tick(21);
    expect(await current(c1, AGENT1)).toMatchObject({ state: 'disconnected', disconnectType: 'system' });
    expect(await statusOf(AGENT1)).toBe('NOT_RESPONDING');
    const c1leg = await current(c1, AGENT2);
    expect(c1leg?.state).toBe('alerting');
    as('a2');
    await conversations.patchConversationsCallbackParticipant(c1, c1leg?.id as string, { state: 'connected' });
    await conversations.patchConversationsCallbackParticipant(c1, c1leg?.id as string, {
      state: 'parked',
      resumeTime: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect((await current(c1, AGENT2))?.state).toBe('parked');
    await tick(60);
    expect(await current(c1, AGENT2)).toMatchObject({ state: 'connected', parkTime: expect.any(String) });
    as('a2');
    await conversations.postConversationsCall(c1, { callNumber: '+13175550101' });
    await tick(120);
    as('a2');
    await conversations.patchConversationsCallbackParticipant(c1, c1leg?.id as string, { state: 'disconnected' });
    expect(await statusOf(AGENT2)).toBe('INTERACTING');
    await tick(30);
    expect((await current(c1, AGENT2))?.wrapup?.code).toBe('ININ-WRAP-UP-TIMEOUT');
    expect(await statusOf(AGENT2)).toBe('IDLE');

    // ---- C2: Support, two hours from now: agent 3 gets it; auto-dial, auto-end, wrap-up skipped. ----
    as('app');
    const c2 = (
      await conversations.postConversationsCallbacks({
        queueId: SUPPORT,
        callbackNumbers: ['+13175550102'],
        callbackScheduledTime: new Date(clock.now().getTime() + 2 * 3600_000).toISOString(),
      })
    ).conversation.id as string;
    await tick(3600);
    expect(await agentLegs(c2)).toEqual([]);
    await tick(3600);
    const c2leg = await current(c2, AGENT3);
    expect(c2leg?.state).toBe('alerting');
    as('a3');
    await conversations.patchConversationsCallbackParticipant(c2, c2leg?.id as string, { state: 'connected' });
    await tick(15);
    as('app');
    expect((await conversations.getConversationsCallback(c2)).otherMediaUris).toEqual([`/api/v2/conversations/calls/${c2}`]);
    expect((await http.call('POST', `/emulator/conversations/${c2}/call/end`, { token: appToken })).status).toBe(202);
    await tick(10);
    expect(await current(c2, AGENT3)).toMatchObject({ state: 'disconnected', disconnectType: 'system', wrapupRequired: false });
    as('a3');
    await conversations.patchConversationsCallbackParticipant(c2, c2leg?.id as string, { wrapupSkipped: true });
    expect(await statusOf(AGENT3)).toBe('IDLE');

    // ---- C3: Sales, priority 5: agent 2 takes it and transfers it to Support, where agent 3 finishes it. ----
    as('a1');
    await users.putUserRoutingstatus(AGENT1, { status: 'OFF_QUEUE' });
    as('app');
    const c3 = (
      await conversations.postConversationsCallbacks({ routingData: { queueId: SALES, priority: 5 }, callbackNumbers: ['+13175550103'] })
    ).conversation.id as string;
    await tick(0);
    const c3a = await current(c3, AGENT2);
    as('a2');
    await conversations.patchConversationsCallbackParticipant(c3, c3a?.id as string, { state: 'connected' });
    await conversations.postConversationsCallbackParticipantReplace(c3, c3a?.id as string, { queueId: SUPPORT });
    await tick(0);
    const c3b = await current(c3, AGENT3);
    expect(c3b?.state).toBe('alerting');
    // Agent 2 wraps up the transferred leg (mandatory with a time limit): a code is required.
    as('a2');
    await expect(
      conversations.patchConversationsCallbackParticipant(c3, c3a?.id as string, { wrapup: { notes: 'no code' } }),
    ).rejects.toMatchObject({ code: 'conversation.error.wrapup.code.required' });
    await conversations.patchConversationsCallbackParticipant(c3, c3a?.id as string, {
      wrapup: { code: notInterested.id as string, notes: 'passed to support' },
    });
    as('a3');
    await conversations.patchConversationsCallbackParticipant(c3, c3b?.id as string, { state: 'connected' });
    await conversations.postConversationsCall(c3, { callNumber: '+13175550103' });
    await conversations.patchConversationsCallbackParticipant(c3, c3b?.id as string, { state: 'disconnected' });
    await conversations.patchConversationsCallbackParticipant(c3, c3b?.id as string, { wrapup: { code: sold.id as string } });

    // ---- C4 and C5: Sales switched to forced time-out, then to agent-requested ACW. ----
    as('app');
    await routing.putRoutingQueue(SALES, { name: 'Sales', acwSettings: { wrapupPrompt: 'MANDATORY_FORCED_TIMEOUT', timeoutMs: 20000 } });
    const c4 = (await conversations.postConversationsCallbacks({ queueId: SALES, callbackNumbers: ['+13175550104'] })).conversation
      .id as string;
    await tick(0);
    const c4leg = await current(c4, AGENT2);
    as('a2');
    await conversations.patchConversationsCallbackParticipant(c4, c4leg?.id as string, { state: 'connected' });
    await conversations.postConversationsCall(c4, { callNumber: '+13175550104' });
    await conversations.patchConversationsCallbackParticipant(c4, c4leg?.id as string, { state: 'disconnected' });
    await conversations.patchConversationsCallbackParticipant(c4, c4leg?.id as string, { wrapup: { code: sold.id as string } });
    expect(await statusOf(AGENT2)).toBe('INTERACTING');
    await tick(20);
    expect(await current(c4, AGENT2)).toMatchObject({ wrapup: { code: sold.id } });
    expect(await statusOf(AGENT2)).toBe('IDLE');

    as('app');
    await routing.putRoutingQueue(SALES, { name: 'Sales', acwSettings: { wrapupPrompt: 'AGENT_REQUESTED', timeoutMs: 20000 } });
    const c5 = (await conversations.postConversationsCallbacks({ queueId: SALES, callbackNumbers: ['+13175550105'] })).conversation
      .id as string;
    await tick(0);
    const c5leg = await current(c5, AGENT2);
    as('a2');
    await conversations.patchConversationsCallbackParticipant(c5, c5leg?.id as string, { state: 'connected' });
    await conversations.postConversationsCall(c5, { callNumber: '+13175550105' });
    await conversations.patchConversationsCallbackParticipant(c5, c5leg?.id as string, { state: 'disconnected' });
    expect(await current(c5, AGENT2)).toMatchObject({ wrapupRequired: false, wrapupPrompt: 'agentRequested' });
    expect(await statusOf(AGENT2)).toBe('IDLE');

    // ---- C6: Support switched to mandatory ACW: no skipping, a code ends it. ----
    as('app');
    await routing.putRoutingQueue(SUPPORT, { name: 'Support', acwSettings: { wrapupPrompt: 'MANDATORY' } });
    const c6 = (await conversations.postConversationsCallbacks({ queueId: SUPPORT, callbackNumbers: ['+13175550106'] })).conversation
      .id as string;
    await tick(0);
    const c6leg = await current(c6, AGENT3);
    as('a3');
    await conversations.patchConversationsCallbackParticipant(c6, c6leg?.id as string, { state: 'connected' });
    await conversations.postConversationsCall(c6, { callNumber: '+13175550106' });
    await conversations.patchConversationsCallbackParticipant(c6, c6leg?.id as string, { state: 'disconnected' });
    await expect(
      conversations.patchConversationsCallbackParticipant(c6, c6leg?.id as string, { wrapupSkipped: true }),
    ).rejects.toMatchObject({ status: 400, code: 'conversation.error.wrapup.skip.not.allowed' });
    await tick(3600);
    expect(await statusOf(AGENT3)).toBe('INTERACTING');
    as('a3');
    await conversations.patchConversationsCallbackParticipant(c6, c6leg?.id as string, { wrapup: { code: sold.id as string } });
    expect(await current(c6, AGENT3)).toMatchObject({
      wrapupPrompt: 'mandatory',
      wrapupRequired: true,
      wrapup: { code: sold.id, durationSeconds: 3600 },
    });

    // ---- the end of the day ----
    for (const id of [c1, c2, c3, c4, c5, c6]) {
      expect((await legs(id)).every((p) => p.state === 'disconnected')).toBe(true);
    }
    expect((await agentLegs(c1)).map((p) => [p.user?.id, p.disconnectType])).toEqual([
      [AGENT1, 'system'],
      [AGENT2, 'client'],
    ]);
    expect((await agentLegs(c3)).map((p) => [p.user?.id, p.disconnectType, p.wrapup?.code])).toEqual([
      [AGENT2, 'transfer', notInterested.id],
      [AGENT3, 'client', sold.id],
    ]);
    expect((await current(c2, AGENT3))?.wrapupSkipped).toBe(true);
    as('app');
    expect((await conversations.getConversationsCallback(c3)).recentTransfers?.[0]).toMatchObject({
      destination: { address: SUPPORT },
      state: 'Complete',
    });
    expect(await statusOf(AGENT1)).toBe('OFF_QUEUE');
    expect(await statusOf(AGENT2)).toBe('IDLE');
    expect(await statusOf(AGENT3)).toBe('IDLE');
    as('a2');
    expect((await conversations.getConversationsCallbacks()).entities).toEqual([]);
  });
});
