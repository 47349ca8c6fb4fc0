import { describe, expect, it } from 'vitest';
import {
  CODES,
  deadlines,
  encodeCallbackConversation,
  legStatus,
  nextDeadline,
  toCallbackConversation,
  TIMEOUT_WRAPUP_CODE,
  checkTimeline,
  decodeCallbackConversation,
} from '../../src/index.js';
import { AGENT, AGENT2, advance, agentLeg, apply, at, byPurpose, connected, create, drive, queue, refused, T0, timed } from './helpers.js';

const pid = (p: { id?: string }) => p.id as string;

describe('create (R-CRT, R-ID)', () => {
  it('an immediate callback is queued with a customer and an ACD leg', () => {
    const { state, events } = create();
    expect(state.phase).toBe('queued');
    const [customer, acd] = state.participants;
    expect(customer).toMatchObject({
      purpose: 'customer',
      state: 'connected',
      connectedTime: T0,
      direction: 'outbound',
      address: 'tel:+13175550100',
      attributes: { orderId: 'A-17' },
      callbackNumbers: ['+13175550100', '+13175550101'],
      callbackUserName: 'Pat Doe',
      provider: 'PureCloud Callback',
    });
    expect(acd).toMatchObject({
      purpose: 'acd',
      state: 'connected',
      queue: { id: 'q-callbacks' },
      peer: customer?.id,
      conversationRoutingData: { queue: { id: 'q-callbacks' }, priority: 0, skills: [], scoredAgents: [] },
    });
    expect(events.map((e) => e.type)).toEqual(['created', 'queued']);
    expect(state.legs[pid(customer!)]?.communicationId).not.toBe(state.legs[pid(acd!)]?.communicationId);
    expect(nextDeadline(state)).toBeUndefined();
  });

  it('a future time is scheduled: legs in state none, a due deadline, queued exactly at that time', () => {
    const when = at(3600);
    const s = create({ callbackScheduledTime: when }).state;
    expect(s.phase).toBe('scheduled');
    expect(s.participants.map((p) => p.state)).toEqual(['none', 'none']);
    expect(nextDeadline(s)).toEqual({ at: when, kind: 'due' });
    expect(advance(s, at(3599)).state).toBe(s);
    const { state, events } = advance(s, at(7200));
    expect(state.phase).toBe('queued');
    expect(state.participants.map((p) => [p.state, p.connectedTime])).toEqual([
      ['connected', when],
      ['connected', when],
    ]);
    expect(events).toEqual([{ type: 'queued', at: when, queueId: 'q-callbacks' }]);
    expect(state.version).toBe(s.version + 1);
  });

  it('a past time queues at once; more than 30 days ahead and no numbers are refused', () => {
    expect(create({ callbackScheduledTime: at(-60) }).state.phase).toBe('queued');
    expect(refused(() => create({ callbackScheduledTime: at(31 * 86400) })).code).toBe(CODES.tooFarInFuture);
    expect(refused(() => create({ callbackNumbers: [] })).code).toBe('callback.error.missing.callback.numbers');
  });

  it('preferred agents and skills land in conversationRoutingData', () => {
    const s = create({ preferredAgentIds: ['agent-9'], skillIds: ['sk-1'], priority: 7, routingFlags: ['AGENT_OWNED_CALLBACK'] }).state;
    expect(byPurpose(s, 'acd')[0]?.conversationRoutingData).toEqual({
      queue: { id: 'q-callbacks', selfUri: '/api/v2/routing/queues/q-callbacks' },
      priority: 7,
      skills: [{ id: 'sk-1', selfUri: '/api/v2/routing/skills/sk-1' }],
      scoredAgents: [{ agent: { id: 'agent-9', selfUri: '/api/v2/users/agent-9' }, score: 100 }],
    });
  });
});

describe('offer, answer, not responding (R-RT)', () => {
  it('offers to an agent: alerting leg with the queue timeout and the callback fields', () => {
    const { state, events } = apply(create({ skipEnabled: false, timeoutSeconds: 60 }).state, { type: 'offer', agent: AGENT }, at(5));
    const a = agentLeg(state);
    expect(a).toMatchObject({
      purpose: 'agent',
      state: 'alerting',
      direction: 'inbound',
      startTime: at(5),
      startAlertingTime: at(5),
      alertingTimeoutMs: 30000,
      user: { id: 'agent-1', name: 'Agent One' },
      wrapupPrompt: 'mandatory',
      skipEnabled: false,
      timeoutSeconds: 60,
      callbackNumbers: ['+13175550100', '+13175550101'],
    });
    expect(state.phase).toBe('offered');
    expect(events).toEqual([{ type: 'offered', at: at(5), participantId: a.id, userId: 'agent-1' }]);
    expect(nextDeadline(state)).toEqual({ at: at(35), kind: 'alertTimeout', participantId: a.id });
  });

  it('an unanswered offer times out: system disconnect, not responding, back to the queue', () => {
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state;
    const { state, events } = advance(offered, at(100));
    const a = agentLeg(state);
    expect(a).toMatchObject({ state: 'disconnected', endTime: at(35), disconnectType: 'system', wrapupRequired: false });
    expect(a.startAcwTime).toBeUndefined();
    expect(state.phase).toBe('queued');
    expect(events.map((e) => e.type)).toEqual(['disconnected', 'notResponding', 'queued']);
    expect(byPurpose(state, 'acd').filter((p) => p.state === 'connected')).toHaveLength(1);
  });

  it('answer connects the agent and ends the ACD leg with transfer', () => {
    const s = connected();
    expect(agentLeg(s)).toMatchObject({ state: 'connected', connectedTime: at(10) });
    expect(byPurpose(s, 'acd')[0]).toMatchObject({ state: 'disconnected', disconnectType: 'transfer', endTime: at(10) });
    expect(s.phase).toBe('active');
  });

  it('auto-answer connects at once', () => {
    const { state, events } = apply(create({ queue: queue({ autoAnswer: true }) }).state, { type: 'offer', agent: AGENT }, at(5));
    expect(agentLeg(state)).toMatchObject({ state: 'connected', connectedTime: at(5) });
    expect(events.map((e) => e.type)).toEqual(['offered', 'disconnected', 'answered']);
  });

  it('decline releases the agent and requeues; an offer is only possible while queued', () => {
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state;
    const { state, events } = apply(offered, { type: 'decline', participantId: pid(agentLeg(offered)) }, at(6));
    expect(agentLeg(state).disconnectType).toBe('client');
    expect(events.map((e) => e.type)).toEqual(['disconnected', 'agentReleased', 'declined', 'queued']);
    expect(refused(() => apply(offered, { type: 'offer', agent: AGENT2 }, at(6))).code).toBe(CODES.notOfferable);
    expect(refused(() => apply(create({ callbackScheduledTime: at(60) }).state, { type: 'offer', agent: AGENT }, at(1))).kind).toBe(
      'conflict',
    );
  });
});

describe('dialing (R-DL)', () => {
  it('places a call to one of callbackNumbers only, while connected', () => {
    const s = connected();
    const a = pid(agentLeg(s));
    const e = refused(() => apply(s, { type: 'placeCall', participantId: a, number: '+19999999999' }, at(11)));
    expect(e).toMatchObject({ code: CODES.callCannotBePlaced, state: 'leg=connected' });
    expect(e.message).toMatch(/not one of this callback's numbers/);
    const { state, events } = apply(s, { type: 'placeCall', participantId: a, number: '+13175550101' }, at(12));
    expect(state.calls).toMatchObject([{ number: '+13175550101', placedBy: a, placedAt: at(12), automatic: false }]);
    expect(events[0]).toMatchObject({ type: 'callPlaced', number: '+13175550101' });
    expect(toCallbackConversation(state).otherMediaUris).toEqual([`/api/v2/conversations/calls/${state.id}`]);
    expect(refused(() => apply(state, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(13))).code).toBe(
      CODES.callCannotBePlaced,
    );
    const held = apply(s, { type: 'hold', participantId: a }, at(11)).state;
    expect(refused(() => apply(held, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(12))).code).toBe(
      CODES.callCannotBePlaced,
    );
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state;
    expect(
      refused(() => apply(offered, { type: 'placeCall', participantId: pid(agentLeg(offered)), number: '+13175550100' }, at(6))).code,
    ).toBe(CODES.callCannotBePlaced);
  });

  it('dials the first number automatically timeoutSeconds after connecting', () => {
    const s = connected(queue(), { timeoutSeconds: 45 });
    expect(nextDeadline(s)).toEqual({ at: at(55), kind: 'autoDial', participantId: pid(agentLeg(s)) });
    const { state, events } = advance(s, at(60));
    expect(state.calls).toMatchObject([{ number: '+13175550100', placedAt: at(55), automatic: true }]);
    expect(events[0]).toMatchObject({ type: 'callPlaced', automatic: true });
    expect(nextDeadline(state)).toBeUndefined();
    expect(deadlines(connected())).toEqual([]);
  });

  it('auto-dial-and-end queues dial after their delay and end the callback after the call', () => {
    const q = queue({ autoDialAndEnd: { dialDelaySeconds: 20, endDelaySeconds: 30 }, wrapupPrompt: 'optional' });
    const s = connected(q);
    expect(agentLeg(s).timeoutSeconds).toBe(20);
    const dialedState = advance(s, at(30)).state;
    expect(dialedState.calls).toHaveLength(1);
    const ended = apply(dialedState, { type: 'endCall', participantId: pid(agentLeg(s)) }, at(100)).state;
    expect(nextDeadline(ended)).toMatchObject({ at: at(130), kind: 'autoEnd' });
    const done = advance(ended, at(200)).state;
    expect(agentLeg(done)).toMatchObject({ state: 'disconnected', disconnectType: 'system', endTime: at(130), startAcwTime: at(130) });
    expect(done.phase).toBe('ended');
  });

  it('skip only when skipEnabled and nothing was dialed', () => {
    const no = connected(queue(), { skipEnabled: false });
    expect(refused(() => apply(no, { type: 'skip', participantId: pid(agentLeg(no)) }, at(11))).code).toBe(CODES.skipNotEnabled);
    const yes = connected(queue({ wrapupPrompt: 'optional' }));
    const { state } = apply(yes, { type: 'skip', participantId: pid(agentLeg(yes)) }, at(11));
    expect(state.phase).toBe('ended');
    expect(byPurpose(state, 'customer')[0]).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    const called = apply(yes, { type: 'placeCall', participantId: pid(agentLeg(yes)), number: '+13175550100' }, at(11)).state;
    expect(refused(() => apply(called, { type: 'skip', participantId: pid(agentLeg(yes)) }, at(12))).code).toBe(CODES.skipNotEnabled);
  });
});

describe('hold and park (R-HLD, R-PRK)', () => {
  it('hold needs a connected leg; unhold clears startHoldTime and keeps the total', () => {
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state;
    const e = refused(() => apply(offered, { type: 'hold', participantId: pid(agentLeg(offered)) }, at(6)));
    expect(e).toMatchObject({ code: 'conversation.error.hold.alerting', kind: 'invalid', state: 'leg=alerting' });
    const s = connected();
    const a = pid(agentLeg(s));
    const { state } = drive(s, [
      [20, { type: 'hold', participantId: a }],
      [50, { type: 'unhold', participantId: a }],
      [60, { type: 'hold', participantId: a }],
    ]);
    expect(agentLeg(state)).toMatchObject({ held: true, startHoldTime: at(60) });
    const back = apply(state, { type: 'unhold', participantId: a }, at(70)).state;
    expect(agentLeg(back).held).toBe(false);
    expect(agentLeg(back).startHoldTime).toBeUndefined();
    expect(back.legs[a]?.heldMs).toBe(40000);
  });

  it('park until resumeTime, resumed by the timer; parkTime survives', () => {
    const s = connected();
    const a = pid(agentLeg(s));
    expect(refused(() => apply(s, { type: 'park', participantId: a, resumeTime: at(5) }, at(20))).code).toBe('invalid.value');
    const parked = apply(s, { type: 'park', participantId: a, resumeTime: at(600) }, at(20)).state;
    expect(agentLeg(parked)).toMatchObject({ state: 'parked', parkTime: at(20), resumeTime: at(600) });
    expect(nextDeadline(parked)).toEqual({ at: at(600), kind: 'parkResume', participantId: a });
    const { state, events } = advance(parked, at(1000));
    expect(agentLeg(state)).toMatchObject({ state: 'connected', parkTime: at(20), resumeTime: at(600) });
    expect(events).toEqual([{ type: 'resumed', at: at(600), participantId: a, automatic: true }]);
    const early = apply(parked, { type: 'resume', participantId: a }, at(100)).state;
    expect(agentLeg(early)).toMatchObject({ state: 'connected', parkTime: at(20), resumeTime: at(100) });
    expect(early.legs[a]?.parkedMs).toBe(80000);
  });
});

describe('transfer (R-TRF)', () => {
  it('only while connected', () => {
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state;
    const e = refused(() =>
      apply(offered, { type: 'transfer', participantId: pid(agentLeg(offered)), to: { kind: 'agent', agent: AGENT2 } }, at(6)),
    );
    expect(e.code).toBe('conversations.error.transfer.not.connected');
  });

  it('to an agent: the old leg ends with transfer, a new leg alerts, recentTransfers records it', () => {
    const s = connected();
    const { state } = apply(
      s,
      { type: 'transfer', participantId: pid(agentLeg(s)), to: { kind: 'agent', agent: AGENT2 }, initiatorUserId: 'agent-1' },
      at(30),
    );
    expect(agentLeg(state, 0)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer',
      startAcwTime: at(30),
      wrapupRequired: true,
    });
    expect(agentLeg(state, 1)).toMatchObject({ state: 'alerting', user: { id: 'agent-2' } });
    expect(state.phase).toBe('offered');
    expect(state.recentTransfers).toMatchObject([
      {
        state: 'Pending',
        transferType: 'Unattended',
        destination: { userId: 'agent-2' },
        initiator: { userId: 'agent-1' },
        dateIssued: at(30),
      },
    ]);
    // Pending until the new agent answers; a second transfer that is declined fails.
    const answered = apply(state, { type: 'answer', participantId: pid(agentLeg(state, 1)) }, at(35)).state;
    expect(answered.recentTransfers.map((t) => t.state)).toEqual(['Complete']);
    const again = apply(
      answered,
      { type: 'transfer', participantId: pid(agentLeg(answered, 1)), to: { kind: 'agent', agent: AGENT } },
      at(40),
    );
    const declined = apply(again.state, { type: 'decline', participantId: pid(agentLeg(again.state, 2)) }, at(45)).state;
    expect(declined.recentTransfers.map((t) => t.state)).toEqual(['Complete', 'Failed']);
    expect(declined.phase).toBe('queued');
  });

  it('honours transferType: Unattended (the default) is done, Attended is refused (replace is a blind transfer)', () => {
    const s = connected();
    const e = refused(() =>
      apply(
        s,
        { type: 'transfer', participantId: pid(agentLeg(s)), to: { kind: 'agent', agent: AGENT2 }, transferType: 'Attended' },
        at(30),
      ),
    );
    expect(e).toMatchObject({ code: 'invalid.value', kind: 'invalid', state: 'leg=connected' });
    expect(e.message).toMatch(/transferType/);
    const { state } = apply(
      s,
      { type: 'transfer', participantId: pid(agentLeg(s)), to: { kind: 'agent', agent: AGENT2 }, transferType: 'Unattended' },
      at(30),
    );
    expect(state.recentTransfers[0]?.transferType).toBe('Unattended');
  });

  it('to a queue: back in the new queue with a new ACD leg', () => {
    const s = connected();
    const other = queue({ id: 'q-billing', name: 'Billing' });
    const { state } = apply(s, { type: 'transfer', participantId: pid(agentLeg(s)), to: { kind: 'queue', queue: other } }, at(30));
    expect(state.phase).toBe('queued');
    expect(state.queue.id).toBe('q-billing');
    expect(byPurpose(state, 'acd').at(-1)).toMatchObject({ state: 'connected', queue: { id: 'q-billing', name: 'Billing' } });
  });
});

describe('disconnect (R-DIS)', () => {
  it('an agent leg ending before any call sends the callback back to the queue', () => {
    const s = connected();
    const { state, events } = apply(s, { type: 'disconnect', participantId: pid(agentLeg(s)) }, at(40));
    expect(agentLeg(state)).toMatchObject({ state: 'disconnected', disconnectType: 'client', endTime: at(40) });
    expect(state.phase).toBe('queued');
    expect(byPurpose(state, 'acd')).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['disconnected', 'acwStarted', 'queued']);
  });

  it('after a call it ends the callback: customer peer, every leg disconnected', () => {
    const s = connected();
    const a = pid(agentLeg(s));
    const { state } = drive(s, [
      [20, { type: 'placeCall', participantId: a, number: '+13175550100' }],
      [90, { type: 'disconnect', participantId: a }],
    ]);
    expect(state.phase).toBe('ended');
    expect(state.endedAt).toEqual(at(90));
    expect(state.participants.every((p) => p.state === 'disconnected')).toBe(true);
    expect(byPurpose(state, 'customer')[0]?.disconnectType).toBe('peer');
    expect(state.calls[0]?.endedAt).toEqual(at(90));
    expect(refused(() => apply(state, { type: 'disconnect', participantId: a }, at(91))).code).toBe(CODES.noActiveConversations);
  });

  it('disconnecting the customer or the whole conversation ends everything', () => {
    const scheduled = create({ callbackScheduledTime: at(3600) }).state;
    const cancelled = apply(scheduled, { type: 'disconnect', participantId: pid(scheduled.participants[0]!) }, at(10)).state;
    expect(cancelled.phase).toBe('ended');
    expect(nextDeadline(cancelled)).toBeUndefined();
    const all = apply(connected(), { type: 'disconnectAll' }, at(50)).state;
    expect(all.phase).toBe('ended');
    expect(refused(() => apply(all, { type: 'disconnectAll' }, at(51))).code).toBe(CODES.noActiveConversations);
  });

  it('teardown applies the system wrap-up code to everyone pending wrap-up', () => {
    const { state } = apply(connected(), { type: 'disconnectAll', teardown: true }, at(50));
    expect(agentLeg(state)).toMatchObject({ wrapup: { code: TIMEOUT_WRAPUP_CODE }, endAcwTime: at(50) });
    expect(legStatus(state, pid(agentLeg(state)))).toBe('done');
  });

  it('an unknown participant is not found', () => {
    expect(refused(() => apply(connected(), { type: 'hold', participantId: 'nobody' }, at(20)))).toMatchObject({
      code: CODES.notParticipant,
      kind: 'notFound',
    });
  });
});

describe('wrap-up (R-WRAP)', () => {
  const ended = (prompt: Parameters<typeof timed>[0], timeoutMs?: number) => {
    const s = connected(timed(prompt, timeoutMs));
    return apply(s, { type: 'disconnect', participantId: pid(agentLeg(s)) }, at(100)).state;
  };

  it('mandatory: required, code needed and checked against the queue, ACW ends when applied', () => {
    const s = ended('mandatory');
    const a = pid(agentLeg(s));
    expect(agentLeg(s)).toMatchObject({ wrapupRequired: true, wrapupPrompt: 'mandatory', startAcwTime: at(100) });
    expect(refused(() => apply(s, { type: 'wrapup', participantId: a, wrapup: { notes: 'x' } }, at(110))).code).toBe(
      'conversation.error.wrapup.code.required',
    );
    expect(refused(() => apply(s, { type: 'wrapup', participantId: a, wrapup: { code: 'nope' } }, at(110))).code).toBe(
      CODES.wrapupCodeUnknown,
    );
    expect(refused(() => apply(s, { type: 'skipWrapup', participantId: a }, at(110))).code).toBe(CODES.wrapupCannotSkip);
    const { state, events } = apply(
      s,
      { type: 'wrapup', participantId: a, wrapup: { code: 'wc-resolved', notes: 'done', tags: ['vip'] } },
      at(115),
    );
    expect(agentLeg(state)).toMatchObject({
      endAcwTime: at(115),
      wrapup: {
        code: 'wc-resolved',
        name: 'Resolved',
        notes: 'done',
        tags: ['vip'],
        durationSeconds: 15,
        endTime: at(115),
        provisional: false,
      },
    });
    expect(events.map((e) => e.type)).toEqual(['wrapupApplied', 'agentReleased']);
    expect(refused(() => apply(state, { type: 'wrapup', participantId: a, wrapup: { code: 'wc-resolved' } }, at(120))).code).toBe(
      CODES.wrapupNotPending,
    );
  });

  it('optional: not required, may be skipped', () => {
    const s = ended('optional');
    const a = pid(agentLeg(s));
    expect(agentLeg(s).wrapupRequired).toBe(false);
    const { state } = apply(s, { type: 'skipWrapup', participantId: a }, at(105));
    expect(agentLeg(state)).toMatchObject({ wrapupSkipped: true, endAcwTime: at(105) });
    expect(checkTimeline(agentLeg(state))).toEqual([]);
  });

  it('timeout: the timer ends ACW with ININ-WRAP-UP-TIMEOUT unless a code came first', () => {
    const s = ended('timeout', 60000);
    expect(nextDeadline(s)).toMatchObject({ at: at(160), kind: 'wrapupTimeout' });
    const { state, events } = advance(s, at(1000));
    expect(agentLeg(state)).toMatchObject({ endAcwTime: at(160), wrapup: { code: 'ININ-WRAP-UP-TIMEOUT', durationSeconds: 60 } });
    expect(events.map((e) => e.type)).toEqual(['wrapupTimedOut', 'agentReleased']);
    const early = apply(s, { type: 'wrapup', participantId: pid(agentLeg(s)), wrapup: { code: 'wc-no-answer' } }, at(120)).state;
    expect(agentLeg(early).endAcwTime).toEqual(at(120));
    expect(nextDeadline(early)).toBeUndefined();
  });

  it('forcedTimeout: an applied code is kept but ACW lasts until the timer', () => {
    const s = ended('forcedTimeout', 30000);
    const a = pid(agentLeg(s));
    const applied = apply(s, { type: 'wrapup', participantId: a, wrapup: { code: 'wc-resolved' } }, at(110)).state;
    expect(legStatus(applied, a)).toBe('acw');
    expect(agentLeg(applied).endAcwTime).toBeUndefined();
    const { state } = advance(applied, at(200));
    expect(agentLeg(state)).toMatchObject({ endAcwTime: at(130), wrapup: { code: 'wc-resolved' } });
  });

  it('agentRequested: ACW only when the agent asked for it', () => {
    const none = ended('agentRequested');
    expect(legStatus(none, pid(agentLeg(none)))).toBe('done');
    expect(agentLeg(none).startAcwTime).toBeUndefined();
    const s = connected(timed('agentRequested'));
    const a = pid(agentLeg(s));
    const { state } = drive(s, [
      [20, { type: 'requestAcw', participantId: a }],
      [30, { type: 'disconnect', participantId: a }],
    ]);
    expect(legStatus(state, a)).toBe('acw');
    expect(agentLeg(state).wrapupRequired).toBe(true);
    // Requested ACW is time-boxed like `timeout`: the timer ends it with the system code (docs/lifecycle.md).
    expect(nextDeadline(state)).toEqual({ at: at(90), kind: 'wrapupTimeout', participantId: a });
    const timedOut = advance(state, at(100)).state;
    expect(agentLeg(timedOut)).toMatchObject({ endAcwTime: at(90), wrapup: { code: TIMEOUT_WRAPUP_CODE, durationSeconds: 60 } });
    expect(legStatus(timedOut, a)).toBe('done');
  });

  it('a provisional wrap-up can be saved during the call without a code', () => {
    const s = connected();
    const a = pid(agentLeg(s));
    const { state } = apply(s, { type: 'wrapup', participantId: a, wrapup: { notes: 'call back tomorrow', provisional: true } }, at(20));
    expect(agentLeg(state)).toMatchObject({ state: 'connected', wrapup: { notes: 'call back tomorrow', provisional: true } });
    expect(refused(() => apply(s, { type: 'wrapup', participantId: a, wrapup: { code: 'wc-resolved' } }, at(20))).code).toBe(
      CODES.wrapupNotPending,
    );
  });
});

describe('update (R-RES)', () => {
  it('reschedules and edits before delivery, refuses afterwards', () => {
    const s = create({ callbackScheduledTime: at(3600) }).state;
    const { state } = apply(s, { type: 'update', callbackScheduledTime: at(7200), callbackNumbers: ['+15555550123'] }, at(10));
    expect(state.participants.every((p) => p.callbackScheduledTime?.getTime() === at(7200).getTime())).toBe(true);
    expect(state.participants[0]?.callbackNumbers).toEqual(['+15555550123']);
    expect(nextDeadline(state)?.at).toEqual(at(7200));
    const now = apply(s, { type: 'update', callbackScheduledTime: at(5) }, at(10)).state;
    expect(now.phase).toBe('queued');
    const later = apply(create().state, { type: 'update', callbackScheduledTime: at(600) }, at(10)).state;
    expect(later.phase).toBe('scheduled');
    expect(later.participants.map((p) => p.state)).toEqual(['none', 'none']);
    expect(refused(() => apply(connected(), { type: 'update', callbackNumbers: ['+1'] }, at(20)))).toMatchObject({
      code: CODES.notUpdatable,
      kind: 'conflict',
    });
  });
});

describe('attributes', () => {
  it('merge into the participant', () => {
    const s = connected();
    const c = pid(s.participants[0]!);
    const { state } = apply(s, { type: 'setAttributes', participantId: c, attributes: { tier: 'gold' } }, at(20));
    expect(state.participants[0]?.attributes).toEqual({ orderId: 'A-17', tier: 'gold' });
  });
});

describe('purity and projection', () => {
  it('the same inputs give the same conversation and events, and the input is not changed', () => {
    const run = () => {
      const s = connected(queue(), { timeoutSeconds: 30 });
      const frozen = structuredClone(s);
      const out = advance(s, at(500));
      expect(s).toEqual(frozen);
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('the projection is a valid CallbackConversation on the wire', () => {
    const s = connected();
    const wire = JSON.parse(JSON.stringify(encodeCallbackConversation(toCallbackConversation(s))));
    const r = decodeCallbackConversation(wire, { strict: true });
    expect(r.ok).toBe(true);
    expect(wire.selfUri).toBe(`/api/v2/conversations/callbacks/${s.id}`);
  });
});

describe('boundaries and the words of each refusal', () => {
  const DAY = 86400;
  it('a time exactly now is not ahead: queued; 30 days ahead is allowed, a millisecond more is not', () => {
    expect(create({ callbackScheduledTime: T0 }).state.phase).toBe('queued');
    expect(create({ callbackScheduledTime: new Date(T0.getTime() + 1) }).state.phase).toBe('scheduled');
    expect(create({ callbackScheduledTime: at(30 * DAY) }).state.phase).toBe('scheduled');
    const far = refused(() => create({ callbackScheduledTime: new Date(at(30 * DAY).getTime() + 1) }));
    expect(far).toMatchObject({
      code: CODES.tooFarInFuture,
      message: 'callbackScheduledTime is more than 30 days ahead.',
      state: 'phase=new',
    });
    const s = create({ callbackScheduledTime: at(600) }).state;
    expect(apply(s, { type: 'update', callbackScheduledTime: at(10) }, at(10)).state.phase).toBe('queued');
    expect(apply(s, { type: 'update', callbackScheduledTime: at(11) }, at(10)).state.phase).toBe('scheduled');
    expect(apply(s, { type: 'update', callbackNumbers: ['+1'] }, at(10)).state.phase).toBe('scheduled');
    expect(apply(create().state, { type: 'update', callbackNumbers: ['+1'] }, at(10)).state.phase).toBe('queued');
    expect(refused(() => apply(s, { type: 'update', callbackScheduledTime: new Date(Number.NaN) }, at(10)))).toMatchObject({
      code: 'invalid.date',
      message: 'callbackScheduledTime is not a valid date.',
      state: 'phase=scheduled',
    });
    expect(refused(() => apply(s, { type: 'update', callbackNumbers: [] }, at(10)))).toMatchObject({
      code: CODES.missingNumbers,
      message: 'Callback numbers missing.',
    });
    expect(refused(() => apply(s, { type: 'update', callbackScheduledTime: at(31 * DAY) }, at(10))).code).toBe(CODES.tooFarInFuture);
  });

  it('a park is at most 7 days, and must be ahead', () => {
    const s = connected();
    const a = pid(agentLeg(s));
    expect(apply(s, { type: 'park', participantId: a, resumeTime: at(20 + 7 * DAY) }, at(20)).state.phase).toBe('active');
    expect(
      refused(() => apply(s, { type: 'park', participantId: a, resumeTime: new Date(at(20 + 7 * DAY).getTime() + 1) }, at(20))),
    ).toMatchObject({
      code: 'invalid.value',
      message: 'resumeTime is more than 7 days ahead (a parked interaction returns to the agent within 7 days).',
    });
    expect(refused(() => apply(s, { type: 'park', participantId: a, resumeTime: at(20) }, at(20))).message).toBe(
      'resumeTime must be in the future to park.',
    );
  });

  it('dialing, skipping, wrap-up and transfer refusals say why', () => {
    const s = connected();
    const a = pid(agentLeg(s));
    expect(refused(() => apply(s, { type: 'placeCall', participantId: a, number: '+1999' }, at(20))).message).toBe(
      '"+1999" is not one of this callback\'s numbers (+13175550100, +13175550101).',
    );
    const ext = connected(queue(), { externalCampaign: true });
    expect(
      refused(() => apply(ext, { type: 'placeCall', participantId: pid(agentLeg(ext)), number: '+13175550100' }, at(20))).message,
    ).toBe('This callback is dialed outside the platform (externalCampaign).');
    const calling = apply(s, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(20)).state;
    expect(refused(() => apply(calling, { type: 'placeCall', participantId: a, number: '+13175550101' }, at(21))).message).toBe(
      'A call placed from this callback is still in progress.',
    );
    // After the call ended another may be placed.
    const ended = apply(calling, { type: 'endCall', participantId: a }, at(30)).state;
    expect(apply(ended, { type: 'placeCall', participantId: a, number: '+13175550101' }, at(31)).state.calls).toHaveLength(2);
    expect(refused(() => apply(ended, { type: 'skip', participantId: a }, at(31))).message).toBe(
      'A call was already placed; the callback can no longer be skipped.',
    );
    const noSkip = connected(queue(), { skipEnabled: false });
    expect(refused(() => apply(noSkip, { type: 'skip', participantId: pid(agentLeg(noSkip)) }, at(20))).message).toBe(
      'This callback cannot be skipped (skipEnabled is false).',
    );
    expect(refused(() => apply(s, { type: 'endCall', participantId: a }, at(20))).message).toBe(
      'No call placed from this callback is in progress.',
    );
    const acw = apply(s, { type: 'disconnect', participantId: a }, at(40)).state;
    expect(refused(() => apply(acw, { type: 'wrapup', participantId: a, wrapup: { code: '' } }, at(41))).message).toBe(
      'Wrapup code is a required field and cannot be empty.',
    );
    expect(refused(() => apply(acw, { type: 'wrapup', participantId: a, wrapup: { code: 'nope' } }, at(41))).message).toBe(
      `Wrap-up code nope is not configured on the queue of participant ${a} (q-callbacks).`,
    );
    expect(refused(() => apply(acw, { type: 'skipWrapup', participantId: a }, at(41))).message).toBe(
      'Wrap-up cannot be skipped in mandatory mode.',
    );
    // An optional wrap-up may be given without a code.
    const opt = connected(queue({ wrapupPrompt: 'optional' }));
    const optAcw = apply(opt, { type: 'disconnect', participantId: pid(agentLeg(opt)) }, at(40)).state;
    expect(
      apply(optAcw, { type: 'wrapup', participantId: pid(agentLeg(opt)), wrapup: { notes: 'n' } }, at(41)).events.map((e) => e.type),
    ).toEqual(['wrapupApplied', 'agentReleased']);
    expect(
      refused(() =>
        apply(s, { type: 'transfer', participantId: a, to: { kind: 'agent', agent: AGENT2 }, transferType: 'Attended' }, at(20)),
      ).message,
    ).toBe('Value [Attended] is not valid for field type [transferType]. Allowable values are: Unattended (replace is a blind transfer).');
  });

  it('the refusal rows say why, in words', () => {
    const offered = apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state;
    const a = pid(agentLeg(offered));
    expect(refused(() => apply(offered, { type: 'hold', participantId: a }, at(6))).message).toBe(
      'An alerting call cannot be placed on hold.',
    );
    expect(refused(() => apply(offered, { type: 'unhold', participantId: a }, at(6))).message).toBe(`Participant ${a} is not on hold.`);
    expect(refused(() => apply(offered, { type: 'transfer', participantId: a, to: { kind: 'agent', agent: AGENT2 } }, at(6))).message).toBe(
      'You can only transfer conversations that are in the connected state.',
    );
    expect(refused(() => apply(offered, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(6))).message).toBe(
      `A call can only be placed from a connected callback; participant ${a} is not connected.`,
    );
    expect(refused(() => apply(offered, { type: 'offer', agent: AGENT2 }, at(6))).message).toBe(
      'Only a queued callback can be offered; this one is offered.',
    );
    expect(refused(() => apply(offered, { type: 'update', callbackNumbers: ['+1'] }, at(6))).message).toBe(
      'The callback was already delivered (offered); only a scheduled or queued callback can be updated.',
    );
    expect(refused(() => apply(offered, { type: 'wrapup', participantId: a, wrapup: { code: 'x' } }, at(6))).message).toBe(
      `Participant ${a} has no wrap-up pending.`,
    );
    expect(refused(() => apply(offered, { type: 'skipWrapup', participantId: a }, at(6))).message).toBe(
      `Participant ${a} has no wrap-up pending.`,
    );
    const s = connected();
    const b = pid(agentLeg(s));
    expect(refused(() => apply(s, { type: 'answer', participantId: b }, at(20))).message).toBe(`Participant ${b} has no offer to answer.`);
    expect(refused(() => apply(s, { type: 'wrapup', participantId: b, wrapup: { code: 'wc-resolved' } }, at(20))).message).toBe(
      'Only a provisional wrap-up can be saved before the participant disconnects.',
    );
    const done = apply(s, { type: 'disconnectAll' }, at(30)).state;
    expect(refused(() => apply(done, { type: 'disconnect', participantId: b }, at(31))).message).toBe(
      `Participant ${b} is already disconnected.`,
    );
    expect(refused(() => apply(done, { type: 'disconnectAll' }, at(31))).message).toBe('The conversation has already ended.');
    const customer = pid(done.participants[0]!);
    expect(refused(() => apply(done, { type: 'disconnect', participantId: customer }, at(31))).message).toBe(
      `Participant ${customer} is already disconnected.`,
    );
    expect(refused(() => apply(s, { type: 'hold', participantId: 'nobody' }, at(31)))).toMatchObject({
      message: 'Participant nobody is not in conversation conv-1.',
      state: 'phase=active',
    });
  });
});
