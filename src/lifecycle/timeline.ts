// Checks of the model's own time logic, usable on any decoded participant (ours or real traffic), and the
// durations a participant's times imply.
import type { CallbackMediaParticipant } from '../model/core.js';

export interface Violation {
  /** JSON pointer of the property at fault, relative to the participant. */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

type TimeKey =
  | 'startTime'
  | 'startAlertingTime'
  | 'connectedTime'
  | 'endTime'
  | 'startHoldTime'
  | 'startAcwTime'
  | 'endAcwTime'
  | 'parkTime'
  | 'resumeTime';

const ENDED = new Set(['disconnected', 'terminated']);
const iso = (d: Date) => d.toISOString();

/** Pairs that must be in order when both are present: [earlier, later]. */
const ORDER: readonly [TimeKey, TimeKey][] = [
  ['startTime', 'startAlertingTime'],
  ['startTime', 'connectedTime'],
  ['startTime', 'endTime'],
  ['startAlertingTime', 'connectedTime'],
  ['startAlertingTime', 'endTime'],
  ['connectedTime', 'endTime'],
  ['connectedTime', 'startHoldTime'],
  ['connectedTime', 'parkTime'],
  ['parkTime', 'resumeTime'],
  ['endTime', 'startAcwTime'],
  ['startAcwTime', 'endAcwTime'],
];

export function checkTimeline(p: CallbackMediaParticipant): Violation[] {
  const out: Violation[] = [];
  const add = (path: string, rule: string, message: string) => out.push({ path, rule, message });
  for (const [a, b] of ORDER) {
    const x = p[a];
    const y = p[b];
    if (x instanceof Date && y instanceof Date && x.getTime() > y.getTime()) {
      add(`/${b}`, 'order', `${b} (${iso(y)}) is before ${a} (${iso(x)})`);
    }
  }
  if (p.startHoldTime !== undefined && p.endTime !== undefined && p.held === true && p.startHoldTime > p.endTime) {
    add('/startHoldTime', 'order', 'the hold started after the participant ended');
  }
  const ended = p.state !== undefined && ENDED.has(p.state);
  if (p.endTime !== undefined && p.state !== undefined && !ended) {
    add('/endTime', 'end-state', `endTime is set but the state is ${p.state}, not disconnected or terminated`);
  }
  if (ended && p.endTime === undefined) add('/endTime', 'end-state', `state is ${p.state} but endTime is missing`);
  if (p.held === true && p.startHoldTime === undefined) add('/startHoldTime', 'hold', 'held is true but startHoldTime is missing');
  if (p.held === true && ended) add('/held', 'hold', `held is true on a ${p.state} participant`);
  if (p.state === 'parked' && p.parkTime === undefined) add('/parkTime', 'park', 'state is parked but parkTime is missing');
  if (p.state === 'alerting' && p.connectedTime !== undefined)
    add('/connectedTime', 'alerting', 'an alerting participant already has connectedTime');
  if (p.wrapupSkipped === true && p.wrapup !== undefined && p.wrapup.provisional !== true) {
    add('/wrapupSkipped', 'wrapup', 'wrap-up is both skipped and applied');
  }
  if (p.wrapupSkipped === true && p.wrapupRequired === true) add('/wrapupSkipped', 'wrapup', 'a required wrap-up was skipped');
  if (p.endAcwTime !== undefined && p.startAcwTime === undefined) add('/endAcwTime', 'wrapup', 'endAcwTime without startAcwTime');
  if (p.wrapup?.endTime !== undefined && p.startAcwTime !== undefined && p.wrapup.endTime < p.startAcwTime) {
    add('/wrapup/endTime', 'wrapup', 'the wrap-up ended before after-call work started');
  }
  return out;
}

export interface Durations {
  /** From first alerting to answer (or to the end, if never answered). */
  alertingMs?: number;
  /** Connected time, holds included (Genesys' handle time counts talk, hold and ACW). */
  talkMs?: number;
  /** The current hold, while held. */
  holdMs?: number;
  /** The last park, from parkTime to resumeTime (or to now while parked). */
  parkMs?: number;
  afterCallWorkMs?: number;
  /** talk + after-call work. */
  handleMs?: number;
}

/** Durations implied by a participant's times; open intervals run to `now`. */
export function durations(p: CallbackMediaParticipant, now: Date): Durations {
  const span = (a: Date | undefined, b: Date | undefined) =>
    a === undefined ? undefined : Math.max(0, (b ?? now).getTime() - a.getTime());
  const d: Durations = {};
  const alerting = span(p.startAlertingTime, p.connectedTime ?? p.endTime);
  if (alerting !== undefined) d.alertingMs = alerting;
  const talk = span(p.connectedTime, p.endTime);
  if (talk !== undefined) d.talkMs = talk;
  if (p.held === true) {
    const hold = span(p.startHoldTime, undefined);
    if (hold !== undefined) d.holdMs = hold;
  }
  const resumed = p.state === 'parked' ? undefined : p.resumeTime;
  const park = span(p.parkTime, resumed);
  if (park !== undefined) d.parkMs = park;
  const acw = span(p.startAcwTime, p.endAcwTime);
  if (acw !== undefined) d.afterCallWorkMs = acw;
  if (talk !== undefined || acw !== undefined) d.handleMs = (talk ?? 0) + (acw ?? 0);
  return d;
}
