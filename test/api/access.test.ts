// Who may act on a participant, over HTTP, for every route that names one: a user token only in a conversation the
// user took part in (404 otherwise), and never on another agent's leg (403 not.authorized). Nothing is stored when
// refused; the owner's own token is accepted on the same requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/api/routes/index.js';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, QUEUE, RESOLVED, client, server, snapshot, tempDb } from './helpers.js';

const db = tempDb();
let srv: RunningServer;
let c: ReturnType<typeof client>;
let app: string;
let agent1: string;
let agent2: string;

beforeAll(async () => {
  srv = await server({ db });
  c = client(srv.url);
  app = await c.app();
  agent1 = await c.agent(1);
  agent2 = await c.agent(2);
});
afterAll(async () => srv.close());

/** A valid body for each participant route, so that ownership is the only reason to refuse. */
const BODY: Record<string, unknown> = {
  patchConversationsCallbackParticipant: { held: true },
  patchConversationParticipant: { held: true },
  patchConversationsCallbackParticipantAttributes: { attributes: { by: 'someone' } },
  patchConversationParticipantAttributes: { attributes: { by: 'someone' } },
  patchConversationsCallbackParticipantCommunication: { state: 'disconnected' },
  postConversationsCallbackParticipantCommunicationWrapup: { code: RESOLVED, provisional: true },
  postConversationsCallbackParticipantReplace: { queueId: QUEUE },
  postConversationParticipantCallbacks: { callbackNumbers: ['+13175550199'] },
};

const PARTICIPANT_ROUTES = ROUTES.filter((r) => r.path.includes('{participantId}'));

/** A callback that agent 2 was offered and declined, now connected to agent 1: ids for the paths. */
async function takenOver() {
  const id = (
    await c.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] } })
  ).json.conversation.id as string;
  const legOf = async (user: string) =>
    (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants
      .filter((p: any) => p.purpose === 'agent' && p.user.id === user)
      .at(-1);
  await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT2 } });
  const declined = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${(await legOf(AGENT2)).id}`, {
    token: agent2,
    body: { state: 'disconnected' },
  });
  expect(declined.status).toBe(202);
  await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
  const leg = await legOf(AGENT1);
  expect(
    (await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${leg.id}`, { token: agent1, body: { state: 'connected' } }))
      .status,
  ).toBe(202);
  const generic = (await c.call('GET', `/api/v2/conversations/${id}`, { token: app })).json;
  const communicationId = generic.participants.find((p: any) => p.id === leg.id).callbacks[0].id as string;
  return { id, pid: leg.id as string, communicationId };
}

const path = (template: string, ids: { id: string; pid: string; communicationId: string }) =>
  template.replace('{conversationId}', ids.id).replace('{participantId}', ids.pid).replace('{communicationId}', ids.communicationId);

describe("another agent's participant", () => {
  it('covers every route with a participant in its path', () => {
    expect(PARTICIPANT_ROUTES.length).toBe(13);
    for (const r of PARTICIPANT_ROUTES) if (r.method !== 'GET') expect(BODY[r.operationId], r.operationId).toBeDefined();
  });

  it.each(PARTICIPANT_ROUTES.map((r) => [r.operationId, r] as const))('%s: 403 not.authorized, nothing stored', async (_, r) => {
    const ids = await takenOver();
    const before = snapshot(db);
    const body = BODY[r.operationId];
    const res = await c.call(r.method, path(r.path, ids), { token: agent2, ...(body !== undefined ? { body } : {}) });
    expect(res.json).toMatchObject({ status: 403, code: 'not.authorized' });
    expect(snapshot(db)).toBe(before);
    // The owner may (so the refusal above was about ownership, not the request).
    const own = await c.call(r.method, path(r.path, ids), { token: agent1, ...(body !== undefined ? { body } : {}) });
    expect(own.status, JSON.stringify(own.json)).toBeLessThan(300);
  });

  it('a user who never took part gets 404 not a participant; a client token may act', async () => {
    const id = (
      await c.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] } })
    ).json.conversation.id as string;
    await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
    const pid = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants.at(-1).id;
    const res = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}/attributes`, {
      token: agent2,
      body: { attributes: { x: 'y' } },
    });
    expect(res.json).toMatchObject({ status: 404, code: 'conversation.error.not.conversation.participant' });
    const byApp = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}/attributes`, {
      token: app,
      body: { attributes: { x: 'y' } },
    });
    expect(byApp.json.attributes).toMatchObject({ x: 'y' });
  });
});
