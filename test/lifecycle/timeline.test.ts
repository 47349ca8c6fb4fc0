import { describe, expect, it } from 'vitest';
import { checkTimeline, decodeCallbackMediaParticipant, durations, type CallbackMediaParticipant } from '../../src/index.js';
import { fixture } from '../helpers.js';

const p = (wire: unknown): CallbackMediaParticipant => {
  const r = decodeCallbackMediaParticipant(wire);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};
const rules = (x: CallbackMediaParticipant) => checkTimeline(x).map((v) => `${v.rule} ${v.path}`);

describe('checkTimeline', () => {
  it('finds nothing wrong with the fixtures and the real payloads', () => {
    for (const f of [
      'f1-customer-scheduled-connected',
      'f2-acd-routing-data',
      'f3-agent-missed-system-disconnect',
      'f4-all-properties',
      'f5-edge-cases',
    ]) {
      expect(checkTimeline(p(fixture(`${f}.json`)))).toEqual([]);
    }
    for (const participant of fixture('example1-call-conversation.json').participants) expect(checkTimeline(p(participant))).toEqual([]);
  });

  it('times out of order', () => {
    const v = checkTimeline(
      p({
        startTime: '2024-01-01T10:00:05Z',
        startAlertingTime: '2024-01-01T10:00:00Z',
        connectedTime: '2024-01-01T10:00:10Z',
        state: 'connected',
      }),
    );
    expect(v).toEqual([
      {
        path: '/startAlertingTime',
        rule: 'order',
        message: 'startAlertingTime (2024-01-01T10:00:00.000Z) is before startTime (2024-01-01T10:00:05.000Z)',
      },
    ]);
    expect(rules(p({ startAcwTime: '2024-01-01T10:05:00Z', endAcwTime: '2024-01-01T10:04:00Z' }))).toEqual(['order /endAcwTime']);
    expect(rules(p({ connectedTime: '2024-01-01T10:05:00Z', endTime: '2024-01-01T10:04:00Z', state: 'disconnected' }))).toEqual([
      'order /endTime',
    ]);
    expect(rules(p({ endTime: '2024-01-01T10:05:00Z', startAcwTime: '2024-01-01T10:04:00Z', state: 'disconnected' }))).toEqual([
      'order /startAcwTime',
    ]);
  });

  it('endTime and the end states go together', () => {
    expect(rules(p({ state: 'connected', endTime: '2024-01-01T10:00:00Z' }))).toEqual(['end-state /endTime']);
    expect(rules(p({ state: 'disconnected' }))).toEqual(['end-state /endTime']);
  });

  it('hold, park, alerting and wrap-up contradictions', () => {
    expect(rules(p({ state: 'connected', held: true }))).toEqual(['hold /startHoldTime']);
    expect(rules(p({ state: 'parked' }))).toEqual(['park /parkTime']);
    expect(rules(p({ state: 'alerting', connectedTime: '2024-01-01T10:00:00Z' }))).toEqual(['alerting /connectedTime']);
    expect(rules(p({ wrapupSkipped: true, wrapup: { code: 'x' } }))).toEqual(['wrapup /wrapupSkipped']);
    expect(rules(p({ wrapupSkipped: true, wrapupRequired: true }))).toEqual(['wrapup /wrapupSkipped']);
    expect(rules(p({ wrapupSkipped: true, wrapup: { notes: 'x', provisional: true } }))).toEqual([]);
  });
});

describe('durations', () => {
  it('from the participant times; open intervals run to now', () => {
    const f4 = p(fixture('f4-all-properties.json'));
    expect(durations(f4, new Date('2030-01-01T00:00:00Z'))).toEqual({
      alertingMs: 3620,
      talkMs: 667887,
      parkMs: 120000,
      afterCallWorkMs: 14314,
      handleMs: 667887 + 14314,
    });
    const live = p({ state: 'connected', connectedTime: '2024-01-01T10:00:00Z', held: true, startHoldTime: '2024-01-01T10:01:00Z' });
    expect(durations(live, new Date('2024-01-01T10:02:00Z'))).toEqual({ talkMs: 120000, holdMs: 60000, handleMs: 120000 });
    const parked = p({ state: 'parked', parkTime: '2024-01-01T10:00:00Z', resumeTime: '2024-01-01T11:00:00Z' });
    expect(durations(parked, new Date('2024-01-01T10:10:00Z')).parkMs).toBe(600000);
  });
});

describe('every rule, with its exact violation', () => {
  const T = (m: number) => `2024-01-01T10:${String(m).padStart(2, '0')}:00Z`;
  const cases: [string, Record<string, unknown>, { path: string; rule: string; message: string }[]][] = [
    [
      'a hold that started after the participant ended',
      { state: 'disconnected', endTime: T(5), held: true, startHoldTime: T(6) },
      [
        { path: '/startHoldTime', rule: 'order', message: 'the hold started after the participant ended' },
        { path: '/held', rule: 'hold', message: 'held is true on a disconnected participant' },
      ],
    ],
    [
      'a hold that ended the participant is fine when not held',
      { state: 'disconnected', endTime: T(5), held: false, startHoldTime: T(6) },
      [],
    ],
    [
      'endTime on a live participant',
      { state: 'connected', endTime: T(5) },
      [{ path: '/endTime', rule: 'end-state', message: 'endTime is set but the state is connected, not disconnected or terminated' }],
    ],
    ['endTime and terminated', { state: 'terminated', endTime: T(5) }, []],
    ['endTime without a state', { endTime: T(5) }, []],
    [
      'terminated without endTime',
      { state: 'terminated' },
      [{ path: '/endTime', rule: 'end-state', message: 'state is terminated but endTime is missing' }],
    ],
    [
      'held without startHoldTime',
      { state: 'connected', held: true },
      [{ path: '/startHoldTime', rule: 'hold', message: 'held is true but startHoldTime is missing' }],
    ],
    ['held with startHoldTime', { state: 'connected', held: true, startHoldTime: T(1) }, []],
    ['parked with parkTime', { state: 'parked', parkTime: T(1) }, []],
    [
      'parked without parkTime',
      { state: 'parked' },
      [{ path: '/parkTime', rule: 'park', message: 'state is parked but parkTime is missing' }],
    ],
    [
      'alerting and connected',
      { state: 'alerting', connectedTime: T(1) },
      [{ path: '/connectedTime', rule: 'alerting', message: 'an alerting participant already has connectedTime' }],
    ],
    [
      'skipped and applied',
      { wrapupSkipped: true, wrapup: { code: 'x', provisional: false } },
      [{ path: '/wrapupSkipped', rule: 'wrapup', message: 'wrap-up is both skipped and applied' }],
    ],
    [
      'a required wrap-up skipped',
      { wrapupSkipped: true, wrapupRequired: true },
      [{ path: '/wrapupSkipped', rule: 'wrapup', message: 'a required wrap-up was skipped' }],
    ],
    ['not skipped, required', { wrapupSkipped: false, wrapupRequired: true, wrapup: { code: 'x' } }, []],
    [
      'endAcwTime without startAcwTime',
      { endAcwTime: T(5) },
      [{ path: '/endAcwTime', rule: 'wrapup', message: 'endAcwTime without startAcwTime' }],
    ],
    [
      'a wrap-up that ended before ACW started',
      { startAcwTime: T(5), wrapup: { code: 'x', endTime: T(4) } },
      [{ path: '/wrapup/endTime', rule: 'wrapup', message: 'the wrap-up ended before after-call work started' }],
    ],
    ['a wrap-up that ended at ACW start', { startAcwTime: T(5), wrapup: { code: 'x', endTime: T(5) } }, []],
    [
      'times out of order, each pair',
      {
        startTime: T(9),
        startAlertingTime: T(8),
        connectedTime: T(7),
        endTime: T(6),
        state: 'disconnected',
        startAcwTime: T(5),
        endAcwTime: T(4),
      },
      [
        {
          path: '/startAlertingTime',
          rule: 'order',
          message: 'startAlertingTime (2024-01-01T10:08:00.000Z) is before startTime (2024-01-01T10:09:00.000Z)',
        },
        {
          path: '/connectedTime',
          rule: 'order',
          message: 'connectedTime (2024-01-01T10:07:00.000Z) is before startTime (2024-01-01T10:09:00.000Z)',
        },
        { path: '/endTime', rule: 'order', message: 'endTime (2024-01-01T10:06:00.000Z) is before startTime (2024-01-01T10:09:00.000Z)' },
        {
          path: '/connectedTime',
          rule: 'order',
          message: 'connectedTime (2024-01-01T10:07:00.000Z) is before startAlertingTime (2024-01-01T10:08:00.000Z)',
        },
        {
          path: '/endTime',
          rule: 'order',
          message: 'endTime (2024-01-01T10:06:00.000Z) is before startAlertingTime (2024-01-01T10:08:00.000Z)',
        },
        {
          path: '/endTime',
          rule: 'order',
          message: 'endTime (2024-01-01T10:06:00.000Z) is before connectedTime (2024-01-01T10:07:00.000Z)',
        },
        {
          path: '/startAcwTime',
          rule: 'order',
          message: 'startAcwTime (2024-01-01T10:05:00.000Z) is before endTime (2024-01-01T10:06:00.000Z)',
        },
        {
          path: '/endAcwTime',
          rule: 'order',
          message: 'endAcwTime (2024-01-01T10:04:00.000Z) is before startAcwTime (2024-01-01T10:05:00.000Z)',
        },
      ],
    ],
    ['equal times are in order', { startTime: T(1), startAlertingTime: T(1), connectedTime: T(1), state: 'connected' }, []],
  ];
  it.each(cases)('%s', (_, wire, expected) => {
    expect(checkTimeline(p(wire))).toEqual(expected);
  });
});

describe('durations, each field', () => {
  const now = new Date('2024-01-01T11:00:00Z');
  it.each([
    ['nothing known', {}, {}],
    [
      'alerting, never answered, ended',
      { startAlertingTime: '2024-01-01T10:00:00Z', endTime: '2024-01-01T10:00:30Z' },
      { alertingMs: 30000 },
    ],
    ['alerting still', { startAlertingTime: '2024-01-01T10:59:00Z' }, { alertingMs: 60000 }],
    [
      'answered',
      { startAlertingTime: '2024-01-01T10:00:00Z', connectedTime: '2024-01-01T10:00:10Z', endTime: '2024-01-01T10:10:10Z' },
      { alertingMs: 10000, talkMs: 600000, handleMs: 600000 },
    ],
    ['not held: no hold time', { held: false, startHoldTime: '2024-01-01T10:00:00Z' }, {}],
    ['held without a start', { held: true }, {}],
    ['resumed park', { state: 'connected', parkTime: '2024-01-01T10:00:00Z', resumeTime: '2024-01-01T10:05:00Z' }, { parkMs: 300000 }],
    ['ACW open', { startAcwTime: '2024-01-01T10:50:00Z' }, { afterCallWorkMs: 600000, handleMs: 600000 }],
    [
      'ACW closed, no talk',
      { startAcwTime: '2024-01-01T10:50:00Z', endAcwTime: '2024-01-01T10:51:00Z' },
      { afterCallWorkMs: 60000, handleMs: 60000 },
    ],
    ['clock before the start', { connectedTime: '2024-01-01T12:00:00Z' }, { talkMs: 0, handleMs: 0 }],
  ])('%s', (_, wire, expected) => {
    expect(durations(p(wire), now)).toEqual(expected);
  });
});
