// Exact outputs of the engine: every field of the legs it creates, and every event with every field, for the main
// steps of a callback's life. (The walk in table.test.ts checks shapes and outcomes; this pins the values.)
import { describe, expect, it } from 'vitest';
import { derivedId, PROVIDER, type CallbackConversationState } from '../../src/index.js';
import { AGENT, apply, at, create, queue, T0, timed } from './helpers.js';

const id = (n: number) => derivedId('conv-1', n);
/** sha1('conv-1#1') laid out as a version-5 UUID (checked by hand with Python's hashlib). */
const DERIVED_1 = '4905d329-9bac-513a-b22b-3db1b6e15064';
const QUEUE_REF = { id: 'q-callbacks', name: 'Callbacks', selfUri: '/api/v2/routing/queues/q-callbacks' };
const CALLBACK = {
  callbackNumbers: ['+13175550100', '+13175550101'],
  callbackUserName: 'Pat Doe',
  externalCampaign: false,
  skipEnabled: true,
  timeoutSeconds: 0,
};
const leg = (s: CallbackConversationState, n: number) => s.participants.find((p) => p.id === id(n));

describe('derived ids', () => {
  it('are UUID-shaped (version 5 nibble, RFC variant) and a function of the conversation and counter only', () => {
    expect(derivedId('conv-1', 1)).toBe(DERIVED_1);
    for (let n = 1; n < 50; n++) {
      expect(derivedId('conv-1', n)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(Array.from({ length: 200 }, (_, n) => derivedId('c', n))).size).toBe(200);
    expect(derivedId('conv-2', 1)).not.toBe(derivedId('conv-1', 1));
  });
});

describe('the legs a callback starts with', () => {
  it('customer and ACD legs, every field', () => {
    const { state, events } = create();
    expect(state.participants).toEqual([
      {
        id: id(1),
        name: 'Pat Doe',
        address: 'tel:+13175550100',
        startTime: T0,
        connectedTime: T0,
        purpose: 'customer',
        state: 'connected',
        direction: 'outbound',
        held: false,
        wrapupRequired: false,
        queue: QUEUE_REF,
        attributes: { orderId: 'A-17' },
        provider: PROVIDER,
        ...CALLBACK,
      },
      {
        id: id(3),
        name: 'Callbacks',
        startTime: T0,
        connectedTime: T0,
        purpose: 'acd',
        state: 'connected',
        direction: 'outbound',
        held: false,
        wrapupRequired: false,
        queue: QUEUE_REF,
        attributes: { orderId: 'A-17' },
        provider: PROVIDER,
        peer: id(1),
        conversationRoutingData: { queue: { id: 'q-callbacks', selfUri: QUEUE_REF.selfUri }, priority: 0, skills: [], scoredAgents: [] },
        ...CALLBACK,
      },
    ]);
    expect(state.legs).toEqual({ [id(1)]: { role: 'customer', communicationId: id(2) }, [id(3)]: { role: 'acd', communicationId: id(4) } });
    expect(state).toMatchObject({ id: 'conv-1', version: 1, seq: 4, phase: 'queued', createdAt: T0, calls: [], recentTransfers: [] });
    expect(events).toEqual([
      { type: 'created', at: T0, scheduled: false },
      { type: 'queued', at: T0, queueId: 'q-callbacks' },
    ]);
  });

  it('a scheduled one waits with both legs in none, and every create option lands', () => {
    const { state, events } = create({
      callbackScheduledTime: at(600),
      scriptId: 's1',
      automatedCallbackConfigId: 'auto-1',
      externalCampaign: true,
      skipEnabled: false,
      timeoutSeconds: 45,
      languageId: 'lang-1',
      label: 'gold',
      callerId: '+1999',
      callerIdName: 'Acme',
      countryCode: '+1',
    });
    expect(events).toEqual([{ type: 'created', at: T0, scheduled: true }]);
    expect(state).toMatchObject({ phase: 'scheduled', callerId: '+1999', callerIdName: 'Acme', countryCode: '+1' });
    const [customer, acd] = state.participants;
    expect(customer).toEqual({
      id: id(1),
      name: 'Pat Doe',
      address: 'tel:+13175550100',
      startTime: T0,
      purpose: 'customer',
      state: 'none',
      direction: 'outbound',
      held: false,
      wrapupRequired: false,
      queue: QUEUE_REF,
      attributes: { orderId: 'A-17' },
      script: { id: 's1', selfUri: '/api/v2/scripts/s1' },
      provider: PROVIDER,
      callbackNumbers: CALLBACK.callbackNumbers,
      callbackUserName: 'Pat Doe',
      externalCampaign: true,
      skipEnabled: false,
      timeoutSeconds: 45,
      automatedCallbackConfigId: 'auto-1',
      callbackScheduledTime: at(600),
    });
    expect(acd).toMatchObject({ state: 'none', script: { id: 's1' }, callbackScheduledTime: at(600), automatedCallbackConfigId: 'auto-1' });
    expect(acd?.connectedTime).toBeUndefined();
    expect(acd?.conversationRoutingData).toEqual({
      queue: { id: 'q-callbacks', selfUri: QUEUE_REF.selfUri },
      language: { id: 'lang-1', selfUri: '/api/v2/routing/languages/lang-1' },
      priority: 0,
      skills: [],
      scoredAgents: [],
      label: 'gold',
    });
  });
});

describe('an agent leg', () => {
  it('offered: every field; answered: connected, the ACD leg handed over', () => {
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5));
    expect(leg(offered.state, 5)).toEqual({
      id: id(5),
      name: 'Agent One',
      startTime: at(5),
      startAlertingTime: at(5),
      purpose: 'agent',
      state: 'alerting',
      direction: 'inbound',
      held: false,
      wrapupRequired: false,
      wrapupPrompt: 'mandatory',
      user: { id: 'agent-1', name: 'Agent One', selfUri: '/api/v2/users/agent-1' },
      queue: QUEUE_REF,
      attributes: { orderId: 'A-17' },
      alertingTimeoutMs: 30000,
      provider: PROVIDER,
      peer: id(1),
      conversationRoutingData: { priority: 0, skills: [], scoredAgents: [] },
      ...CALLBACK,
    });
    expect(offered.state.legs[id(5)]).toEqual({ role: 'agent', communicationId: id(6), acw: 'none', wrapupCodes: queue().wrapupCodes });
    expect(offered.events).toEqual([{ type: 'offered', at: at(5), participantId: id(5), userId: 'agent-1' }]);
    const answered = apply(offered.state, { type: 'answer', participantId: id(5) }, at(10));
    expect(answered.events).toEqual([
      { type: 'disconnected', at: at(10), participantId: id(3), disconnectType: 'transfer' },
      { type: 'answered', at: at(10), participantId: id(5), userId: 'agent-1', automatic: false },
    ]);
    expect(leg(answered.state, 5)).toMatchObject({ state: 'connected', connectedTime: at(10) });
    expect(leg(answered.state, 3)).toMatchObject({ state: 'disconnected', endTime: at(10), disconnectType: 'transfer' });
    // A nameless agent gets no name; a timed queue puts its timeout on the leg.
    const anon = apply(create({ queue: timed('timeout', 90000) }).state, { type: 'offer', agent: { id: 'agent-9' } }, at(5));
    expect(leg(anon.state, 5)?.name).toBeUndefined();
    expect(leg(anon.state, 5)).toMatchObject({
      user: { id: 'agent-9', selfUri: '/api/v2/users/agent-9' },
      wrapupPrompt: 'timeout',
      wrapupTimeoutMs: 90000,
    });
    expect(leg(offered.state, 5)?.wrapupTimeoutMs).toBeUndefined();
  });

  it('hold, park, call, disconnect after the call, wrap-up: every event', () => {
    let s = apply(
      apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state,
      { type: 'answer', participantId: id(5) },
      at(10),
    ).state;
    const step = (cmd: Parameters<typeof apply>[1], t: number) => {
      const r = apply(s, cmd, at(t));
      s = r.state;
      return r.events;
    };
    const a = id(5);
    expect(step({ type: 'hold', participantId: a }, 20)).toEqual([{ type: 'held', at: at(20), participantId: a }]);
    expect(leg(s, 5)).toMatchObject({ held: true, startHoldTime: at(20) });
    expect(step({ type: 'unhold', participantId: a }, 25)).toEqual([{ type: 'unheld', at: at(25), participantId: a }]);
    expect(s.legs[a]?.heldMs).toBe(5000);
    expect(step({ type: 'park', participantId: a, resumeTime: at(100) }, 30)).toEqual([
      { type: 'parked', at: at(30), participantId: a, resumeTime: at(100) },
    ]);
    expect(step({ type: 'resume', participantId: a }, 40)).toEqual([{ type: 'resumed', at: at(40), participantId: a, automatic: false }]);
    expect(s.legs[a]?.parkedMs).toBe(10000);
    expect(step({ type: 'placeCall', participantId: a, number: '+13175550101' }, 50)).toEqual([
      { type: 'callPlaced', at: at(50), participantId: a, callId: id(7), number: '+13175550101', automatic: false },
    ]);
    expect(s.calls).toEqual([{ id: id(7), number: '+13175550101', placedBy: a, placedAt: at(50), automatic: false }]);
    expect(step({ type: 'endCall', participantId: a }, 60)).toEqual([{ type: 'callEnded', at: at(60), participantId: a, callId: id(7) }]);
    expect(step({ type: 'disconnect', participantId: a }, 70)).toEqual([
      { type: 'disconnected', at: at(70), participantId: a, disconnectType: 'client' },
      { type: 'acwStarted', at: at(70), participantId: a, userId: 'agent-1' },
      { type: 'disconnected', at: at(70), participantId: id(1), disconnectType: 'peer' },
      { type: 'ended', at: at(70) },
    ]);
    expect(leg(s, 5)).toMatchObject({ state: 'disconnected', endTime: at(70), startAcwTime: at(70), wrapupRequired: true, held: false });
    expect(s).toMatchObject({ phase: 'ended', endedAt: at(70) });
    expect(step({ type: 'wrapup', participantId: a, wrapup: { code: 'wc-resolved', notes: 'n' } }, 80)).toEqual([
      { type: 'wrapupApplied', at: at(80), participantId: a, code: 'wc-resolved', provisional: false },
      { type: 'agentReleased', at: at(80), participantId: a, userId: 'agent-1' },
    ]);
    expect(leg(s, 5)?.wrapup).toEqual({
      code: 'wc-resolved',
      name: 'Resolved',
      notes: 'n',
      durationSeconds: 10,
      endTime: at(80),
      provisional: false,
    });
    expect(s.legs[a]).toMatchObject({ acw: 'complete', wrapupApplied: true });
  });

  it('skip, provisional wrap-up, skipping the wrap-up, the timer: every event', () => {
    const connected = (q = queue()) =>
      apply(
        apply(create({ queue: q }).state, { type: 'offer', agent: AGENT }, at(5)).state,
        { type: 'answer', participantId: id(5) },
        at(10),
      ).state;
    const a = id(5);
    expect(apply(connected(), { type: 'wrapup', participantId: a, wrapup: { notes: 'later', provisional: true } }, at(20)).events).toEqual([
      { type: 'wrapupApplied', at: at(20), participantId: a, provisional: true },
    ]);
    const skipped = apply(connected(queue({ wrapupPrompt: 'optional' })), { type: 'skip', participantId: a }, at(20));
    expect(skipped.events).toEqual([
      { type: 'disconnected', at: at(20), participantId: a, disconnectType: 'client' },
      { type: 'acwStarted', at: at(20), participantId: a, userId: 'agent-1' },
      { type: 'disconnected', at: at(20), participantId: id(1), disconnectType: 'peer' },
      { type: 'ended', at: at(20) },
    ]);
    expect(leg(skipped.state, 5)?.wrapupRequired).toBe(false);
    const skip = apply(skipped.state, { type: 'skipWrapup', participantId: a }, at(25));
    expect(skip.events).toEqual([
      { type: 'wrapupSkipped', at: at(25), participantId: a },
      { type: 'agentReleased', at: at(25), participantId: a, userId: 'agent-1' },
    ]);
    expect(leg(skip.state, 5)).toMatchObject({ wrapupSkipped: true, endAcwTime: at(25) });
    expect(skip.state.legs[a]?.acw).toBe('skipped');
  });
});
