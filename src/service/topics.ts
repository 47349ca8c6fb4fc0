// The notification topics callbackd serves, as data: the template, what the id names, the body it carries, who may
// subscribe. The channel API checks subscriptions against it, the notifier routes events by it, and
// GET /api/v2/notifications/availabletopics lists it (docs/reference/api.md §4.1).
import type { ModelName } from '../model/core.js';

export interface TopicTemplate {
  /** As Genesys writes it, e.g. `v2.users.{id}.conversations.callbacks`. */
  id: string;
  /** What `{id}` names. */
  entity: 'user' | 'queue';
  /** The model of its event body. */
  body: ModelName;
  description: string;
  /** A user token may subscribe for itself; for others (or for queues it is not a member of) it lacks these. */
  permissions: readonly string[];
}

/** Permission names are Genesys' style; callbackd has no roles, so they only name what a user token lacks. [INF] */
export const TOPICS: readonly TopicTemplate[] = [
  {
    id: 'v2.users.{id}.conversations.callbacks',
    entity: 'user',
    body: 'ConversationCallbackEventTopicCallbackConversation',
    description: 'Every change of a callback conversation in which the user is (or was) an agent participant: the whole conversation.',
    permissions: ['conversation:communication:view'],
  },
  {
    id: 'v2.routing.queues.{id}.conversations.callbacks',
    entity: 'queue',
    body: 'ConversationCallbackEventTopicCallbackConversation',
    description: 'Every change of a callback conversation routed through the queue: the whole conversation.',
    permissions: ['routing:queue:view'],
  },
  {
    id: 'v2.users.{id}.conversations',
    entity: 'user',
    body: 'Conversation',
    description:
      "Every change of the user's conversations, in the generic conversation shape (callbacks under participants[].callbacks[]).",
    permissions: ['conversation:communication:view'],
  },
  {
    id: 'v2.routing.queues.{id}.conversations',
    entity: 'queue',
    body: 'Conversation',
    description: "Every change of the queue's conversations, in the generic conversation shape.",
    permissions: ['routing:queue:view'],
  },
  {
    id: 'v2.users.{id}.routingStatus',
    entity: 'user',
    body: 'UserRoutingStatusUserRoutingStatus',
    description: "The user's routing status (IDLE, INTERACTING, NOT_RESPONDING, OFF_QUEUE) whenever it changes.",
    permissions: ['routing:agent:view'],
  },
  {
    id: 'v2.users.{id}.conversationsummary',
    entity: 'user',
    body: 'UserConversationSummary',
    description: 'How many callbacks the user has going on and in after-call work, whenever that changes.',
    permissions: ['conversation:communication:view'],
  },
];

export interface ParsedTopic {
  template: TopicTemplate;
  /** The entity id in it. */
  entityId: string;
}

const PATTERNS = TOPICS.map((t) => {
  const [before, after] = t.id.split('{id}') as [string, string];
  return { template: t, before, after };
});

/** The template a topic string fills in (case-sensitive, as Genesys matches), or undefined. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  for (const p of PATTERNS) {
    if (topic.length > p.before.length + p.after.length && topic.startsWith(p.before) && topic.endsWith(p.after)) {
      const entityId = topic.slice(p.before.length, topic.length - p.after.length);
      if (!entityId.includes('.')) return { template: p.template, entityId };
    }
  }
  return undefined;
}

export const topicName = (template: string, id: string): string => template.replace('{id}', id);

/** Topic names, built once per template (the notifier makes them for every change). */
export const USER_CALLBACKS = 'v2.users.{id}.conversations.callbacks';
export const QUEUE_CALLBACKS = 'v2.routing.queues.{id}.conversations.callbacks';
export const USER_CONVERSATIONS = 'v2.users.{id}.conversations';
export const QUEUE_CONVERSATIONS = 'v2.routing.queues.{id}.conversations';
export const USER_ROUTING_STATUS = 'v2.users.{id}.routingStatus';
export const USER_SUMMARY = 'v2.users.{id}.conversationsummary';
