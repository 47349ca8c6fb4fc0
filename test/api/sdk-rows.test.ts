// The rows of docs/reference/api.md §1.1 the SDK could not call before: GET /api/v2/conversations, the current and
// deprecated transfer routes, PATCH recordingstate, a user's queues and /routing/queues/me, and User.version. Each
// through the official SDK, with the result read back.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, QUEUE, client, server } from './helpers.js';

let srv: RunningServer;
const sdk = platformClient.ApiClient.instance;
const conversations = new platformClient.ConversationsApi();
const routing = new platformClient.RoutingApi();
const users = new platformClient.UsersApi();
let appToken: string;
let agentToken: string;

beforeAll(async () => {
  srv = await server({ routing: false });
  sdk.config.live_reload_config = false;
  sdk.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(new URL(srv.url).port) });
  appToken = await client(srv.url).app();
  agentToken = await client(srv.url).agent(1);
});
afterAll(async () => srv.close());

const asApp = () => sdk.setAccessToken(appToken);
const asAgent = () => sdk.setAccessToken(agentToken);
const refusal = <T>(p: Promise<T>) =>
  p.then(() => undefined).catch((e: unknown) => e as { status: number; code: string; message: string; details?: { fieldName: string }[] });

/** A callback offered to agent 1 and answered: returns its id and the agent's participant id. */
async function answered(): Promise<{ id: string; pid: string }> {
  asApp();
  const created = await conversations.postConversationsCallbacks({ queueId: QUEUE, callbackNumbers: ['+13175550100'] });
  const id = created.conversation.id as string;
  await conversations.postConversationAssign(id, { id: AGENT1 });
  const pid = (await conversations.getConversationsCallback(id)).participants?.find((p) => p.purpose === 'agent')?.id as string;
  asAgent();
  await conversations.patchConversationsCallbackParticipant(id, pid, { state: 'connected' });
  return { id, pid };
}

const agentLegs = async (id: string) => {
  asApp();
  return ((await conversations.getConversationsCallback(id)).participants ?? [])
    .filter((p) => p.purpose === 'agent')
    .map((p) => [p.user?.id, p.state, p.disconnectType]);
};

describe('the rows the SDK could not call before', () => {
  it("GET /api/v2/conversations lists the agent's callbacks going on", async () => {
    const { id } = await answered();
    asAgent();
    const mine = await conversations.getConversations();
    expect(mine.entities?.map((c) => c.id)).toContain(id);
    const conv = mine.entities?.find((c) => c.id === id);
    expect(conv?.participants?.find((p) => p.purpose === 'agent')?.callbacks?.[0]?.state).toBe('connected');
    expect(mine.total).toBe(mine.entities?.length);
    expect((await conversations.getConversations({ communicationType: 'call' })).entities).toEqual([]);
    expect((await conversations.getConversations({ communicationType: 'Callback' })).entities?.map((c) => c.id)).toContain(id);
    // Another agent has none of them; a client token has no user to list for.
    sdk.setAccessToken(await client(srv.url).agent(2));
    expect((await conversations.getConversations()).entities).toEqual([]);
    asApp();
    expect(await refusal(conversations.getConversations())).toMatchObject({ status: 400, code: 'bad.request' });
  });

  it('PATCH recordingstate sets it (202), read back on the conversation', async () => {
    const { id } = await answered();
    asApp();
    await conversations.patchConversationRecordingstate(id, { recordingState: 'PAUSED' });
    expect((await conversations.getConversation(id)).recordingState).toBe('PAUSED');
    const bad = await refusal(conversations.patchConversationRecordingstate(id, { recordingState: 'LOUD' as 'ACTIVE' }));
    expect(bad).toMatchObject({ status: 400, details: [{ fieldName: '/recordingState' }] });
  });

  it('replace/agent, replace/queue, transfer and the deprecated replace move the callback; external ones are refused', async () => {
    const a = await answered();
    asAgent();
    await conversations.postConversationParticipantReplaceAgent(a.id, a.pid, { userId: AGENT2 });
    expect(await agentLegs(a.id)).toEqual([
      [AGENT1, 'disconnected', 'transfer'],
      [AGENT2, 'alerting', undefined],
    ]);

    const q = await answered();
    asAgent();
    await conversations.postConversationParticipantReplaceQueue(q.id, q.pid, { queueId: QUEUE });
    expect(await agentLegs(q.id)).toEqual([[AGENT1, 'disconnected', 'transfer']]);
    // Back in the queue: a new ACD leg waits (the first one ended when the agent took the callback).
    expect((await conversations.getConversationsCallback(q.id)).participants?.map((p) => [p.purpose, p.state])).toEqual([
      ['customer', 'connected'],
      ['acd', 'disconnected'],
      ['agent', 'disconnected'],
      ['acd', 'connected'],
    ]);

    const t = await answered();
    asAgent();
    await conversations.postConversationParticipantTransfer(t.id, t.pid, { address: AGENT2 });
    expect((await agentLegs(t.id))[1]).toEqual([AGENT2, 'alerting', undefined]);

    const d = await answered();
    asAgent();
    await conversations.postConversationParticipantReplace(d.id, d.pid, { queueId: QUEUE });
    expect(await agentLegs(d.id)).toEqual([[AGENT1, 'disconnected', 'transfer']]);

    // Where a callback cannot go: refused naming the field, nothing changed.
    const e = await answered();
    asAgent();
    const before = (await conversations.getConversation(e.id)).participants?.map((p) => p.callbacks?.[0]?.state);
    const external = await refusal(conversations.postConversationParticipantReplaceExternal(e.id, e.pid, { address: '+13175550199' }));
    expect(external).toMatchObject({ status: 400, code: 'bad.request', details: [{ fieldName: '/address' }] });
    const contact = await refusal(
      conversations.postConversationParticipantReplaceContactExternal(e.id, e.pid, { contactId: 'c1', phoneType: 'CellPhone' }),
    );
    expect(contact).toMatchObject({ status: 400, code: 'bad.request', details: [{ fieldName: '/contactId' }] });
    const phone = await refusal(conversations.postConversationParticipantTransfer(e.id, e.pid, { address: '+13175550199' }));
    expect(phone).toMatchObject({ status: 400, code: 'bad.request' });
    const missing = await refusal(conversations.postConversationParticipantReplaceAgent(e.id, e.pid, {}));
    expect(missing).toMatchObject({ status: 400, details: [{ fieldName: '/userId' }] });
    expect((await conversations.getConversation(e.id)).participants?.map((p) => p.callbacks?.[0]?.state)).toEqual(before);
    // An unknown conversation is a 404 before anything else.
    expect(await refusal(conversations.postConversationParticipantReplaceExternal('nope', e.pid, { address: 'x' }))).toMatchObject({
      status: 404,
    });
  });

  it("a user's queues and /routing/queues/me (not taken for a queue id); users carry a version", async () => {
    asAgent();
    const me = await routing.getRoutingQueuesMe();
    expect(me.entities?.map((q) => [q.id, q.joined, q.mediaSettings?.callback?.alertingTimeoutSeconds])).toEqual([[QUEUE, true, 30]]);
    expect((await routing.getRoutingQueuesMe({ joined: false })).entities).toEqual([]);
    asApp();
    const theirs = await users.getUserQueues(AGENT2);
    expect(theirs.entities?.map((q) => q.id)).toEqual([QUEUE]);
    expect(theirs.entities?.[0]).toMatchObject({ name: 'Callbacks', memberCount: 2, joinedMemberCount: 2 });
    expect((await routing.getUserQueues(AGENT1)).entities?.map((q) => q.id)).toEqual([QUEUE]);
    expect(await refusal(users.getUserQueues('b2b2b2b2-0000-4000-8000-000000000009'))).toMatchObject({ status: 404 });
    expect(await refusal(routing.getRoutingQueuesMe())).toMatchObject({ status: 400 });
    asAgent();
    expect((await users.getUsersMe()).version).toBe(1);
    expect((await users.getUser(AGENT2)).version).toBe(1);
  });
});
