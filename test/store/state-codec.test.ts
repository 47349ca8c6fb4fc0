// The stored form of a conversation: a rich state round-trips exactly; a corrupt one fails loudly, saying what.
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/lifecycle/index.js';
import { encodeCallbackMediaParticipant, encodeTransferResponse, unknownProperties } from '../../src/model/index.js';
import { decodeState, encodeState } from '../../src/store/state-codec.js';
import { AGENT, AGENT2, at, connected } from '../lifecycle/helpers.js';

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
