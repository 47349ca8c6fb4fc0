// The stored form of a conversation: a rich state round-trips exactly; a corrupt one fails loudly, saying what.
import { describe, expect, it } from 'vitest';
import { apply, toCallbackConversation, type CallbackConversationState } from '../../src/lifecycle/index.js';
import { encodeCallbackMediaParticipant, encodeTransferResponse, stringifyModel, unknownProperties } from '../../src/model/index.js';
import { callbackConversationText, decodeState, encodeState } from '../../src/store/state-codec.js';
import { AGENT, AGENT2, at, connected, create, queue } from '../lifecycle/helpers.js';

function rich() {
  let s = connected();
  const a = s.participants.find((p) => p.purpose === 'agent')?.id as string;
  s = apply(s, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(20)).state;
  s = apply(s, { type: 'endCall', participantId: a }, at(30)).state;
  s = apply(s, { type: 'transfer', participantId: a, to: { kind: 'agent', agent: AGENT2 }, initiatorUserId: AGENT.id }, at(40)).state;
  return apply(s, { type: 'disconnectAll' }, at(50)).state;
}

describe('the stored form of a conversation', () => {
  it('round-trips every part: participants, legs, calls with their times, transfers, the end', () => {
    const s = rich();
    expect(s.calls[0]?.endedAt).toEqual(at(30));
    expect(s.endedAt).toEqual(at(50));
    const back = decodeState(encodeState(s));
    expect(back).toEqual(s);
    expect(back.calls[0]?.placedAt).toBeInstanceOf(Date);
    expect(back.recentTransfers[0]?.dateIssued).toEqual(at(40));
    const live = connected();
    expect(decodeState(encodeState(live))).toEqual(live);
    expect(decodeState(encodeState(live)).endedAt).toBeUndefined();
  });

  it('is read back as trusted: unknown wire properties of a participant are kept in their bag, not checked again', () => {
    const s = rich();
    const wire = JSON.parse(encodeState(s)) as Record<string, any>;
    wire.participants[0].futureField = { nested: [1, 'two'] };
    const back = decodeState(JSON.stringify(wire));
    const p = back.participants[0] as unknown as Record<string | symbol, unknown>;
    expect(p.futureField).toBeUndefined();
    expect(p[unknownProperties]).toEqual({ futureField: { nested: [1, 'two'] } });
    // Written back where it came from.
    expect((JSON.parse(encodeState(back)) as Record<string, any>).participants[0].futureField).toEqual({ nested: [1, 'two'] });
    // What the codec would refuse from a client is not looked at again here: the service wrote it.
    wire.participants[1].held = 'no';
    expect(decodeState(JSON.stringify(wire)).participants[1]?.held).toBe('no');
  });

  it('writes participants and transfers with the wire codec: the same text as their wire objects', () => {
    const s = rich();
    const wire = JSON.parse(encodeState(s)) as Record<string, any>;
    expect(wire.participants).toEqual(s.participants.map((p) => encodeCallbackMediaParticipant(p)));
    expect(wire.recentTransfers).toEqual(s.recentTransfers.map((t) => encodeTransferResponse(t)));
    expect(wire.createdAt).toBe(s.createdAt.toISOString());
  });

  it('a corrupt row names what is wrong', () => {
    const wire = JSON.parse(encodeState(rich())) as Record<string, any>;
    const broken = (change: (w: Record<string, any>) => void) => {
      const w = structuredClone(wire);
      change(w);
      return () => decodeState(JSON.stringify(w));
    };
    expect(broken((w) => (w.createdAt = 'yesterday'))).toThrow('stored conversation: createdAt is not a date-time');
    expect(broken((w) => (w.endedAt = 5))).toThrow('stored conversation: endedAt is not a date-time');
    expect(broken((w) => (w.calls[0].placedAt = null))).toThrow('stored conversation: placedAt is not a date-time');
    expect(broken((w) => (w.calls[0].endedAt = 'x'))).toThrow('stored conversation: endedAt is not a date-time');
    expect(broken((w) => (w.participants[1].startTime = 'noon'))).toThrow(
      'stored conversation: participant 1: stored data: expected a date-time, got a string ("noon")',
    );
    expect(broken((w) => (w.participants = {}))).toThrow('stored conversation: participants is not a list');
    expect(broken((w) => (w.recentTransfers[0].dateIssued = 'x'))).toThrow(
      /^stored conversation: transfer 0: stored data: expected a date-time/,
    );
    expect(() => decodeState('{')).toThrow(SyntaxError);
  });
});

describe('the callback view made from the stored text', () => {
  const viewText = (s: CallbackConversationState) =>
    stringifyModel('CallbackConversation', toCallbackConversation(decodeState(encodeState(s))));
  const fromText = (s: CallbackConversationState) => callbackConversationText(s.id, encodeState(s));

  it('is the text the codec writes for the decoded view: queued, connected, with a call placed and ended', () => {
    const live = connected();
    const a = live.participants.find((p) => p.purpose === 'agent')?.id as string;
    const dialed = apply(live, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(20)).state;
    const ended = apply(apply(dialed, { type: 'endCall', participantId: a }, at(30)).state, { type: 'disconnectAll' }, at(40)).state;
    for (const s of [create().state, live, dialed, ended]) expect(fromText(s)).toBe(viewText(s));
    expect(JSON.parse(fromText(dialed) as string).otherMediaUris).toEqual([`/api/v2/conversations/calls/${dialed.id}`]);
    expect(JSON.parse(fromText(live) as string).otherMediaUris).toEqual([]);
  });

  it("is not fooled by the lists' names in values or in unknown properties", () => {
    const tricky = '],"recentTransfers":[]},"calls":[],"participants":[';
    let s = create({ data: { note: tricky }, callbackUserName: '"calls":[{"x', conversationId: 'conv-"quoted"' }).state;
    s = { ...s, queue: queue({ name: '"participants":[' }) };
    const customer = s.participants[0] as NonNullable<(typeof s.participants)[0]>;
    const odd = { ...customer, [unknownProperties]: { participants: [1], recentTransfers: [], calls: [] } };
    s = { ...s, participants: [odd, ...s.participants.slice(1)] };
    expect(fromText(s)).toBe(viewText(s));
    expect(JSON.parse(fromText(s) as string).participants[0]).toMatchObject({ participants: [1], recentTransfers: [], calls: [] });
    // A call placed, and a participant whose unknown properties hold an empty `calls`: the conversation's own count.
    const live = connected();
    const a = live.participants.find((p) => p.purpose === 'agent')?.id as string;
    const dialed = apply(live, { type: 'placeCall', participantId: a, number: '+13175550100' }, at(20)).state;
    const withOdd = { ...dialed, participants: dialed.participants.map((p) => ({ ...p, [unknownProperties]: { calls: [] } })) };
    expect(fromText(withOdd)).toBe(viewText(withOdd));
    expect(JSON.parse(fromText(withOdd) as string).otherMediaUris).toHaveLength(1);
  });

  it('gives way to decoding when there are transfers (where the participants end is not told by the text alone)', () => {
    expect(rich().recentTransfers.length).toBeGreaterThan(0);
    expect(fromText(rich())).toBeUndefined();
    expect(callbackConversationText('x', '{"id":"x"}')).toBeUndefined();
  });

  it("gives way to decoding for rows in the first releases' layout (the lists in the state's own key order)", () => {
    const s = connected();
    // How the first stored form wrote a state: one JSON.stringify, participants before legs and calls.
    const old = JSON.stringify({
      ...s,
      createdAt: s.createdAt.toISOString(),
      participants: s.participants.map((p) => encodeCallbackMediaParticipant(p)),
      recentTransfers: [],
      calls: [],
    });
    expect(old.endsWith('"recentTransfers":[]}')).toBe(true);
    expect(callbackConversationText(s.id, old)).toBeUndefined();
    expect(stringifyModel('CallbackConversation', toCallbackConversation(decodeState(old)))).toBe(viewText(s));
  });
});
