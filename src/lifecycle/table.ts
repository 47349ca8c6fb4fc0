// The transition table: every change a callback conversation can go through, as data. The engine looks each command
// and timer up here before running its effect and checks the outcome against `to`; the tests walk every row; the
// diagram in docs/lifecycle.md is drawn from it.
import { CODES, type ErrorKind } from './errors.js';
import type { CommandType, LegRole, LegStatus, Phase, TimerKind } from './types.js';

export type Trigger = 'create' | CommandType | `timer:${TimerKind}`;

export type Row =
  | {
      id: string;
      scope: 'conversation';
      trigger: Trigger;
      from: readonly (Phase | 'new')[];
      to: readonly Phase[];
      rule: string;
      summary: string;
    }
  | {
      id: string;
      scope: 'leg';
      /** Which participants the row is for. */
      roles: readonly LegRole[];
      trigger: Trigger;
      from: readonly LegStatus[];
      to: readonly LegStatus[];
      /** How the callback's phase may change with it; none listed: it stays as it is. */
      moves?: readonly (readonly [Phase, Phase])[];
      rule: string;
      summary: string;
    };

const LIVE: readonly LegStatus[] = ['connected', 'held', 'parked'];
const AGENT: readonly LegRole[] = ['agent'];

export const TABLE: readonly Row[] = [
  {
    id: 'create',
    scope: 'conversation',
    trigger: 'create',
    from: ['new'],
    to: ['scheduled', 'queued'],
    rule: 'R-CRT-1..4',
    summary: 'create: scheduled when its time is in the future, else queued',
  },
  {
    id: 'update',
    scope: 'conversation',
    trigger: 'update',
    from: ['scheduled', 'queued'],
    to: ['scheduled', 'queued'],
    rule: 'R-RES-1',
    summary: 'reschedule or edit before delivery',
  },
  {
    id: 'due',
    scope: 'conversation',
    trigger: 'timer:due',
    from: ['scheduled'],
    to: ['queued'],
    rule: 'R-CRT-4',
    summary: 'scheduled time reached: enters the queue',
  },
  {
    id: 'offer',
    scope: 'conversation',
    trigger: 'offer',
    from: ['queued'],
    to: ['offered', 'active'],
    rule: 'R-RT-1, R-RT-3',
    summary: 'offered to an agent (answered at once with auto-answer)',
  },
  {
    id: 'disconnectAll',
    scope: 'conversation',
    trigger: 'disconnectAll',
    from: ['scheduled', 'queued', 'offered', 'active'],
    to: ['ended'],
    rule: 'R-DIS-3, R-DIS-4, R-WRAP-8',
    summary: 'every leg disconnected',
  },

  {
    id: 'answer',
    scope: 'leg',
    roles: AGENT,
    trigger: 'answer',
    from: ['alerting'],
    to: ['connected'],
    moves: [['offered', 'active']],
    rule: 'R-RT-3',
    summary: 'agent answers',
  },
  {
    id: 'decline',
    scope: 'leg',
    roles: AGENT,
    trigger: 'decline',
    from: ['alerting'],
    to: ['done'],
    moves: [
      ['offered', 'queued'],
      ['offered', 'ended'],
    ],
    rule: 'R-RT-2',
    summary: 'agent declines: back to the queue',
  },
  {
    id: 'alertTimeout',
    scope: 'leg',
    roles: AGENT,
    trigger: 'timer:alertTimeout',
    from: ['alerting'],
    to: ['done'],
    moves: [
      ['offered', 'queued'],
      ['offered', 'ended'],
    ],
    rule: 'R-RT-2',
    summary: 'not answered in time: agent not responding, back to the queue',
  },
  { id: 'hold', scope: 'leg', roles: AGENT, trigger: 'hold', from: ['connected'], to: ['held'], rule: 'R-HLD-1', summary: 'hold' },
  { id: 'unhold', scope: 'leg', roles: AGENT, trigger: 'unhold', from: ['held'], to: ['connected'], rule: 'R-HLD-1', summary: 'unhold' },
  {
    id: 'park',
    scope: 'leg',
    roles: AGENT,
    trigger: 'park',
    from: ['connected'],
    to: ['parked'],
    rule: 'R-PRK-1',
    summary: 'park until resumeTime',
  },
  {
    id: 'resume',
    scope: 'leg',
    roles: AGENT,
    trigger: 'resume',
    from: ['parked'],
    to: ['connected'],
    rule: 'R-PRK-1',
    summary: 'resume a parked callback',
  },
  {
    id: 'parkResume',
    scope: 'leg',
    roles: AGENT,
    trigger: 'timer:parkResume',
    from: ['parked'],
    to: ['connected'],
    rule: 'R-PRK-1',
    summary: 'resumeTime reached',
  },
  {
    id: 'placeCall',
    scope: 'leg',
    roles: AGENT,
    trigger: 'placeCall',
    from: ['connected'],
    to: ['connected'],
    rule: 'R-DL-1',
    summary: 'dial one of callbackNumbers',
  },
  {
    id: 'autoDial',
    scope: 'leg',
    roles: AGENT,
    trigger: 'timer:autoDial',
    from: ['connected'],
    to: ['connected'],
    rule: 'R-DL-2',
    summary: 'countdown over: the first number is dialed',
  },
  {
    id: 'endCall',
    scope: 'leg',
    roles: AGENT,
    trigger: 'endCall',
    from: ['connected', 'held'],
    to: ['connected', 'held'],
    rule: 'R-DL-2',
    summary: 'the placed voice call ends',
  },
  {
    id: 'autoEnd',
    scope: 'leg',
    roles: AGENT,
    trigger: 'timer:autoEnd',
    from: ['connected', 'held'],
    to: ['acw', 'done'],
    moves: [['active', 'ended']],
    rule: 'R-DL-2',
    summary: 'auto-end delay after the call ended',
  },
  {
    id: 'skip',
    scope: 'leg',
    roles: AGENT,
    trigger: 'skip',
    from: ['connected'],
    to: ['acw', 'done'],
    moves: [['active', 'ended']],
    rule: 'R-DL-3',
    summary: 'skip without dialing (skipEnabled only)',
  },
  {
    id: 'transfer',
    scope: 'leg',
    roles: AGENT,
    trigger: 'transfer',
    from: ['connected', 'held'],
    to: ['acw', 'done'],
    moves: [
      ['active', 'offered'],
      ['active', 'queued'],
    ],
    rule: 'R-TRF-1',
    summary: 'replace with another agent or queue',
  },
  {
    id: 'disconnectAgent',
    scope: 'leg',
    roles: AGENT,
    trigger: 'disconnect',
    from: ['alerting', ...LIVE],
    to: ['acw', 'done'],
    moves: [
      ['offered', 'queued'],
      ['offered', 'ended'],
      ['active', 'queued'],
      ['active', 'ended'],
    ],
    rule: 'R-DIS-1, R-DIS-5',
    summary: 'agent leg ends (before any call: back to the queue)',
  },
  {
    id: 'disconnectParty',
    scope: 'leg',
    roles: ['customer', 'acd'],
    trigger: 'disconnect',
    from: ['connected'],
    to: ['done'],
    moves: [
      ['scheduled', 'ended'],
      ['queued', 'ended'],
      ['offered', 'ended'],
      ['active', 'ended'],
    ],
    rule: 'R-DIS-1, R-DIS-3',
    summary: 'customer or ACD leg ends: the whole callback ends',
  },
  {
    id: 'requestAcw',
    scope: 'leg',
    roles: AGENT,
    trigger: 'requestAcw',
    from: LIVE,
    to: LIVE,
    rule: 'R-WRAP-2',
    summary: 'agent asks for after-call work (agentRequested)',
  },
  {
    id: 'wrapupDuringCall',
    scope: 'leg',
    roles: AGENT,
    trigger: 'wrapup',
    from: LIVE,
    to: LIVE,
    rule: 'R-WRAP-3',
    summary: 'provisional wrap-up saved during the call',
  },
  {
    id: 'wrapup',
    scope: 'leg',
    roles: AGENT,
    trigger: 'wrapup',
    from: ['acw'],
    to: ['acw', 'done'],
    rule: 'R-WRAP-3..5',
    summary: 'wrap-up applied (forcedTimeout keeps ACW to the timer)',
  },
  {
    id: 'skipWrapup',
    scope: 'leg',
    roles: AGENT,
    trigger: 'skipWrapup',
    from: ['acw'],
    to: ['done'],
    rule: 'R-WRAP-4',
    summary: 'wrap-up skipped where allowed',
  },
  {
    id: 'wrapupTimeout',
    scope: 'leg',
    roles: AGENT,
    trigger: 'timer:wrapupTimeout',
    from: ['acw'],
    to: ['done'],
    rule: 'R-WRAP-5',
    summary: 'ACW timer over: ININ-WRAP-UP-TIMEOUT if no code',
  },
  {
    id: 'setAttributes',
    scope: 'leg',
    roles: ['customer', 'acd', 'agent'],
    trigger: 'setAttributes',
    from: ['alerting', 'connected', 'held', 'parked', 'acw', 'done'],
    to: ['alerting', 'connected', 'held', 'parked', 'acw', 'done'],
    rule: 'API row 9',
    summary: 'merge participant attributes',
  },
];

/** Refusals that have their own code, by trigger and the state it was refused in; others get invalidTransition. */
export const REJECTIONS: readonly { trigger: Trigger; when: readonly string[]; code: string; kind: ErrorKind }[] = [
  { trigger: 'hold', when: ['alerting'], code: CODES.holdAlerting, kind: 'invalid' },
  { trigger: 'transfer', when: ['alerting', 'parked', 'acw', 'done'], code: CODES.transferNotConnected, kind: 'invalid' },
  { trigger: 'placeCall', when: ['alerting', 'held', 'parked', 'acw', 'done'], code: CODES.callCannotBePlaced, kind: 'invalid' },
  { trigger: 'update', when: ['offered', 'active', 'ended'], code: CODES.notUpdatable, kind: 'conflict' },
  { trigger: 'offer', when: ['scheduled', 'offered', 'active', 'ended'], code: CODES.notOfferable, kind: 'conflict' },
  { trigger: 'wrapup', when: ['alerting', 'done'], code: CODES.wrapupNotPending, kind: 'invalid' },
  { trigger: 'skipWrapup', when: ['alerting', 'connected', 'held', 'parked', 'done'], code: CODES.wrapupNotPending, kind: 'invalid' },
  { trigger: 'disconnect', when: ['done', 'acw'], code: CODES.noActiveConversations, kind: 'invalid' },
  { trigger: 'disconnectAll', when: ['ended'], code: CODES.noActiveConversations, kind: 'invalid' },
  { trigger: 'answer', when: ['connected', 'held', 'parked', 'acw', 'done'], code: CODES.noActiveConversations, kind: 'invalid' },
  { trigger: 'unhold', when: ['alerting', 'connected', 'parked', 'acw', 'done'], code: CODES.noActiveConversations, kind: 'invalid' },
];

export function findRows(trigger: Trigger, scope: 'conversation' | 'leg', role?: LegRole): Row[] {
  return TABLE.filter(
    (r) => r.trigger === trigger && r.scope === scope && (r.scope === 'conversation' || role === undefined || r.roles.includes(role)),
  );
}

export function rejectionFor(trigger: Trigger, state: string): { code: string; kind: ErrorKind } {
  const r = REJECTIONS.find((x) => x.trigger === trigger && x.when.includes(state));
  return r ?? { code: CODES.invalidTransition, kind: 'conflict' };
}
