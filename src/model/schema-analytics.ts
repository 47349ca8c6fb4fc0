// The conversation detail API of analytics (analytics-notifications-limits.md §2: ConversationQuery and
// AnalyticsConversationQueryResponse with their parts), as far as callbacks use it. Request bodies are decoded
// strictly against these; responses are encoded through them.
import { bool, dateTime, enumOf, int32, int64, list, model, number, ref, str, strings } from './schema.js';

export const NumericRange = model('NumericRange', 'A range of numbers (gt, gte, lt, lte).', {
  gt: number('Greater than.'),
  gte: number('At least.'),
  lt: number('Less than.'),
  lte: number('At most.'),
});

const predicate = (name: string, description: string) =>
  model(name, description, {
    type: enumOf(`${name}Type`, ['dimension', 'property', 'metric'], 'What the predicate tests (dimension unless metric is given).'),
    dimension: str('The dimension, e.g. queueId, mediaType, conversationId.'),
    propertyType: enumOf(`${name}PropertyType`, ['bool', 'integer', 'real', 'date', 'string', 'uuid'], 'Type of a custom property.'),
    property: str('A custom property.'),
    metric: str('The metric, e.g. tTalk.'),
    operator: enumOf(`${name}Operator`, ['matches', 'exists', 'notExists'], 'matches (default), exists, notExists.'),
    value: str('The value a dimension matches.'),
    range: ref(NumericRange, 'The range a metric (or a date, as ms since the epoch) falls in.'),
  });

export const ConversationDetailQueryPredicate = predicate('ConversationDetailQueryPredicate', 'A test on a conversation.');
export const SegmentDetailQueryPredicate = predicate('SegmentDetailQueryPredicate', 'A test on a segment.');

const clause = (name: string, pred: ReturnType<typeof predicate>) =>
  model(
    name,
    'Predicates joined by and or or.',
    { type: enumOf(`${name}Type`, ['and', 'or'], 'How its predicates join.'), predicates: list(pred, 'Predicates.', { maxItems: 100 }) },
    ['type', 'predicates'],
  );
export const ConversationDetailQueryClause = clause('ConversationDetailQueryClause', ConversationDetailQueryPredicate);
export const SegmentDetailQueryClause = clause('SegmentDetailQueryClause', SegmentDetailQueryPredicate);

const filter = (name: string, cl: ReturnType<typeof clause>, pred: ReturnType<typeof predicate>) =>
  model(
    name,
    'Clauses and predicates joined by and or or (two levels at most).',
    {
      type: enumOf(`${name}Type`, ['and', 'or'], 'How its clauses and predicates join.'),
      clauses: list(cl, 'Clauses.', { maxItems: 100 }),
      predicates: list(pred, 'Predicates.', { maxItems: 100 }),
    },
    ['type'],
  );
export const ConversationDetailQueryFilter = filter(
  'ConversationDetailQueryFilter',
  ConversationDetailQueryClause,
  ConversationDetailQueryPredicate,
);
export const SegmentDetailQueryFilter = filter('SegmentDetailQueryFilter', SegmentDetailQueryClause, SegmentDetailQueryPredicate);

export const PagingSpec = model(
  'PagingSpec',
  'A page of results.',
  { pageSize: int32('Results per page (1 to 100).'), pageNumber: int32('Page, from 1.') },
  ['pageSize', 'pageNumber'],
);

/** What a detail query and a detail job both ask. */
const detailQuery = {
  interval: str('ISO-8601 start/end; conversations that started on a (UTC) day the interval touches are included.'),
  conversationFilters: list(ConversationDetailQueryFilter, 'Filters on conversations (all must hold).', { maxItems: 50 }),
  segmentFilters: list(SegmentDetailQueryFilter, 'Filters on segments (each must hold for some segment).', { maxItems: 50 }),
  order: enumOf('ConversationQueryOrder', ['asc', 'desc', 'unordered'], 'asc (default), desc or unordered.'),
  orderBy: enumOf(
    'ConversationQueryOrderBy',
    ['conversationStart', 'conversationEnd', 'segmentStart', 'segmentEnd'],
    'conversationStart (default), conversationEnd, segmentStart, segmentEnd.',
  ),
};

export const ConversationQuery = model(
  'ConversationQuery',
  'A conversation detail query.',
  { ...detailQuery, paging: ref(PagingSpec, 'The page (25 per page by default).') },
  ['interval'],
);

export const AnalyticsSessionMetric = model('AnalyticsSessionMetric', 'A metric of a session.', {
  name: str('The metric, e.g. tTalk.'),
  value: int64('Milliseconds for t* metrics, a count for n* metrics.'),
  emitDate: dateTime('When it was emitted (the end of the segment it measures).'),
});

export const AnalyticsConversationSegment = model('AnalyticsConversationSegment', 'An interval of a session in one state.', {
  segmentStart: dateTime('Start.'),
  segmentEnd: dateTime('End (absent while it goes on).'),
  segmentType: enumOf(
    'AnalyticsSegmentType',
    ['alert', 'contacting', 'dialing', 'hold', 'interact', 'parked', 'scheduled', 'wrapup', 'system'],
    'What the session was doing.',
  ),
  queueId: str('The queue.'),
  disconnectType: enumOf(
    'AnalyticsDisconnectType',
    ['client', 'endpoint', 'error', 'noAnswerTransfer', 'other', 'peer', 'system', 'timeout', 'transfer', 'transportFailure', 'uncallable'],
    'How the session ended, on its last segment.',
  ),
  wrapUpCode: str('The wrap-up code, on a wrapup segment.'),
  wrapUpNote: str('The wrap-up notes.'),
  wrapUpTags: strings('The wrap-up tags.'),
});

export const AnalyticsSession = model('AnalyticsSession', 'A session of a participant.', {
  sessionId: str('Session id (the communication id).'),
  mediaType: enumOf('AnalyticsMediaType', ['callback', 'voice'], 'callback; voice for a call placed to the customer.'),
  direction: enumOf('AnalyticsDirection', ['inbound', 'outbound'], 'Direction.'),
  addressTo: str('Number dialed (voice sessions).'),
  callbackNumbers: strings('Numbers to call back.'),
  callbackScheduledTime: dateTime('Scheduled time.'),
  callbackUserName: str('Customer name.'),
  agentOwned: bool('An agent-owned callback.'),
  skipEnabled: bool('Skip allowed.'),
  timeoutSeconds: int32('Auto-dial countdown.'),
  peerId: str('Peer session.'),
  metrics: list(AnalyticsSessionMetric, 'Metrics.'),
  segments: list(AnalyticsConversationSegment, 'Segments, in order.'),
});

export const AnalyticsParticipantWithoutAttributes = model('AnalyticsParticipantWithoutAttributes', 'A participant in detail records.', {
  participantId: str('Participant id.'),
  participantName: str('Name.'),
  purpose: enumOf('AnalyticsPurpose', ['acd', 'agent', 'customer', 'external', 'user'], 'Purpose.'),
  userId: str('The agent.'),
  sessions: list(AnalyticsSession, 'Sessions.'),
});

export const AnalyticsConversationWithoutAttributes = model('AnalyticsConversationWithoutAttributes', 'A conversation in detail records.', {
  conversationId: str('Conversation id.'),
  conversationStart: dateTime('Created.'),
  conversationEnd: dateTime('Ended (absent while it goes on).'),
  conversationInitiator: enumOf('AnalyticsConversationInitiator', ['acd', 'agent', 'customer', 'external'], 'Who started it.'),
  originatingDirection: enumOf('AnalyticsOriginatingDirection', ['inbound', 'outbound'], 'Direction at the start.'),
  divisionIds: strings('Divisions.'),
  participants: list(AnalyticsParticipantWithoutAttributes, 'Participants.'),
});

export const AnalyticsConversationQueryResponse = model('AnalyticsConversationQueryResponse', 'A page of conversation details.', {
  conversations: list(AnalyticsConversationWithoutAttributes, 'The conversations of this page.'),
  totalHits: int32('Conversations matching in all pages.'),
});

export const AnalyticsConversationWithoutAttributesMultiGetResponse = model(
  'AnalyticsConversationWithoutAttributesMultiGetResponse',
  'Details of the conversations asked for.',
  { conversations: list(AnalyticsConversationWithoutAttributes, 'The conversations found.') },
);

// ---- the asynchronous jobs (the ETL tools' way) ----

export const AsyncConversationQuery = model(
  'AsyncConversationQuery',
  'A conversation detail job: the query without paging (at most 31 days), with an optional limit.',
  {
    ...detailQuery,
    limit: int32('At most this many conversations.'),
    startOfDayIntervalMatching: bool('Match conversations that started on a day the interval touches (callbackd always does).'),
  },
  ['interval'],
);
export const AsyncQueryResponse = model('AsyncQueryResponse', 'A job was accepted.', { jobId: str('The job.') });
export const AsyncQueryStatus = model('AsyncQueryStatus', 'Where a job stands.', {
  state: enumOf('AsyncQueryState', ['QUEUED', 'PENDING', 'FAILED', 'CANCELLED', 'FULFILLED', 'EXPIRED'], 'The state.'),
  errorMessage: str('Why it failed.'),
  expirationDate: dateTime('When its results expire.'),
  submissionDate: dateTime('When it was submitted.'),
  completionDate: dateTime('When it was fulfilled.'),
});
export const AnalyticsConversationAsyncQueryResponse = model('AnalyticsConversationAsyncQueryResponse', "A page of a job's results.", {
  conversations: list(AnalyticsConversationWithoutAttributes, 'Conversations of this page.'),
  cursor: str('Pass it back for the next page; absent on the last.'),
  dataAvailabilityDate: dateTime('Data is complete up to this time.'),
});
export const DataAvailabilityResponse = model('DataAvailabilityResponse', 'How current the data of jobs is.', {
  dataAvailabilityDate: dateTime('Data is complete up to this time (callbackd: now).'),
});

// ---- queue observations (live state) ----

const ObservationPredicate = model('QueueObservationQueryPredicate', 'A test on a queue or media type.', {
  type: enumOf('QueueObservationQueryPredicateType', ['dimension', 'property', 'metric'], 'dimension.'),
  dimension: enumOf('QueueObservationDimension', ['queueId', 'mediaType'], 'queueId or mediaType.'),
  operator: enumOf('QueueObservationQueryPredicateOperator', ['matches', 'exists', 'notExists'], 'matches (default).'),
  value: str('The value.'),
});
const ObservationClause = model(
  'QueueObservationQueryClause',
  'Predicates joined by and or or.',
  {
    type: enumOf('QueueObservationQueryClauseType', ['and', 'or'], 'How they join.'),
    predicates: list(ObservationPredicate, 'Predicates.', { maxItems: 100 }),
  },
  ['type', 'predicates'],
);
const ObservationFilter = model(
  'QueueObservationQueryFilter',
  'Which queues (and media).',
  {
    type: enumOf('QueueObservationQueryFilterType', ['and', 'or'], 'How its parts join.'),
    clauses: list(ObservationClause, 'Clauses.', { maxItems: 100 }),
    predicates: list(ObservationPredicate, 'Predicates.', { maxItems: 100 }),
  },
  ['type'],
);
export const QueueObservationQuery = model(
  'QueueObservationQuery',
  'What to observe of which queues.',
  {
    filter: ref(ObservationFilter, 'Which queues.'),
    metrics: strings('Observation metrics, e.g. oWaiting.', { maxItems: 20 }),
    detailMetrics: strings('Metrics to detail.'),
  },
  ['filter', 'metrics'],
);
const StatisticalSummary = model('StatisticalSummary', 'A metric value.', { count: int64('How many.') });
const ObservationMetricData = model('ObservationMetricData', 'A metric of a group.', {
  metric: str('The metric.'),
  qualifier: str('For oUserRoutingStatuses: the routing status.'),
  stats: ref(StatisticalSummary, 'Its value.'),
});
const ObservationGroup = model('QueueObservationGroup', 'What the data is of.', {
  queueId: str('The queue.'),
  mediaType: str('The medium (callback).'),
});
const QueueObservationDataContainer = model('QueueObservationDataContainer', 'The metrics of one group.', {
  group: ref(ObservationGroup, 'The group.'),
  data: list(ObservationMetricData, 'Its metrics.'),
});
export const QueueObservationQueryResponse = model('QueueObservationQueryResponse', 'Observations of queues.', {
  results: list(QueueObservationDataContainer, 'One per group.'),
});

export const ANALYTICS_MODELS = {
  AsyncConversationQuery,
  AsyncQueryResponse,
  AsyncQueryStatus,
  AnalyticsConversationAsyncQueryResponse,
  DataAvailabilityResponse,
  QueueObservationQueryPredicate: ObservationPredicate,
  QueueObservationQueryClause: ObservationClause,
  QueueObservationQueryFilter: ObservationFilter,
  QueueObservationQuery,
  StatisticalSummary,
  ObservationMetricData,
  QueueObservationGroup: ObservationGroup,
  QueueObservationDataContainer,
  QueueObservationQueryResponse,
  NumericRange,
  ConversationDetailQueryPredicate,
  SegmentDetailQueryPredicate,
  ConversationDetailQueryClause,
  SegmentDetailQueryClause,
  ConversationDetailQueryFilter,
  SegmentDetailQueryFilter,
  PagingSpec,
  ConversationQuery,
  AnalyticsSessionMetric,
  AnalyticsConversationSegment,
  AnalyticsSession,
  AnalyticsParticipantWithoutAttributes,
  AnalyticsConversationWithoutAttributes,
  AnalyticsConversationQueryResponse,
  AnalyticsConversationWithoutAttributesMultiGetResponse,
} as const;
