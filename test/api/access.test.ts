// Who may act on a participant, over HTTP, for every route that names one: a user token only in a conversation the
// user took part in (404 otherwise), and never on another agent's leg (403 not.authorized). Nothing is stored when
// refused; the owner's own token is accepted on the same requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../src/api/routes/index.js';
import type { CallbackConversationState } from '../../src/lifecycle/index.js';
import { ACCESS, renderAccess, STANDINGS, standing, type Action, type Standing } from '../../src/service/access.js';
import { fixturePath } from '../helpers.js';
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
  postConversationParticipantReplace: { queueId: QUEUE },
  postConversationParticipantReplaceAgent: { userId: AGENT2 },
  postConversationParticipantReplaceQueue: { queueId: QUEUE },
  postConversationParticipantTransfer: { address: QUEUE },
  postConversationParticipantReplaceExternal: { address: '+13175550199' },
  postConversationParticipantReplaceContactExternal: { contactId: 'c1', phoneType: 'CellPhone' },
};

/** Routes no one may complete for a callback: the owner gets their documented refusal (after the ownership check). */
const REFUSED_TO_ALL = new Set(['postConversationParticipantReplaceExternal', 'postConversationParticipantReplaceContactExternal']);

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
    expect(PARTICIPANT_ROUTES.length).toBe(19);
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
    if (REFUSED_TO_ALL.has(r.operationId)) expect(own.json).toMatchObject({ status: 400, code: 'bad.request' });
    else expect(own.status, JSON.stringify(own.json)).toBeLessThan(300);
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

describe('the access table, every cell over HTTP', () => {
  const routingDb = tempDb();
  let rs: RunningServer;
  let rc: ReturnType<typeof client>;
  const tokens: Record<string, string> = {};
  const AGENT3 = 'a1a1a1a1-0000-4000-8000-000000000003';
  const USERS: Record<Exclude<Standing, 'client'>, string> = { onIt: AGENT1, inAcw: AGENT2, done: AGENT3, never: '' };

  beforeAll(async () => {
    rs = await server({ db: routingDb, seedFile: fixturePath('seed-routing.json') });
    rc = client(rs.url);
    tokens.client = await rc.app();
    tokens.onIt = await rc.agent(1);
    tokens.inAcw = await rc.agent(2);
    tokens.done = await rc.agent(3);
    const made = await rc.call('POST', '/api/v2/users', {
      token: tokens.client,
      body: { name: 'Never', email: 'never@example.com', password: 'pw' },
    });
    USERS.never = made.json.id;
    tokens.never = (await rc.token({ grant_type: 'password', username: 'never@example.com', password: 'pw' })).json.access_token;
  });
  afterAll(async () => rs.close());

  /** A callback owned by agent 1, who is on it; agent 2 in its ACW; agent 3 declined it; "never" not in it. */
  async function scene() {
    const app = tokens.client as string;
    const id = (
      await rc.call('POST', '/api/v2/conversations/callbacks', {
        token: app,
        body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], routingData: { queueId: QUEUE, preferredAgentIds: [AGENT1] } },
      })
    ).json.conversation.id as string;
    const legOf = async (user: string) =>
      (await rc.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants
        .filter((p: any) => p.purpose === 'agent' && p.user.id === user)
        .at(-1).id as string;
    const act = async (user: string, token: string, bodies: unknown[]) => {
      expect((await rc.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: user } })).status).toBe(202);
      const pid = await legOf(user);
      for (const body of bodies) {
        const r = await rc.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}`, { token, body });
        expect(r.status, JSON.stringify(r.json)).toBe(202);
      }
      return pid;
    };
    const acw = await act(AGENT2, tokens.inAcw as string, [{ state: 'connected' }, { state: 'disconnected' }]);
    const declined = await act(AGENT3, tokens.done as string, [{ state: 'disconnected' }]);
    const on = await act(AGENT1, tokens.onIt as string, [{ state: 'connected' }]);
    const customer = (await rc.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants[0].id as string;
    return { id, legs: { onIt: on, inAcw: acw, done: declined } as Record<string, string>, customer };
  }

  /** The request that performs an action, as the one standing in it. */
  function request(action: Action, s: Standing, sc: Awaited<ReturnType<typeof scene>>): [string, string, unknown?] {
    const conv = `/api/v2/conversations/callbacks/${sc.id}`;
    const other = s === 'onIt' ? sc.legs.inAcw : sc.legs.onIt;
    switch (action) {
      case 'read':
        return ['GET', conv];
      case 'end':
        return ['DELETE', `/api/v2/conversations/${sc.id}`];
      case 'update':
        return ['PATCH', '/api/v2/conversations/callbacks', { conversationId: sc.id, callbackNumbers: ['+13175550111'] }];
      case 'assign':
        return ['POST', `/api/v2/conversations/${sc.id}/assign`, { id: AGENT3 }];
      case 'recording':
        return ['PUT', `${conv}/recordingstate`, { recordingState: 'PAUSED' }];
      case 'ownLeg':
        return ['PATCH', `${conv}/participants/${sc.legs[s]}/attributes`, { attributes: { by: s } }];
      case 'otherAgentLeg':
        return ['PATCH', `${conv}/participants/${other}/attributes`, { attributes: { by: s } }];
      case 'partyLeg':
        return ['PATCH', `${conv}/participants/${sc.customer}/attributes`, { attributes: { by: s } }];
      case 'readOtherAgentLeg':
        return ['GET', `${conv}/participants/${other}/wrapup`];
      case 'readPartyLeg':
        return ['GET', `${conv}/participants/${sc.customer}/wrapup`];
    }
  }

  const cells = ACCESS.flatMap((row) =>
    STANDINGS.filter((s) => !(row.action === 'ownLeg' && (s === 'client' || s === 'never'))).map(
      (s) => [row.action, s, row.cells[s]] as const,
    ),
  );

  it.each(cells)('%s as %s', async (action, s, cell) => {
    const sc = await scene();
    const [method, path, body] = request(action, s, sc);
    const before = snapshot(routingDb);
    const r = await rc.call(method, path, { token: tokens[s] as string, ...(body !== undefined ? { body } : {}) });
    const refusedByAccess = r.json?.code === 'not.authorized' || r.json?.code === 'conversation.error.not.conversation.participant';
    const allowed = cell === 'allow' || (cell === 'owner' && s === 'onIt');
    if (allowed) {
      expect(refusedByAccess, `${action} as ${s}: ${JSON.stringify(r.json)}`).toBe(false);
      expect(r.status).toBeLessThan(500);
    } else {
      const code = cell === 'owner' ? 'not.authorized' : (cell as { code: string }).code;
      expect(r.json, `${action} as ${s}`).toMatchObject({ code });
      expect(snapshot(routingDb)).toBe(before);
    }
  });

  it('docs/access.md is current (npm run gen)', () => {
    expect(readFileSync(fileURLToPath(new URL('../../docs/access.md', import.meta.url)), 'utf8')).toBe(renderAccess());
  });

  it('standings as the table names them', async () => {
    const sc = await scene();
    const state = (await rs.store.getConversation('4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001', sc.id))?.state as CallbackConversationState;
    for (const [s, user] of Object.entries(USERS)) expect(standing({ orgId: '', clientId: '', userId: user }, state)).toBe(s);
    expect(standing({ orgId: '', clientId: '' }, state)).toBe('client');
  });
});
