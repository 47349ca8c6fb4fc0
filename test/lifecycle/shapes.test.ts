// Participants that went through the same steps share one hidden class in V8, so that what reads them (the stored
// text's writer, the views) stays fast. Node 20's V8 gave each participant a class of its own once the engine's
// copying function was optimized (an object spread or Object.assign there): every read went megamorphic. Checked with
// V8's own test intrinsic, enabled for functions compiled after the flag is set.
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { apply, createCallback } from '../../src/lifecycle/index.js';
import { unknownProperties } from '../../src/model/index.js';
import { AGENT, T0, queue } from './helpers.js';

setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const fastProperties = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean;
setFlagsFromString('--no-allow-natives-syntax');

const offered = (i: number) => {
  const c = createCallback(
    {
      type: 'create',
      conversationId: `c-${i}`,
      queue: queue(),
      callbackNumbers: ['+13175550100'],
      callbackUserName: 'Pat',
      data: { k: 'v' },
    },
    T0,
  );
  return apply(c.state, { type: 'offer', agent: AGENT }, T0).state;
};

describe('participant shapes', () => {
  it('participants that went through the same steps share one hidden class, also once the engine is optimized', () => {
    // Enough conversations for the engine's functions to be optimized (the classes diverged only then).
    const states = Array.from({ length: 3000 }, (_, i) => offered(i));
    for (const role of [0, 1, 2]) {
      const last = states.slice(-20).map((s) => s.participants[role] as object);
      expect(last.every((p) => sameMap(p, last[0] as object))).toBe(true);
    }
  });

  it('legs, keyed by participant ids, are dictionaries: no hidden class made per id', () => {
    // An ordinary object would take a new class for each conversation's ids (about a fifth of the engine's time for a create went there).
    const states = Array.from({ length: 3000 }, (_, i) => offered(i));
    for (const s of states.slice(-5)) {
      expect(fastProperties(s.legs)).toBe(false);
      expect(Object.keys(s.legs)).toEqual(s.participants.map((p) => p.id));
    }
  });

  it("a change keeps the participant's unknown wire properties", () => {
    const s = offered(0);
    const customer = s.participants[0] as (typeof s.participants)[number];
    const withUnknown = { ...s, participants: [{ ...customer, [unknownProperties]: { future: 1 } }, ...s.participants.slice(1)] };
    const changed = apply(withUnknown, { type: 'setAttributes', participantId: customer.id as string, attributes: { a: 'b' } }, T0).state;
    expect(changed.participants[0]?.attributes).toMatchObject({ a: 'b' });
    expect((changed.participants[0] as unknown as Record<symbol, unknown>)[unknownProperties]).toEqual({ future: 1 });
  });
});
