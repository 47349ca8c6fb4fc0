// Request and response models of the callback endpoints (docs/reference/api.md §2), in the same schema language as the
// participant. Only what callbackd serves or accepts is here.
import {
  CallbackConversation,
  ConversationRoutingData,
  DomainEntityRef,
  ScoredAgent,
  STATE_VALUES,
  TransferResponse,
  Wrapup,
  bool,
  dateTime,
  enumOf,
  int32,
  int64,
  json,
  list,
  model,
  number,
  ref,
  str,
  stringMap,
  strings,
  DIRECTION_VALUES,
} from './schema.js';
import Type from 'typebox';
import { ACW_PROMPT_VALUES, RECORDING_STATES, ROUTING_STATUS_VALUES } from './values.js';

export { ACW_PROMPT_VALUES, RECORDING_STATES, ROUTING_STATUS_VALUES };

const DELIVERY_MODES = ['UseQueueSetting', 'UseAgentReservation', 'NoAgentReservation'] as const;
const TRANSFER_TYPES = ['Attended', 'Unattended'] as const;
export const CALLBACK_STATE_VALUES = [
  'alerting',
  'dialing',
  'contacting',
  'offering',
  'connected',
  'disconnected',
  'terminated',
  'scheduled',
  'none',
] as const;
export const CALLBACK_DISCONNECT_TYPE_VALUES = [
  'endpoint',
  'client',
  'system',
  'timeout',
  'transfer',
  'transfer.conference',
  'transfer.consult',
  'transfer.forward',
  'transfer.noanswer',
  'transfer.notavailable',
  'transport.failure',
  'error',
  'peer',
  'other',
  'spam',
  'uncallable',
] as const;
export const WRAPUP_PROMPT_VALUES = ['mandatory', 'optional', 'agentRequested', 'timeout', 'forcedTimeout'] as const;

// ---- requests ----

export const RoutingData = model(
  'RoutingData',
  'How a new callback should be routed.',
  {
    queueId: str('Queue to route to.'),
    languageId: str('Language an agent must speak.'),
    label: str('Utilization label.'),
    priority: int32('Routing priority.'),
    skillIds: strings('Skills an agent must have.', { maxItems: 50 }),
    skillExpression: str('Skill expression.'),
    preferredAgentIds: strings('Agents to prefer.', { maxItems: 50 }),
    scoredAgents: list(ScoredAgent, 'Agents with scores; an agent-owned callback has one agent scored 100.', { maxItems: 50 }),
    routingFlags: strings('Routing flags, such as AGENT_OWNED_CALLBACK.', { maxItems: 10 }),
  },
  ['queueId'],
);

const createFields = {
  scriptId: str('Script the agent should use.'),
  queueId: str('Queue to route to (this or routingData.queueId is required).'),
  routingData: ref(RoutingData, 'Routing of the callback (this or queueId is required).'),
  customerFirstCallbackDeliveryMode: enumOf(
    'CustomerFirstCallbackDeliveryMode',
    DELIVERY_MODES,
    'Overrides the queue agent-reservation setting in customer-first mode.',
  ),
  callbackUserName: str('Name of the person to call back.', { maxLength: 256 }),
  callbackNumbers: strings('Numbers to call back; at least one.', { maxItems: 10, maxLength: 32 }),
  callbackScheduledTime: dateTime('When to call back; absent means now.'),
  countryCode: str('Country code used with the numbers.'),
  validateCallbackNumbers: bool('Check that the numbers are phone numbers.'),
  data: stringMap("Key/value data copied into the participants' attributes.", { maxProperties: 100 }),
  callerId: str('Caller id (E.164) of the outbound call.'),
  callerIdName: str('Caller name of the outbound call.'),
};

export const CreateCallbackCommand = model('CreateCallbackCommand', 'Body of POST /api/v2/conversations/callbacks.', createFields);
export const CreateCallbackOnConversationCommand = model(
  'CreateCallbackOnConversationCommand',
  'Body of POST /api/v2/conversations/{conversationId}/participants/{participantId}/callbacks.',
  createFields,
);

export const CallbackIdentifier = model(
  'CallbackIdentifier',
  'The callback communication of one participant.',
  {
    type: enumOf('CallbackIdentifierType', ['ACD', 'EXTERNAL', 'DIALER'], 'Which participant: ACD, EXTERNAL (the customer) or DIALER.'),
    id: str('Id of the callback communication.'),
  },
  ['type', 'id'],
);

export const CreateCallbackResponse = model(
  'CreateCallbackResponse',
  'The callback conversation created, and its callback communications.',
  {
    conversation: ref(DomainEntityRef, 'The new conversation.'),
    callbackIdentifiers: list(CallbackIdentifier, 'Callback communications of the new conversation.'),
  },
  ['conversation', 'callbackIdentifiers'],
);

export const PatchCallbackRequest = model(
  'PatchCallbackRequest',
  'Changes to a callback that has not been delivered yet.',
  {
    conversationId: str('The callback conversation to change.'),
    queueId: str('New queue.'),
    agentId: str('Agent who should get the callback (the SDK marks it required; callbackd does not insist).'),
    callbackScheduledTime: dateTime('New scheduled time.'),
    countryCode: str('Country code of the numbers.'),
    callbackNumbers: strings('New numbers.', { maxItems: 10, maxLength: 32 }),
    validateCallbackNumbers: bool('Check that the numbers are phone numbers.'),
    customerFirstCallbackDeliveryMode: enumOf(
      'CustomerFirstCallbackDeliveryMode',
      DELIVERY_MODES,
      'Agent-reservation override in customer-first mode.',
    ),
  },
  ['conversationId'],
);

export const PatchCallbackResponse = model(
  'PatchCallbackResponse',
  'The callback conversation changed, and its callback communications.',
  {
    conversation: ref(DomainEntityRef, 'The conversation.'),
    callbackIdentifiers: list(CallbackIdentifier, 'Its callback communications.'),
  },
  ['conversation', 'callbackIdentifiers'],
);

export const CallbackDisconnectIdentifier = model(
  'CallbackDisconnectIdentifier',
  'A callback to disconnect.',
  { conversationId: str('The conversation.'), callbackId: str('Its callback communication.') },
  ['conversationId', 'callbackId'],
);

export const BulkCallbackDisconnectRequest = model(
  'BulkCallbackDisconnectRequest',
  'Callbacks to disconnect.',
  { callbackDisconnectIdentifiers: list(CallbackDisconnectIdentifier, 'The callbacks.', { maxItems: 50 }) },
  ['callbackDisconnectIdentifiers'],
);

export const BulkCallbackPatchRequest = model(
  'BulkCallbackPatchRequest',
  'Callbacks to change.',
  { patchCallbackRequests: list(PatchCallbackRequest, 'One change per callback.', { maxItems: 50 }) },
  ['patchCallbackRequests'],
);

export const BulkError = model('BulkError', 'Why one item of a bulk request failed.', {
  message: str('What went wrong.'),
  code: str('Error code.'),
});

export const BulkResult = model('BulkResult', 'Outcome of one item of a bulk request.', {
  error: ref(BulkError, 'The error, when the item failed.'),
  entity: json('The result, when the item succeeded.'),
});

export const BulkCallbackPatchResponse = model('BulkCallbackPatchResponse', 'Outcome of a bulk update.', {
  results: list(BulkResult, 'One result per request, in order.'),
  errorCount: int32('How many items failed.'),
  errorIndexes: Type.Array(int32('Index of a failed item.'), { description: 'Indexes of the items that failed.' }),
});

export const WrapupInput = model('WrapupInput', 'A wrap-up to apply.', {
  code: str('Wrap-up code id.'),
  name: str('Wrap-up code name.'),
  notes: str('Agent notes.', { maxLength: 4000 }),
  tags: strings('Tags.', { maxItems: 20, maxLength: 256 }),
  durationSeconds: int32('Seconds of after-call work.'),
  endTime: dateTime('When the wrap-up finished.'),
  provisional: bool('A temporary save that needs no code.'),
  disableEndTimeUpdates: bool('Do not move endTime on later updates.'),
});

export const MediaParticipantRequest = model('MediaParticipantRequest', 'A change to a participant.', {
  wrapup: ref(WrapupInput, 'Wrap-up to apply.'),
  state: enumOf('MediaParticipantRequestState', STATE_VALUES, 'Target state: connected (answer, resume), disconnected or parked.'),
  recording: bool('Start or stop recording.'),
  muted: bool('Mute.'),
  confined: bool('Confine.'),
  held: bool('Hold or unhold.'),
  wrapupSkipped: bool('Skip wrap-up.'),
  resumeTime: dateTime('When a parked communication resumes.'),
});

export const ParticipantAttributes = model('ParticipantAttributes', 'Attributes to merge into a participant.', {
  attributes: stringMap('The attributes.', { maxProperties: 100 }),
});

export const AssignedWrapupCode = model('AssignedWrapupCode', 'The wrap-up of a participant or communication.', {
  code: str('Wrap-up code id.'),
  notes: str('Agent notes.'),
  tags: strings('Tags.'),
  durationSeconds: int32('Seconds of after-call work.'),
  endTime: dateTime('End of the wrap-up segment.'),
});

export const StarrableDivision = model('StarrableDivision', 'A division.', {
  id: str('Division id.'),
  name: str('Division name.'),
  selfUri: str('API path.'),
});

export const WrapupCode = model('WrapupCode', 'A configured wrap-up code.', {
  id: str('Wrap-up code id.'),
  name: str('Name agents see.'),
  division: ref(StarrableDivision, 'Division of the code.'),
  description: str('Description.'),
  dateCreated: dateTime('Created.'),
  dateModified: dateTime('Last modified.'),
  createdBy: str('Creator.'),
  modifiedBy: str('Last modifier.'),
  selfUri: str('API path.'),
});

export const TransferRequest = model('TransferRequest', 'Replace a participant with a user or queue.', {
  transferType: enumOf('TransferRequestTransferType', TRANSFER_TYPES, 'Attended or Unattended (default).'),
  keepInternalMessageAlive: bool('Digital only.'),
  userId: str('Target user.'),
  address: str('Target user id or queue id (not a phone number, for callbacks).'),
  userName: str('Target user name.'),
  queueId: str('Target queue.'),
  voicemail: bool("Transfer to the replaced participant's voicemail."),
});

const transferBase = {
  transferType: enumOf('TransferRequestTransferType', TRANSFER_TYPES, 'Attended or Unattended (default).'),
  keepInternalMessageAlive: bool('Digital only.'),
};
export const TransferToAddressRequest = model('TransferToAddressRequest', 'Transfer a participant to an address.', {
  ...transferBase,
  address: str('Target user id or queue id (not a phone number, for callbacks).'),
});
export const TransferToAgentRequest = model('TransferToAgentRequest', 'Transfer a participant to an agent.', {
  ...transferBase,
  userId: str('Target user.'),
  userName: str('Target user name.'),
  userDisplayName: str('Target user display name.'),
  voicemail: bool("Transfer to the user's voicemail."),
});
export const TransferToQueueRequest = model('TransferToQueueRequest', 'Transfer a participant to a queue.', {
  ...transferBase,
  queueId: str('Target queue.'),
  queueName: str('Target queue name.'),
});
export const TransferToExternalContactRequest = model(
  'TransferToExternalContactRequest',
  'Transfer a participant to an external contact (not possible for a callback).',
  {
    ...transferBase,
    contactId: str('External contact.'),
    phoneType: enumOf('TransferToExternalContactRequestPhoneType', ['WorkPhone', 'CellPhone', 'HomePhone', 'OtherPhone'], 'Which number.'),
  },
  ['contactId', 'phoneType'],
);
export const TransferToExternalRequest = model(
  'TransferToExternalRequest',
  'Transfer a participant to an external address (not possible for a callback).',
  {
    ...transferBase,
    address: str('Target address.'),
  },
);

export const SetRecordingState = model('SetRecordingState', 'New recording state.', {
  recordingState: enumOf('RecordingState', RECORDING_STATES, 'ACTIVE, PAUSED or NONE.'),
});

export const CallCommand = model(
  'CallCommand',
  'Place a call from a callback.',
  { callNumber: str('Number to call.', { maxLength: 32 }), phoneColumn: str('Contact-list column of the number.') },
  ['callNumber'],
);

export const ConversationUser = model('ConversationUser', 'A user.', { id: str('User id.') }, ['id']);

// ---- generic conversation shape (GET /api/v2/conversations/{id}) ----

export const AfterCallWork = model('AfterCallWork', 'After-call work of a communication.', {
  startTime: dateTime('When ACW started.'),
  endTime: dateTime('When ACW ended.'),
  state: enumOf('AfterCallWorkState', ['unknown', 'notApplicable', 'skipped', 'pending', 'complete'], 'Where ACW stands.'),
});

export const Callback = model('Callback', 'A callback communication in the generic conversation shape.', {
  state: enumOf('CallbackState', CALLBACK_STATE_VALUES, 'State of the communication (includes scheduled).'),
  initialState: enumOf('CallbackState', CALLBACK_STATE_VALUES, 'First state of the communication.'),
  id: str('Communication id.'),
  direction: enumOf('CallbackDirection', DIRECTION_VALUES, 'Inbound or outbound.'),
  held: bool('On hold.'),
  disconnectType: enumOf('CallbackDisconnectType', CALLBACK_DISCONNECT_TYPE_VALUES, 'Why it disconnected.'),
  startHoldTime: dateTime('Start of the current hold.'),
  callbackNumbers: strings('Numbers to call.'),
  callbackUserName: str('Person to call back.'),
  scriptId: str('Script id.'),
  externalCampaign: bool('Dialed outside the platform.'),
  skipEnabled: bool('May be skipped.'),
  timeoutSeconds: int32('Seconds before automatic dialing.'),
  startAlertingTime: dateTime('First alerting.'),
  connectedTime: dateTime('Connected.'),
  disconnectedTime: dateTime('Disconnected.'),
  callbackScheduledTime: dateTime('Scheduled time.'),
  automatedCallbackConfigId: str('Automatic placement configuration.'),
  provider: str('Source provider.'),
  peerId: str('Matching leg.'),
  wrapup: ref(Wrapup, 'Wrap-up.'),
  afterCallWork: ref(AfterCallWork, 'After-call work.'),
  afterCallWorkRequired: bool('ACW required.'),
  callerId: str('Caller id.'),
  callerIdName: str('Caller name.'),
});

export const Participant = model('Participant', 'A participant in the generic conversation shape.', {
  id: str('Participant id.'),
  startTime: dateTime('Joined.'),
  endTime: dateTime('Left.'),
  connectedTime: dateTime('Connected.'),
  name: str('Name.'),
  userUri: str('API path of the user.'),
  userId: str('User id.'),
  externalContactId: str('External contact id.'),
  externalOrganizationId: str('External organization id.'),
  queueId: str('Queue id.'),
  teamId: str('Team id.'),
  queueName: str('Queue name.'),
  purpose: str('Purpose.'),
  address: str('Address.'),
  wrapupRequired: bool('Wrap-up required.'),
  wrapupPrompt: enumOf('ParticipantWrapupPrompt', WRAPUP_PROMPT_VALUES, 'Wrap-up mode.'),
  wrapupTimeoutMs: int32('Wrap-up time allowed.'),
  wrapupSkipped: bool('Wrap-up skipped.'),
  wrapup: ref(Wrapup, 'Wrap-up.'),
  mediaRoles: strings('Media roles.'),
  conversationRoutingData: ref(ConversationRoutingData, 'Routing data.'),
  alertingTimeoutMs: int32('Alerting timeout.'),
  attributes: stringMap('Attributes.'),
  callbacks: list(Callback, 'Callback communications.'),
  startAcwTime: dateTime('ACW start.'),
  endAcwTime: dateTime('ACW end.'),
});

export const Conversation = model('Conversation', 'A conversation in the generic shape (all media).', {
  id: str('Conversation id.'),
  name: str('Name.'),
  externalTag: str('External tag.'),
  startTime: dateTime('Start (required in the SDK model; absent in PATCH bodies).'),
  endTime: dateTime('End.'),
  address: str('Address.'),
  participants: list(Participant, 'Participants (required in the SDK model; absent in PATCH bodies).'),
  conversationIds: strings('Related conversations.'),
  maxParticipants: int32('Maximum participants.'),
  recordingState: enumOf('RecordingState', RECORDING_STATES, 'Recording state.'),
  state: enumOf('ConversationState', STATE_VALUES, 'On update only disconnected is valid.'),
  recentTransfers: list(TransferResponse, 'Recent transfers.'),
  utilizationLabelId: str('Utilization label.'),
  inactivityTimeout: dateTime('Inactivity timeout.'),
  selfUri: str('API path.'),
});

// ---- listings, errors, discovery ----

const listing = (name: string, item: ReturnType<typeof model>, description: string) =>
  model(name, description, {
    entities: list(item, 'The items of this page.'),
    pageSize: int32('Items per page.'),
    pageNumber: int32('Page number, from 1.'),
    total: int64('Items in all pages.'),
    firstUri: str('First page.'),
    nextUri: str('Next page.'),
    previousUri: str('Previous page.'),
    lastUri: str('Last page.'),
    selfUri: str('This page.'),
    pageCount: int32('Number of pages.'),
  });

export const ConversationEntityListing = listing('ConversationEntityListing', Conversation, 'Conversations.');

export const CallbackConversationEntityListing = listing(
  'CallbackConversationEntityListing',
  CallbackConversation,
  "The caller's active callback conversations.",
);

export const Detail = model('Detail', 'One detail of an error.', {
  errorCode: str('Code.'),
  fieldName: str('Field (a JSON pointer for body errors).'),
  entityId: str('Entity id.'),
  entityName: str('Entity name.'),
});

export const Limit = model('Limit', 'The limit an error hit.', {
  key: str('Limit key.'),
  namespace: str('Limit namespace.'),
  value: int64('Limit value.'),
});

export const ErrorBody = model('ErrorBody', 'The body of every error response.', {
  message: str('What went wrong, for people.'),
  code: str('Machine-readable code.'),
  status: int32('HTTP status.'),
  entityId: str('Entity concerned.'),
  entityName: str('Entity name.'),
  messageWithParams: str('Message template.'),
  messageParams: stringMap('Template parameters.'),
  contextId: str('Correlation id of the request (also the inin-correlation-id header).'),
  details: list(Detail, 'Details, one per bad field.'),
  errors: Type.Array(json('A nested ErrorBody.'), { description: 'Nested errors.' }),
  limit: ref(Limit, 'Limit hit.'),
});

export const ServiceLevel = model('ServiceLevel', 'Service level target.', {
  percentage: number('Share answered in time.'),
  durationMs: int64('Time target.'),
});

export const CallbackMediaSettings = model('CallbackMediaSettings', 'Callback settings of a queue.', {
  enableAutoAnswer: bool('Answer offers automatically.'),
  alertingTimeoutSeconds: int32('Seconds an agent has to answer (1 to 86400).', { minimum: 1, maximum: 86400 }),
  serviceLevel: ref(ServiceLevel, 'Service level.'),
  autoAnswerAlertToneSeconds: number('Tone length with auto-answer.'),
  manualAnswerAlertToneSeconds: number('Tone length without.'),
  mode: enumOf('CallbackMode', ['AgentFirst', 'CustomerFirst'], 'Agent-first (default) or customer-first.'),
  enableAutoDialAndEnd: bool('Dial and end callbacks automatically.'),
  autoDialDelaySeconds: int32('Seconds after connecting before auto-dial.', { minimum: 0, maximum: 1200 }),
  autoEndDelaySeconds: int32('Seconds after the call before auto-end.', { minimum: 0, maximum: 1200 }),
});

export const QueueMediaSettings = model('QueueMediaSettings', 'Media settings of a queue.', {
  callback: ref(CallbackMediaSettings, 'Callback settings.'),
});

export const AcwSettings = model('AcwSettings', 'After-call work settings of a queue.', {
  wrapupPrompt: enumOf('AcwWrapupPrompt', ACW_PROMPT_VALUES, 'ACW mode.'),
  timeoutMs: int32('ACW time limit in ms, for the timed modes (1 s to 60 min).', { minimum: 1000, maximum: 3_600_000 }),
});

export const AgentOwnedRouting = model('AgentOwnedRouting', 'Agent-owned callback settings of a queue.', {
  enableAgentOwnedCallbacks: bool('Agent-owned callbacks allowed.'),
  maxOwnedCallbackHours: int32('Hours a callback waits for its owner (1 h to 30 days).', { minimum: 1, maximum: 720 }),
  maxOwnedCallbackDelayHours: int32('How far ahead an owned callback may be scheduled, in hours (1 h to 30 days).', {
    minimum: 1,
    maximum: 720,
  }),
});

/** What every view of a queue shows (the queue itself, and a member's UserQueue). */
const queueView = {
  id: str('Queue id.'),
  name: str('Queue name.'),
  division: ref(StarrableDivision, 'Division.'),
  description: str('Description.'),
  dateCreated: dateTime('Created.'),
  memberCount: int32('Number of members.'),
  mediaSettings: ref(QueueMediaSettings, 'Media settings.'),
  acwSettings: ref(AcwSettings, 'ACW settings.'),
  agentOwnedRouting: ref(AgentOwnedRouting, 'Agent-owned callbacks.'),
  selfUri: str('API path.'),
};

export const Queue = model('Queue', 'A routing queue.', queueView);

export const QueueEntityListing = listing('QueueEntityListing', Queue, 'Queues.');

export const User = model('User', 'A user (agent).', {
  id: str('User id.'),
  version: int32('Version of the user record (callbackd users are not modified after creation: 1).'),
  name: str('Display name.'),
  division: ref(StarrableDivision, 'Division.'),
  email: str('Email.'),
  state: enumOf('UserState', ['active', 'inactive', 'deleted'], 'Account state.'),
  username: str('Login name.'),
  selfUri: str('API path.'),
});

export const UserEntityListing = listing('UserEntityListing', User, 'Users.');

export const UserQueue = model('UserQueue', "A queue, as a member sees it (with the member's joined flag).", {
  ...queueView,
  userMemberCount: int32('Members who are users.'),
  joinedMemberCount: int32('Members who joined.'),
  joined: bool('Whether the user has joined the queue (callbackd members always have).'),
});
export const UserQueueEntityListing = listing('UserQueueEntityListing', UserQueue, "A user's queues.");

const queueFields = {
  name: str('Queue name.'),
  description: str('Description.'),
  mediaSettings: ref(QueueMediaSettings, 'Media settings (callback).'),
  acwSettings: ref(AcwSettings, 'After-call work settings.'),
  agentOwnedRouting: ref(AgentOwnedRouting, 'Agent-owned callback settings.'),
};
export const CreateQueueRequest = model('CreateQueueRequest', 'A new queue.', queueFields, ['name']);
export const QueueRequest = model('QueueRequest', 'A queue, replaced whole.', queueFields, ['name']);

export const WritableEntity = model('WritableEntity', 'A reference by id.', { id: str('Entity id.') }, ['id']);

export const UserReference = model('UserReference', 'A user reference.', { id: str('User id.'), selfUri: str('API path.') });

export const CreateUser = model(
  'CreateUser',
  'A new user (agent).',
  {
    name: str('Display name.'),
    email: str('Email, also the login name.'),
    password: str('Password for the password grant.'),
    divisionId: str('Division (callbackd has one, `home`).'),
    state: enumOf('CreateUserState', ['active', 'inactive', 'deleted'], 'Account state.'),
  },
  ['name', 'email'],
);

export const WrapupCodeRequest = model(
  'WrapupCodeRequest',
  'A new wrap-up code.',
  { name: str('Name agents see.'), description: str('Description.') },
  ['name'],
);
export const WrapupCodeEntityListing = listing('WrapupCodeEntityListing', WrapupCode, 'Wrap-up codes.');

export const RoutingStatus = model('RoutingStatus', "An agent's routing status.", {
  userId: str('The agent.'),
  status: enumOf('RoutingStatusValue', ROUTING_STATUS_VALUES, 'OFF_QUEUE, IDLE (available), INTERACTING, NOT_RESPONDING.'),
  startTime: dateTime('Since when.'),
});

export const QueueMember = model('QueueMember', 'A member of a queue.', {
  id: str('User id.'),
  name: str('User name.'),
  user: ref(UserReference, 'The user.'),
  ringNumber: int32('Ring order.'),
  joined: bool('Joined the queue.'),
  memberBy: enumOf('QueueMemberMemberBy', ['user', 'group'], 'How the user is a member.'),
  routingStatus: ref(RoutingStatus, 'Current routing status.'),
  selfUri: str('API path.'),
});
export const QueueMemberEntityListing = listing('QueueMemberEntityListing', QueueMember, 'Queue members.');

// ---- OAuth and the emulator's own controls ----

export const TokenResponse = model(
  'TokenResponse',
  'A bearer token (RFC 6749 §5.1).',
  {
    access_token: str('The token, for `Authorization: Bearer`.'),
    token_type: str('Always bearer.'),
    expires_in: int32('Seconds it stays valid.'),
  },
  ['access_token', 'token_type', 'expires_in'],
);

export const OAuthError = model(
  'OAuthError',
  'A refused token request (RFC 6749 §5.2).',
  { error: str('invalid_request, invalid_client, invalid_grant or unsupported_grant_type.'), error_description: str('Why.') },
  ['error'],
);

export const EmulatorClock = model('EmulatorClock', "The emulator's clock.", {
  now: dateTime('The time the service runs on.'),
  nextDeadline: dateTime("The caller's organization's next deadline (a scheduled callback's time, an offer's timeout, ...), if any."),
  mode: enumOf('EmulatorClockMode', ['system', 'manual'], 'system, or manual (moved only by POST /emulator/clock).'),
});

export const EmulatorClockRequest = model('EmulatorClockRequest', 'Move a manual clock: give advance or instant.', {
  advance: json('An ISO-8601 duration such as PT1H30M, or a number of milliseconds.'),
  instant: dateTime('The time to move to (never back).'),
});

export const EmulatorHealth = model('EmulatorHealth', "The emulator's health: ready once the store is open and migrated.", {
  status: enumOf('EmulatorHealthStatus', ['ready'], 'ready (the server answers only once it is).'),
  version: str("callbackd's version."),
  store: enumOf('EmulatorStoreKind', ['sqlite', 'postgres'], 'The store behind it: an SQLite file, or a PostgreSQL database.'),
  clock: ref(EmulatorClock, 'The clock and its mode.'),
});

export const EmulatorReset = model('EmulatorReset', 'What a reset brought back to its seeded state.', {
  organizations: strings('The organizations reset.'),
});

export const EmulatorRequest = model('EmulatorRequest', 'A request the server answered (the request journal).', {
  method: str('HTTP method.'),
  path: str('Path, without the query.'),
  query: str('The query string, when there was one.'),
  status: int32('The status answered.'),
  time: dateTime('When it arrived (wall clock).'),
  durationMs: number('How long it took to answer, in ms.'),
  correlationId: str('Its inin-correlation-id (the contextId of an error).'),
  requestBody: str('The body sent (includeBody=true; cut at 16 KiB; not for token requests).'),
  responseBody: str('The body answered (includeBody=true; cut at 16 KiB).'),
});
export const EmulatorRequestListing = model('EmulatorRequestListing', 'Recent requests, newest first.', {
  entities: list(EmulatorRequest, 'The requests.'),
});

export const EmulatorState = model(
  'EmulatorState',
  "An organization's whole state (GET/PUT /emulator/state): the rows of the store's tables, versioned.",
  {
    format: str('Always callbackd-state.'),
    version: int32('The snapshot format version (1).'),
    schema: int32('The store schema version of the rows.'),
    organization: str('The organization it is of.'),
    tables: json('Table name → rows (column → value).'),
  },
  ['format', 'version', 'schema', 'tables'],
);

const faultFields = {
  method: str('Only requests with this HTTP method (default: any).'),
  path: str(
    'Which paths: a path, where * (or a {param}) stands for one segment and a final /** for the rest, e.g. /api/v2/conversations/callbacks/*.',
    { maxLength: 1000 },
  ),
  status: int32('Answer with this status (400 to 599) instead of serving the request; leave out for latency alone.', {
    minimum: 400,
    maximum: 599,
  }),
  code: str("The ErrorBody's code (default: the catalogue's for the status, e.g. too.many.requests.retry.after for 429).", {
    maxLength: 200,
  }),
  message: str("The ErrorBody's message (default: says the fault was injected)."),
  latencyMs: int32('Wait this long before answering (or serving).', { minimum: 0, maximum: 120_000 }),
  retryAfterSeconds: int32('The Retry-After header to send (default 1 for 429 and 503).', { minimum: 0, maximum: 86_400 }),
  probability: number('Fire for this share of the matching requests (0 to 1; default 1).'),
  count: int32('Fire for the next N matching requests only, then stop.', { minimum: 1, maximum: 1_000_000 }),
  seed: int32('Seed of the random draws of probability, so that a run can be repeated exactly.'),
};

export const EmulatorFaultRequest = model('EmulatorFaultRequest', 'A fault to inject (POST /emulator/faults).', faultFields, ['path']);

export const EmulatorFault = model('EmulatorFault', 'An injected fault.', {
  id: str('Fault id.'),
  ...faultFields,
  matched: int32('How many requests it has fired on.'),
  remaining: int32('With count: how many more it fires on.'),
  dateCreated: dateTime('When it was added.'),
  selfUri: str('API path.'),
});

export const EmulatorFaultListing = model('EmulatorFaultListing', "The organization's injected faults, in the order they are tried.", {
  entities: list(EmulatorFault, 'The faults.'),
});

export const EmulatorConversationAgent = model('EmulatorConversationAgent', 'An agent leg of a conversation, as the console shows it.', {
  userId: str('The agent.'),
  participantId: str('The agent participant.'),
  communicationId: str("The leg's callback communication (for wrap-up)."),
  status: enumOf('EmulatorLegStatus', ['alerting', 'connected', 'held', 'parked', 'acw', 'done'], 'Where the leg stands.'),
});

export const EmulatorConversation = model(
  'EmulatorConversation',
  'A callback conversation in brief (GET /emulator/conversations): where it stands, for lists; the whole is GET /api/v2/conversations/callbacks/{id}.',
  {
    id: str('Conversation id.'),
    phase: enumOf('EmulatorPhase', ['scheduled', 'queued', 'offered', 'active', 'ended'], 'Where the callback stands.'),
    queueId: str('Its queue.'),
    priority: int32('Routing priority.'),
    createdAt: dateTime('Created.'),
    scheduledTime: dateTime('When the customer asked to be called back.'),
    queuedAt: dateTime('Since when it waits in its queue (queued only).'),
    nextDeadline: dateTime('When the scheduler next moves it.'),
    endedAt: dateTime('Ended.'),
    ownerId: str('The owning agent of an agent-owned callback.'),
    customerName: str("The customer's name."),
    callbackNumbers: strings('The numbers to call back.'),
    agents: list(EmulatorConversationAgent, 'Its agent legs, in order.'),
  },
);

export const EmulatorConversationListing = model('EmulatorConversationListing', 'A page of conversations, newest first.', {
  entities: list(EmulatorConversation, 'This page.'),
  pageSize: int32('Items per page.'),
  pageNumber: int32('Page number, from 1.'),
  total: int64('Items in all pages.'),
});

export const API_MODELS = {
  EmulatorConversationAgent,
  EmulatorConversation,
  EmulatorConversationListing,
  EmulatorFaultRequest,
  EmulatorFault,
  EmulatorFaultListing,
  EmulatorState,
  EmulatorRequest,
  EmulatorRequestListing,
  EmulatorHealth,
  EmulatorReset,
  TokenResponse,
  OAuthError,
  EmulatorClock,
  EmulatorClockRequest,
  RoutingStatus,
  CreateQueueRequest,
  QueueRequest,
  WritableEntity,
  UserReference,
  CreateUser,
  WrapupCodeRequest,
  WrapupCodeEntityListing,
  QueueMember,
  QueueMemberEntityListing,
  RoutingData,
  CreateCallbackCommand,
  CreateCallbackOnConversationCommand,
  CallbackIdentifier,
  CreateCallbackResponse,
  PatchCallbackRequest,
  PatchCallbackResponse,
  CallbackDisconnectIdentifier,
  BulkCallbackDisconnectRequest,
  BulkCallbackPatchRequest,
  BulkError,
  BulkResult,
  BulkCallbackPatchResponse,
  WrapupInput,
  MediaParticipantRequest,
  ParticipantAttributes,
  AssignedWrapupCode,
  StarrableDivision,
  WrapupCode,
  TransferRequest,
  SetRecordingState,
  TransferToAddressRequest,
  TransferToAgentRequest,
  TransferToQueueRequest,
  TransferToExternalContactRequest,
  TransferToExternalRequest,
  ConversationEntityListing,
  UserQueue,
  UserQueueEntityListing,
  CallCommand,
  ConversationUser,
  AfterCallWork,
  Callback,
  Participant,
  Conversation,
  CallbackConversationEntityListing,
  Detail,
  Limit,
  ErrorBody,
  ServiceLevel,
  CallbackMediaSettings,
  QueueMediaSettings,
  AcwSettings,
  AgentOwnedRouting,
  Queue,
  QueueEntityListing,
  User,
  UserEntityListing,
} as const;
