// What a store keeps beside a conversation so that it can be found without decoding it: computed here, from the
// state, by the rules' own definitions, and written by the store as given.
import { nextDeadline } from './engine.js';
import { busyAgentIds, waitingAcdLeg } from './state.js';
import type { CallbackConversationState, Phase } from './types.js';

export const AGENT_OWNED_FLAG = 'AGENT_OWNED_CALLBACK';

export interface ConversationIndex {
  phase: Phase;
  /** When the scheduler must next advance it. */
  nextDeadline?: Date;
  queueId: string;
  priority: number;
  /** Since when it waits in its queue (queued callbacks only): the router offers the longest waiting first. */
  queuedAt?: Date;
  /** The owning agent of an agent-owned callback (R-CRT-6). */
  ownerId?: string;
  /** Users it keeps busy (an agent leg alerting, connected, held, parked or in after-call work). */
  busyAgentIds: string[];
}

export function conversationIndex(state: CallbackConversationState): ConversationIndex {
  const deadline = nextDeadline(state)?.at;
  const queuedAt = state.phase === 'queued' ? waitingAcdLeg(state)?.connectedTime : undefined;
  const owner = state.routing.routingFlags.includes(AGENT_OWNED_FLAG) ? state.routing.preferredAgentIds[0] : undefined;
  return {
    phase: state.phase,
    ...(deadline !== undefined ? { nextDeadline: deadline } : {}),
    queueId: state.queue.id,
    priority: state.routing.priority,
    ...(queuedAt !== undefined ? { queuedAt } : {}),
    ...(owner !== undefined ? { ownerId: owner } : {}),
    busyAgentIds: busyAgentIds(state),
  };
}
