// The official JS SDK (purecloud-platform-client-v2, pinned) drives a whole callback life against callbackd.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, QUEUE, RESOLVED, client, server } from './helpers.js';

let srv: RunningServer;
// The SDK's client is a process-wide singleton; vitest runs this file in a worker of its own.
const sdk = platformClient.ApiClient.instance;
const conversations = new platformClient.ConversationsApi();
const routing = new platformClient.RoutingApi();
const users = new platformClient.UsersApi();
let appToken: string;
let agentToken: string;

beforeAll(async () => {
  srv = await server();
  const port = Number(new URL(srv.url).port);
  sdk.config.live_reload_config = false;
  sdk.setGateway({ host: '127.0.0.1', protocol: 'http', port });
  const auth = await sdk.loginClientCredentialsGrant('callbackd-dev', 'callbackd-dev-secret');
  appToken = auth.accessToken;
  agentToken = await client(srv.url).agent(1);
});
afterAll(async () => srv.close());

const asApp = () => sdk.setAccessToken(appToken);
const asAgent = () => sdk.setAccessToken(agentToken);

describe('the official SDK', () => {
  it('walks a full callback life', async () => {
    asApp();
    const created = await conversations.postConversationsCallbacks({
      queueId: QUEUE,
      callbackNumbers: ['+13175550100'],
      callbackUserName: 'Pat Doe',
      callbackScheduledTime: new Date(Date.now() - 1000).toISOString(),
      data: { orderId: 'A-17' },
    });
    const id = created.conversation.id as string;
    expect(created.callbackIdentifiers.map((x) => x.type)).toEqual(['EXTERNAL', 'ACD']);

    const conv = await conversations.getConversationsCallback(id);
    expect(conv.participants?.[0]).toMatchObject({ purpose: 'customer', state: 'connected', attributes: { orderId: 'A-17' } });
    expect(typeof conv.participants?.[0]?.startTime).toBe('string');

    await conversations.postConversationAssign(id, { id: AGENT1 });
    const offered = await conversations.getConversationsCallback(id);
    const leg = offered.participants?.find((p) => p.purpose === 'agent');
    expect(leg?.state).toBe('alerting');
    const pid = leg?.id as string;

    asAgent();
    expect((await users.getUsersMe()).id).toBe(AGENT1);
    const mine = await conversations.getConversationsCallbacks();
    expect(mine.entities?.map((e) => e.id)).toContain(id);
    await conversations.patchConversationsCallbackParticipant(id, pid, { state: 'connected' });
    const placed = await conversations.postConversationsCall(id, { callNumber: '+13175550100' });
    expect(placed.participants.find((p) => p.id === pid)?.callbacks?.[0]?.state).toBe('connected');
    await conversations.patchConversationsCallbackParticipant(id, pid, { held: true });
    expect((await conversations.getConversationsCallback(id)).participants?.find((p) => p.id === pid)?.held).toBe(true);
    await conversations.patchConversationsCallbackParticipant(id, pid, { held: false });
    await conversations.patchConversationsCallbackParticipant(id, pid, { state: 'disconnected' });
    const codes = await conversations.getConversationsCallbackParticipantWrapupcodes(id, pid);
    expect(codes.map((c) => c.id)).toContain(RESOLVED);
    await conversations.patchConversationsCallbackParticipant(id, pid, { wrapup: { code: RESOLVED, notes: 'Called back' } });
    const wrapup = await conversations.getConversationsCallbackParticipantWrapup(id, pid);
    expect(wrapup).toMatchObject({ code: RESOLVED, notes: 'Called back' });
    const done = await conversations.getConversationsCallback(id);
    expect(done.participants?.every((p) => p.state === 'disconnected')).toBe(true);
  });

  it('reschedules, bulk-disconnects and tears down through the SDK', async () => {
    asApp();
    const when = new Date(Date.now() + 3600_000).toISOString();
    const created = await conversations.postConversationsCallbacks({
      queueId: QUEUE,
      callbackNumbers: ['+13175550100'],
      callbackScheduledTime: when,
    });
    const id = created.conversation.id as string;
    const later = new Date(Date.now() + 7200_000);
    const patched = await conversations.patchConversationsCallbacks({
      conversationId: id,
      agentId: AGENT1,
      callbackScheduledTime: later.toISOString(),
    });
    expect(patched.conversation.id).toBe(id);
    const rescheduled = await conversations.getConversationsCallback(id);
    expect(rescheduled.participants?.map((p) => p.callbackScheduledTime)).toEqual([later.toISOString(), later.toISOString()]);
    expect(rescheduled.participants?.[1]?.conversationRoutingData?.scoredAgents?.map((s) => s.agent?.id)).toEqual([AGENT1]);
    const acd = created.callbackIdentifiers.find((x) => x.type === 'ACD')?.id as string;
    await conversations.postConversationsCallbacksBulkDisconnect({
      callbackDisconnectIdentifiers: [{ conversationId: id, callbackId: acd }],
    });
    const generic = await conversations.getConversation(id);
    expect(generic.participants.every((p) => p.callbacks?.[0]?.state === 'disconnected')).toBe(true);
    const other = (await conversations.postConversationsCallbacks({ queueId: QUEUE, callbackNumbers: ['+13175550100'] })).conversation
      .id as string;
    expect(await conversations.postConversationDisconnect(other)).toBe('Accepted');
    expect((await routing.getRoutingQueue(QUEUE)).name).toBe('Callbacks');
  });

  it('lists and deletes configuration through RoutingApi and UsersApi', async () => {
    asApp();
    expect((await routing.getRoutingQueues()).entities?.map((q) => q.name)).toContain('Callbacks');
    expect((await routing.getRoutingWrapupcodes()).entities?.map((w) => w.name)).toEqual(['Call back later', 'No answer', 'Resolved']);
    expect((await routing.getRoutingQueueWrapupcodes(QUEUE)).total).toBe(3);
    expect((await users.getUsers()).entities?.map((u) => u.email)).toEqual(['agent1@example.com', 'agent2@example.com']);
    const temp = await routing.postRoutingQueues({ name: 'Temporary' });
    await routing.deleteRoutingQueue(temp.id as string);
    await expect(routing.getRoutingQueue(temp.id as string)).rejects.toMatchObject({ status: 404, code: 'not.found' });
    expect((await users.getUserRoutingstatus(AGENT1)).status).toBe('OFF_QUEUE');
  });

  it('rejects with the parsed ErrorBody', async () => {
    asApp();
    await expect(conversations.getConversationsCallback('no-such-conversation')).rejects.toMatchObject({
      status: 404,
      code: 'conversation.error.conversation.not.found',
    });
    await expect(conversations.postConversationsCallbacks({ queueId: QUEUE, callbackNumbers: [] })).rejects.toMatchObject({
      status: 400,
      code: 'callback.error.missing.callback.numbers',
    });
    sdk.setAccessToken('not-a-token');
    await expect(conversations.getConversationsCallback('x')).rejects.toMatchObject({ status: 401, code: 'bad.credentials' });
  });

  it('sees an injected 429 as Genesys sends it: the normalized body and an integer Retry-After (200 s: past the 180 s SDKs wait)', async () => {
    const api = client(srv.url);
    await api.call('POST', '/emulator/faults', {
      token: appToken,
      body: { method: 'GET', path: '/api/v2/routing/queues', status: 429, retryAfterSeconds: 200, count: 1 },
    });
    asApp();
    // The SDK rejects with the body alone unless asked for the extended response (status, headers, body).
    sdk.setReturnExtendedResponses(true);
    const refused = await routing
      .getRoutingQueues()
      .then(
        () => undefined,
        (e: { status: number; headers: Record<string, string>; body: { code: string } }) => e,
      )
      .finally(() => sdk.setReturnExtendedResponses(false));
    expect(refused).toMatchObject({ status: 429, body: { code: 'too.many.requests.retry.after', status: 429 } });
    expect(refused?.headers['retry-after']).toBe('200');
    expect(refused?.headers['inin-ratelimit-allowed']).toBe('300');
    // The next one passes (count: 1).
    expect((await routing.getRoutingQueues()).entities?.length).toBeGreaterThan(0);
  });
});
