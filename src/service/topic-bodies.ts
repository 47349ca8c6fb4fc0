// What each topic carries (docs/reference/api.md §2 "Notification event bodies"): always the whole current snapshot in
// the topic's own shape, never a delta.
import { legStatus, type CallbackConversationState } from '../lifecycle/index.js';
import type {
  ConversationCallbackEventTopicCallbackConversation as CallbackEventBody,
  ConversationCallbackEventTopicCallbackMediaParticipant as EventParticipant,
  ConversationCallbackEventTopicUriReference as UriReference,
  DomainEntityRef,
  UserConversationSummary,
  UserRoutingStatusUserRoutingStatus,
} from '../model/core.js';
import type { RoutingStatusRecord, StoredConversation } from '../store/types.js';
import { communicationStates } from './views.js';

const uri = (r: DomainEntityRef | undefined): UriReference | undefined =>
  r?.id === undefined ? undefined : { id: r.id, ...(r.name !== undefined ? { name: r.name } : {}) };

/** Copies the fields that are set (the wire leaves absent ones out). */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function participant(state: CallbackConversationState, p: CallbackConversationState['participants'][number]): EventParticipant {
  const id = p.id as string;
  const rd = p.conversationRoutingData;
  const hasQueue = p.queue?.id !== undefined;
  return defined<EventParticipant>({
    id,
    name: p.name,
    address: p.address,
    startTime: p.startTime,
    connectedTime: p.connectedTime,
    endTime: p.endTime,
    startHoldTime: p.startHoldTime,
    purpose: p.purpose,
    ...(communicationStates(state, id) as Pick<EventParticipant, 'state' | 'initialState'>),
    direction: p.direction,
    disconnectType: p.disconnectType,
    held: p.held ?? false,
    wrapupRequired: p.wrapupRequired,
    wrapupPrompt: p.wrapupPrompt,
    user: uri(p.user),
    queue: uri(p.queue),
    attributes: p.attributes ?? {},
    errorInfo: p.errorInfo === undefined ? undefined : defined({ message: p.errorInfo.message, code: p.errorInfo.code }),
    script: uri(p.script),
    wrapupTimeoutMs: p.wrapupTimeoutMs,
    wrapupSkipped: p.wrapupSkipped,
    alertingTimeoutMs: p.alertingTimeoutMs,
    provider: p.provider,
    externalContact: uri(p.externalContact),
    externalOrganization: uri(p.externalOrganization),
    wrapup:
      p.wrapup === undefined
        ? undefined
        : defined({
            code: p.wrapup.code,
            notes: p.wrapup.notes,
            tags: p.wrapup.tags,
            durationSeconds: p.wrapup.durationSeconds,
            endTime: p.wrapup.endTime,
          }),
    conversationRoutingData:
      rd === undefined
        ? undefined
        : defined({
            queue: uri(rd.queue),
            language: uri(rd.language),
            priority: rd.priority,
            skills: rd.skills?.map((s) => uri(s) ?? {}),
            scoredAgents: rd.scoredAgents?.map((a) => defined({ agent: uri(a.agent), score: a.score })),
          }),
    peer: p.peer,
    flaggedReason: p.flaggedReason,
    startAcwTime: p.startAcwTime,
    endAcwTime: p.endAcwTime,
    resumeTime: p.resumeTime,
    parkTime: p.parkTime,
    mediaRoles: p.mediaRoles,
    queueMediaSettings: hasQueue
      ? { alertingTimeoutSeconds: Math.round(state.queue.alertingTimeoutMs / 1000), enableAutoAnswer: state.queue.autoAnswer }
      : undefined,
    callbackNumbers: p.callbackNumbers,
    callbackUserName: p.callbackUserName,
    skipEnabled: p.skipEnabled,
    externalCampaign: p.externalCampaign,
    timeoutSeconds: p.timeoutSeconds,
    callbackScheduledTime: p.callbackScheduledTime,
    automatedCallbackConfigId: p.automatedCallbackConfigId,
  });
}

/** The body of `v2.users.{id}.conversations.callbacks` and `v2.routing.queues.{id}.conversations.callbacks`. */
export function callbackEventBody(state: CallbackConversationState): CallbackEventBody {
  return {
    id: state.id,
    participants: state.participants.map((p) => participant(state, p)),
    divisions: [{ division: { id: 'home', selfUri: '/api/v2/authorization/divisions/home' }, entities: [] }],
  };
}

/** The users a change of the conversation concerns: every agent it was ever offered to. */
export function usersOf(state: CallbackConversationState): Set<string> {
  const users = new Set<string>();
  for (const p of state.participants) if (p.user?.id !== undefined) users.add(p.user.id);
  return users;
}

/** The queues it was routed through. */
export function queuesOf(state: CallbackConversationState): Set<string> {
  const queues = new Set<string>([state.queue.id]);
  for (const p of state.participants) if (p.queue?.id !== undefined) queues.add(p.queue.id);
  return queues;
}

export function routingStatusBody(r: Pick<RoutingStatusRecord, 'status' | 'startTime'>): UserRoutingStatusUserRoutingStatus {
  return { routingStatus: { status: r.status, startTime: r.startTime } };
}

/** The body of `v2.users.{id}.conversationsummary`: the user's callbacks going on and in after-call work. */
export function conversationSummary(userId: string, conversations: readonly StoredConversation[]): UserConversationSummary {
  let active = 0;
  let acw = 0;
  for (const c of conversations) {
    const legs = c.state.participants.filter((p) => p.user?.id === userId).map((p) => legStatus(c.state, p.id as string));
    if (legs.some((l) => l !== 'done' && l !== 'acw')) active++;
    else if (legs.includes('acw')) acw++;
  }
  return { userId, callback: { contactCenter: { active, acw }, enterprise: { active: 0, acw: 0 } } };
}
