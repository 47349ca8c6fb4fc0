// Live notifications end to end: channels made with the official SDK's NotificationsApi, a `ws` client on the
// channel's connectUri, a whole callback life on the user and queue topics (the states in the order they happened),
// and the channel rules: limits, rejections, ping, heartbeat, one socket per channel, expiry, shutdown, CORS.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, OTHER_QUEUE, QUEUE, RESOLVED, TestClock, client, server } from './helpers.js';
import { SocketClient, type Frame } from './socket-client.js';

const OTHER_AGENT = 'a1a1a1a1-0000-4000-8000-0000000000b9';
const userCallbacks = (u: string) => `v2.users.${u}.conversations.callbacks`;
const queueCallbacks = (q: string) => `v2.routing.queues.${q}.conversations.callbacks`;

let srv: RunningServer;
let clock: TestClock;
let api: ReturnType<typeof client>;
let appToken: string;
let agent1: string;
const sdk = platformClient.ApiClient.instance;
const notifications = new platformClient.NotificationsApi();

beforeAll(async () => {
  clock = new TestClock();
  srv = await server({ clock, heartbeatMs: 150 });
  api = client(srv.url);
  sdk.config.live_reload_config = false;
  sdk.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(new URL(srv.url).port) });
  appToken = await api.app();
  agent1 = await api.agent(1);
});
afterAll(async () => srv.close());

/** A channel made through the SDK with these topics, and a socket on it. */
async function channel(
  token: string,
  topics: string[],
): Promise<{ id: string; socket: SocketClient; entities: platformClient.Models.ChannelTopic[] }> {
  sdk.setAccessToken(token);
  const ch = await notifications.postNotificationsChannels();
  const subs = await notifications.postNotificationsChannelSubscriptions(
    ch.id as string,
    topics.map((id) => ({ id })),
  );
  const socket = await SocketClient.open(ch.connectUri as string);
  return { id: ch.id as string, socket, entities: subs.entities ?? [] };
}

/** A compact view of a callback snapshot: each participant's purpose, state, and what marks the step. */
function legs(f: Frame): string {
  return (f.eventBody.participants as any[])
    .map((p) => `${p.purpose}:${p.state}${p.held ? '+held' : ''}${p.wrapup?.code ? '+wrapup' : ''}`)
    .join(' ');
}

describe('live notifications', () => {
  it('a ws client follows a whole callback life on the user and queue topics, in order', async () => {
    const { socket, entities } = await channel(appToken, [
      userCallbacks(AGENT1),
      queueCallbacks(QUEUE),
      `v2.users.${AGENT1}.routingStatus`,
    ]);
    expect(entities.map((e) => [e.id, e.state])).toEqual([
      [userCallbacks(AGENT1), 'Permitted'],
      [queueCallbacks(QUEUE), 'Permitted'],
      [`v2.users.${AGENT1}.routingStatus`, 'Permitted'],
    ]);
    const created = await api.call('POST', '/api/v2/conversations/callbacks', {
      token: appToken,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], callbackUserName: 'Pat Doe' },
    });
    const id = created.json.conversation.id as string;
    await api.call('PUT', `/api/v2/users/${AGENT1}/routingstatus`, { token: agent1, body: { status: 'IDLE' } });
    const offered = await socket.count(userCallbacks(AGENT1), 1);
    const pid = (offered[0]?.eventBody.participants as any[]).find((p) => p.purpose === 'agent').id as string;
    const leg = `/api/v2/conversations/callbacks/${id}/participants/${pid}`;
    await api.call('PATCH', leg, { token: agent1, body: { state: 'connected' } });
    await api.call('POST', `/api/v2/conversations/calls/${id}`, { token: agent1, body: { callNumber: '+13175550100' } });
    await api.call('PATCH', leg, { token: agent1, body: { held: true } });
    await api.call('PATCH', leg, { token: agent1, body: { held: false } });
    await api.call('PATCH', leg, { token: agent1, body: { state: 'disconnected' } });
    await api.call('PATCH', leg, { token: agent1, body: { wrapup: { code: RESOLVED } } });
    const user = await socket.count(userCallbacks(AGENT1), 7);
    const queue = await socket.count(queueCallbacks(QUEUE), 8);
    const answered = 'customer:connected acd:disconnected agent:connected';
    // Offer, answer, dial, hold, unhold, disconnect (ACW), wrap up: one snapshot per change, in commit order.
    expect(user.map(legs)).toEqual([
      'customer:connected acd:connected agent:alerting',
      answered,
      answered,
      'customer:connected acd:disconnected agent:connected+held',
      answered,
      'customer:disconnected acd:disconnected agent:disconnected',
      'customer:disconnected acd:disconnected agent:disconnected+wrapup',
    ]);
    // The queue saw it from its creation (queued: customer and ACD legs connected), then the same steps.
    expect(queue.map(legs)).toEqual(['customer:connected acd:connected', ...user.map(legs)]);
    expect(user.every((f) => f.eventBody.id === id && f.version === '2' && typeof f.metadata?.CorrelationId === 'string')).toBe(true);
    // Full snapshots in the topic's own shape: the agent leg as events carry it.
    const agentLeg = (f: Frame) => (f.eventBody.participants as any[]).find((p) => p.purpose === 'agent');
    expect(agentLeg(user[0] as Frame)).toMatchObject({
      state: 'alerting',
      initialState: 'alerting',
      user: { id: AGENT1, name: 'Agent One' },
      queue: { id: QUEUE, name: 'Callbacks' },
      queueMediaSettings: { alertingTimeoutSeconds: 30, enableAutoAnswer: false },
      callbackNumbers: ['+13175550100'],
      callbackUserName: 'Pat Doe',
    });
    expect(agentLeg(user[2] as Frame).connectedTime).toBe(agentLeg(user[1] as Frame).connectedTime);
    expect(agentLeg(user[6] as Frame).wrapup).toMatchObject({ code: RESOLVED });
    // The routing status moved with the offer and back when the agent was released.
    expect(socket.on(`v2.users.${AGENT1}.routingStatus`).map((f) => f.eventBody.routingStatus.status)).toEqual([
      'IDLE',
      'INTERACTING',
      'IDLE',
    ]);

    // A scheduled callback: `scheduled` while it waits, then due on the manual clock, queued and offered.
    const later = new Date(clock.now().getTime() + 3600_000).toISOString();
    const s2 = await api.call('POST', '/api/v2/conversations/callbacks', {
      token: appToken,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550101'], callbackScheduledTime: later },
    });
    const id2 = s2.json.conversation.id as string;
    const of2 = (frames: Frame[]) => frames.filter((f) => f.eventBody.id === id2);
    await socket.until(() => of2(socket.on(queueCallbacks(QUEUE))).length === 1);
    expect(of2(socket.on(queueCallbacks(QUEUE))).map(legs)).toEqual(['customer:scheduled acd:scheduled']);
    expect((of2(socket.on(queueCallbacks(QUEUE)))[0]?.eventBody.participants as any[])[0]).toMatchObject({
      initialState: 'scheduled',
      callbackScheduledTime: later,
    });
    expect(of2(socket.on(userCallbacks(AGENT1)))).toEqual([]);
    const moved = await api.call('POST', '/emulator/clock', { token: appToken, body: { advance: 'PT1H' } });
    expect(moved.status).toBe(200);
    await socket.until(() => of2(socket.on(userCallbacks(AGENT1))).length === 1);
    expect(of2(socket.on(queueCallbacks(QUEUE))).map(legs)).toEqual([
      'customer:scheduled acd:scheduled',
      'customer:connected acd:connected',
      'customer:connected acd:connected agent:alerting',
    ]);
    expect(of2(socket.on(userCallbacks(AGENT1))).map(legs)).toEqual(['customer:connected acd:connected agent:alerting']);
    socket.close();
  });
});
