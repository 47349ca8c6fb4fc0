// Conversation details (analytics): the detail query, one conversation's details, several by id. Every record is
// computed from the conversation and its events in the log (analytics-details.ts); which conversations an interval
// covers comes from the store's index of start times. A client token sees its organization; a user token the
// conversations its user took part in as an agent (what analytics:agentConversationDetail:view allows).
import { ERRORS, ServiceError } from '../errors.js';
import {
  parseDateTime,
  type AnalyticsConversationQueryResponse,
  type AnalyticsConversationWithoutAttributes as Details,
  type ConversationQuery,
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
    if (end.getTime() - start.getTime() > maxDays * DAY)
      throw invalid(
        `The interval is longer than ${maxDays} days, the most a detail query ${filtered ? 'with' : 'without'} a filter may cover.`,
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
    const all: Details[] = [];
    const now = this.clock();
    for (const { conversation, events } of await this.store.startedBetweenWithEvents(p.orgId, from, to)) {
      const d = conversationDetails(conversation.state, events, now);
      if (this.visible(p, d) && matches(d, conversationFilters, segmentFilters)) all.push(d);
    }
    const key = sortKey(orderBy);
    all.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = x === y ? (a.conversationId?.localeCompare(b.conversationId ?? '') ?? 0) : x - y;
      return desc ? -c : c;
    });
    return { conversations: all.slice(offset, offset + pageSize), totalHits: all.length };
  }
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
