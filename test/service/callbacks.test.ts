// The callbacks service on its own (no HTTP): a real SQLite file, a manual clock, and each operation's result and
// stored state.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackdError } from '../../src/errors.js';
import type { CallbackConversationState, LifecycleEvent } from '../../src/lifecycle/index.js';
import { CallbackService } from '../../src/service/callbacks.js';
import { ManualClock } from '../../src/service/clock.js';
import { Configuration } from '../../src/service/configuration.js';
import type { Principal } from '../../src/service/principal.js';
import { loadSeed } from '../../src/service/seed.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { stringifyModel, WireText, type CallbackConversation } from '../../src/model/index.js';
import { AGENT1, AGENT2, QUEUE, RESOLVED, tempDb } from '../api/helpers.js';
import { fixturePath } from '../helpers.js';

const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const app: Principal = { orgId: ORG, clientId: 'callbackd-dev' };
const agent = (userId: string): Principal => ({ orgId: ORG, clientId: 'callbackd-dev', userId });

let store: SqliteStore;
let clock: ManualClock;
let svc: CallbackService;
let changes: { state: CallbackConversationState; events: readonly LifecycleEvent[] }[];

let file: string;
beforeEach(async () => {
  file = tempDb();
  store = new SqliteStore(file);
  await store.seed(loadSeed(fixturePath('seed-two-orgs.json'), new Date('2026-01-01T00:00:00Z')));
  clock = new ManualClock(new Date('2026-06-01T09:00:00.000Z'));
  let n = 0;
  svc = new CallbackService({
    store,
    configuration: new Configuration(store, () => clock.now()),
    clock: () => clock.now(),
    newId: () => `conv-${++n}`,
  });
  changes = [];
  svc.onChange = (_org, state, events) => {
    changes.push({ state, events });
  };
});
afterEach(async () => store.close());

async function refusal(p: Promise<unknown>): Promise<CallbackdError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CallbackdError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
const stored = async (id: string) => (await store.getConversation(ORG, id))?.state as CallbackConversationState;
const make = (body: Record<string, unknown> = {}) =>
  svc.createCallback(app, { queueId: QUEUE, callbackNumbers: ['+13175550100'], ...body });
const agentLeg = (s: CallbackConversationState, user = AGENT1) => s.participants.filter((p) => p.user?.id === user).at(-1)?.id as string;
async function connected(user = AGENT1) {
  const id = (await make()).conversation.id as string;
  await svc.assign(app, id, user);
  await svc.patchParticipant(agent(user), id, agentLeg(await stored(id), user), { state: 'connected' });
  return id;
}

describe('creating', () => {
  it('carries every field of the request into the conversation, and tells the listener', async () => {
    const r = await svc.createCallback(app, {
      routingData: {
        queueId: QUEUE,
        priority: 4,
        skillIds: ['sk'],
        languageId: 'lang',
        label: 'vip',
        preferredAgentIds: [AGENT2],
        scoredAgents: [{ agent: { id: AGENT1 }, score: 100 }, { score: 5 }],
        routingFlags: ['AGENT_OWNED_CALLBACK'],
      },
      callbackNumbers: ['+13175550100', '+13175550101'],
      callbackUserName: 'Pat',
      scriptId: 'script-1',
      countryCode: '+1',
      callerId: '+13175550999',
      callerIdName: 'Acme',
      data: { k: 'v' },
    });
    const s = await stored('conv-1');
    expect(r.conversation).toEqual({ id: 'conv-1', selfUri: '/api/v2/conversations/conv-1' });
    // The identifiers are the communications of the customer (EXTERNAL) and the ACD leg, in that order.
    expect(r.callbackIdentifiers).toEqual([
      { type: 'EXTERNAL', id: s.legs[s.participants[0]?.id as string]?.communicationId },
      { type: 'ACD', id: s.legs[s.participants[1]?.id as string]?.communicationId },
    ]);
    expect(s.routing).toEqual({ priority: 4, preferredAgentIds: [AGENT2, AGENT1], routingFlags: ['AGENT_OWNED_CALLBACK'] });
    expect(s).toMatchObject({ countryCode: '+1', callerId: '+13175550999', callerIdName: 'Acme' });
    expect(s.participants[0]).toMatchObject({ callbackUserName: 'Pat', script: { id: 'script-1' }, attributes: { k: 'v' } });
    expect(s.participants[1]?.conversationRoutingData).toMatchObject({
      priority: 4,
      language: { id: 'lang' },
      label: 'vip',
      skills: [{ id: 'sk' }],
      scoredAgents: [{ agent: { id: AGENT2 } }, { agent: { id: AGENT1 } }],
    });
    expect(changes.map((c) => c.events.map((e) => e.type))).toEqual([['created', 'queued']]);
  });

  it('refuses what it must, naming the field', async () => {
    expect((await refusal(make({ callbackNumbers: [] }))).code).toBe('callback.error.missing.callback.numbers');
    expect((await refusal(svc.createCallback(app, { callbackNumbers: ['+1'] }))).code).toBe('callback.error.missing.queue.id');
    expect((await refusal(make({ queueId: 'nope' }))).code).toBe('conversations.error.queue.not.found');
    const bad = await refusal(make({ callbackNumbers: ['+13175550100', 'call me'], validateCallbackNumbers: true }));
    expect(bad).toMatchObject({ code: 'invalid.value', fields: [{ field: '/callbackNumbers/1', code: 'invalid.value' }] });
    expect(bad.message).toBe('Value [call me] is not valid for field type [phone number]: callbackNumbers/1.');
    expect((await make({ callbackNumbers: ['+1 (317) 555-0100'], validateCallbackNumbers: true })).conversation.id).toBe('conv-1');
    expect(changes).toHaveLength(1);
  });

  it('a callback from a participant inherits its numbers and name; not from the ACD leg', async () => {
    await make({ callbackUserName: 'Pat', callbackNumbers: ['+13175550155'] });
    const s = await stored('conv-1');
    await svc.callbackFromParticipant(app, 'conv-1', s.participants[0]?.id as string, undefined);
    expect((await stored('conv-2')).participants[0]).toMatchObject({ callbackNumbers: ['+13175550155'], callbackUserName: 'Pat' });
    await svc.callbackFromParticipant(app, 'conv-1', s.participants[0]?.id as string, {
      callbackNumbers: ['+13175550166'],
      callbackUserName: 'Sam',
    });
    expect((await stored('conv-3')).participants[0]).toMatchObject({ callbackNumbers: ['+13175550166'], callbackUserName: 'Sam' });
    const acd = await refusal(svc.callbackFromParticipant(app, 'conv-1', s.participants[1]?.id as string, undefined));
    expect(acd).toMatchObject({
      code: 'conversation.error.cannot.callback.acd',
      message: 'Cannot create a callback for an ACD participant.',
    });
  });
});

describe('scheduled callbacks', () => {
  it('patch: numbers, country, queue, agent; an unknown agent is refused before anything changes', async () => {
    await make({ callbackScheduledTime: new Date('2026-06-01T12:00:00Z') });
    const r = await svc.patchCallback(app, {
      conversationId: 'conv-1',
      callbackNumbers: ['+15555550123'],
      countryCode: '+44',
      agentId: AGENT2,
    });
    expect(r.conversation.id).toBe('conv-1');
    const s = await stored('conv-1');
    expect(s.participants.map((p) => p.callbackNumbers)).toEqual([['+15555550123'], ['+15555550123']]);
    expect(s).toMatchObject({ countryCode: '+44', routing: { preferredAgentIds: [AGENT2] }, version: 2 });
    expect((await refusal(svc.patchCallback(app, { conversationId: 'conv-1', agentId: 'nobody' }))).code).toBe('invalid.value');
    expect((await stored('conv-1')).version).toBe(2);
  });

  it('bulk update reports each item: entity or error, and which failed', async () => {
    await make();
    const r = await svc.bulkUpdate(app, {
      patchCallbackRequests: [{ conversationId: 'conv-1', callbackNumbers: ['+15555550123'] }, { conversationId: 'missing' }],
    });
    const s = await stored('conv-1');
    expect(r).toEqual({
      results: [
        {
          entity: {
            conversation: { id: 'conv-1', selfUri: '/api/v2/conversations/conv-1' },
            callbackIdentifiers: [
              { type: 'EXTERNAL', id: s.legs[s.participants[0]?.id as string]?.communicationId },
              { type: 'ACD', id: s.legs[s.participants[1]?.id as string]?.communicationId },
            ],
          },
        },
        { error: { code: 'conversation.error.conversation.not.found', message: 'Conversation missing was not found.' } },
      ],
      errorCount: 1,
      errorIndexes: [1],
    });
  });

  it('bulk disconnect: an unknown conversation is 404 and nothing is disconnected; an ended one is left as it is', async () => {
    const r = await make();
    const acd = r.callbackIdentifiers[1]?.id as string;
    const e = await refusal(
      svc.bulkDisconnect(app, {
        callbackDisconnectIdentifiers: [
          { conversationId: 'conv-1', callbackId: acd },
          { conversationId: 'missing', callbackId: 'x' },
        ],
      }),
    );
    expect(e).toMatchObject({ code: 'conversation.error.conversation.not.found', message: 'Conversation missing was not found.' });
    expect((await stored('conv-1')).phase).toBe('queued');
    await svc.bulkDisconnect(app, { callbackDisconnectIdentifiers: [{ conversationId: 'conv-1', callbackId: acd }] });
    const ended = await stored('conv-1');
    expect(ended.phase).toBe('ended');
    await svc.bulkDisconnect(app, { callbackDisconnectIdentifiers: [{ conversationId: 'conv-1', callbackId: acd }] });
    expect((await stored('conv-1')).version).toBe(ended.version);
  });
});

describe('whole conversations', () => {
  it('PATCH a conversation: only disconnected', async () => {
    await make();
    const e = await refusal(svc.patchConversation(app, 'conv-1', { state: 'connected' }));
    expect(e).toMatchObject({ code: 'invalid.value', fields: [{ field: '/state' }] });
    expect(e.message).toBe('Value [connected] is not valid for field type [state]: only disconnected can be set on a conversation.');
    expect((await refusal(svc.patchConversation(app, 'conv-1', {}))).message).toMatch(/^Value \[null\]/);
    expect((await svc.patchConversation(app, 'conv-1', { state: 'disconnected' })).state).toBe('disconnected');
    expect((await stored('conv-1')).phase).toBe('ended');
  });

  it('recording state: validated, stored with a new version, not once ended; no lifecycle events', async () => {
    await make();
    const e = await refusal(svc.setRecordingState(app, 'conv-1', 'LOUD'));
    expect(e).toMatchObject({ code: 'invalid.value', fields: [{ field: '/recordingState', message: 'one of ACTIVE, PAUSED, NONE' }] });
    expect(await svc.setRecordingState(app, 'conv-1', 'PAUSED')).toBe('PAUSED');
    const after = await store.getConversation(ORG, 'conv-1');
    expect(after).toMatchObject({ recordingState: 'PAUSED', state: { version: 2 } });
    expect(changes).toHaveLength(1);
    await svc.disconnectConversation(app, 'conv-1');
    expect(await refusal(svc.setRecordingState(app, 'conv-1', 'ACTIVE'))).toMatchObject({
      code: 'conversation.error.participant.no.active.conversations',
      message: 'The conversation has ended.',
    });
  });

  it('reads apply due deadlines first (and store them); an unchanged change stores nothing', async () => {
    await make({ callbackScheduledTime: new Date('2026-06-01T09:10:00Z') });
    expect((await svc.getCallback(app, 'conv-1')).participants?.map((p) => p.state)).toEqual(['none', 'none']);
    expect((await stored('conv-1')).version).toBe(1);
    clock.advance(11 * 60_000);
    expect((await svc.getConversation(app, 'conv-1')).participants?.map((p) => p.callbacks?.[0]?.state)).toEqual([
      'connected',
      'connected',
    ]);
    expect((await stored('conv-1')).version).toBe(2);
    expect(changes.at(-1)?.events.map((e) => e.type)).toEqual(['queued']);
    // A PATCH that asks for nothing changes nothing.
    await svc.patchParticipant(app, 'conv-1', (await stored('conv-1')).participants[0]?.id as string, {});
    expect((await stored('conv-1')).version).toBe(2);
    expect((await refusal(svc.getCallback(app, 'missing'))).message).toBe('Conversation missing was not found.');
  });

  it('a conversation this process has not decoded is served from its stored text: the same text, due deadlines first', async () => {
    await make({ callbackScheduledTime: new Date('2026-06-01T09:10:00Z') });
    await connected();
    const dialing = await connected(AGENT2);
    await svc.placeCall(agent(AGENT2), dialing, { callNumber: '+13175550100' });
    const views = await Promise.all(
      ['conv-1', 'conv-2', dialing].map(async (id) => stringifyModel('CallbackConversation', await svc.getCallback(app, id))),
    );
    // Another process on the same file: nothing of these is decoded there.
    const other = new SqliteStore(file);
    const reader = new CallbackService({
      store: other,
      configuration: new Configuration(other, () => clock.now()),
      clock: () => clock.now(),
    });
    try {
      for (const [i, id] of ['conv-1', 'conv-2', dialing].entries()) {
        const first = await reader.getCallbackText(app, id);
        expect(first).toBeInstanceOf(WireText);
        expect((first as WireText).text).toBe(views[i]);
        // Read again: decoded and kept (a client polling it), the same text.
        const second = await reader.getCallbackText(app, id);
        expect(second).not.toBeInstanceOf(WireText);
        expect(stringifyModel('CallbackConversation', second)).toBe(views[i]);
      }
      expect(JSON.parse(views[2] as string).otherMediaUris).toHaveLength(1);
      // Due: the scheduled callback is queued by the read, stored, and served decoded.
      clock.advance(11 * 60_000);
      const other2 = new SqliteStore(file);
      const late = new CallbackService({
        store: other2,
        configuration: new Configuration(other2, () => clock.now()),
        clock: () => clock.now(),
      });
      const due = await late.getCallbackText(app, 'conv-1');
      expect(due).not.toBeInstanceOf(WireText);
      expect((due as CallbackConversation).participants?.map((p) => p.state)).toEqual(['connected', 'connected']);
      expect((await stored('conv-1')).version).toBe(2);
      await other2.close();
      await expect(reader.getCallbackText(app, 'missing')).rejects.toThrow('Conversation missing was not found.');
      await expect(reader.getCallbackText({ ...app, orgId: 'another-org' }, 'conv-2')).rejects.toThrow(
        'Conversation conv-2 was not found.',
      );
    } finally {
      await other.close();
    }
  });

  it('the scheduler fires only what is due, and says whether anything was', async () => {
    await make({ callbackScheduledTime: new Date('2026-06-01T09:10:00Z') });
    expect(await svc.fire(ORG, 'conv-1', new Date('2026-06-01T09:05:00Z'))).toBe(false);
    expect((await stored('conv-1')).phase).toBe('scheduled');
    expect(await svc.fire(ORG, 'conv-1', new Date('2026-06-01T09:10:00Z'))).toBe(true);
    expect((await stored('conv-1')).phase).toBe('queued');
  });
});

describe('participants', () => {
  it('communications must be the participant’s own; only disconnected may be set on one', async () => {
    const id = await connected();
    const s = await stored(id);
    const pid = agentLeg(s);
    expect(await refusal(svc.patchParticipant(app, id, pid, { state: 'connected' }, 'x'))).toMatchObject({
      code: 'communication.state.required',
      message: "Can only update a communication's state to disconnected.",
    });
    expect(await refusal(svc.patchParticipant(app, id, pid, { state: 'disconnected' }, 'not-mine'))).toMatchObject({
      code: 'not.found',
      message: `Communication not-mine is not participant ${pid}'s.`,
    });
    await svc.patchParticipant(app, id, pid, { state: 'disconnected' }, s.legs[pid]?.communicationId);
    expect((await stored(id)).participants.find((p) => p.id === pid)?.state).toBe('disconnected');
  });

  it('attributes: null refused; merged and returned', async () => {
    const id = (await make({ data: { a: '1' } })).conversation.id as string;
    const customer = (await stored(id)).participants[0]?.id as string;
    expect(await refusal(svc.patchAttributes(app, id, customer, undefined))).toMatchObject({
      code: 'conversation.error.participant.attribute.null',
      message: 'Participant attributes cannot be null.',
    });
    expect(await svc.patchAttributes(app, id, customer, { b: '2' })).toEqual({ a: '1', b: '2' });
  });

  it('a communication wrap-up without a body is an empty wrap-up (a code is required in this mode)', async () => {
    const id = await connected();
    const pid = agentLeg(await stored(id));
    await svc.patchParticipant(agent(AGENT1), id, pid, { state: 'disconnected' });
    const comm = (await stored(id)).legs[pid]?.communicationId as string;
    expect((await refusal(svc.postCommunicationWrapup(agent(AGENT1), id, pid, comm, undefined))).code).toBe(
      'conversation.error.wrapup.code.required',
    );
    await svc.postCommunicationWrapup(agent(AGENT1), id, pid, comm, { code: RESOLVED });
    expect(await svc.getWrapup(agent(AGENT1), id, pid, false, comm)).toMatchObject({ code: RESOLVED });
    expect(await svc.getWrapup(agent(AGENT1), id, pid, true)).toEqual({});
  });

  it('replace: to a user, a queue or an address; phone numbers and unknowns refused; transferType passed on', async () => {
    const to = async (body: Parameters<CallbackService['replace']>[3]) => {
      const id = await connected();
      await svc.replace(agent(AGENT1), id, agentLeg(await stored(id)), body);
      return stored(id);
    };
    expect((await to({ userId: AGENT2 })).recentTransfers[0]).toMatchObject({
      destination: { userId: AGENT2 },
      initiator: { userId: AGENT1 },
    });
    expect((await to({ address: AGENT2 })).recentTransfers[0]?.destination).toEqual({ userId: AGENT2 });
    expect((await to({ address: QUEUE })).recentTransfers[0]?.destination).toEqual({ address: QUEUE });
    expect((await to({ queueId: QUEUE, transferType: 'Unattended' })).phase).toBe('queued');
    const id = await connected();
    const pid = agentLeg(await stored(id));
    expect(await refusal(svc.replace(agent(AGENT1), id, pid, { address: '+13175550100' }))).toMatchObject({
      code: 'bad.request',
      message: 'Phone numbers cannot be used to replace a callback participant; give a user id or a queue id.',
    });
    expect(await refusal(svc.replace(agent(AGENT1), id, pid, { address: 'nobody' }))).toMatchObject({
      code: 'conversations.error.queue.not.found',
      message: 'No user or queue nobody was found.',
    });
    expect(await refusal(svc.replace(agent(AGENT1), id, pid, {}))).toMatchObject({
      code: 'bad.request',
      message: 'A replace needs userId, queueId or address.',
    });
    expect((await refusal(svc.replace(agent(AGENT1), id, pid, { userId: AGENT2, transferType: 'Attended' }))).code).toBe('invalid.value');
    expect((await stored(id)).recentTransfers).toEqual([]);
  });

  it('placing and ending the call', async () => {
    const id = await connected();
    expect(await refusal(svc.placeCall(app, id, { callNumber: '+13175550100' }))).toMatchObject({ code: 'not.a.user' });
    expect(await refusal(svc.placeCall(agent(AGENT2), id, { callNumber: '+13175550100' }))).toMatchObject({
      code: 'conversation.error.forbidden.not.active.participant',
      message: 'You are not an active participant of this callback.',
    });
    expect(await refusal(svc.endPlacedCall(app, id))).toMatchObject({
      code: 'conversation.error.participant.no.active.conversations',
      message: 'No call placed from this callback is in progress.',
    });
    await svc.placeCall(agent(AGENT1), id, { callNumber: '+13175550100' });
    await svc.endPlacedCall(app, id);
    expect((await stored(id)).calls.map((c) => c.endedAt !== undefined)).toEqual([true]);
  });
});
