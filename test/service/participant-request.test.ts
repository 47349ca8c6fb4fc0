// What a PATCH of a participant turns into, for every state it may name and every leg status.
import { describe, expect, it } from 'vitest';
import { CallbackdError } from '../../src/errors.js';
import type { LegStatus } from '../../src/lifecycle/index.js';
import { commandsFor } from '../../src/service/participant-request.js';

const P = 'p1';
const at = new Date('2026-06-01T10:00:00.000Z');

describe('a participant PATCH as lifecycle commands', () => {
  const cases: [string, Parameters<typeof commandsFor>[0], LegStatus, unknown[]][] = [
    ['nothing', {}, 'connected', []],
    ['answer an offer', { state: 'connected' }, 'alerting', [{ type: 'answer', participantId: P }]],
    ['connected when connected: nothing', { state: 'connected' }, 'connected', []],
    ['connected when parked: resume', { state: 'connected' }, 'parked', [{ type: 'resume', participantId: P }]],
    ['connected when held: answer (refused by the table)', { state: 'connected' }, 'held', [{ type: 'answer', participantId: P }]],
    [
      'connected after the leg ended: answer (refused by the table)',
      { state: 'connected' },
      'done',
      [{ type: 'answer', participantId: P }],
    ],
    ['disconnect a live leg', { state: 'disconnected' }, 'connected', [{ type: 'disconnect', participantId: P }]],
    ['disconnect an offer', { state: 'disconnected' }, 'alerting', [{ type: 'disconnect', participantId: P }]],
    ['disconnect a leg in ACW (refused by the table)', { state: 'disconnected' }, 'acw', [{ type: 'disconnect', participantId: P }]],
    [
      'disconnect with a wrap-up in ACW: only the wrap-up',
      { state: 'disconnected', wrapup: { code: 'c' } },
      'acw',
      [{ type: 'wrapup', participantId: P, wrapup: { code: 'c' } }],
    ],
    [
      'disconnect with wrapupSkipped after the leg: only the skip',
      { state: 'disconnected', wrapupSkipped: true },
      'done',
      [{ type: 'skipWrapup', participantId: P }],
    ],
    [
      'disconnect and wrap up a live leg: both, in order',
      { state: 'disconnected', wrapup: { code: 'c' } },
      'held',
      [
        { type: 'disconnect', participantId: P },
        { type: 'wrapup', participantId: P, wrapup: { code: 'c' } },
      ],
    ],
    ['park', { state: 'parked', resumeTime: at }, 'connected', [{ type: 'park', participantId: P, resumeTime: at }]],
    ['hold', { held: true }, 'connected', [{ type: 'hold', participantId: P }]],
    ['hold when held: nothing', { held: true }, 'held', []],
    ['unhold', { held: false }, 'held', [{ type: 'unhold', participantId: P }]],
    ['unhold when not held: nothing', { held: false }, 'connected', []],
    ['skip the wrap-up', { wrapupSkipped: true }, 'acw', [{ type: 'skipWrapup', participantId: P }]],
    ['wrapupSkipped false: nothing', { wrapupSkipped: false }, 'acw', []],
    [
      'answer and hold at once',
      { state: 'connected', held: true },
      'alerting',
      [
        { type: 'answer', participantId: P },
        { type: 'hold', participantId: P },
      ],
    ],
  ];
  it.each(cases)('%s', (_, body, status, expected) => {
    expect(commandsFor(body, P, status)).toEqual(expected);
  });

  it('parking needs a resumeTime; other states are refused, naming the field', () => {
    const refusal = (body: Parameters<typeof commandsFor>[0]) => {
      try {
        commandsFor(body, P, 'connected');
      } catch (e) {
        if (e instanceof CallbackdError) return e;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal({ state: 'parked' })).toMatchObject({ code: 'invalid.value', fields: [{ field: '/resumeTime' }] });
    expect(refusal({ state: 'parked' }).message).toBe('Parking needs a resumeTime.');
    const other = refusal({ state: 'alerting' });
    expect(other).toMatchObject({ code: 'invalid.value', fields: [{ field: '/state', code: 'invalid.value' }] });
    expect(other.message).toBe(
      'Value [alerting] is not valid for field type [state]. Allowable values are: connected, disconnected, parked.',
    );
  });
});
