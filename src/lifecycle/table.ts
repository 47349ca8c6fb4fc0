// The transition table: every change a callback conversation can go through, as data. Each row names its trigger
// (a command or a timer), the states it starts from, the guard that picks it among rows of the same trigger and
// state, the checks that refuse a command with a documented code, its effect, and its exact outcome: the leg status
// it ends in and how the callback's phase moves. The engine (engine.ts) is a small interpreter of these rows; the
// tests walk every row, state and move; docs/lifecycle.md draws the diagrams from them.
import { ERRORS, type ErrorEntry } from '../errors.js';
import type { CallbackMediaParticipant, WrapupInput } from '../model/core.js';
import {
  afterAgentLeft,
  answer,
  applyWrapup,
  endAgentLeg,
  endCall,
  endConversation,
  endOffer,
  enqueue,
  moveToQueue,
  offerTo,
  park,
  placeCall,
  recordTransfer,
  resume,
  hold,
  saveProvisionalWrapup,
  setLeg,
  skipWrapup,
  timeOutWrapup,
  unhold,
  unqueue,
  update,
  emit,
  queueRef,
  routingData,
  startCallback,
  type Mutable,
} from './effects.js';
import {
  acwApplies,
  callInProgress,
  canSkipWrapup,
  CODE_REQUIRED_PROMPTS,
  dialed,
  isLive,
  roleOf,
  wrapupCodesOf,
  customerLeg,
  TIMED_PROMPTS,
} from './state.js';
import type { CallbackConversationState, Command, CommandType, CreateCommand, LegRole, LegStatus, Phase, TimerKind } from './types.js';

export type Trigger = 'create' | CommandType | `timer:${TimerKind}`;
export type TimerCommand = { type: `timer:${TimerKind}`; participantId?: string };
type CommandOf<T extends Trigger> = T extends 'create'
  ? CreateCommand
  : T extends `timer:${string}`
    ? TimerCommand
    : Extract<Command, { type: T }>;

/** What guards, checks and effects see: the state before the change, the command, the time and (leg rows) the leg. */
export interface Context<T extends Trigger = Trigger> {
  readonly state: CallbackConversationState;
  readonly cmd: CommandOf<T>;
  readonly now: Date;
  /** The participant a leg row is about ('' for conversation rows). */
  readonly pid: string;
  readonly leg: CallbackMediaParticipant;
}

export interface Guard<T extends Trigger = Trigger> {
  /** What must hold, in words (the docs print it). */
  readonly text: string;
  holds(c: Context<T>): boolean;
}

/** A precondition of a row: when it does not hold, the command is refused with `refuse`. */
export interface Check<T extends Trigger = Trigger> extends Guard<T> {
  readonly refuse: ErrorEntry;
  message(c: Context<T>): string;
}

interface RowBase<T extends Trigger> {
  readonly id: string;
  readonly trigger: T;
  readonly guard?: Guard<T>;
  readonly rule: string;
  readonly summary: string;
}

interface Acting<T extends Trigger> extends RowBase<T> {
  readonly checks?: readonly Check<T>[];
  effect(m: Mutable, c: Context<T>): void;
}

export interface ConversationRow<T extends Trigger = Trigger> extends Acting<T> {
  readonly scope: 'conversation';
  readonly from: readonly (Phase | 'new')[];
  readonly to: Phase;
}

export interface LegRow<T extends Trigger = Trigger> extends Acting<T> {
  readonly scope: 'leg';
  readonly roles: readonly LegRole[];
  readonly from: readonly LegStatus[];
  /** The status the leg ends in; `same` keeps the one it had. */
  readonly to: LegStatus | 'same';
  /** How the callback's phase moves with it, as exact pairs; none: it does not move. */
  readonly moves?: readonly (readonly [Phase, Phase])[];
}

/** A refusal with its own documented code: the trigger from these states (and guard) is refused. */
export interface RefusalRow<T extends Trigger = Trigger> extends RowBase<T> {
  readonly scope: 'conversation' | 'leg';
  readonly roles?: readonly LegRole[];
  readonly from: readonly string[];
  readonly refuse: ErrorEntry;
  message(c: Context<T>): string;
}

export type Row = ConversationRow | LegRow;
export type AnyRow = Row | RefusalRow;

// ---- guards ----

const not = <T extends Trigger>(g: Guard<T>): Guard<T> => ({ text: `not (${g.text})`, holds: (c) => !g.holds(c) });
const all = <T extends Trigger>(...gs: Guard<T>[]): Guard<T> => ({
  text: gs.map((g) => g.text).join(' and '),
  holds: (c) => gs.every((g) => g.holds(c)),
});
/** A guard that reads only the state, usable on rows of any trigger. */
const anyTrigger = <T extends Trigger>(g: Guard): Guard<T> => g as unknown as Guard<T>;
const ACW: Guard = { text: 'after-call work applies', holds: (c) => acwApplies(c.state, c.leg) };
const DIALED: Guard = { text: 'a call was placed', holds: (c) => dialed(c.state) };
const AUTO_ANSWER: Guard = { text: 'the queue answers automatically', holds: (c) => c.state.queue.autoAnswer };

/** Where an update lands: scheduled when the (new) time is ahead, or when it stays and was ahead. */
const UPDATE_LANDS_SCHEDULED: Guard<'update'> = {
  text: 'the scheduled time is (still) ahead',
  holds: (c) => {
    const t = c.cmd.callbackScheduledTime;
    return t === undefined ? c.state.phase === 'scheduled' : t.getTime() > c.now.getTime();
  },
};
const CREATE_SCHEDULED: Guard<'create'> = {
  text: 'callbackScheduledTime is ahead',
  holds: (c) => c.cmd.callbackScheduledTime !== undefined && c.cmd.callbackScheduledTime.getTime() > c.now.getTime(),
};
const PROVISIONAL: Guard<'wrapup'> = { text: 'the wrap-up is provisional', holds: (c) => c.cmd.wrapup.provisional === true };
const FORCED: Guard<'wrapup'> = { text: 'the mode is forcedTimeout', holds: (c) => c.leg.wrapupPrompt === 'forcedTimeout' };
const TO_QUEUE: Guard<'transfer'> = { text: 'to a queue', holds: (c) => c.cmd.to.kind === 'queue' };

// ---- checks ----

/** A callback may be parked at most this long (R-PRK-1: parked interactions return to the agent after 7 days). */
export const MAX_PARK_MS = 7 * 24 * 3600 * 1000;
/** Callbacks may be scheduled at most this far ahead (R-CRT-1). */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600 * 1000;

function scheduleChecks<T extends 'create' | 'update'>(): Check<T>[] {
  const time = (c: Context<T>) => c.cmd.callbackScheduledTime;
  return [
    {
      text: 'callbackScheduledTime is a valid date',
      holds: (c) => !Number.isNaN(time(c)?.getTime() ?? 0),
      refuse: ERRORS.invalidDate,
      message: () => 'callbackScheduledTime is not a valid date.',
    },
    {
      text: 'callbackScheduledTime is at most 30 days ahead',
      holds: (c) => (time(c)?.getTime() ?? 0) - c.now.getTime() <= MAX_SCHEDULE_AHEAD_MS,
      refuse: ERRORS.tooFarInFuture,
      message: () => 'callbackScheduledTime is more than 30 days ahead.',
    },
  ];
}
const numbersCheck = <T extends 'create' | 'update'>(): Check<T> => ({
  text: 'callbackNumbers is not empty',
  holds: (c) => c.cmd.callbackNumbers === undefined || c.cmd.callbackNumbers.length > 0,
  refuse: ERRORS.missingNumbers,
  message: () => 'Callback numbers missing.',
});
const CREATE_CHECKS: Check<'create'>[] = [numbersCheck<'create'>(), ...scheduleChecks<'create'>()];
const UPDATE_CHECKS: Check<'update'>[] = [...scheduleChecks<'update'>(), numbersCheck<'update'>()];

const DIAL_CHECKS: Check<'placeCall'>[] = [
  {
    text: 'the number is one of callbackNumbers',
    holds: (c) => (c.leg.callbackNumbers ?? []).includes(c.cmd.number),
    refuse: ERRORS.callCannotBePlaced,
    message: (c) => `${JSON.stringify(c.cmd.number)} is not one of this callback's numbers (${(c.leg.callbackNumbers ?? []).join(', ')}).`,
  },
  {
    text: 'the callback is not dialed outside the platform',
    holds: (c) => c.leg.externalCampaign !== true,
    refuse: ERRORS.callCannotBePlaced,
    message: () => 'This callback is dialed outside the platform (externalCampaign).',
  },
  {
    text: 'no placed call is in progress',
    holds: (c) => callInProgress(c.state) === undefined,
    refuse: ERRORS.callCannotBePlaced,
    message: () => 'A call placed from this callback is still in progress.',
  },
];

const SKIP_CHECKS: Check<'skip'>[] = [
  {
    text: 'skipEnabled',
    holds: (c) => c.leg.skipEnabled === true,
    refuse: ERRORS.skipNotEnabled,
    message: () => 'This callback cannot be skipped (skipEnabled is false).',
  },
  {
    text: 'nothing was dialed',
    holds: (c) => !dialed(c.state),
    refuse: ERRORS.skipNotEnabled,
    message: () => 'A call was already placed; the callback can no longer be skipped.',
  },
];

const TRANSFER_CHECKS: Check<'transfer'>[] = [
  {
    text: 'an unattended (blind) transfer',
    holds: (c) => (c.cmd.transferType ?? 'Unattended') === 'Unattended',
    refuse: ERRORS.invalidValue,
    message: () =>
      'Value [Attended] is not valid for field type [transferType]. Allowable values are: Unattended (replace is a blind transfer).',
  },
];

const codeOf = (w: WrapupInput) => (w.code === undefined || w.code === '' ? undefined : w.code);
const WRAPUP_CHECKS: Check<'wrapup'>[] = [
  {
    text: 'a code is given where the mode needs one',
    holds: (c) => codeOf(c.cmd.wrapup) !== undefined || !CODE_REQUIRED_PROMPTS.has(c.leg.wrapupPrompt ?? ''),
    refuse: ERRORS.wrapupCodeRequired,
    message: () => 'Wrapup code is a required field and cannot be empty.',
  },
  {
    text: "the code is one of the leg's queue",
    holds: (c) => {
      const code = codeOf(c.cmd.wrapup);
      return code === undefined || wrapupCodesOf(c.state, c.pid).some((w) => w.id === code);
    },
    refuse: ERRORS.wrapupCodeUnknown,
    message: (c) =>
      `Wrap-up code ${c.cmd.wrapup.code} is not configured on the queue of participant ${c.pid} (${c.leg.queue?.id ?? c.state.queue.id}).`,
  },
];

// ---- row builders ----

const AGENT: readonly LegRole[] = ['agent'];
const PARTIES: readonly LegRole[] = ['customer', 'acd'];
const LIVE: readonly LegStatus[] = ['connected', 'held', 'parked'];

function conversation<T extends Trigger>(row: Omit<ConversationRow<T>, 'scope'>): ConversationRow {
  return { scope: 'conversation', ...row } as unknown as ConversationRow;
}
function agentRow<T extends Trigger>(row: Omit<LegRow<T>, 'scope' | 'roles'>, roles: readonly LegRole[] = AGENT): LegRow {
  return { scope: 'leg', roles, ...row } as unknown as LegRow;
}
function refusal<T extends Trigger>(row: Omit<RefusalRow<T>, 'summary' | 'rule'> & { rule?: string }): RefusalRow {
  return { summary: `refused: ${row.refuse.code}`, rule: row.rule ?? '', ...row } as unknown as RefusalRow;
}

/** A leg ending splits by after-call work: to `acw` when it applies, else to `done`. */
function endingLeg<T extends Trigger>(row: Omit<LegRow<T>, 'scope' | 'roles' | 'to'>): LegRow[] {
  const g = row.guard;
  return [
    agentRow<T>({ ...row, id: `${row.id}.acw`, to: 'acw', guard: g === undefined ? anyTrigger<T>(ACW) : all(g, anyTrigger<T>(ACW)) }),
    agentRow<T>({
      ...row,
      id: `${row.id}.noAcw`,
      to: 'done',
      guard: g === undefined ? not(anyTrigger<T>(ACW)) : all(g, not(anyTrigger<T>(ACW))),
    }),
  ];
}

/** An offer that ends unanswered: back to the queue before any call, else the end (R-RT-2, R-DIS-5). */
function endedOffer<T extends 'decline' | 'timer:alertTimeout' | 'disconnect'>(
  id: string,
  trigger: T,
  how: 'declined' | 'notResponding',
  rule: string,
  summary: string,
): LegRow[] {
  const effect = (m: Mutable, c: Context<T>) => {
    endOffer(m, c.pid, how);
    afterAgentLeft(m, true);
  };
  return [
    agentRow<T>({
      id,
      trigger,
      from: ['alerting'],
      to: 'done',
      guard: not(anyTrigger<T>(DIALED)),
      moves: [['offered', 'queued']],
      effect,
      rule,
      summary,
    }),
    agentRow<T>({
      id: `${id}.afterCall`,
      trigger,
      from: ['alerting'],
      to: 'done',
      guard: anyTrigger<T>(DIALED),
      moves: [['offered', 'ended']],
      effect,
      rule,
      summary: `${summary} (a call was placed before: the callback ends)`,
    }),
  ];
}

const leaving =
  <T extends Trigger>(disconnectType: string, mayRequeue: boolean) =>
  (m: Mutable, c: Context<T>) => {
    endAgentLeg(m, c.pid, disconnectType);
    afterAgentLeft(m, mayRequeue);
  };

function updateEffect(m: Mutable, c: Context<'update'>): void {
  const cmd = c.cmd;
  if (cmd.queue !== undefined) m.state = { ...m.state, queue: cmd.queue };
  if (cmd.preferredAgentId !== undefined)
    m.state = { ...m.state, routing: { ...m.state.routing, preferredAgentIds: [cmd.preferredAgentId] } };
  if (cmd.countryCode !== undefined) m.state = { ...m.state, countryCode: cmd.countryCode };
  const changes: Partial<CallbackMediaParticipant> = {
    ...(cmd.callbackNumbers !== undefined ? { callbackNumbers: [...cmd.callbackNumbers] } : {}),
    ...(cmd.callbackScheduledTime !== undefined ? { callbackScheduledTime: cmd.callbackScheduledTime } : {}),
  };
  for (const x of m.state.participants) {
    if (!isLive(x)) continue;
    const acd = roleOf(m.state, x.id as string) === 'acd';
    update(m, x.id as string, {
      ...changes,
      ...(cmd.queue !== undefined ? { queue: queueRef(cmd.queue) } : {}),
      ...(acd
        ? { name: m.state.queue.name ?? x.name, conversationRoutingData: routingData(m.state, true, x.conversationRoutingData) }
        : {}),
    });
  }
  emit(m, { type: 'updated', at: c.now });
}

function transferEffect(m: Mutable, c: Context<'transfer'>): void {
  const to = c.cmd.to;
  endAgentLeg(m, c.pid, 'transfer');
  const transferId = recordTransfer(m, {
    // To an agent it is pending until they answer (Complete) or the offer ends (Failed); to a queue it is done.
    state: to.kind === 'agent' ? 'Pending' : 'Complete',
    ...(c.cmd.initiatorUserId !== undefined ? { initiator: { userId: c.cmd.initiatorUserId } } : {}),
    destination: to.kind === 'agent' ? { userId: to.agent.id } : { address: to.queue.id },
    transferType: 'Unattended',
  });
  emit(m, {
    type: 'transferred',
    at: c.now,
    participantId: c.pid,
    to: to.kind === 'agent' ? { userId: to.agent.id } : { queueId: to.queue.id },
  });
  if (to.kind === 'agent') offerTo(m, to.agent, transferId);
  else moveToQueue(m, to.queue);
}

/** The transfer rows: by target (and, to an agent, by auto-answer), each split by after-call work. */
function transferRows(): LegRow[] {
  const base = {
    trigger: 'transfer' as const,
    from: ['connected', 'held'] as LegStatus[],
    checks: TRANSFER_CHECKS,
    effect: transferEffect,
    rule: 'R-TRF-1',
  };
  const toAgent: Guard<'transfer'> = not(TO_QUEUE);
  return [
    ...endingLeg<'transfer'>({
      ...base,
      id: 'transferToAgent',
      guard: all(toAgent, not(anyTrigger<'transfer'>(AUTO_ANSWER))),
      moves: [['active', 'offered']],
      summary: 'blind transfer to an agent: the old leg ends, a new one alerts',
    }),
    ...endingLeg<'transfer'>({
      ...base,
      id: 'transferToAgentAutoAnswer',
      guard: all(toAgent, anyTrigger<'transfer'>(AUTO_ANSWER)),
      moves: [['active', 'active']],
      summary: 'blind transfer to an agent on an auto-answer queue: connected at once',
    }),
    ...endingLeg<'transfer'>({
      ...base,
      id: 'transferToQueue',
      guard: TO_QUEUE,
      moves: [['active', 'queued']],
      summary: 'blind transfer to a queue: a new ACD leg there',
    }),
  ];
}

const same = <T extends Trigger>(
  id: string,
  trigger: T,
  from: readonly LegStatus[],
  effect: (m: Mutable, c: Context<T>) => void,
  rule: string,
  summary: string,
  extra: Partial<LegRow<T>> = {},
) => agentRow<T>({ id, trigger, from, to: 'same', effect, rule, summary, ...extra });

export const TABLE: readonly AnyRow[] = [
  // ---- the callback as a whole ----
  conversation<'create'>({
    id: 'create',
    trigger: 'create',
    from: ['new'],
    to: 'scheduled',
    guard: CREATE_SCHEDULED,
    checks: CREATE_CHECKS,
    rule: 'R-CRT-1..4',
    summary: 'created with a time ahead: waits for it',
    effect: (m, c) => {
      startCallback(m, c.cmd);
      emit(m, { type: 'created', at: c.now, scheduled: true });
    },
  }),
  conversation<'create'>({
    id: 'createQueued',
    trigger: 'create',
    from: ['new'],
    to: 'queued',
    guard: not(CREATE_SCHEDULED),
    checks: CREATE_CHECKS,
    rule: 'R-CRT-3',
    summary: 'created without a time ahead: queued at once',
    effect: (m, c) => {
      startCallback(m, c.cmd);
      emit(m, { type: 'created', at: c.now, scheduled: false });
      enqueue(m);
    },
  }),
  conversation<'update'>({
    id: 'reschedule',
    trigger: 'update',
    from: ['scheduled'],
    to: 'scheduled',
    guard: UPDATE_LANDS_SCHEDULED,
    checks: UPDATE_CHECKS,
    effect: updateEffect,
    rule: 'R-RES-1',
    summary: 'edited while waiting for its time',
  }),
  conversation<'update'>({
    id: 'rescheduleNow',
    trigger: 'update',
    from: ['scheduled'],
    to: 'queued',
    guard: not(UPDATE_LANDS_SCHEDULED),
    checks: UPDATE_CHECKS,
    rule: 'R-RES-1',
    summary: 'brought forward to now: queued',
    effect: (m, c) => {
      updateEffect(m, c);
      enqueue(m);
    },
  }),
  conversation<'update'>({
    id: 'updateQueued',
    trigger: 'update',
    from: ['queued'],
    to: 'queued',
    guard: not(UPDATE_LANDS_SCHEDULED),
    checks: UPDATE_CHECKS,
    rule: 'R-RES-1',
    summary: 'edited in the queue (a new queue requeues it there)',
    effect: (m, c) => {
      updateEffect(m, c);
      if (c.cmd.queue !== undefined) emit(m, { type: 'queued', at: c.now, queueId: c.cmd.queue.id });
    },
  }),
  conversation<'update'>({
    id: 'pushBack',
    trigger: 'update',
    from: ['queued'],
    to: 'scheduled',
    guard: UPDATE_LANDS_SCHEDULED,
    checks: UPDATE_CHECKS,
    rule: 'R-RES-1',
    summary: 'pushed back to a time ahead: out of the queue',
    effect: (m, c) => {
      updateEffect(m, c);
      unqueue(m);
    },
  }),
  refusal<'update'>({
    id: 'updateDelivered',
    trigger: 'update',
    scope: 'conversation',
    from: ['offered', 'active', 'ended'],
    refuse: ERRORS.notUpdatable,
    rule: 'R-RES-1',
    message: (c) => `The callback was already delivered (${c.state.phase}); only a scheduled or queued callback can be updated.`,
  }),
  conversation<'timer:due'>({
    id: 'due',
    trigger: 'timer:due',
    from: ['scheduled'],
    to: 'queued',
    effect: (m) => enqueue(m),
    rule: 'R-CRT-4',
    summary: 'scheduled time reached: enters the queue',
  }),
  conversation<'offer'>({
    id: 'offer',
    trigger: 'offer',
    from: ['queued'],
    to: 'offered',
    guard: not(anyTrigger<'offer'>(AUTO_ANSWER)),
    effect: (m, c) => {
      offerTo(m, c.cmd.agent);
    },
    rule: 'R-RT-1',
    summary: 'offered to an agent: their leg alerts',
  }),
  conversation<'offer'>({
    id: 'offerAutoAnswer',
    trigger: 'offer',
    from: ['queued'],
    to: 'active',
    guard: anyTrigger<'offer'>(AUTO_ANSWER),
    effect: (m, c) => {
      offerTo(m, c.cmd.agent);
    },
    rule: 'R-RT-3',
    summary: 'offered on an auto-answer queue: connected at once',
  }),
  refusal<'offer'>({
    id: 'offerNotQueued',
    trigger: 'offer',
    scope: 'conversation',
    from: ['scheduled', 'offered', 'active', 'ended'],
    refuse: ERRORS.notOfferable,
    rule: 'R-RT-1',
    message: (c) => `Only a queued callback can be offered; this one is ${c.state.phase}.`,
  }),
  conversation<'disconnectAll'>({
    id: 'disconnectAll',
    trigger: 'disconnectAll',
    from: ['scheduled', 'queued', 'offered', 'active'],
    to: 'ended',
    rule: 'R-DIS-3, R-DIS-4, R-WRAP-8',
    summary: 'every leg disconnected (teardown: pending wrap-ups get the system code)',
    effect: (m, c) => {
      endConversation(m, 'client', 'client');
      if (c.cmd.teardown === true) for (const [id, leg] of Object.entries(m.state.legs)) if (leg.acw === 'pending') timeOutWrapup(m, id);
    },
  }),
  refusal<'disconnectAll'>({
    id: 'disconnectAllEnded',
    trigger: 'disconnectAll',
    scope: 'conversation',
    from: ['ended'],
    refuse: ERRORS.noActiveConversations,
    rule: 'R-DIS-3',
    message: () => 'The conversation has already ended.',
  }),

  // ---- an agent leg: offer and answer ----
  agentRow<'answer'>({
    id: 'answer',
    trigger: 'answer',
    from: ['alerting'],
    to: 'connected',
    moves: [['offered', 'active']],
    effect: (m, c) => answer(m, c.pid, false),
    rule: 'R-RT-3',
    summary: 'the agent answers',
  }),
  refusal<'answer'>({
    id: 'answerNotAlerting',
    trigger: 'answer',
    scope: 'leg',
    roles: AGENT,
    from: ['connected', 'held', 'parked', 'acw', 'done'],
    refuse: ERRORS.noActiveConversations,
    message: (c) => `Participant ${c.pid} has no offer to answer.`,
  }),
  ...endedOffer('decline', 'decline', 'declined', 'R-RT-2', 'the agent declines: back to the queue'),
  ...endedOffer(
    'alertTimeout',
    'timer:alertTimeout',
    'notResponding',
    'R-RT-2',
    'not answered in time: the agent is not responding, back to the queue',
  ),
  ...endedOffer(
    'disconnectOffer',
    'disconnect',
    'declined',
    'R-DIS-1, R-RT-2',
    'an alerting leg disconnected: declined, back to the queue',
  ),

  // ---- an agent leg: during the call ----
  agentRow<'hold'>({
    id: 'hold',
    trigger: 'hold',
    from: ['connected'],
    to: 'held',
    effect: (m, c) => hold(m, c.pid),
    rule: 'R-HLD-1',
    summary: 'hold',
  }),
  refusal<'hold'>({
    id: 'holdAlerting',
    trigger: 'hold',
    scope: 'leg',
    roles: AGENT,
    from: ['alerting'],
    refuse: ERRORS.holdAlerting,
    rule: 'R-HLD-1',
    message: () => 'An alerting call cannot be placed on hold.',
  }),
  agentRow<'unhold'>({
    id: 'unhold',
    trigger: 'unhold',
    from: ['held'],
    to: 'connected',
    effect: (m, c) => unhold(m, c.pid),
    rule: 'R-HLD-1',
    summary: 'unhold',
  }),
  refusal<'unhold'>({
    id: 'unholdNotHeld',
    trigger: 'unhold',
    scope: 'leg',
    roles: AGENT,
    from: ['alerting', 'connected', 'parked', 'acw', 'done'],
    refuse: ERRORS.noActiveConversations,
    rule: 'R-HLD-1',
    message: (c) => `Participant ${c.pid} is not on hold.`,
  }),
  agentRow<'park'>({
    id: 'park',
    trigger: 'park',
    from: ['connected'],
    to: 'parked',
    rule: 'R-PRK-1',
    summary: 'park until resumeTime',
    checks: [
      {
        text: 'resumeTime is ahead',
        holds: (c) => c.cmd.resumeTime.getTime() > c.now.getTime(),
        refuse: ERRORS.invalidValue,
        message: () => 'resumeTime must be in the future to park.',
      },
      {
        text: 'resumeTime is at most 7 days ahead',
        holds: (c) => c.cmd.resumeTime.getTime() - c.now.getTime() <= MAX_PARK_MS,
        refuse: ERRORS.invalidValue,
        message: () => 'resumeTime is more than 7 days ahead (a parked interaction returns to the agent within 7 days).',
      },
    ],
    effect: (m, c) => park(m, c.pid, c.cmd.resumeTime),
  }),
  agentRow<'resume'>({
    id: 'resume',
    trigger: 'resume',
    from: ['parked'],
    to: 'connected',
    effect: (m, c) => resume(m, c.pid, false),
    rule: 'R-PRK-1',
    summary: 'resume a parked callback',
  }),
  agentRow<'timer:parkResume'>({
    id: 'parkResume',
    trigger: 'timer:parkResume',
    from: ['parked'],
    to: 'connected',
    effect: (m, c) => resume(m, c.pid, true),
    rule: 'R-PRK-1',
    summary: 'resumeTime reached',
  }),
  same<'placeCall'>(
    'placeCall',
    'placeCall',
    ['connected'],
    (m, c) => placeCall(m, c.pid, c.cmd.number, false),
    'R-DL-1',
    'dial one of callbackNumbers',
    { checks: DIAL_CHECKS },
  ),
  refusal<'placeCall'>({
    id: 'placeCallNotConnected',
    trigger: 'placeCall',
    scope: 'leg',
    roles: AGENT,
    from: ['alerting', 'held', 'parked', 'acw', 'done'],
    refuse: ERRORS.callCannotBePlaced,
    rule: 'R-DL-1',
    message: (c) => `A call can only be placed from a connected callback; participant ${c.pid} is not connected.`,
  }),
  same<'timer:autoDial'>(
    'autoDial',
    'timer:autoDial',
    ['connected'],
    (m, c) => placeCall(m, c.pid, c.leg.callbackNumbers?.[0] as string, true),
    'R-DL-2',
    'countdown over: the first number is dialed',
  ),
  same<'endCall'>('endCall', 'endCall', ['connected', 'held'], (m, c) => endCall(m, c.pid), 'R-DL-2', 'the placed voice call ends', {
    checks: [
      {
        text: 'a placed call is in progress',
        holds: (c) => callInProgress(c.state) !== undefined,
        refuse: ERRORS.noActiveConversations,
        message: () => 'No call placed from this callback is in progress.',
      },
    ],
  }),
  ...endingLeg<'timer:autoEnd'>({
    id: 'autoEnd',
    trigger: 'timer:autoEnd',
    from: ['connected', 'held'],
    moves: [['active', 'ended']],
    effect: leaving('system', false),
    rule: 'R-DL-2',
    summary: 'auto-end delay after the call ended',
  }),
  ...endingLeg<'skip'>({
    id: 'skip',
    trigger: 'skip',
    from: ['connected'],
    moves: [['active', 'ended']],
    checks: SKIP_CHECKS,
    rule: 'R-DL-3',
    summary: 'skipped without dialing (skipEnabled only)',
    effect: (m, c) => {
      endAgentLeg(m, c.pid, 'client');
      endConversation(m, 'client', 'peer');
    },
  }),
  ...transferRows(),
  refusal<'transfer'>({
    id: 'transferNotConnected',
    trigger: 'transfer',
    scope: 'leg',
    roles: AGENT,
    from: ['alerting', 'parked', 'acw', 'done'],
    refuse: ERRORS.transferNotConnected,
    rule: 'R-TRF-1',
    message: () => 'You can only transfer conversations that are in the connected state.',
  }),
  ...endingLeg<'disconnect'>({
    id: 'disconnect',
    trigger: 'disconnect',
    from: LIVE,
    guard: not(anyTrigger<'disconnect'>(DIALED)),
    moves: [['active', 'queued']],
    effect: leaving('client', true),
    rule: 'R-DIS-1, R-DIS-5',
    summary: 'the agent leg ends before any call: back to the queue',
  }),
  ...endingLeg<'disconnect'>({
    id: 'disconnectAfterCall',
    trigger: 'disconnect',
    from: LIVE,
    guard: anyTrigger<'disconnect'>(DIALED),
    moves: [['active', 'ended']],
    effect: leaving('client', true),
    rule: 'R-DIS-1',
    summary: 'the agent leg ends after the call: the callback ends',
  }),
  refusal<'disconnect'>({
    id: 'disconnectOver',
    trigger: 'disconnect',
    scope: 'leg',
    roles: AGENT,
    from: ['acw', 'done'],
    refuse: ERRORS.noActiveConversations,
    rule: 'R-DIS-1',
    message: (c) => `Participant ${c.pid} is already disconnected.`,
  }),

  // ---- an agent leg: wrap-up ----
  same<'requestAcw'>(
    'requestAcw',
    'requestAcw',
    LIVE,
    (m, c) => setLeg(m, c.pid, { acwRequested: true }),
    'R-WRAP-2',
    'the agent asks for after-call work (agentRequested)',
  ),
  same<'wrapup'>(
    'wrapupProvisional',
    'wrapup',
    [...LIVE, 'acw'],
    (m, c) => saveProvisionalWrapup(m, c.pid, c.cmd.wrapup),
    'R-WRAP-3',
    'a provisional wrap-up is saved (the call or ACW goes on)',
    { guard: PROVISIONAL },
  ),
  refusal<'wrapup'>({
    id: 'wrapupDuringCall',
    trigger: 'wrapup',
    scope: 'leg',
    roles: AGENT,
    from: LIVE,
    guard: not(PROVISIONAL),
    refuse: ERRORS.wrapupNotPending,
    rule: 'R-WRAP-3',
    message: () => 'Only a provisional wrap-up can be saved before the participant disconnects.',
  }),
  agentRow<'wrapup'>({
    id: 'wrapup',
    trigger: 'wrapup',
    from: ['acw'],
    to: 'done',
    guard: all(not(PROVISIONAL), not(FORCED)),
    checks: WRAPUP_CHECKS,
    rule: 'R-WRAP-3, R-WRAP-4',
    summary: 'the wrap-up is applied: ACW ends',
    effect: (m, c) => applyWrapup(m, c.pid, c.cmd.wrapup, false),
  }),
  agentRow<'wrapup'>({
    id: 'wrapupForced',
    trigger: 'wrapup',
    from: ['acw'],
    to: 'acw',
    guard: all(not(PROVISIONAL), FORCED),
    checks: WRAPUP_CHECKS,
    rule: 'R-WRAP-5',
    summary: 'forcedTimeout: the code is recorded, ACW lasts to the timer',
    effect: (m, c) => applyWrapup(m, c.pid, c.cmd.wrapup, true),
  }),
  refusal<'wrapup'>({
    id: 'wrapupNotPending',
    trigger: 'wrapup',
    scope: 'leg',
    roles: AGENT,
    from: ['alerting', 'done'],
    refuse: ERRORS.wrapupNotPending,
    rule: 'R-WRAP-3',
    message: (c) => `Participant ${c.pid} has no wrap-up pending.`,
  }),
  agentRow<'skipWrapup'>({
    id: 'skipWrapup',
    trigger: 'skipWrapup',
    from: ['acw'],
    to: 'done',
    rule: 'R-WRAP-4',
    summary: 'the wrap-up is skipped where it is not required',
    checks: [
      {
        text: 'the wrap-up is not required',
        holds: (c) => canSkipWrapup(c.leg),
        refuse: ERRORS.wrapupCannotSkip,
        message: (c) => `Wrap-up cannot be skipped in ${c.leg.wrapupPrompt ?? 'this'} mode.`,
      },
    ],
    effect: (m, c) => skipWrapup(m, c.pid),
  }),
  refusal<'skipWrapup'>({
    id: 'skipWrapupNotPending',
    trigger: 'skipWrapup',
    scope: 'leg',
    roles: AGENT,
    from: ['alerting', 'connected', 'held', 'parked', 'done'],
    refuse: ERRORS.wrapupNotPending,
    rule: 'R-WRAP-4',
    message: (c) => `Participant ${c.pid} has no wrap-up pending.`,
  }),
  agentRow<'timer:wrapupTimeout'>({
    id: 'wrapupTimeout',
    trigger: 'timer:wrapupTimeout',
    from: ['acw'],
    to: 'done',
    effect: (m, c) => timeOutWrapup(m, c.pid),
    rule: 'R-WRAP-5',
    summary: 'the ACW timer ends it: ININ-WRAP-UP-TIMEOUT if no code',
  }),

  // ---- customer and ACD legs ----
  agentRow<'disconnect'>(
    {
      id: 'disconnectParty',
      trigger: 'disconnect',
      from: ['connected'],
      to: 'done',
      moves: [
        ['scheduled', 'ended'],
        ['queued', 'ended'],
        ['offered', 'ended'],
        ['active', 'ended'],
      ],
      rule: 'R-DIS-1, R-DIS-3',
      summary: 'the customer or ACD leg ends: the whole callback ends',
      effect: (m) => endConversation(m, 'client', 'client'),
    },
    PARTIES,
  ),
  refusal<'disconnect'>({
    id: 'disconnectPartyOver',
    trigger: 'disconnect',
    scope: 'leg',
    roles: PARTIES,
    from: ['done'],
    refuse: ERRORS.noActiveConversations,
    rule: 'R-DIS-1',
    message: (c) => `Participant ${c.pid} is already disconnected.`,
  }),

  // ---- any leg ----
  agentRow<'setAttributes'>(
    {
      id: 'setAttributes',
      trigger: 'setAttributes',
      from: ['alerting', 'connected', 'held', 'parked', 'acw', 'done'],
      to: 'same',
      rule: 'API row 9',
      summary: 'merge participant attributes',
      effect: (m, c) => {
        update(m, c.pid, { attributes: { ...(c.leg.attributes ?? {}), ...c.cmd.attributes } });
        emit(m, { type: 'attributesUpdated', at: c.now, participantId: c.pid });
      },
    },
    ['customer', 'acd', 'agent'],
  ),
];

export const isRefusal = (r: AnyRow): r is RefusalRow => 'refuse' in r;
export const ROWS: readonly Row[] = TABLE.filter((r): r is Row => !isRefusal(r));

// ---- timers: when each time-driven row comes due ----

export interface Timer {
  readonly kind: TimerKind;
  readonly scope: 'conversation' | 'leg';
  /** The phases (conversation) or agent-leg statuses in which it runs. */
  readonly from: readonly string[];
  readonly rule: string;
  /** When it comes due for this conversation (and agent leg), in ms since the epoch; undefined: it does not run. */
  at(state: CallbackConversationState, leg: CallbackMediaParticipant): number | undefined;
}

export const TIMERS: readonly Timer[] = [
  { kind: 'due', scope: 'conversation', from: ['scheduled'], rule: 'R-CRT-4', at: (s) => customerLeg(s).callbackScheduledTime?.getTime() },
  {
    kind: 'alertTimeout',
    scope: 'leg',
    from: ['alerting'],
    rule: 'R-RT-2',
    at: (_s, p) =>
      p.startAlertingTime !== undefined && p.alertingTimeoutMs !== undefined
        ? p.startAlertingTime.getTime() + p.alertingTimeoutMs
        : undefined,
  },
  { kind: 'parkResume', scope: 'leg', from: ['parked'], rule: 'R-PRK-1', at: (_s, p) => p.resumeTime?.getTime() },
  {
    kind: 'autoDial',
    scope: 'leg',
    from: ['connected'],
    rule: 'R-DL-2',
    at: (s, p) =>
      !dialed(s) &&
      (p.timeoutSeconds ?? 0) > 0 &&
      p.connectedTime !== undefined &&
      (p.callbackNumbers?.length ?? 0) > 0 &&
      p.externalCampaign !== true
        ? p.connectedTime.getTime() + (p.timeoutSeconds as number) * 1000
        : undefined,
  },
  {
    kind: 'autoEnd',
    scope: 'leg',
    from: ['connected', 'held'],
    rule: 'R-DL-2',
    at: (s, p) => {
      const last = s.calls.at(-1);
      const delay = s.queue.autoDialAndEnd?.endDelaySeconds;
      return delay !== undefined && last?.endedAt !== undefined && last.placedBy === p.id
        ? last.endedAt.getTime() + delay * 1000
        : undefined;
    },
  },
  {
    kind: 'wrapupTimeout',
    scope: 'leg',
    from: ['acw'],
    rule: 'R-WRAP-5 (agentRequested too, once requested)',
    at: (_s, p) =>
      TIMED_PROMPTS.has(p.wrapupPrompt ?? '') && p.startAcwTime !== undefined && p.wrapupTimeoutMs !== undefined
        ? p.startAcwTime.getTime() + p.wrapupTimeoutMs
        : undefined,
  },
];
