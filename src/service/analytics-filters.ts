// Conversation and segment filters of the detail query (analytics-notifications-limits.md §2.2), evaluated on detail
// records: and/or over clauses and predicates (two levels), `matches` as equality, exists / notExists, ranges; each
// segment filter has to hold for some segment, not the same one for every filter (as the platform does).
import type {
  AnalyticsConversationSegment as Segment,
  AnalyticsConversationWithoutAttributes as Details,
  AnalyticsParticipantWithoutAttributes as Participant,
  AnalyticsSession as Session,
  ConversationDetailQueryFilter,
  ConversationDetailQueryPredicate,
  NumericRange,
  SegmentDetailQueryFilter,
  SegmentDetailQueryPredicate,
} from '../model/core.js';

type Value = string | number | boolean | Date | readonly string[] | undefined;
type Predicate = ConversationDetailQueryPredicate | SegmentDetailQueryPredicate;
type Filter = ConversationDetailQueryFilter | SegmentDetailQueryFilter;

/** The conversation dimensions callbackd can answer. */
export const CONVERSATION_DIMENSIONS = [
  'conversationId',
  'conversationStart',
  'conversationEnd',
  'originatingDirection',
  'divisionId',
] as const;
/** The segment dimensions callbackd can answer (a segment sees its session's, participant's and conversation's). */
export const SEGMENT_DIMENSIONS = [
  'conversationId',
  'participantId',
  'purpose',
  'userId',
  'sessionId',
  'mediaType',
  'direction',
  'callbackNumber',
  'callbackScheduledTime',
  'callbackUserName',
  'agentOwned',
  'segmentType',
  'segmentStart',
  'segmentEnd',
  'queueId',
  'disconnectType',
  'wrapUpCode',
  'wrapUpNote',
  'addressTo',
] as const;

function inRange(n: number, r: NumericRange): boolean {
  return (
    (r.gt === undefined || n > r.gt) &&
    (r.gte === undefined || n >= r.gte) &&
    (r.lt === undefined || n < r.lt) &&
    (r.lte === undefined || n <= r.lte)
  );
}

function test(value: Value, p: Predicate): boolean {
  const operator = p.operator ?? 'matches';
  const present = value !== undefined && !(Array.isArray(value) && value.length === 0);
  if (operator === 'exists') return present;
  if (operator === 'notExists') return !present;
  if (!present) return false;
  if (p.range !== undefined) {
    const n = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
    return inRange(n, p.range);
  }
  if (p.value === undefined) return false;
  const wanted = p.value;
  const eq = (v: string | number | boolean | Date) =>
    v instanceof Date ? v.getTime() === Date.parse(wanted) : String(v).toLowerCase() === wanted.toLowerCase();
  return Array.isArray(value) ? value.some((v) => eq(v)) : eq(value as string | number | boolean | Date);
}

/** A conversation metric: the sum of that metric over every session (absent when no session has it). */
function conversationMetric(d: Details, name: string): number | undefined {
  let sum: number | undefined;
  for (const p of d.participants ?? [])
    for (const s of p.sessions ?? []) for (const m of s.metrics ?? []) if (m.name === name) sum = (sum ?? 0) + (m.value ?? 0);
  return sum;
}

function conversationValue(d: Details, p: Predicate): Value {
  if (p.metric !== undefined) return conversationMetric(d, p.metric);
  switch (p.dimension) {
    case 'conversationId':
      return d.conversationId;
    case 'conversationStart':
      return d.conversationStart;
    case 'conversationEnd':
      return d.conversationEnd;
    case 'originatingDirection':
      return d.originatingDirection;
    case 'divisionId':
      return d.divisionIds;
    default:
      return undefined;
  }
}

interface SegmentContext {
  d: Details;
  participant: Participant;
  session: Session;
  segment: Segment;
}

function segmentValue(c: SegmentContext, p: Predicate): Value {
  if (p.metric !== undefined)
    return p.metric === 'tSegmentDuration' && c.segment.segmentEnd !== undefined
      ? (c.segment.segmentEnd as Date).getTime() - (c.segment.segmentStart as Date).getTime()
      : undefined;
  switch (p.dimension) {
    case 'conversationId':
      return c.d.conversationId;
    case 'participantId':
      return c.participant.participantId;
    case 'purpose':
      return c.participant.purpose;
    case 'userId':
      return c.participant.userId;
    case 'sessionId':
      return c.session.sessionId;
    case 'mediaType':
      return c.session.mediaType;
    case 'direction':
      return c.session.direction;
    case 'callbackNumber':
      return c.session.callbackNumbers;
    case 'callbackScheduledTime':
      return c.session.callbackScheduledTime;
    case 'callbackUserName':
      return c.session.callbackUserName;
    case 'agentOwned':
      return c.session.agentOwned;
    case 'addressTo':
      return c.session.addressTo;
    case 'segmentType':
      return c.segment.segmentType;
    case 'segmentStart':
      return c.segment.segmentStart;
    case 'segmentEnd':
      return c.segment.segmentEnd;
    case 'queueId':
      return c.segment.queueId;
    case 'disconnectType':
      return c.segment.disconnectType;
    case 'wrapUpCode':
      return c.segment.wrapUpCode;
    case 'wrapUpNote':
      return c.segment.wrapUpNote;
    default:
      return undefined;
  }
}

/** and / or over a filter's clauses and predicates, each tested by `holds`. */
function evaluate(f: Filter, holds: (p: Predicate) => boolean): boolean {
  const parts: boolean[] = [
    ...(f.clauses ?? []).map((c) => (c.type === 'or' ? (c.predicates ?? []).some(holds) : (c.predicates ?? []).every(holds))),
    ...(f.predicates ?? []).map(holds),
  ];
  return f.type === 'or' ? parts.some(Boolean) : parts.every(Boolean);
}

function* segments(d: Details): Generator<SegmentContext> {
  for (const participant of d.participants ?? [])
    for (const session of participant.sessions ?? [])
      for (const segment of session.segments ?? []) yield { d, participant, session, segment };
}

/** Whether a detail record passes every conversation filter and, for each segment filter, some segment passes it. */
export function matches(d: Details, conversationFilters: readonly Filter[], segmentFilters: readonly Filter[]): boolean {
  if (!conversationFilters.every((f) => evaluate(f, (p) => test(conversationValue(d, p), p)))) return false;
  return segmentFilters.every((f) => {
    for (const c of segments(d)) if (evaluate(f, (p) => test(segmentValue(c, p), p))) return true;
    return false;
  });
}

/** Predicates that name something callbackd cannot answer: refused rather than silently never matching. */
export function unknownNames(filters: readonly Filter[], dimensions: readonly string[], where: string): string[] {
  const bad: string[] = [];
  filters.forEach((f, i) => {
    const check = (p: Predicate, at: string) => {
      if (p.dimension !== undefined && !dimensions.includes(p.dimension)) bad.push(`${at}/dimension`);
      if (p.dimension === undefined && p.metric === undefined) bad.push(`${at}`);
    };
    (f.predicates ?? []).forEach((p, j) => check(p, `/${where}/${i}/predicates/${j}`));
    (f.clauses ?? []).forEach((c, j) => (c.predicates ?? []).forEach((p, k) => check(p, `/${where}/${i}/clauses/${j}/predicates/${k}`)));
  });
  return bad;
}
