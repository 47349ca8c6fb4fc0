// The lifecycle engine: pure functions of (conversation, command, now). No clock, no I/O, no randomness: new ids are
// derived from the conversation id and a counter, so the same inputs always give the same conversation and events.
import { createHash } from 'node:crypto';
import type { CallbackConversation, CallbackMediaParticipant, ConversationRoutingData, Wrapup, WrapupInput } from '../model/index.js';
import { CODES, LifecycleError } from './errors.js';
import { findRows, rejectionFor, type Row, type Trigger } from './table.js';
import type {
  AgentRef,
  CallbackConversationState,
  Command,
  CreateCommand,
  Deadline,
  LegInfo,
  LegRole,
  LegStatus,
  LifecycleEvent,
  QueueSettings,
  TimerKind,
  Transition,
} from './types.js';

export const PROVIDER = 'PureCloud Callback';
export const TIMEOUT_WRAPUP_CODE = 'ININ-WRAP-UP-TIMEOUT';
/** Callbacks may be scheduled at most this far ahead (R-CRT-1). */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600 * 1000;
const MAX_RECENT_TRANSFERS = 20;

type Participant = CallbackMediaParticipant;
type Mutable = { state: CallbackConversationState; events: LifecycleEvent[]; now: Date };

// ---- ids, refs ----

/** A UUID-shaped id derived from the conversation id and a counter (deterministic, unlike randomUUID). */
export function derivedId(conversationId: string, n: number): string {
  const h = createHash('sha1').update(`${conversationId}#${n}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function nextId(m: Mutable): string {
  m.state = { ...m.state, seq: m.state.seq + 1 };
  return derivedId(m.state.id, m.state.seq);
}

const queueRef = (q: QueueSettings) => ({
  id: q.id,
  ...(q.name !== undefined ? { name: q.name } : {}),
  selfUri: `/api/v2/routing/queues/${q.id}`,
});
const userRef = (a: AgentRef) => ({ id: a.id, ...(a.name !== undefined ? { name: a.name } : {}), selfUri: `/api/v2/users/${a.id}` });

// ---- reading the state ----

export function participant(state: CallbackConversationState, participantId: string): Participant {
  const p = state.participants.find((x) => x.id === participantId);
  if (p === undefined) {
    throw new LifecycleError(
      CODES.notParticipant,
      'notFound',
      `Participant ${participantId} is not in conversation ${state.id}.`,
      `phase=${state.phase}`,
    );
  }
  return p;
}

function leg(state: CallbackConversationState, participantId: string): LegInfo {
  return state.legs[participantId] as LegInfo;
}

/** The status the transition table names for a participant. */
export function legStatus(state: CallbackConversationState, participantId: string): LegStatus {
  const p = participant(state, participantId);
  switch (p.state) {
    case 'alerting':
      return 'alerting';
    case 'parked':
      return 'parked';
    case 'disconnected':
    case 'terminated':
      return leg(state, participantId).acw === 'pending' ? 'acw' : 'done';
    default:
      return p.held === true ? 'held' : 'connected';
  }
}

const byRole = (state: CallbackConversationState, role: LegRole) =>
  state.participants.filter((p) => leg(state, p.id as string).role === role);
const isLive = (p: Participant) => p.state !== 'disconnected' && p.state !== 'terminated';
const customerLeg = (state: CallbackConversationState) => byRole(state, 'customer')[0] as Participant;
/** The ACD leg that currently holds the callback in its queue, if any. */
const waitingAcdLeg = (state: CallbackConversationState) => byRole(state, 'acd').find(isLive);
/** Agent legs that are not yet over (alerting, connected, held or parked). */
export const activeAgentLegs = (state: CallbackConversationState): Participant[] => byRole(state, 'agent').filter(isLive);

// ---- writing the state ----

function update(m: Mutable, participantId: string, changes: Partial<Participant>): Participant {
  let updated: Participant | undefined;
  m.state = {
    ...m.state,
    participants: m.state.participants.map((p) => (p.id === participantId ? (updated = { ...p, ...changes }) : p)),
  };
  return updated as Participant;
}

function setLeg(m: Mutable, participantId: string, changes: Partial<LegInfo>): void {
  m.state = { ...m.state, legs: { ...m.state.legs, [participantId]: { ...leg(m.state, participantId), ...changes } } };
}

function addParticipant(m: Mutable, p: Participant, info: LegInfo): void {
  m.state = { ...m.state, participants: [...m.state.participants, p], legs: { ...m.state.legs, [p.id as string]: info } };
}

function emit(m: Mutable, event: LifecycleEvent): void {
  m.events.push(event);
}

/** Callback fields every leg of this conversation carries. */
function callbackFields(p: Participant): Partial<Participant> {
  const {
    callbackNumbers,
    callbackUserName,
    externalCampaign,
    skipEnabled,
    timeoutSeconds,
    automatedCallbackConfigId,
    callbackScheduledTime,
    script,
  } = p;
  return {
    callbackNumbers,
    callbackUserName,
    externalCampaign,
    skipEnabled,
    timeoutSeconds,
    automatedCallbackConfigId,
    callbackScheduledTime,
    script,
  };
}

function routingData(state: CallbackConversationState, withQueue: boolean, base?: ConversationRoutingData): ConversationRoutingData {
  return {
    ...(withQueue ? { queue: { id: state.queue.id, selfUri: `/api/v2/routing/queues/${state.queue.id}` } } : {}),
    ...(base?.language !== undefined ? { language: base.language } : {}),
    priority: state.routing.priority,
    skills: base?.skills ?? [],
    scoredAgents: state.routing.preferredAgentIds.map((id) => ({ agent: { id, selfUri: `/api/v2/users/${id}` }, score: 100 })),
    ...(base?.label !== undefined ? { label: base.label } : {}),
  };
}

/** A new ACD leg that holds the callback in the current queue (at creation, and again after a requeue). */
function addAcdLeg(m: Mutable, waiting: boolean): string {
  const customer = customerLeg(m.state);
  const previous = byRole(m.state, 'acd').at(-1);
  const id = nextId(m);
  const now = m.now;
  addParticipant(
    m,
    {
      id,
      name: m.state.queue.name ?? 'Callbacks',
      startTime: now,
      ...(waiting ? {} : { connectedTime: now }),
      purpose: 'acd',
      state: waiting ? 'none' : 'connected',
      direction: 'outbound',
      held: false,
      wrapupRequired: false,
      queue: queueRef(m.state.queue),
      attributes: { ...(customer.attributes ?? {}) },
      provider: PROVIDER,
      peer: customer.id as string,
      conversationRoutingData: routingData(m.state, true, previous?.conversationRoutingData),
      ...callbackFields(customer),
    },
    { role: 'acd', communicationId: nextId(m) },
  );
  return id;
}

/** Into the queue: customer and ACD legs connected (R-CRT-4 at the scheduled time, or at once). */
function enqueue(m: Mutable): void {
  const now = m.now;
  const customer = customerLeg(m.state);
  if (customer.state !== 'connected') update(m, customer.id as string, { state: 'connected', connectedTime: now });
  const acd = waitingAcdLeg(m.state);
  if (acd === undefined) addAcdLeg(m, false);
  else if (acd.state !== 'connected') update(m, acd.id as string, { state: 'connected', connectedTime: now });
  m.state = { ...m.state, phase: 'queued' };
  emit(m, { type: 'queued', at: now, queueId: m.state.queue.id });
}

/** A participant's hold ends: its time is added to the leg's total. */
function endHold(m: Mutable, p: Participant): void {
  if (p.held === true && p.startHoldTime !== undefined) {
    setLeg(m, p.id as string, { heldMs: (leg(m.state, p.id as string).heldMs ?? 0) + (m.now.getTime() - p.startHoldTime.getTime()) });
  }
}

function endPark(m: Mutable, p: Participant): void {
  if (p.state === 'parked' && p.parkTime !== undefined) {
    setLeg(m, p.id as string, { parkedMs: (leg(m.state, p.id as string).parkedMs ?? 0) + (m.now.getTime() - p.parkTime.getTime()) });
  }
}

/**
 * Ends an agent leg and starts its after-call work per the prompt mode (R-WRAP-2). A leg that never connected has
 * no ACW. Emits `acwStarted`, or `agentReleased` when the agent is free at once.
 */
function endAgentLeg(m: Mutable, p: Participant, disconnectType: string): void {
  const id = p.id as string;
  const now = m.now;
  endHold(m, p);
  endPark(m, p);
  const info = leg(m.state, id);
  const wasConnected = p.connectedTime !== undefined;
  const prompt = p.wrapupPrompt;
  const acw = wasConnected && (prompt !== 'agentRequested' || info.acwRequested === true);
  const required = acw && prompt !== 'optional';
  update(m, id, {
    state: 'disconnected',
    endTime: now,
    disconnectType,
    held: false,
    startHoldTime: undefined,
    wrapupRequired: required,
    ...(acw ? { startAcwTime: now } : {}),
  });
  setLeg(m, id, { acw: acw ? 'pending' : 'none' });
  emit(m, { type: 'disconnected', at: now, participantId: id, disconnectType });
  const userId = p.user?.id as string;
  emit(m, acw ? { type: 'acwStarted', at: now, participantId: id, userId } : { type: 'agentReleased', at: now, participantId: id, userId });
}

function endPartyLeg(m: Mutable, p: Participant, disconnectType: string): void {
  update(m, p.id as string, { state: 'disconnected', endTime: m.now, disconnectType });
  emit(m, { type: 'disconnected', at: m.now, participantId: p.id as string, disconnectType });
}

/** Ends the whole callback: every live leg disconnected; calls ended. */
function endConversation(m: Mutable, agentType: string, partyType: string): void {
  for (const p of m.state.participants) {
    if (!isLive(p)) continue;
    if (leg(m.state, p.id as string).role === 'agent') endAgentLeg(m, p, agentType);
    else endPartyLeg(m, p, partyType);
  }
  m.state = {
    ...m.state,
    phase: 'ended',
    endedAt: m.now,
    calls: m.state.calls.map((c) => (c.endedAt === undefined ? { ...c, endedAt: m.now } : c)),
  };
  emit(m, { type: 'ended', at: m.now });
}

const dialed = (state: CallbackConversationState) => state.calls.length > 0;

/** After an agent leg ends: back to the queue before any call was placed (R-DIS-5, R-RT-2), else the end. */
function afterAgentLeft(m: Mutable, requeue: boolean): void {
  if (activeAgentLegs(m.state).length > 0) return;
  if (requeue && !dialed(m.state)) {
    if (waitingAcdLeg(m.state) === undefined) addAcdLeg(m, false);
    m.state = { ...m.state, phase: 'queued' };
    emit(m, { type: 'queued', at: m.now, queueId: m.state.queue.id });
  } else {
    endConversation(m, 'client', 'peer');
  }
}

function offerTo(m: Mutable, agent: AgentRef): string {
  const now = m.now;
  const customer = customerLeg(m.state);
  const q = m.state.queue;
  const id = nextId(m);
  const timeoutSeconds = q.autoDialAndEnd !== undefined ? q.autoDialAndEnd.dialDelaySeconds : customer.timeoutSeconds;
  addParticipant(
    m,
    {
      id,
      ...(agent.name !== undefined ? { name: agent.name } : {}),
      startTime: now,
      startAlertingTime: now,
      purpose: 'agent',
      state: 'alerting',
      direction: 'inbound',
      held: false,
      wrapupRequired: false,
      wrapupPrompt: q.wrapupPrompt,
      user: userRef(agent),
      queue: queueRef(q),
      attributes: { ...(customer.attributes ?? {}) },
      ...(q.wrapupTimeoutMs !== undefined &&
      (q.wrapupPrompt === 'timeout' || q.wrapupPrompt === 'forcedTimeout' || q.wrapupPrompt === 'agentRequested')
        ? { wrapupTimeoutMs: q.wrapupTimeoutMs }
        : {}),
      alertingTimeoutMs: q.alertingTimeoutMs,
      provider: PROVIDER,
      peer: customer.id as string,
      conversationRoutingData: routingData(m.state, false, waitingAcdLeg(m.state)?.conversationRoutingData),
      ...callbackFields(customer),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    },
    { role: 'agent', communicationId: nextId(m), acw: 'none', wrapupCodes: q.wrapupCodes },
  );
  m.state = { ...m.state, phase: 'offered' };
  emit(m, { type: 'offered', at: now, participantId: id, userId: agent.id });
  if (q.autoAnswer) answer(m, id, true);
  return id;
}

function answer(m: Mutable, id: string, automatic: boolean): void {
  const now = m.now;
  const p = update(m, id, { state: 'connected', connectedTime: now });
  const acd = waitingAcdLeg(m.state);
  if (acd !== undefined) endPartyLeg(m, acd, 'transfer');
  m.state = { ...m.state, phase: 'active' };
  emit(m, { type: 'answered', at: now, participantId: id, userId: p.user?.id as string, automatic });
}

function placeCall(m: Mutable, p: Participant, number: string, automatic: boolean): void {
  const id = p.id as string;
  if (!(p.callbackNumbers ?? []).includes(number)) {
    throw new LifecycleError(
      CODES.callCannotBePlaced,
      'invalid',
      `${JSON.stringify(number)} is not one of this callback's numbers (${(p.callbackNumbers ?? []).join(', ')}).`,
      'leg=connected',
    );
  }
  if (p.externalCampaign === true) {
    throw new LifecycleError(
      CODES.callCannotBePlaced,
      'invalid',
      'This callback is dialed outside the platform (externalCampaign).',
      'leg=connected',
    );
  }
  if (m.state.calls.some((c) => c.endedAt === undefined)) {
    throw new LifecycleError(
      CODES.callCannotBePlaced,
      'invalid',
      'A call placed from this callback is still in progress.',
      'leg=connected',
    );
  }
  const callId = nextId(m);
  m.state = { ...m.state, calls: [...m.state.calls, { id: callId, number, placedBy: id, placedAt: m.now, automatic }] };
  emit(m, { type: 'callPlaced', at: m.now, participantId: id, callId, number, automatic });
}

function applyWrapupTimeout(m: Mutable, p: Participant): void {
  const id = p.id as string;
  const info = leg(m.state, id);
  const start = p.startAcwTime as Date;
  const changes: Partial<Participant> = { endAcwTime: m.now };
  if (info.wrapupApplied !== true) {
    changes.wrapup = {
      code: TIMEOUT_WRAPUP_CODE,
      name: TIMEOUT_WRAPUP_CODE,
      durationSeconds: Math.round((m.now.getTime() - start.getTime()) / 1000),
      endTime: m.now,
      provisional: false,
    };
  }
  update(m, id, changes);
  setLeg(m, id, { acw: 'complete' });
  emit(m, { type: 'wrapupTimedOut', at: m.now, participantId: id });
  emit(m, { type: 'agentReleased', at: m.now, participantId: id, userId: p.user?.id as string });
}

/** The wrap-up codes a participant may use: those of the queue its leg came from. */
export function wrapupCodesOf(state: CallbackConversationState, participantId: string): readonly { id: string; name: string }[] {
  return leg(state, participantId).wrapupCodes ?? state.queue.wrapupCodes;
}

const CODE_REQUIRED = new Set(['mandatory', 'timeout', 'forcedTimeout', 'agentRequested']);

function applyWrapup(m: Mutable, p: Participant, input: Extract<Command, { type: 'wrapup' }>['wrapup'], status: LegStatus): void {
  const id = p.id as string;
  const now = m.now;
  const state = `leg=${status}`;
  if (input.provisional === true) {
    const wrapup: Wrapup = { ...stripUndefined(input), provisional: true };
    update(m, id, { wrapup });
    emit(m, {
      type: 'wrapupApplied',
      at: now,
      participantId: id,
      ...(input.code !== undefined ? { code: input.code } : {}),
      provisional: true,
    });
    return;
  }
  if (status !== 'acw') {
    throw new LifecycleError(
      CODES.wrapupNotPending,
      'invalid',
      'Only a provisional wrap-up can be saved before the participant disconnects.',
      state,
    );
  }
  if ((input.code === undefined || input.code === '') && CODE_REQUIRED.has(p.wrapupPrompt ?? '')) {
    throw new LifecycleError(CODES.wrapupCodeRequired, 'invalid', 'Wrapup code is a required field and cannot be empty.', state);
  }
  let name = input.name;
  if (input.code !== undefined && input.code !== '') {
    const known = wrapupCodesOf(m.state, id).find((c) => c.id === input.code);
    if (known === undefined) {
      throw new LifecycleError(
        CODES.wrapupCodeUnknown,
        'invalid',
        `Wrap-up code ${input.code} is not configured on the queue of participant ${id} (${p.queue?.id ?? m.state.queue.id}).`,
        state,
      );
    }
    name ??= known.name;
  }
  const start = p.startAcwTime as Date;
  const wrapup: Wrapup = {
    ...stripUndefined(input),
    ...(name !== undefined ? { name } : {}),
    durationSeconds: input.durationSeconds ?? Math.round((now.getTime() - start.getTime()) / 1000),
    endTime: input.endTime ?? now,
    provisional: false,
  };
  emit(m, {
    type: 'wrapupApplied',
    at: now,
    participantId: id,
    ...(input.code !== undefined ? { code: input.code } : {}),
    provisional: false,
  });
  if (p.wrapupPrompt === 'forcedTimeout') {
    // Recorded, but after-call work lasts until its timer (R-WRAP-5).
    update(m, id, { wrapup });
    setLeg(m, id, { wrapupApplied: true });
    return;
  }
  update(m, id, { wrapup, endAcwTime: now });
  setLeg(m, id, { acw: 'complete', wrapupApplied: true });
  emit(m, { type: 'agentReleased', at: now, participantId: id, userId: p.user?.id as string });
}

/** The Wrapup fields of an input, without absent ones. */
function stripUndefined(o: WrapupInput): Wrapup {
  const { code, name, notes, tags, durationSeconds, endTime } = o;
  return Object.fromEntries(
    Object.entries({ code, name, notes, tags, durationSeconds, endTime }).filter(([, v]) => v !== undefined),
  ) as Wrapup;
}

function validateSchedule(time: Date | undefined, now: Date, state: string): void {
  if (time === undefined) return;
  if (Number.isNaN(time.getTime()))
    throw new LifecycleError(CODES.invalidDate, 'invalid', 'callbackScheduledTime is not a valid date.', state);
  if (time.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    throw new LifecycleError(CODES.tooFarInFuture, 'invalid', 'callbackScheduledTime is more than 30 days ahead.', state);
  }
}

// ---- the public engine ----

/** The empty shell a `create` starts from, so that it goes through the same table as every other command. */
export function createCallback(cmd: CreateCommand, now: Date): Transition {
  const rows = findRows('create', 'conversation');
  if (cmd.callbackNumbers.length === 0) {
    throw new LifecycleError(CODES.missingNumbers, 'invalid', 'Callback numbers missing.', 'phase=new');
  }
  validateSchedule(cmd.callbackScheduledTime, now, 'phase=new');
  const scheduled = cmd.callbackScheduledTime !== undefined && cmd.callbackScheduledTime.getTime() > now.getTime();
  const m: Mutable = {
    now,
    events: [],
    state: {
      id: cmd.conversationId,
      version: 1,
      seq: 0,
      phase: 'scheduled',
      createdAt: now,
      queue: cmd.queue,
      routing: { priority: cmd.priority ?? 0, preferredAgentIds: cmd.preferredAgentIds ?? [], routingFlags: cmd.routingFlags ?? [] },
      ...(cmd.callerId !== undefined ? { callerId: cmd.callerId } : {}),
      ...(cmd.callerIdName !== undefined ? { callerIdName: cmd.callerIdName } : {}),
      ...(cmd.countryCode !== undefined ? { countryCode: cmd.countryCode } : {}),
      participants: [],
      legs: {},
      calls: [],
      recentTransfers: [],
    },
  };
  const customerId = nextId(m);
  addParticipant(
    m,
    {
      id: customerId,
      ...(cmd.callbackUserName !== undefined ? { name: cmd.callbackUserName } : {}),
      address: `tel:${cmd.callbackNumbers[0]}`,
      startTime: now,
      purpose: 'customer',
      state: 'none',
      direction: 'outbound',
      held: false,
      wrapupRequired: false,
      queue: queueRef(cmd.queue),
      attributes: { ...(cmd.data ?? {}) },
      ...(cmd.scriptId !== undefined ? { script: { id: cmd.scriptId, selfUri: `/api/v2/scripts/${cmd.scriptId}` } } : {}),
      provider: PROVIDER,
      callbackNumbers: [...cmd.callbackNumbers],
      ...(cmd.callbackUserName !== undefined ? { callbackUserName: cmd.callbackUserName } : {}),
      externalCampaign: cmd.externalCampaign ?? false,
      skipEnabled: cmd.skipEnabled ?? true,
      timeoutSeconds: cmd.timeoutSeconds ?? 0,
      ...(cmd.automatedCallbackConfigId !== undefined ? { automatedCallbackConfigId: cmd.automatedCallbackConfigId } : {}),
      ...(cmd.callbackScheduledTime !== undefined ? { callbackScheduledTime: cmd.callbackScheduledTime } : {}),
    },
    { role: 'customer', communicationId: nextId(m) },
  );
  const base: ConversationRoutingData = {
    ...(cmd.languageId !== undefined ? { language: { id: cmd.languageId, selfUri: `/api/v2/routing/languages/${cmd.languageId}` } } : {}),
    skills: (cmd.skillIds ?? []).map((id) => ({ id, selfUri: `/api/v2/routing/skills/${id}` })),
    ...(cmd.label !== undefined ? { label: cmd.label } : {}),
  };
  addAcdLeg(m, true);
  const acd = waitingAcdLeg(m.state) as Participant;
  update(m, acd.id as string, { conversationRoutingData: routingData(m.state, true, base) });
  emit(m, { type: 'created', at: now, scheduled });
  if (!scheduled) enqueue(m);
  check(rows, 'conversation', m.state.phase, 'create');
  return { state: m.state, events: m.events };
}

function check(rows: Row[], scope: string, outcome: string, trigger: Trigger): void {
  if (!rows.some((r) => (r.to as readonly string[]).includes(outcome))) {
    throw new Error(`lifecycle table violated: ${trigger} (${scope}) ended in ${outcome}`);
  }
}

/** Which participant a command is about, if any. */
function subject(cmd: Command | { type: `timer:${TimerKind}`; participantId?: string }): string | undefined {
  return 'participantId' in cmd ? cmd.participantId : undefined;
}

/** Applies one command at `now`: the next state and the events it caused, or a LifecycleError. */
export function apply(state: CallbackConversationState, cmd: Command, now: Date): Transition {
  return run(state, cmd.type, cmd, now);
}

type TimerCommand = { type: `timer:${TimerKind}`; participantId?: string };

function run(state: CallbackConversationState, trigger: Trigger, cmd: Command | TimerCommand, now: Date): Transition {
  const m: Mutable = { state, events: [], now };
  const pid = subject(cmd);
  let rows: Row[];
  let status: string;
  if (pid !== undefined) {
    const info = leg(state, pid);
    participant(state, pid);
    rows = findRows(trigger, 'leg', info?.role);
    status = legStatus(state, pid);
    if (rows.length === 0) {
      throw new LifecycleError(
        CODES.invalidTransition,
        'invalid',
        `${trigger} does not apply to ${info?.role ?? 'this'} participant ${pid}.`,
        `leg=${status}`,
      );
    }
  } else {
    rows = findRows(trigger, 'conversation');
    status = state.phase;
  }
  const row = rows.find((r) => (r.from as readonly string[]).includes(status));
  if (row === undefined) {
    const { code, kind } = rejectionFor(trigger, status);
    const what = pid !== undefined ? `participant ${pid} is ${status}` : `the callback is ${status}`;
    throw new LifecycleError(
      code,
      kind,
      `Cannot ${trigger.replace('timer:', '')}: ${what}.`,
      pid !== undefined ? `leg=${status}` : `phase=${status}`,
    );
  }
  effect(m, cmd, status as LegStatus);
  const outcome = pid !== undefined ? legStatus(m.state, pid) : m.state.phase;
  check([row], row.scope, outcome, trigger);
  if (row.scope === 'leg') {
    const moved = row.moves?.some(([a, b]) => a === state.phase && b === m.state.phase) ?? false;
    if (!moved && state.phase !== m.state.phase) {
      throw new Error(`lifecycle table violated: ${trigger} moved the callback from ${state.phase} to ${m.state.phase}`);
    }
  }
  m.state = { ...m.state, version: state.version + 1 };
  return { state: m.state, events: m.events };
}

function effect(m: Mutable, cmd: Command | TimerCommand, status: LegStatus): void {
  const now = m.now;
  const pid = subject(cmd);
  const p = pid !== undefined ? participant(m.state, pid) : undefined;
  switch (cmd.type) {
    case 'update': {
      validateSchedule(cmd.callbackScheduledTime, now, `phase=${m.state.phase}`);
      if (cmd.callbackNumbers !== undefined && cmd.callbackNumbers.length === 0) {
        throw new LifecycleError(CODES.missingNumbers, 'invalid', 'Callback numbers missing.', `phase=${m.state.phase}`);
      }
      if (cmd.queue !== undefined) m.state = { ...m.state, queue: cmd.queue };
      if (cmd.preferredAgentId !== undefined)
        m.state = { ...m.state, routing: { ...m.state.routing, preferredAgentIds: [cmd.preferredAgentId] } };
      if (cmd.countryCode !== undefined) m.state = { ...m.state, countryCode: cmd.countryCode };
      const changes: Partial<Participant> = {
        ...(cmd.callbackNumbers !== undefined ? { callbackNumbers: [...cmd.callbackNumbers] } : {}),
        ...(cmd.callbackScheduledTime !== undefined ? { callbackScheduledTime: cmd.callbackScheduledTime } : {}),
      };
      for (const x of m.state.participants) {
        if (!isLive(x)) continue;
        const role = leg(m.state, x.id as string).role;
        update(m, x.id as string, {
          ...changes,
          ...(cmd.queue !== undefined ? { queue: queueRef(cmd.queue) } : {}),
          ...(role === 'acd'
            ? { name: m.state.queue.name ?? x.name, conversationRoutingData: routingData(m.state, true, x.conversationRoutingData) }
            : {}),
        });
      }
      emit(m, { type: 'updated', at: now });
      const future = cmd.callbackScheduledTime !== undefined && cmd.callbackScheduledTime.getTime() > now.getTime();
      if (cmd.callbackScheduledTime !== undefined && future && m.state.phase === 'queued') {
        // Pushed back into the future: waiting again, not in the queue.
        for (const x of m.state.participants) if (isLive(x)) update(m, x.id as string, { state: 'none', connectedTime: undefined });
        m.state = { ...m.state, phase: 'scheduled' };
      } else if (m.state.phase === 'scheduled' && !future && cmd.callbackScheduledTime !== undefined) {
        enqueue(m);
      } else if (m.state.phase === 'queued' && cmd.queue !== undefined) {
        emit(m, { type: 'queued', at: now, queueId: cmd.queue.id });
      }
      return;
    }
    case 'timer:due':
      enqueue(m);
      return;
    case 'offer':
      offerTo(m, cmd.agent);
      return;
    case 'disconnectAll': {
      endConversation(m, 'client', 'client');
      if (cmd.teardown === true) {
        for (const x of m.state.participants) {
          if (leg(m.state, x.id as string).acw === 'pending') applyWrapupTimeout(m, participant(m.state, x.id as string));
        }
      }
      return;
    }
    case 'answer':
      answer(m, pid as string, false);
      return;
    case 'decline':
    case 'timer:alertTimeout': {
      const q = p as Participant;
      endAgentLeg(m, q, cmd.type === 'decline' ? 'client' : 'system');
      const userId = q.user?.id as string;
      // endAgentLeg released the agent; a missed offer makes them not responding instead (R-RT-2).
      if (cmd.type === 'timer:alertTimeout') {
        m.events = m.events.filter((e) => e.type !== 'agentReleased');
        emit(m, { type: 'notResponding', at: now, participantId: pid as string, userId });
      } else {
        emit(m, { type: 'declined', at: now, participantId: pid as string, userId });
      }
      afterAgentLeft(m, true);
      return;
    }
    case 'hold':
      update(m, pid as string, { held: true, startHoldTime: now });
      emit(m, { type: 'held', at: now, participantId: pid as string });
      return;
    case 'unhold':
      endHold(m, p as Participant);
      update(m, pid as string, { held: false, startHoldTime: undefined });
      emit(m, { type: 'unheld', at: now, participantId: pid as string });
      return;
    case 'park': {
      if (!(cmd.resumeTime.getTime() > now.getTime())) {
        throw new LifecycleError(CODES.invalidValue, 'invalid', 'resumeTime must be in the future to park.', `leg=${status}`);
      }
      update(m, pid as string, { state: 'parked', parkTime: now, resumeTime: cmd.resumeTime });
      emit(m, { type: 'parked', at: now, participantId: pid as string, resumeTime: cmd.resumeTime });
      return;
    }
    case 'resume':
    case 'timer:parkResume':
      endPark(m, p as Participant);
      update(m, pid as string, { state: 'connected', resumeTime: now });
      emit(m, { type: 'resumed', at: now, participantId: pid as string, automatic: cmd.type !== 'resume' });
      return;
    case 'placeCall':
      placeCall(m, p as Participant, cmd.number, false);
      return;
    case 'timer:autoDial':
      placeCall(m, p as Participant, (p as Participant).callbackNumbers?.[0] as string, true);
      return;
    case 'endCall': {
      const call = m.state.calls.find((c) => c.endedAt === undefined);
      if (call === undefined) {
        throw new LifecycleError(
          CODES.noActiveConversations,
          'invalid',
          'No call placed from this callback is in progress.',
          `leg=${status}`,
        );
      }
      m.state = { ...m.state, calls: m.state.calls.map((c) => (c === call ? { ...c, endedAt: now } : c)) };
      emit(m, { type: 'callEnded', at: now, participantId: pid as string, callId: call.id });
      return;
    }
    case 'timer:autoEnd':
      endAgentLeg(m, p as Participant, 'system');
      afterAgentLeft(m, false);
      return;
    case 'skip': {
      if ((p as Participant).skipEnabled !== true) {
        throw new LifecycleError(
          CODES.skipNotEnabled,
          'invalid',
          'This callback cannot be skipped (skipEnabled is false).',
          `leg=${status}`,
        );
      }
      if (dialed(m.state)) {
        throw new LifecycleError(
          CODES.skipNotEnabled,
          'invalid',
          'A call was already placed; the callback can no longer be skipped.',
          `leg=${status}`,
        );
      }
      endAgentLeg(m, p as Participant, 'client');
      endConversation(m, 'client', 'peer');
      return;
    }
    case 'transfer': {
      const q = p as Participant;
      endAgentLeg(m, q, 'transfer');
      const to = cmd.to;
      const transferId = nextId(m);
      m.state = {
        ...m.state,
        recentTransfers: [
          ...m.state.recentTransfers,
          {
            id: transferId,
            state: 'Complete',
            dateIssued: now,
            ...(cmd.initiatorUserId !== undefined ? { initiator: { userId: cmd.initiatorUserId } } : {}),
            destination: to.kind === 'agent' ? { userId: to.agent.id } : { address: to.queue.id },
            transferType: 'Unattended',
          },
        ].slice(-MAX_RECENT_TRANSFERS),
      };
      emit(m, {
        type: 'transferred',
        at: now,
        participantId: pid as string,
        to: to.kind === 'agent' ? { userId: to.agent.id } : { queueId: to.queue.id },
      });
      if (to.kind === 'agent') {
        offerTo(m, to.agent);
      } else {
        m.state = { ...m.state, queue: to.queue };
        addAcdLeg(m, false);
        m.state = { ...m.state, phase: 'queued' };
        emit(m, { type: 'queued', at: now, queueId: to.queue.id });
      }
      return;
    }
    case 'disconnect': {
      const q = p as Participant;
      if (leg(m.state, pid as string).role !== 'agent') {
        endConversation(m, 'client', 'client');
        return;
      }
      const wasAlerting = status === 'alerting';
      endAgentLeg(m, q, 'client');
      if (wasAlerting) emit(m, { type: 'declined', at: now, participantId: pid as string, userId: q.user?.id as string });
      afterAgentLeft(m, true);
      return;
    }
    case 'requestAcw':
      setLeg(m, pid as string, { acwRequested: true });
      return;
    case 'wrapup':
      applyWrapup(m, p as Participant, cmd.wrapup, status);
      return;
    case 'skipWrapup': {
      const q = p as Participant;
      if (q.wrapupPrompt !== 'optional' && !(q.wrapupPrompt === 'agentRequested' && q.wrapupRequired !== true)) {
        throw new LifecycleError(
          CODES.wrapupCannotSkip,
          'invalid',
          `Wrap-up cannot be skipped in ${q.wrapupPrompt ?? 'this'} mode.`,
          `leg=${status}`,
        );
      }
      update(m, pid as string, { wrapupSkipped: true, endAcwTime: now });
      setLeg(m, pid as string, { acw: 'skipped' });
      emit(m, { type: 'wrapupSkipped', at: now, participantId: pid as string });
      emit(m, { type: 'agentReleased', at: now, participantId: pid as string, userId: q.user?.id as string });
      return;
    }
    case 'timer:wrapupTimeout':
      applyWrapupTimeout(m, p as Participant);
      return;
    case 'setAttributes':
      update(m, pid as string, { attributes: { ...((p as Participant).attributes ?? {}), ...cmd.attributes } });
      emit(m, { type: 'attributesUpdated', at: now, participantId: pid as string });
      return;
  }
}

// ---- time ----

const KIND_ORDER: readonly TimerKind[] = ['due', 'alertTimeout', 'parkResume', 'autoDial', 'autoEnd', 'wrapupTimeout'];

/** Every deadline the conversation has now, earliest first. */
export function deadlines(state: CallbackConversationState): Deadline[] {
  const out: Deadline[] = [];
  if (state.phase === 'scheduled') {
    const t = customerLeg(state).callbackScheduledTime;
    if (t !== undefined) out.push({ at: t, kind: 'due' });
  }
  const lastCall = state.calls.at(-1);
  for (const p of byRole(state, 'agent')) {
    const id = p.id as string;
    const status = legStatus(state, id);
    const add = (ms: number | undefined, kind: TimerKind) => {
      if (ms !== undefined && Number.isFinite(ms)) out.push({ at: new Date(ms), kind, participantId: id });
    };
    if (status === 'alerting' && p.startAlertingTime !== undefined && p.alertingTimeoutMs !== undefined) {
      add(p.startAlertingTime.getTime() + p.alertingTimeoutMs, 'alertTimeout');
    }
    if (status === 'parked' && p.resumeTime !== undefined) add(p.resumeTime.getTime(), 'parkResume');
    if (
      status === 'connected' &&
      !state.calls.some((c) => c.placedBy === id) &&
      !dialed(state) &&
      (p.timeoutSeconds ?? 0) > 0 &&
      p.connectedTime !== undefined &&
      (p.callbackNumbers?.length ?? 0) > 0 &&
      p.externalCampaign !== true
    ) {
      add(p.connectedTime.getTime() + (p.timeoutSeconds as number) * 1000, 'autoDial');
    }
    if (
      (status === 'connected' || status === 'held') &&
      state.queue.autoDialAndEnd !== undefined &&
      lastCall?.endedAt !== undefined &&
      lastCall.placedBy === id
    ) {
      add(lastCall.endedAt.getTime() + state.queue.autoDialAndEnd.endDelaySeconds * 1000, 'autoEnd');
    }
    if (
      status === 'acw' &&
      (p.wrapupPrompt === 'timeout' || p.wrapupPrompt === 'forcedTimeout') &&
      p.startAcwTime !== undefined &&
      p.wrapupTimeoutMs !== undefined
    ) {
      add(p.startAcwTime.getTime() + p.wrapupTimeoutMs, 'wrapupTimeout');
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** The next time-driven transition, if any: what the scheduler stores. */
export function nextDeadline(state: CallbackConversationState): Deadline | undefined {
  return deadlines(state)[0];
}

/** Applies every transition due by `now`, in deadline order, each at its own deadline. */
export function advance(state: CallbackConversationState, now: Date): Transition {
  let current = state;
  const events: LifecycleEvent[] = [];
  for (let guard = 0; guard < 10000; guard++) {
    const d = nextDeadline(current);
    if (d === undefined || d.at.getTime() > now.getTime()) return { state: current, events };
    const t = run(
      current,
      `timer:${d.kind}`,
      { type: `timer:${d.kind}`, ...(d.participantId !== undefined ? { participantId: d.participantId } : {}) },
      d.at,
    );
    current = t.state;
    events.push(...t.events);
  }
  throw new Error(`advance: conversation ${state.id} did not settle`);
}

// ---- projection ----

/** The conversation as `GET /api/v2/conversations/callbacks/{id}` shows it. */
export function toCallbackConversation(state: CallbackConversationState): CallbackConversation {
  return {
    id: state.id,
    participants: state.participants,
    otherMediaUris: state.calls.length > 0 ? [`/api/v2/conversations/calls/${state.id}`] : [],
    recentTransfers: state.recentTransfers,
    divisions: [],
    selfUri: `/api/v2/conversations/callbacks/${state.id}`,
  };
}
