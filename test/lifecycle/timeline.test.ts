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
