// Conversation details (analytics): the detail query, one conversation's details, several by id. Every record is
// computed from the conversation and its events in the log (analytics-details.ts); which conversations an interval
// covers comes from the store's index of start times. A client token sees its organization; a user token the
// conversations its user took part in as an agent (what analytics:agentConversationDetail:view allows).
import { ERRORS, ServiceError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import {
  parseDateTime,
  type AnalyticsConversationAsyncQueryResponse,
  type AnalyticsConversationQueryResponse,
  type AnalyticsConversationWithoutAttributes as Details,
  type AsyncConversationQuery,
  type AsyncQueryResponse,
  type AsyncQueryStatus,
  type ConversationQuery,
  type DataAvailabilityResponse,
  type QueueObservationQuery,
  type QueueObservationQueryResponse,
} from '../model/core.js';
import type { Store } from '../store/types.js';
import { conversationDetails } from './analytics-details.js';
import { CONVERSATION_DIMENSIONS, matches, SEGMENT_DIMENSIONS, unknownNames } from './analytics-filters.js';
import type { Principal } from './principal.js';

const DAY = 24 * 3600_000;
/** Interval limits the platform documents: 7 days without a filter, 31 with one; paging stops at 100,000 results. */
const MAX_DAYS_UNFILTERED = 7;
const MAX_DAYS_FILTERED = 31;
const MAX_RESULTS = 100_000;
const MAX_PAGE_SIZE = 100;

const invalid = (message: string, field: string, detail: string) =>
  new ServiceError(ERRORS.badRequest, message, [{ field, code: ERRORS.badRequest.code, message: detail }]);

/** `start/end` as two ISO-8601 date-times, start before end. */
export function parseInterval(interval: string): { start: Date; end: Date } {
  const [a, b, extra] = interval.split('/');
  const start = a !== undefined ? parseDateTime(a) : undefined;
  const end = b !== undefined ? parseDateTime(b) : undefined;
  if (extra !== undefined || start === undefined || end === undefined)
    throw invalid(
      `Invalid interval ${JSON.stringify(interval)}: expected ISO-8601 start/end date-times.`,
      '/interval',
      'expected start/end',
    );
  if (end.getTime() <= start.getTime())
    throw invalid(`Invalid interval ${interval}: the end must be after the start.`, '/interval', 'end after start');
  return { start, end };
}

export class AnalyticsService {
  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** One conversation's record, if the caller may see it. */
  private async details(p: Principal, id: string): Promise<Details | undefined> {
    const stored = await this.store.getConversation(p.orgId, id);
    if (stored === undefined) return undefined;
    const d = conversationDetails(stored.state, await this.store.conversationEvents(p.orgId, id), this.clock());
    return this.visible(p, d) ? d : undefined;
  }

  /** A client token sees every conversation of its organization; a user token those its user was an agent in. */
  private visible(p: Principal, d: Details): boolean {
    return p.userId === undefined || (d.participants ?? []).some((x) => x.purpose === 'agent' && x.userId === p.userId);
  }

  async conversation(p: Principal, id: string): Promise<Details> {
    const d = await this.details(p, id);
    if (d === undefined) throw new ServiceError(ERRORS.notFound, `Conversation ${id} was not found.`);
    return d;
  }

  /** GET .../details?id=a,b: those found (and visible), in the order asked; unknown ids are left out. */
  async conversations(p: Principal, ids: readonly string[]): Promise<Details[]> {
    if (ids.length === 0 || ids.length > 100)
      throw invalid(`Give from 1 to 100 conversation ids, got ${ids.length}.`, 'id', 'a comma-separated list of 1 to 100 ids');
    const found: Details[] = [];
    for (const id of ids) {
      const d = await this.details(p, id);
      if (d !== undefined) found.push(d);
    }
    return found;
  }

  async query(p: Principal, q: ConversationQuery): Promise<AnalyticsConversationQueryResponse> {
    const { start, end } = parseInterval(q.interval);
    const conversationFilters = q.conversationFilters ?? [];
    const segmentFilters = q.segmentFilters ?? [];
    const filtered = conversationFilters.length + segmentFilters.length > 0;
    const maxDays = filtered ? MAX_DAYS_FILTERED : MAX_DAYS_UNFILTERED;
    this.checkQuery(q, start, end, maxDays);
    const pageSize = q.paging?.pageSize ?? 25;
    const pageNumber = q.paging?.pageNumber ?? 1;
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      throw invalid(`pageSize must be from 1 to ${MAX_PAGE_SIZE}.`, '/paging/pageSize', `1 to ${MAX_PAGE_SIZE}`);
    if (pageNumber < 1) throw invalid('pageNumber must be 1 or more.', '/paging/pageNumber', 'at least 1');
    if (pageSize * pageNumber > MAX_RESULTS)
      throw invalid('Pagination may not exceed 100000 results.', '/paging', `pageSize × pageNumber ≤ ${MAX_RESULTS}`);
    // Conversations that started on a (UTC) day the interval touches.
    const from = new Date(Math.floor(start.getTime() / DAY) * DAY);
    const to = new Date(Math.ceil(end.getTime() / DAY) * DAY);
    const orderBy = q.orderBy ?? 'conversationStart';
    const desc = q.order === 'desc';
    const offset = (pageNumber - 1) * pageSize;
    // Unfiltered, by start, for a client token: the page comes straight from the index.
    if (!filtered && orderBy === 'conversationStart' && p.userId === undefined) {
      const ids = await this.store.conversationsStartedBetween(p.orgId, from, to, { offset, limit: pageSize, desc });
      const page = (await Promise.all(ids.map((id) => this.details(p, id)))).filter((d): d is Details => d !== undefined);
      return { conversations: page, totalHits: await this.store.countStartedBetween(p.orgId, from, to) };
    }
    const all = await this.select(p, q, from, to);
    return { conversations: all.slice(offset, offset + pageSize), totalHits: all.length };
  }

  /** The interval's length and the predicates' names, checked before anything is read. */
  private checkQuery(q: ConversationQuery | AsyncConversationQuery, start: Date, end: Date, maxDays: number): void {
    const conversationFilters = q.conversationFilters ?? [];
    const segmentFilters = q.segmentFilters ?? [];
    if (end.getTime() - start.getTime() > maxDays * DAY)
      throw invalid(
        `The interval is longer than ${maxDays} days, the most this query ${maxDays === MAX_DAYS_UNFILTERED ? 'without' : 'with'} a filter may cover.`,
        '/interval',
        `at most ${maxDays} days`,
      );
    const unknown = [
      ...unknownNames(conversationFilters, CONVERSATION_DIMENSIONS, 'conversationFilters'),
      ...unknownNames(segmentFilters, SEGMENT_DIMENSIONS, 'segmentFilters'),
    ];
    if (unknown.length > 0)
      throw new ServiceError(
        ERRORS.badRequest,
        `Unsupported or missing dimension in ${unknown.length} predicate(s).`,
        unknown.map((field) => ({ field, code: ERRORS.badRequest.code, message: 'a dimension callbackd answers, or a metric' })),
      );
  }

  /** Every record of the covered days that the caller may see and the filters pass, in the query's order. */
  private async select(p: Principal, q: ConversationQuery | AsyncConversationQuery, from: Date, to: Date): Promise<Details[]> {
    const all: Details[] = [];
    const now = this.clock();
    for (const { conversation, events } of await this.store.startedBetweenWithEvents(p.orgId, from, to)) {
      const d = conversationDetails(conversation.state, events, now);
      if (this.visible(p, d) && matches(d, q.conversationFilters ?? [], q.segmentFilters ?? [])) all.push(d);
    }
    const key = sortKey(q.orderBy ?? 'conversationStart');
    const desc = q.order === 'desc';
    all.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = x === y ? (a.conversationId?.localeCompare(b.conversationId ?? '') ?? 0) : x - y;
      return desc ? -c : c;
    });
    return all;
  }

  // ---- asynchronous jobs: kept in memory (as long as the process), computed in the background ----

  private readonly jobs = new Map<string, Job>();

  async submitJob(p: Principal, q: AsyncConversationQuery): Promise<AsyncQueryResponse> {
    const { start, end } = parseInterval(q.interval);
    this.checkQuery(q, start, end, MAX_DAYS_FILTERED);
    if (q.limit !== undefined && q.limit < 1) throw invalid('limit must be 1 or more.', '/limit', 'at least 1');
    const now = this.clock();
    const job: Job = {
      id: this.newId(),
      orgId: p.orgId,
      userId: p.userId,
      state: 'QUEUED',
      submitted: now,
      expires: new Date(now.getTime() + DAY),
      results: [],
    };
    this.jobs.set(job.id, job);
    // Fulfilled on a later turn of the event loop: a client polls, as it must with the platform.
    setImmediate(() => {
      if (job.state !== 'QUEUED') return;
      this.select(p, q, new Date(Math.floor(start.getTime() / DAY) * DAY), new Date(Math.ceil(end.getTime() / DAY) * DAY)).then(
        (all) => {
          if (job.state !== 'QUEUED') return;
          job.results = q.limit !== undefined ? all.slice(0, q.limit) : all;
          job.state = 'FULFILLED';
          job.completed = this.clock();
        },
        (e: unknown) => {
          job.state = 'FAILED';
          job.error = e instanceof Error ? e.message : String(e);
        },
      );
    });
    return { jobId: job.id };
  }

  private job(p: Principal, id: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined || job.orgId !== p.orgId || job.userId !== p.userId)
      throw new ServiceError(ERRORS.notFound, `Job ${id} was not found.`);
    // Results expire a day after submission, on the service's clock.
    if (job.expires.getTime() <= this.clock().getTime() && job.state !== 'CANCELLED') {
      job.state = 'EXPIRED';
      job.results = [];
    }
    return job;
  }

  jobStatus(p: Principal, id: string): AsyncQueryStatus {
    const job = this.job(p, id);
    return {
      state: job.state,
      submissionDate: job.submitted,
      expirationDate: job.expires,
      ...(job.completed !== undefined ? { completionDate: job.completed } : {}),
      ...(job.error !== undefined ? { errorMessage: job.error } : {}),
    };
  }

  /** A page of a fulfilled job's results; the cursor is where the next page starts. */
  jobResults(p: Principal, id: string, cursor: string | undefined, pageSize: number): AnalyticsConversationAsyncQueryResponse {
    const job = this.job(p, id);
    if (job.state !== 'FULFILLED')
      throw new ServiceError(ERRORS.badRequest, `Job ${id} is ${job.state}: results are available once it is FULFILLED.`);
    const offset = cursor === undefined ? 0 : Number.parseInt(Buffer.from(cursor, 'base64url').toString(), 10);
    if (!Number.isInteger(offset) || offset < 0 || offset > job.results.length)
      throw invalid(`Cursor ${cursor} is not one this job gave.`, 'cursor', 'a cursor from the previous page');
    const next = offset + pageSize;
    return {
      conversations: job.results.slice(offset, next),
      ...(next < job.results.length ? { cursor: Buffer.from(String(next)).toString('base64url') } : {}),
      dataAvailabilityDate: job.completed ?? this.clock(),
    };
  }

  cancelJob(p: Principal, id: string): void {
    const job = this.job(p, id);
    job.state = 'CANCELLED';
    job.results = [];
  }

  availability(): DataAvailabilityResponse {
    return { dataAvailabilityDate: this.clock() };
  }

  // ---- queue observations, from live state ----

  async observeQueues(p: Principal, q: QueueObservationQuery): Promise<QueueObservationQueryResponse> {
    const metrics = q.metrics ?? [];
    const unknown = metrics.filter((m) => !(OBSERVATIONS as readonly string[]).includes(m));
    if (unknown.length > 0 || metrics.length === 0)
      throw invalid(
        `Metrics must be among ${OBSERVATIONS.join(', ')}; got ${JSON.stringify(metrics)}.`,
        '/metrics',
        `some of ${OBSERVATIONS.join(', ')}`,
      );
    const statuses = new Map((await this.store.listRoutingStatuses(p.orgId)).map((r) => [r.userId, r.status]));
    const status = (u: string) => statuses.get(u) ?? 'OFF_QUEUE';
    const conversationMetrics = metrics.filter((m) => CONVERSATION_OBSERVATIONS.has(m));
    const userMetrics = metrics.filter((m) => !CONVERSATION_OBSERVATIONS.has(m));
    const results: NonNullable<QueueObservationQueryResponse['results']> = [];
    for (const queue of await this.store.listQueues(p.orgId)) {
      if (userMetrics.length > 0 && observationFilter(q.filter, { queueId: queue.id, mediaType: '' })) {
        const on = queue.memberIds.filter((u) => status(u) !== 'OFF_QUEUE').length;
        const count = (m: string) =>
          m === 'oOnQueueUsers' ? on : m === 'oOffQueueUsers' ? queue.memberIds.length - on : queue.memberIds.length;
        const data = userMetrics.flatMap((m) =>
          m === 'oUserRoutingStatuses'
            ? ROUTING_STATUSES.map((st) => ({
                metric: m,
                qualifier: st,
                stats: { count: queue.memberIds.filter((u) => status(u) === st).length },
              }))
            : [{ metric: m, stats: { count: count(m) } }],
        );
        results.push({ group: { queueId: queue.id }, data });
      }
      if (conversationMetrics.length > 0 && observationFilter(q.filter, { queueId: queue.id, mediaType: 'callback' })) {
        const counts = await this.store.countByPhase(p.orgId, queue.id);
        const value = (m: string) => (m === 'oWaiting' ? counts.queued : m === 'oAlerting' ? counts.offered : counts.active);
        results.push({
          group: { queueId: queue.id, mediaType: 'callback' },
          data: conversationMetrics.map((m) => ({ metric: m, stats: { count: value(m) } })),
        });
      }
    }
    return { results };
  }
}

interface Job {
  id: string;
  orgId: string;
  userId: string | undefined;
  state: 'QUEUED' | 'FULFILLED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';
  submitted: Date;
  expires: Date;
  completed?: Date;
  error?: string;
  results: Details[];
}

/** The observation metrics callbackd computes: of callbacks per queue (waiting, alerting, with an agent), of members per queue. */
export const OBSERVATIONS = [
  'oWaiting',
  'oAlerting',
  'oInteracting',
  'oOnQueueUsers',
  'oOffQueueUsers',
  'oMemberUsers',
  'oActiveUsers',
  'oUserRoutingStatuses',
] as const;
const CONVERSATION_OBSERVATIONS: ReadonlySet<string> = new Set(['oWaiting', 'oAlerting', 'oInteracting']);
const ROUTING_STATUSES = ['IDLE', 'INTERACTING', 'NOT_RESPONDING', 'OFF_QUEUE'] as const;

/** Whether an observation filter holds for a group; user groups have no medium, so mediaType predicates pass them. */
function observationFilter(f: QueueObservationQuery['filter'], group: { queueId: string; mediaType: string }): boolean {
  const test = (p: { dimension?: string; operator?: string; value?: string }) => {
    if (p.dimension === 'mediaType' && group.mediaType === '') return true;
    const v = p.dimension === 'queueId' ? group.queueId : p.dimension === 'mediaType' ? group.mediaType : undefined;
    if (p.operator === 'exists') return v !== undefined;
    if (p.operator === 'notExists') return v === undefined;
    return v !== undefined && p.value !== undefined && v.toLowerCase() === p.value.toLowerCase();
  };
  const parts = [
    ...(f.clauses ?? []).map((c) => (c.type === 'or' ? (c.predicates ?? []).some(test) : (c.predicates ?? []).every(test))),
    ...(f.predicates ?? []).map(test),
  ];
  return f.type === 'or' ? parts.some(Boolean) : parts.every(Boolean);
}

/** What a query orders by, as a number (conversations not ended, or without segments, last). */
function sortKey(orderBy: string): (d: Details) => number {
  const segmentTimes = (d: Details, end: boolean) =>
    (d.participants ?? []).flatMap((p) =>
      (p.sessions ?? []).flatMap((s) =>
        (s.segments ?? []).flatMap((g) => {
          const t = end ? g.segmentEnd : g.segmentStart;
          return t !== undefined ? [t.getTime()] : [];
        }),
      ),
    );
  switch (orderBy) {
    case 'conversationEnd':
      return (d) => d.conversationEnd?.getTime() ?? Number.MAX_SAFE_INTEGER;
    case 'segmentStart':
      return (d) => Math.min(...segmentTimes(d, false), Number.MAX_SAFE_INTEGER);
    case 'segmentEnd':
      return (d) => Math.max(...segmentTimes(d, true), 0) || Number.MAX_SAFE_INTEGER;
    default:
      return (d) => d.conversationStart?.getTime() ?? 0;
  }
}
