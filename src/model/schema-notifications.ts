// The notifications API (docs/reference/api.md §4.3) and the bodies its topics carry (§2 "Notification event bodies"),
// in the same schema language as the participant: the channel API's types, its validator and the OpenAPI document come
// from here, and every event body is encoded through it.
import { CALLBACK_DISCONNECT_TYPE_VALUES, CALLBACK_STATE_VALUES, ROUTING_STATUS_VALUES, WRAPUP_PROMPT_VALUES } from './schema-api.js';
import { bool, dateTime, DIRECTION_VALUES, enumOf, int64, json, list, model, number, ref, str, stringMap, strings } from './schema.js';

export const Channel = model('Channel', 'A notification channel.', {
  connectUri: str('The WebSocket URL to open.'),
  id: str('Channel id.'),
  expires: dateTime('When the channel ends unless a subscription call extends it.'),
});
export const ChannelEntityListing = model('ChannelEntityListing', 'Channels.', { entities: list(Channel, 'The channels.') });

export const ChannelTopic = model('ChannelTopic', 'A topic of a channel.', {
  id: str('The topic, ids filled in, e.g. v2.users.{id}.conversations.callbacks.'),
  state: enumOf('ChannelTopicState', ['Permitted', 'Rejected'], 'Whether events of it are delivered.'),
  rejectionReason: str('Why it was rejected.'),
  missingPermissions: strings('Permissions that would allow it.'),
  selfUri: str('API path.'),
});
export const ChannelTopicEntityListing = model('ChannelTopicEntityListing', 'Topics of a channel.', {
  entities: list(ChannelTopic, 'The topics.'),
});

export const AvailableTopic = model('AvailableTopic', 'A topic that can be subscribed to.', {
  description: str('What it carries.'),
  id: str('The topic template, e.g. v2.users.{id}.conversations.callbacks.'),
  requiresPermissions: strings('Permissions it requires.'),
  enforced: bool('Whether its permissions are enforced.'),
  visibility: str('Public or Preview.'),
  schema: json('JSON schema of its event body.'),
  requiresCurrentUser: bool('Only the user named in it may subscribe.'),
  requiresCurrentUserOrPermission: bool('The user named in it, or one with its permissions.'),
  transports: strings('How it is delivered (Websocket).'),
  publicApiTemplateUriPaths: strings('API paths of the entities it concerns.'),
  topicParameters: strings('The parameters in its template.'),
});
export const AvailableTopicEntityListing = model('AvailableTopicEntityListing', 'Topics that can be subscribed to.', {
  entities: list(AvailableTopic, 'The topics.'),
});

// ---- event bodies: v2.users.{id}.conversations.callbacks and v2.routing.queues.{id}.conversations.callbacks ----

const P = 'ConversationCallbackEventTopic';
const UriReference = model(`${P}UriReference`, 'A reference.', { id: str('Id.'), name: str('Name.') });
const EventWrapup = model(`${P}Wrapup`, 'A wrap-up.', {
  code: str('Wrap-up code id.'),
  notes: str('Notes.'),
  tags: strings('Tags.'),
  durationSeconds: int64('Seconds spent in wrap-up.'),
  endTime: dateTime('When wrap-up ended.'),
});
const EventScoredAgent = model(`${P}ScoredAgent`, 'A preferred agent.', { agent: ref(UriReference, 'The agent.'), score: int64('Score.') });
const EventRoutingData = model(`${P}ConversationRoutingData`, 'How the callback routes.', {
  queue: ref(UriReference, 'Queue.'),
  language: ref(UriReference, 'Language.'),
  priority: int64('Priority.'),
  skills: list(UriReference, 'Skills.'),
  scoredAgents: list(EventScoredAgent, 'Preferred agents.'),
});
const EventQueueMediaSettings = model(`${P}QueueMediaSettings`, "The queue's callback settings the leg follows.", {
  alertingTimeoutSeconds: int64('Alerting timeout.'),
  autoAnswerAlertToneSeconds: number('Alert tone with auto-answer.'),
  manualAnswerAlertToneSeconds: number('Alert tone without auto-answer.'),
  enableAutoAnswer: bool('Auto-answer.'),
});
const EventErrorBody = model(`${P}ErrorBody`, 'An error of the leg.', {
  message: str('Message.'),
  code: str('Code.'),
  status: int64('HTTP status.'),
});
const EventDomainEntityRef = model(`${P}DomainEntityRef`, 'A reference.', { id: str('Id.'), selfUri: str('API path.') });
const EventDivisionEntityRef = model(`${P}DivisionEntityRef`, 'An entity of a division.', {
  id: str('Id.'),
  selfUri: str('API path.'),
  dateDivisionUpdated: dateTime('When its division changed.'),
});
const EventDivisionMembership = model(`${P}ConversationDivisionMembership`, 'A division of the conversation.', {
  division: ref(EventDomainEntityRef, 'The division.'),
  entities: list(EventDivisionEntityRef, 'Its entities in the conversation.'),
});

export const ConversationCallbackEventTopicCallbackMediaParticipant = model(
  `${P}CallbackMediaParticipant`,
  'A participant, as events carry it.',
  {
    id: str('Participant id.'),
    name: str('Name.'),
    address: str('Address.'),
    startTime: dateTime('Joined.'),
    connectedTime: dateTime('Connected.'),
    endTime: dateTime('Ended.'),
    startHoldTime: dateTime('Hold began.'),
    purpose: str('customer, acd, agent.'),
    state: enumOf(`${P}State`, CALLBACK_STATE_VALUES, 'State of the leg; `scheduled` while a callback waits for its time.'),
    initialState: enumOf(`${P}InitialState`, CALLBACK_STATE_VALUES, 'State the leg began in.'),
    direction: enumOf(`${P}Direction`, DIRECTION_VALUES, 'Direction.'),
    disconnectType: enumOf(`${P}DisconnectType`, CALLBACK_DISCONNECT_TYPE_VALUES, 'How it ended.'),
    held: bool('On hold.'),
    wrapupRequired: bool('Wrap-up required.'),
    wrapupPrompt: enumOf(`${P}WrapupPrompt`, WRAPUP_PROMPT_VALUES, 'Wrap-up prompt.'),
    user: ref(UriReference, 'The agent.'),
    queue: ref(UriReference, 'The queue.'),
    attributes: stringMap('Attributes.'),
    errorInfo: ref(EventErrorBody, 'Error of the leg.'),
    script: ref(UriReference, 'Script.'),
    wrapupTimeoutMs: int64('Wrap-up timeout.'),
    wrapupSkipped: bool('Wrap-up skipped.'),
    alertingTimeoutMs: int64('Alerting timeout.'),
    provider: str('Provider.'),
    externalContact: ref(UriReference, 'External contact.'),
    externalOrganization: ref(UriReference, 'External organization.'),
    wrapup: ref(EventWrapup, 'Wrap-up.'),
    conversationRoutingData: ref(EventRoutingData, 'Routing data.'),
    peer: str('Peer.'),
    screenRecordingState: str('Screen recording state.'),
    flaggedReason: enumOf(`${P}FlaggedReason`, ['general'], 'Flagged.'),
    startAcwTime: dateTime('ACW began.'),
    endAcwTime: dateTime('ACW ended.'),
    resumeTime: dateTime('A parked leg resumes.'),
    parkTime: dateTime('Parked.'),
    mediaRoles: strings('Media roles.'),
    queueMediaSettings: ref(EventQueueMediaSettings, "The queue's callback settings."),
    callbackNumbers: strings('Numbers to call.'),
    callbackUserName: str('Customer name.'),
    skipEnabled: bool('Skip allowed.'),
    externalCampaign: bool('External campaign.'),
    timeoutSeconds: int64('Auto-dial countdown.'),
    callbackScheduledTime: dateTime('Scheduled time.'),
    automatedCallbackConfigId: str('Automated callback configuration.'),
  },
);

export const ConversationCallbackEventTopicCallbackConversation = model(
  `${P}CallbackConversation`,
  'The body of the callback topics of users and queues: the whole conversation as it now is.',
  {
    id: str('Conversation id.'),
    name: str('Name.'),
    participants: list(ConversationCallbackEventTopicCallbackMediaParticipant, 'Participants.'),
    otherMediaUris: strings('Other media.'),
    address: str('Address.'),
    utilizationLabelId: str('Utilization label.'),
    accessAttributes: strings('Access attributes.'),
    inactivityTimeout: dateTime('Inactivity timeout.'),
    divisions: list(EventDivisionMembership, 'Divisions.'),
  },
);

// ---- users' routing status and conversation summary ----

const RoutingStatusNow = model('UserRoutingStatusRoutingStatus', 'A routing status.', {
  status: enumOf('UserRoutingStatusValue', ROUTING_STATUS_VALUES, 'The status.'),
  startTime: dateTime('Since when.'),
});
export const UserRoutingStatusUserRoutingStatus = model('UserRoutingStatusUserRoutingStatus', 'The body of v2.users.{id}.routingStatus.', {
  routingStatus: ref(RoutingStatusNow, 'The routing status.'),
});

const MediaSummaryDetail = model('MediaSummaryDetail', 'Conversations of one kind.', {
  active: int64('Conversations going on.'),
  acw: int64('Conversations in after-call work.'),
});
const MediaSummary = model('MediaSummary', 'Conversations of one medium.', {
  contactCenter: ref(MediaSummaryDetail, 'Routed through queues.'),
  enterprise: ref(MediaSummaryDetail, 'Not routed.'),
});
export const UserConversationSummary = model('UserConversationSummary', 'The body of v2.users.{id}.conversationsummary.', {
  userId: str('The user.'),
  callback: ref(MediaSummary, 'Callbacks.'),
});

// ---- system messages ----

export const SystemMessageSystemMessage = model('SystemMessageSystemMessage', 'The body of v2.system.* topics.', {
  channelId: str('The channel.'),
  systemTopicType: enumOf('SystemTopicType', ['no_longer_subscribed', 'subscription_changed', 'token_revoked'], 'What happened.'),
  correlationId: str('Correlation id.'),
  organizationId: str('Organization.'),
  userId: str('User of the channel.'),
  oauthClientId: str('OAuth client of the channel.'),
  reason: enumOf('SystemMessageReason', ['another_channel_subscribed', 'user_tokens_revoked'], 'Why.'),
  message: str('What happened, in words.'),
  data: json('More.'),
});

export const NOTIFICATION_MODELS = {
  Channel,
  ChannelEntityListing,
  ChannelTopic,
  ChannelTopicEntityListing,
  AvailableTopic,
  AvailableTopicEntityListing,
  ConversationCallbackEventTopicUriReference: UriReference,
  ConversationCallbackEventTopicWrapup: EventWrapup,
  ConversationCallbackEventTopicScoredAgent: EventScoredAgent,
  ConversationCallbackEventTopicConversationRoutingData: EventRoutingData,
  ConversationCallbackEventTopicQueueMediaSettings: EventQueueMediaSettings,
  ConversationCallbackEventTopicErrorBody: EventErrorBody,
  ConversationCallbackEventTopicDomainEntityRef: EventDomainEntityRef,
  ConversationCallbackEventTopicDivisionEntityRef: EventDivisionEntityRef,
  ConversationCallbackEventTopicConversationDivisionMembership: EventDivisionMembership,
  ConversationCallbackEventTopicCallbackMediaParticipant,
  ConversationCallbackEventTopicCallbackConversation,
  UserRoutingStatusRoutingStatus: RoutingStatusNow,
  UserRoutingStatusUserRoutingStatus,
  MediaSummaryDetail,
  MediaSummary,
  UserConversationSummary,
  SystemMessageSystemMessage,
} as const;
