// Live notifications end to end: channels made with the official SDK's NotificationsApi, a `ws` client on the
// channel's connectUri, a whole callback life on the user and queue topics (the states in the order they happened),
// and the channel rules: limits, rejections, ping, heartbeat, one socket per channel, expiry, shutdown, CORS.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, OTHER_QUEUE, QUEUE, RESOLVED, TestClock, client, server } from './helpers.js';
import { SocketClient, type Frame } from './socket-client.js';

const OTHER_AGENT = 'b2b2b2b2-0000-4000-8000-000000000009';
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

  it('every NotificationsApi method of the official SDK works against it', async () => {
    sdk.setAccessToken(agent1);
    const ch = await notifications.postNotificationsChannels();
    expect(ch.connectUri).toBe(`ws://${new URL(srv.url).host}/channels/${ch.id}`);
    await notifications.headNotificationsChannel(ch.id as string);
    // The SDK rejects a HEAD that is not 2xx (with no error object: a HEAD has no body to make one of).
    expect(
      await notifications.headNotificationsChannel('no-such-channel').then(
        () => 'resolved',
        () => 'rejected',
      ),
    ).toBe('rejected');
    const listed = await notifications.getNotificationsChannels({ includechannels: 'token' });
    expect(listed.entities?.map((c) => c.id)).toEqual([ch.id]);
    const topics = await notifications.getNotificationsAvailabletopics({ expand: ['requiresPermissions', 'schema'] });
    const callbacks = topics.entities?.find((t) => t.id === 'v2.users.{id}.conversations.callbacks');
    expect(callbacks?.requiresPermissions).toEqual(['conversation:communication:view']);
    expect(JSON.stringify(callbacks?.schema)).toContain('ConversationCallbackEventTopicCallbackMediaParticipant');
    const put = await notifications.putNotificationsChannelSubscriptions(ch.id as string, [{ id: userCallbacks(AGENT1) }]);
    expect(put.entities?.map((t) => [t.id, t.state])).toEqual([[userCallbacks(AGENT1), 'Permitted']]);
    const got = await notifications.getNotificationsChannelSubscriptions(ch.id as string);
    expect(got.entities).toEqual(put.entities);
    await notifications.deleteNotificationsChannelSubscriptions(ch.id as string);
    expect((await notifications.getNotificationsChannelSubscriptions(ch.id as string)).entities).toEqual([]);
    const bad = await notifications.postNotificationsChannelSubscriptions(ch.id as string, [{ id: 'v2.nothing' }]).catch((e: unknown) => e);
    // The SDK rejects with the ErrorBody: the field is named by its JSON pointer.
    expect(bad).toMatchObject({
      status: 400,
      code: 'bad.request',
      message: expect.stringMatching(/v2\.nothing/),
      details: [{ fieldName: '/0/id' }],
    });
    const ignored = await notifications.postNotificationsChannelSubscriptions(ch.id as string, [{ id: 'v2.nothing' }], {
      ignoreErrors: true,
    });
    expect(ignored.entities).toEqual([]);
  });

  it('rejects topics of other organizations and of other users for a user token; nothing of them is delivered', async () => {
    const other = client(srv.url);
    const otherToken = (await other.token({ grant_type: 'client_credentials' }, 'other-client:other-secret')).json.access_token as string;
    const agent2 = await api.agent(2);
    // The other organization's client asks for our agent and our queue: rejected, as if they did not exist.
    const foreign = await channel(otherToken, [
      userCallbacks(AGENT1),
      queueCallbacks(QUEUE),
      userCallbacks(OTHER_AGENT),
      queueCallbacks(OTHER_QUEUE),
    ]);
    expect(foreign.entities.map((e) => [e.id, e.state])).toEqual([
      [userCallbacks(AGENT1), 'Rejected'],
      [queueCallbacks(QUEUE), 'Rejected'],
      [userCallbacks(OTHER_AGENT), 'Permitted'],
      [queueCallbacks(OTHER_QUEUE), 'Permitted'],
    ]);
    expect(foreign.entities[0]?.rejectionReason).toMatch(/no user/);
    // Agent 2 may follow itself and its queue, not agent 1.
    const a2 = await channel(agent2, [userCallbacks(AGENT2), userCallbacks(AGENT1), queueCallbacks(QUEUE), queueCallbacks(OTHER_QUEUE)]);
    expect(a2.entities.map((e) => [e.id, e.state, e.missingPermissions])).toEqual([
      [userCallbacks(AGENT2), 'Permitted', undefined],
      [userCallbacks(AGENT1), 'Rejected', ['conversation:communication:view']],
      [queueCallbacks(QUEUE), 'Permitted', undefined],
      [queueCallbacks(OTHER_QUEUE), 'Rejected', undefined],
    ]);
    // GET lists the same, Rejected ones included.
    const listed = await api.call('GET', `/api/v2/notifications/channels/${a2.id}/subscriptions`, { token: agent2 });
    expect(listed.json.entities.map((e: { state: string }) => e.state)).toEqual(['Permitted', 'Rejected', 'Permitted', 'Rejected']);
    // Another organization's channel does not exist for us.
    expect((await api.call('GET', `/api/v2/notifications/channels/${foreign.id}/subscriptions`, { token: appToken })).status).toBe(404);
    const created = await api.call('POST', '/api/v2/conversations/callbacks', {
      token: appToken,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550102'] },
    });
    const id = created.json.conversation.id as string;
    await a2.socket.until(() => a2.socket.on(queueCallbacks(QUEUE)).some((f) => f.eventBody.id === id));
    // The other organization's socket got nothing of ours (its permitted topics are quiet; ours were rejected).
    expect(foreign.socket.frames.filter((f) => f.topicName !== 'channel.metadata')).toEqual([]);
    expect(a2.socket.on(userCallbacks(AGENT1))).toEqual([]);
    foreign.socket.close();
    a2.socket.close();
  });

  it('refuses unknown topics (unless ignoreErrors) and more than 1,000 per channel; PUT replaces, DELETE removes all', async () => {
    const ch = (await api.call('POST', '/api/v2/notifications/channels', { token: appToken })).json;
    expect(ch.connectUri).toBe(`ws://${new URL(srv.url).host}/channels/${ch.id}`);
    expect(new Date(ch.expires).getTime()).toBe(clock.now().getTime() + 24 * 3600_000);
    const subs = `/api/v2/notifications/channels/${ch.id}/subscriptions`;
    const bad = await api.call('POST', subs, { token: appToken, body: [{ id: userCallbacks(AGENT1) }, { id: 'v2.users.x.nonsense' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.details?.[0]?.fieldName ?? bad.json.message).toMatch(/1|nonsense/);
    expect((await api.call('GET', subs, { token: appToken })).json.entities).toEqual([]);
    const ignored = await api.call('POST', `${subs}?ignoreErrors=true`, {
      token: appToken,
      body: [{ id: userCallbacks(AGENT1) }, { id: 'v2.users.x.nonsense' }],
    });
    expect(ignored.json.entities.map((e: { id: string }) => e.id)).toEqual([userCallbacks(AGENT1)]);
    const many = Array.from({ length: 1000 }, (_, i) => ({ id: userCallbacks(`u${i}`) }));
    const over = await api.call('POST', subs, { token: appToken, body: many });
    expect(over.status).toBe(400);
    expect(over.json.message).toMatch(/1000 topics/);
    const replaced = await api.call('PUT', subs, { token: appToken, body: many });
    expect(replaced.status).toBe(200);
    expect(replaced.json.entities).toHaveLength(1000);
    const put = await api.call('PUT', subs, { token: appToken, body: [{ id: queueCallbacks(QUEUE) }] });
    expect(put.json.entities.map((e: { id: string }) => e.id)).toEqual([queueCallbacks(QUEUE)]);
    expect((await api.call('DELETE', subs, { token: appToken })).status).toBe(200);
    expect((await api.call('GET', subs, { token: appToken })).json.entities).toEqual([]);
    expect((await api.call('HEAD', `/api/v2/notifications/channels/${ch.id}`, { token: appToken })).status).toBe(200);
    expect((await api.call('HEAD', '/api/v2/notifications/channels/nope', { token: appToken })).status).toBe(404);
  });

  it('keeps 20 channels per user and client: the 21st evicts the least recently used, unconnected first', async () => {
    const token = await api.agent(2);
    const made: { id: string }[] = [];
    for (let i = 0; i < 20; i++) made.push((await api.call('POST', '/api/v2/notifications/channels', { token })).json);
    // The oldest one is connected: it is not the one to go; the oldest unconnected is.
    const connected = await SocketClient.open(`ws://${new URL(srv.url).host}/channels/${made[0]?.id}`);
    const fresh = (await api.call('POST', '/api/v2/notifications/channels', { token })).json;
    const listed = (await api.call('GET', '/api/v2/notifications/channels?includechannels=oauthclient', { token })).json.entities.map(
      (c: { id: string }) => c.id,
    );
    expect(listed).toHaveLength(20);
    expect(listed).toContain(made[0]?.id);
    expect(listed).not.toContain(made[1]?.id);
    expect(listed).toContain(fresh.id);
    expect((await api.call('HEAD', `/api/v2/notifications/channels/${made[1]?.id}`, { token })).status).toBe(404);
    // Channels of the same token only, by default; a bad value is refused naming the parameter.
    const other = await api.agent(2);
    expect((await api.call('GET', '/api/v2/notifications/channels', { token: other })).json.entities).toEqual([]);
    const bad = await api.call('GET', '/api/v2/notifications/channels?includechannels=all', { token });
    expect(bad.status).toBe(400);
    expect(bad.json.details[0].fieldName).toBe('includechannels');
    connected.close();
  });

  it('answers ping with pong, sends the heartbeat, acknowledges in-socket subscribe, and keeps one socket per channel', async () => {
    const { id, socket } = await channel(appToken, []);
    socket.send({ message: 'ping' });
    socket.send("{'message':'ping'}");
    await socket.until(() => socket.frames.filter((f) => f.eventBody?.message === 'pong').length === 2);
    expect(socket.frames.find((f) => f.eventBody?.message === 'pong')).toEqual({
      topicName: 'channel.metadata',
      eventBody: { message: 'pong' },
    });
    await socket.until(() => socket.frames.some((f) => f.eventBody?.message === 'WebSocket Heartbeat'), 2000);
    expect(socket.frames.find((f) => f.eventBody?.message === 'WebSocket Heartbeat')).toEqual({
      topicName: 'channel.metadata',
      eventBody: { message: 'WebSocket Heartbeat' },
    });
    socket.send({ message: 'subscribe', topics: [queueCallbacks(QUEUE)], correlationId: 'abcdefgh12345678' });
    socket.send({ message: 'subscribe', correlationId: 'uno5VlaUHt5t2Mul' });
    const acks = await socket.until(() => {
      const a = socket.frames.filter((f) => 'result' in f);
      return a.length === 2 ? a : undefined;
    });
    expect(acks).toEqual([
      { correlationId: 'abcdefgh12345678', topics: [queueCallbacks(QUEUE)], result: '200', status: 'subscribed' },
      {
        correlationId: 'uno5VlaUHt5t2Mul',
        topics: [],
        result: '400',
        status: 'error',
        message: 'Required data missing from subscribe request.',
      },
    ]);
    const subs = await api.call('GET', `/api/v2/notifications/channels/${id}/subscriptions`, { token: appToken });
    expect(subs.json.entities).toEqual([{ id: queueCallbacks(QUEUE), state: 'Permitted' }]);
    // A second socket on the channel: the first is closed, the second gets the events.
    const second = await SocketClient.open(`ws://${new URL(srv.url).host}/channels/${id}`);
    await socket.until(() => socket.closed);
    expect(socket.closed?.code).toBe(1000);
    await api.call('POST', '/api/v2/conversations/callbacks', {
      token: appToken,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550103'] },
    });
    await second.count(queueCallbacks(QUEUE), 1);
    expect(socket.on(queueCallbacks(QUEUE))).toEqual([]);
    // No socket on a channel that does not exist.
    await expect(SocketClient.open(`ws://${new URL(srv.url).host}/channels/nope`)).rejects.toThrow(/404/);
    second.close();
  });

  it('answers CORS preflights for local pages, not for other origins', async () => {
    const pre = (origin: string) =>
      fetch(`${srv.url}/api/v2/notifications/channels`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const local = await pre('http://localhost:5173');
    expect(local.status).toBe(204);
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(local.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(local.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const far = await pre('https://evil.example');
    expect(far.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${srv.url}/api/v2/users/me`, {
      headers: { origin: 'http://127.0.0.1:3000', authorization: `Bearer ${agent1}` },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(get.headers.get('access-control-expose-headers')).toMatch(/inin-correlation-id/);
    // Sockets follow the same rule.
    const ch = (await api.call('POST', '/api/v2/notifications/channels', { token: appToken })).json;
    await expect(SocketClient.open(ch.connectUri, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    (await SocketClient.open(ch.connectUri, { origin: 'http://localhost:5173' })).close();
  });
});

describe('live notifications, ends of sockets', () => {
  it('a channel ends after 24 h without a subscription call (the socket is told); one call extends it', async () => {
    // A server of its own: its clock moves a day (the shared server's tokens would expire).
    const own = await server({ clock: new TestClock(), auth: { ttlSeconds: 7 * 24 * 3600 } });
    const c = client(own.url);
    const token = await c.app();
    const make = async () => {
      const ch = (await c.call('POST', '/api/v2/notifications/channels', { token })).json;
      await c.call('POST', `/api/v2/notifications/channels/${ch.id}/subscriptions`, { token, body: [{ id: queueCallbacks(QUEUE) }] });
      return { id: ch.id as string, socket: await SocketClient.open(ch.connectUri) };
    };
    const kept = await make();
    const ends = await make();
    await c.call('POST', '/emulator/clock', { token, body: { advance: 'PT23H' } });
    await c.call('POST', `/api/v2/notifications/channels/${kept.id}/subscriptions`, { token, body: [{ id: userCallbacks(AGENT1) }] });
    await c.call('POST', '/emulator/clock', { token, body: { advance: 'PT2H' } });
    await ends.socket.until(() => ends.socket.closed);
    expect(ends.socket.on(`v2.system.no_longer_subscribed.${ends.id}`).map((f) => f.eventBody)).toEqual([
      expect.objectContaining({ channelId: ends.id, systemTopicType: 'no_longer_subscribed' }),
    ]);
    expect(ends.socket.closed?.code).toBe(1001);
    expect((await c.call('HEAD', `/api/v2/notifications/channels/${ends.id}`, { token })).status).toBe(404);
    expect((await c.call('HEAD', `/api/v2/notifications/channels/${kept.id}`, { token })).status).toBe(200);
    expect(kept.socket.closed).toBeUndefined();
    kept.socket.close();
    await own.close();
  });

  it('tells every socket socket_closing before the server stops, then closes cleanly', async () => {
    const own = await server({ clock: new TestClock() });
    const c = client(own.url);
    const token = await c.app();
    const ch = (await c.call('POST', '/api/v2/notifications/channels', { token })).json;
    const socket = await SocketClient.open(ch.connectUri);
    await own.close();
    await socket.until(() => socket.closed);
    expect(socket.on('v2.system.socket_closing')).toHaveLength(1);
    expect(socket.on('v2.system.socket_closing')[0]?.eventBody).toMatchObject({ channelId: ch.id });
    expect(socket.closed?.code).toBe(1001);
  });

  it('stops delivering when the token expires, and says so', async () => {
    const clk = new TestClock();
    const own = await server({ clock: clk, auth: { ttlSeconds: 60 } });
    const c = client(own.url);
    const token = await c.app();
    const ch = (await c.call('POST', '/api/v2/notifications/channels', { token })).json;
    await c.call('POST', `/api/v2/notifications/channels/${ch.id}/subscriptions`, { token, body: [{ id: queueCallbacks(QUEUE) }] });
    const socket = await SocketClient.open(ch.connectUri);
    const fresh = async () => {
      const t = await c.app();
      await c.call('POST', '/api/v2/conversations/callbacks', { token: t, body: { queueId: QUEUE, callbackNumbers: ['+13175550104'] } });
    };
    await fresh();
    await socket.count(queueCallbacks(QUEUE), 1);
    clk.advanceSeconds(61);
    await fresh();
    await own.settle();
    await socket.until(() => socket.closed);
    expect(socket.on(queueCallbacks(QUEUE))).toHaveLength(1);
    expect(socket.frames.at(-1)).toMatchObject({ result: '404', message: expect.stringMatching(/token expired/) });
    await own.close();
  });

  it('closes a socket whose client reads too slowly, with the reason, instead of buffering without bound', async () => {
    const own = await server({ clock: new TestClock(), socketBufferBytes: 64 * 1024, routing: false });
    const c = client(own.url);
    const token = await c.app();
    const ch = (await c.call('POST', '/api/v2/notifications/channels', { token })).json;
    await c.call('POST', `/api/v2/notifications/channels/${ch.id}/subscriptions`, { token, body: [{ id: queueCallbacks(QUEUE) }] });
    const socket = await SocketClient.open(ch.connectUri);
    // The client stops reading: what the server sends piles up in the kernel, then in the server.
    (socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const data = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'x'.repeat(200)]));
    let made = 0;
    while (own.notifications.stats().connected > 0 && made < 2000) {
      await c.call('POST', '/api/v2/conversations/callbacks', { token, body: { queueId: QUEUE, callbackNumbers: ['+13175550105'], data } });
      made++;
    }
    expect(own.notifications.stats().connected).toBe(0);
    (socket.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await socket.until(() => socket.closed, 5000);
    expect(socket.closed).toEqual({ code: 1008, reason: expect.stringMatching(/reads too slowly/) });
    expect(socket.on(queueCallbacks(QUEUE)).length).toBeLessThan(made);
    // The server goes on.
    expect((await c.call('GET', '/api/v2/notifications/channels', { token })).status).toBe(200);
    await own.close();
  });

  it('delivers each change once, in commit order, under concurrent changes; the generic and summary topics too', async () => {
    const own = await server({ clock: new TestClock(), routing: false });
    const c = client(own.url);
    const token = await c.app();
    const agent = await c.agent(1);
    const created = await c.call('POST', '/api/v2/conversations/callbacks', {
      token,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550106'] },
    });
    const id = created.json.conversation.id as string;
    const pid = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token })).json.participants[0].id as string;
    const ch = (await c.call('POST', '/api/v2/notifications/channels', { token })).json;
    const topics = [
      queueCallbacks(QUEUE),
      `v2.routing.queues.${QUEUE}.conversations`,
      `v2.users.${AGENT1}.conversationsummary`,
      userCallbacks(AGENT1),
    ];
    await c.call('POST', `/api/v2/notifications/channels/${ch.id}/subscriptions`, { token, body: topics.map((t) => ({ id: t })) });
    const socket = await SocketClient.open(ch.connectUri);
    // 20 changes at once, each adding an attribute: every commit adds one, so commit order shows as a rising count.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}/attributes`, {
          token,
          body: { attributes: { [`a${i}`]: String(i) } },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    const frames = await socket.count(queueCallbacks(QUEUE), 20);
    const counts = frames.map((f) => Object.keys(f.eventBody.participants[0].attributes).length);
    expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const generic = await socket.count(`v2.routing.queues.${QUEUE}.conversations`, 20);
    expect(generic.map((f) => Object.keys(f.eventBody.participants[0].attributes).length)).toEqual(counts);
    expect(generic[0]?.eventBody.participants[0].callbacks[0]).toMatchObject({ state: 'connected', callbackNumbers: ['+13175550106'] });
    expect(frames.map((f) => f.metadata?.CorrelationId)).toEqual(generic.map((f) => f.metadata?.CorrelationId));
    // The agent's summary follows an offer and its end.
    await c.call('POST', `/api/v2/conversations/${id}/assign`, { token, body: { id: AGENT1 } });
    const summary = await socket.count(`v2.users.${AGENT1}.conversationsummary`, 1);
    expect(summary[0]?.eventBody).toEqual({
      userId: AGENT1,
      callback: { contactCenter: { active: 1, acw: 0 }, enterprise: { active: 0, acw: 0 } },
    });
    const offered = (await socket.count(userCallbacks(AGENT1), 1))[0];
    const leg = (offered?.eventBody.participants as any[]).find((p) => p.purpose === 'agent').id as string;
    await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${leg}`, { token: agent, body: { state: 'connected' } });
    await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${leg}`, { token: agent, body: { state: 'disconnected' } });
    const after = await socket.count(`v2.users.${AGENT1}.conversationsummary`, 2);
    expect(after[1]?.eventBody.callback.contactCenter).toEqual({ active: 0, acw: 1 });
    // And every frame of the queue topic is a distinct change: no duplicates.
    const all = socket.on(queueCallbacks(QUEUE)).map((f) => f.metadata?.CorrelationId);
    expect(new Set(all).size).toBe(all.length);
    socket.close();
    await own.close();
  });
});
