// Views: stored records projected onto the Platform API's read models (what GET endpoints return).
import { byRole, conversationIndex, legStatus, toCallbackConversation, type CallbackConversationState } from '../lifecycle/index.js';
import type {
  AssignedWrapupCode,
  Callback,
  CallbackConversation,
  Conversation,
  EmulatorConversation,
  Participant,
  Queue,
  User,
  UserQueue,
  WrapupCode,
} from '../model/core.js';
import type { QueueRecord, RecordingState, UserRecord, WrapupCodeRecord } from '../store/types.js';

const division = { id: 'home', name: 'Home', selfUri: '/api/v2/authorization/divisions/home' };

/**
 * A communication's state where the shape knows `scheduled` (the generic Callback, event bodies): the customer and ACD
 * legs of a callback waiting for its time are `scheduled`; and the state it began in.
 */
export function communicationStates(state: CallbackConversationState, id: string): { state?: string; initialState: string } {
  const p = state.participants.find((x) => x.id === id);
  const info = state.legs[id];
  if (p === undefined || info === undefined) throw new Error(`no participant ${id}`);
  const scheduledLeg = info.role !== 'agent' && p.state === 'none' && state.phase === 'scheduled';
  const createdScheduled = p.callbackScheduledTime !== undefined && p.callbackScheduledTime.getTime() > state.createdAt.getTime();
  const initialState = info.role === 'agent' ? 'alerting' : createdScheduled ? 'scheduled' : 'connected';
  return { ...(scheduledLeg ? { state: 'scheduled' } : p.state !== undefined ? { state: p.state } : {}), initialState };
}

/** The callback communication of a participant, in the generic Callback shape (whose state knows `scheduled`). */
function callbackOf(state: CallbackConversationState, id: string): Callback {
  const p = state.participants.find((x) => x.id === id);
  const info = state.legs[id];
  if (p === undefined || info === undefined) throw new Error(`no participant ${id}`);
  const acw = info.acw;
  return {
    ...communicationStates(state, id),
    id: info.communicationId,
    ...(p.direction !== undefined ? { direction: p.direction } : {}),
    held: p.held ?? false,
    ...(p.disconnectType !== undefined ? { disconnectType: p.disconnectType } : {}),
    ...(p.startHoldTime !== undefined ? { startHoldTime: p.startHoldTime } : {}),
    ...(p.callbackNumbers !== undefined ? { callbackNumbers: p.callbackNumbers } : {}),
    ...(p.callbackUserName !== undefined ? { callbackUserName: p.callbackUserName } : {}),
    ...(p.script?.id !== undefined ? { scriptId: p.script.id } : {}),
    ...(p.externalCampaign !== undefined ? { externalCampaign: p.externalCampaign } : {}),
    ...(p.skipEnabled !== undefined ? { skipEnabled: p.skipEnabled } : {}),
    ...(p.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}),
    ...(p.startAlertingTime !== undefined ? { startAlertingTime: p.startAlertingTime } : {}),
    ...(p.connectedTime !== undefined ? { connectedTime: p.connectedTime } : {}),
    ...(p.endTime !== undefined ? { disconnectedTime: p.endTime } : {}),
    ...(p.callbackScheduledTime !== undefined ? { callbackScheduledTime: p.callbackScheduledTime } : {}),
    ...(p.automatedCallbackConfigId !== undefined ? { automatedCallbackConfigId: p.automatedCallbackConfigId } : {}),
    ...(p.provider !== undefined ? { provider: p.provider } : {}),
    ...(p.peer !== undefined ? { peerId: p.peer } : {}),
    ...(p.wrapup !== undefined ? { wrapup: p.wrapup } : {}),
    ...(info.role === 'agent'
      ? {
          afterCallWork: {
            ...(p.startAcwTime !== undefined ? { startTime: p.startAcwTime } : {}),
            ...(p.endAcwTime !== undefined ? { endTime: p.endAcwTime } : {}),
            state: acw === 'pending' ? 'pending' : acw === 'complete' ? 'complete' : acw === 'skipped' ? 'skipped' : 'notApplicable',
          },
          afterCallWorkRequired: p.wrapupRequired === true,
        }
      : {}),
    ...(state.callerId !== undefined ? { callerId: state.callerId } : {}),
    ...(state.callerIdName !== undefined ? { callerIdName: state.callerIdName } : {}),
  };
}

/** The conversation as `GET /api/v2/conversations/{id}` shows it (docs/reference/api.md §2.A). */
export function toConversation(state: CallbackConversationState, recordingState: RecordingState): Conversation {
  const participants: Participant[] = state.participants.map((p) => {
    const id = p.id as string;
    return {
      id,
      ...(p.startTime !== undefined ? { startTime: p.startTime } : {}),
      ...(p.endTime !== undefined ? { endTime: p.endTime } : {}),
      ...(p.connectedTime !== undefined ? { connectedTime: p.connectedTime } : {}),
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.user?.id !== undefined ? { userId: p.user.id, userUri: `/api/v2/users/${p.user.id}` } : {}),
      ...(p.queue?.id !== undefined ? { queueId: p.queue.id } : {}),
      ...(p.queue?.name !== undefined ? { queueName: p.queue.name } : {}),
      ...(p.purpose !== undefined ? { purpose: p.purpose } : {}),
      ...(p.address !== undefined ? { address: p.address } : {}),
      ...(p.wrapupRequired !== undefined ? { wrapupRequired: p.wrapupRequired } : {}),
      ...(p.wrapupPrompt !== undefined ? { wrapupPrompt: p.wrapupPrompt } : {}),
      ...(p.wrapupTimeoutMs !== undefined ? { wrapupTimeoutMs: p.wrapupTimeoutMs } : {}),
      ...(p.wrapupSkipped !== undefined ? { wrapupSkipped: p.wrapupSkipped } : {}),
      ...(p.wrapup !== undefined ? { wrapup: p.wrapup } : {}),
      ...(p.conversationRoutingData !== undefined ? { conversationRoutingData: p.conversationRoutingData } : {}),
      ...(p.alertingTimeoutMs !== undefined ? { alertingTimeoutMs: p.alertingTimeoutMs } : {}),
      attributes: p.attributes ?? {},
      callbacks: [callbackOf(state, id)],
      ...(p.startAcwTime !== undefined ? { startAcwTime: p.startAcwTime } : {}),
      ...(p.endAcwTime !== undefined ? { endAcwTime: p.endAcwTime } : {}),
    };
  });
  return {
    id: state.id,
    startTime: state.createdAt,
    ...(state.endedAt !== undefined ? { endTime: state.endedAt } : {}),
    participants,
    recordingState,
    state: state.phase === 'ended' ? 'disconnected' : 'connected',
    recentTransfers: state.recentTransfers,
    selfUri: `/api/v2/conversations/${state.id}`,
  };
}

const projected = new WeakMap<CallbackConversationState, CallbackConversation>();

/** The CallbackConversation of a state; states are immutable, so each is projected once. */
export function callbackConversation(state: CallbackConversationState): CallbackConversation {
  let c = projected.get(state);
  if (c === undefined) projected.set(state, (c = toCallbackConversation(state)));
  return c;
}

export function assignedWrapup(state: CallbackConversationState, participantId: string, provisional: boolean): AssignedWrapupCode {
  const w = state.participants.find((p) => p.id === participantId)?.wrapup;
  if (w === undefined || (w.provisional === true) !== provisional) return {};
  return {
    ...(w.code !== undefined ? { code: w.code } : {}),
    ...(w.notes !== undefined ? { notes: w.notes } : {}),
    ...(w.tags !== undefined ? { tags: w.tags } : {}),
    ...(w.durationSeconds !== undefined ? { durationSeconds: w.durationSeconds } : {}),
    ...(w.endTime !== undefined ? { endTime: w.endTime } : {}),
  };
}

export function wrapupCode(c: WrapupCodeRecord): WrapupCode {
  return { id: c.id, name: c.name, division, dateCreated: c.dateCreated, selfUri: `/api/v2/routing/wrapupcodes/${c.id}` };
}

export function queue(q: QueueRecord): Queue {
  return {
    id: q.id,
    name: q.name,
    division,
    ...(q.description !== undefined ? { description: q.description } : {}),
    dateCreated: q.dateCreated,
    memberCount: q.memberIds.length,
    mediaSettings: { callback: { ...q.callback } },
    acwSettings: { wrapupPrompt: q.acw.wrapupPrompt, ...(q.acw.timeoutMs !== undefined ? { timeoutMs: q.acw.timeoutMs } : {}) },
    agentOwnedRouting: { ...q.agentOwnedRouting },
    selfUri: `/api/v2/routing/queues/${q.id}`,
  };
}

export function user(u: UserRecord): User {
  // Users are not modified after creation in callbackd: their version stays 1.
  return {
    id: u.id,
    version: 1,
    name: u.name,
    division,
    email: u.email,
    state: u.state,
    username: u.username,
    selfUri: `/api/v2/users/${u.id}`,
  };
}

/** A queue as one of its members sees it. */
export function userQueue(q: QueueRecord): UserQueue {
  const { selfUri, ...rest } = queue(q);
  return {
    ...rest,
    userMemberCount: q.memberIds.length,
    joinedMemberCount: q.memberIds.length,
    joined: true,
    ...(selfUri !== undefined ? { selfUri } : {}),
  };
}

/** A conversation in brief, for the console's lists (GET /emulator/conversations). */
export function conversationSummary(state: CallbackConversationState): EmulatorConversation {
  const index = conversationIndex(state);
  const customer = byRole(state, 'customer')[0];
  return {
    id: state.id,
    phase: state.phase,
    queueId: index.queueId,
    priority: index.priority,
    createdAt: state.createdAt,
    ...(customer?.callbackScheduledTime !== undefined ? { scheduledTime: customer.callbackScheduledTime } : {}),
    ...(index.queuedAt !== undefined ? { queuedAt: index.queuedAt } : {}),
    ...(index.nextDeadline !== undefined ? { nextDeadline: index.nextDeadline } : {}),
    ...(state.endedAt !== undefined ? { endedAt: state.endedAt } : {}),
    ...(index.ownerId !== undefined ? { ownerId: index.ownerId } : {}),
    ...(customer?.callbackUserName !== undefined ? { customerName: customer.callbackUserName } : {}),
    callbackNumbers: customer?.callbackNumbers ?? [],
    agents: byRole(state, 'agent').map((p) => {
      const id = p.id as string;
      return {
        userId: p.user?.id ?? '',
        participantId: id,
        communicationId: state.legs[id]?.communicationId ?? '',
        status: legStatus(state, id),
      };
    }),
  };
}
