// Reading a callback conversation: every fact derived from the state is defined here once (a leg's status, the
// waiting ACD leg, the agents it keeps busy, whether after-call work applies, which wrap-up modes are timed), and the
// engine, the table's guards, the scheduler's index and the service all ask here.
import { ERRORS } from '../errors.js';
import type { CallbackMediaParticipant } from '../model/core.js';
import { LifecycleError } from './errors.js';
import type { CallbackConversationState, LegInfo, LegRole, LegStatus, WrapupPrompt } from './types.js';

type Participant = CallbackMediaParticipant;

export function participant(state: CallbackConversationState, participantId: string): Participant {
  const p = state.participants.find((x) => x.id === participantId);
  if (p === undefined) {
    throw new LifecycleError(
      ERRORS.notParticipant,
      `Participant ${participantId} is not in conversation ${state.id}.`,
      `phase=${state.phase}`,
    );
  }
  return p;
}

export function legInfo(state: CallbackConversationState, participantId: string): LegInfo {
  const info = state.legs[participantId];
  if (info === undefined) throw new Error(`conversation ${state.id} has no bookkeeping for participant ${participantId}`);
  return info;
}

const isOver = (p: Participant) => p.state === 'disconnected' || p.state === 'terminated';

/** The status the transition table names for a participant. */
export function legStatus(state: CallbackConversationState, participantId: string): LegStatus {
  const p = participant(state, participantId);
  if (isOver(p)) return legInfo(state, participantId).acw === 'pending' ? 'acw' : 'done';
  if (p.state === 'alerting') return 'alerting';
  if (p.state === 'parked') return 'parked';
  return p.held === true ? 'held' : 'connected';
}

export const roleOf = (state: CallbackConversationState, participantId: string): LegRole => legInfo(state, participantId).role;
export const byRole = (state: CallbackConversationState, role: LegRole): Participant[] =>
  state.participants.filter((p) => roleOf(state, p.id as string) === role);
export const isLive = (p: Participant): boolean => !isOver(p);
export const customerLeg = (state: CallbackConversationState): Participant => byRole(state, 'customer')[0] as Participant;

/** The ACD leg that holds the callback in its queue: the last one not yet over (none once an agent answered). */
export const waitingAcdLeg = (state: CallbackConversationState): Participant | undefined => byRole(state, 'acd').filter(isLive).at(-1);

/** Agent legs not yet over (alerting, connected, held or parked). */
export const activeAgentLegs = (state: CallbackConversationState): Participant[] => byRole(state, 'agent').filter(isLive);

/** The user's agent leg that is not yet over, if any (the one that may dial, for example). */
export const activeLegOf = (state: CallbackConversationState, userId: string): Participant | undefined =>
  activeAgentLegs(state).find((p) => p.user?.id === userId);

/** Whether the user ever had an agent leg in this conversation. */
export const hasTakenPart = (state: CallbackConversationState, userId: string): boolean =>
  byRole(state, 'agent').some((p) => p.user?.id === userId);

/**
 * Users this conversation keeps busy: an agent leg that is not done (alerting, connected, held, parked or in
 * after-call work). The router offers such agents no other callback.
 */
export function busyAgentIds(state: CallbackConversationState): string[] {
  const ids = new Set<string>();
  for (const p of byRole(state, 'agent')) {
    const user = p.user?.id;
    if (user !== undefined && legStatus(state, p.id as string) !== 'done') ids.add(user);
  }
  return [...ids];
}

/** A call was placed from this callback (whoever placed it). */
export const dialed = (state: CallbackConversationState): boolean => state.calls.length > 0;
export const callInProgress = (state: CallbackConversationState) => state.calls.find((c) => c.endedAt === undefined);

/** Modes in which after-call work ends by itself after `wrapupTimeoutMs` (R-WRAP-1, R-WRAP-5). */
export const TIMED_PROMPTS: ReadonlySet<WrapupPrompt | string> = new Set<WrapupPrompt>(['timeout', 'forcedTimeout', 'agentRequested']);
/** Modes in which a final wrap-up needs a code (R-WRAP-4). */
export const CODE_REQUIRED_PROMPTS: ReadonlySet<WrapupPrompt | string> = new Set<WrapupPrompt>([
  'mandatory',
  'timeout',
  'forcedTimeout',
  'agentRequested',
]);

/**
 * Whether ending this agent leg now starts after-call work (R-WRAP-2): only a leg that connected, and in
 * agentRequested mode only when the agent asked for it.
 */
export function acwApplies(state: CallbackConversationState, p: Participant): boolean {
  return p.connectedTime !== undefined && (p.wrapupPrompt !== 'agentRequested' || legInfo(state, p.id as string).acwRequested === true);
}

/** Whether the wrap-up may be skipped: only where it is not required (optional mode). */
export const canSkipWrapup = (p: Participant): boolean => p.wrapupRequired !== true;

/** The wrap-up codes a participant may use: those of the queue its leg was offered from. */
export function wrapupCodesOf(state: CallbackConversationState, participantId: string): readonly { id: string; name: string }[] {
  return legInfo(state, participantId).wrapupCodes ?? state.queue.wrapupCodes;
}
