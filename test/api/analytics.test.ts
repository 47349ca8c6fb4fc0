// Conversation details through the official SDK's AnalyticsApi, on the manual clock, where every metric is exact:
// whole lives (answered, missed, parked, transferred) with each segment and metric checked, then the detail query's
// interval rule, limits, filters, order and paging, and who may see what.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, AGENT2, QUEUE, RESOLVED, TestClock, client, server } from './helpers.js';

let srv: RunningServer;
let clock: TestClock;
let api: ReturnType<typeof client>;
let app: string;
let agent1: string;
let agent2: string;
const sdk = platformClient.ApiClient.instance;
const analytics = new platformClient.AnalyticsApi();

beforeAll(async () => {
  clock = new TestClock(new Date('2026-06-01T09:00:00.000Z'));
  srv = await server({ clock, routing: false });
  api = client(srv.url);
  sdk.config.live_reload_config = false;
  sdk.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(new URL(srv.url).port) });
  app = await api.app();
  agent1 = await api.agent(1);
  agent2 = await api.agent(2);
});
afterAll(async () => srv.close());

const advance = async (seconds: number) => {
  const r = await api.call('POST', '/emulator/clock', { token: app, body: { advance: seconds * 1000 } });
  expect(r.status).toBe(200);
};
const iso = (t: Date) => t.toISOString();
const at = (base: Date, seconds: number) => iso(new Date(base.getTime() + seconds * 1000));

async function create(body: Record<string, unknown> = {}): Promise<string> {
  const r = await api.call('POST', '/api/v2/conversations/callbacks', {
    token: app,
    body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], ...body },
  });
  return r.json.conversation.id as string;
}
async function offer(id: string, user = AGENT1): Promise<string> {
  await api.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: user } });
  const legs = (await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants;
  return legs.filter((p: any) => p.purpose === 'agent').at(-1).id as string;
}
const leg = (id: string, pid: string, body: unknown, token = agent1) =>
  api.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}`, { token, body });

/** A session's segments as [type, seconds from `base` to start, seconds long, disconnectType?]. */
function shape(session: platformClient.Models.AnalyticsSession | undefined, base: Date) {
  return (session?.segments ?? []).map((s) => [
    s.segmentType,
    (Date.parse(s.segmentStart as string) - base.getTime()) / 1000,
    s.segmentEnd === undefined ? null : (Date.parse(s.segmentEnd) - Date.parse(s.segmentStart as string)) / 1000,
    ...(s.disconnectType !== undefined ? [s.disconnectType] : []),
  ]);
}
const metrics = (session: platformClient.Models.AnalyticsSession | undefined) =>
  Object.fromEntries((session?.metrics ?? []).map((m) => [m.name, m.value]));
const byPurpose = (d: platformClient.Models.AnalyticsConversationWithoutAttributes, purpose: string, n = 0) =>
  d.participants?.filter((p) => p.purpose === purpose)[n];

describe('conversation details', () => {
  it('a scheduled callback offered 5 s, answered, dialed, talked 60 s, held 10 s, wrapped up in 30 s: every segment and metric', async () => {
    const t0 = clock.now();
    const id = await create({ callbackScheduledTime: at(t0, 600), callbackUserName: 'Pat Doe' });
    await advance(600);
    const pid = await offer(id);
    await advance(5);
    await leg(id, pid, { state: 'connected' });
    await api.call('POST', `/api/v2/conversations/calls/${id}`, { token: agent1, body: { callNumber: '+13175550100' } });
    await advance(60);
    await leg(id, pid, { held: true });
    await advance(10);
    await leg(id, pid, { held: false });
    await advance(20);
    await leg(id, pid, { state: 'disconnected' });
    await advance(30);
    await leg(id, pid, { wrapup: { code: RESOLVED, notes: 'Called back' } });

    sdk.setAccessToken(app);
    const d = await analytics.getAnalyticsConversationDetails(id);
    expect(d).toMatchObject({
      conversationId: id,
      conversationStart: iso(t0),
      conversationEnd: at(t0, 695),
      originatingDirection: 'outbound',
    });
    const acd = byPurpose(d, 'acd')?.sessions?.[0];
    expect(acd).toMatchObject({ mediaType: 'callback', callbackNumbers: ['+13175550100'], callbackUserName: 'Pat Doe', agentOwned: false });
    expect(shape(acd, t0)).toEqual([
      ['scheduled', 0, 600],
      ['interact', 600, 5, 'transfer'],
    ]);
    // The call was placed 5 s after the callback entered the queue.
    expect(metrics(acd)).toEqual({ nOffered: 1, tAcd: 5000, nCallbackScheduled: 1, tCallbackConnect: 5000 });
    const agent = byPurpose(d, 'agent');
    expect(agent?.userId).toBe(AGENT1);
    const session = agent?.sessions?.[0];
    expect(shape(session, t0)).toEqual([
      ['alert', 600, 5],
      ['interact', 605, 60],
      ['hold', 665, 10],
      ['interact', 675, 20, 'client'],
      ['wrapup', 695, 30],
    ]);
    expect(session?.segments?.at(-1)).toMatchObject({ wrapUpCode: RESOLVED, wrapUpNote: 'Called back', queueId: QUEUE });
    expect(metrics(session)).toEqual({
      tAlert: 5000,
      tAnswered: 5000,
      tTalk: 80000,
      tHeld: 10000,
      tAcw: 30000,
      tHandle: 120000,
      nCallbackAttempts: 1,
    });
    // The call placed to the customer is a voice session of the customer.
    const customer = byPurpose(d, 'customer');
    expect(customer?.sessions?.map((s) => s.mediaType)).toEqual(['callback', 'voice']);
    expect(customer?.sessions?.[1]).toMatchObject({ direction: 'outbound', addressTo: '+13175550100' });
    expect(shape(customer?.sessions?.[1], t0)).toEqual([['interact', 605, 90]]);
  });

  it('a missed offer, a park and resume, a transfer: the segments and metrics of each leg', async () => {
    const t0 = clock.now();
    const id = await create();
    // Agent 1 lets it ring out (30 s alerting timeout on this queue).
    await offer(id, AGENT1);
    await advance(30);
    // Agent 2 answers after 2 s, parks it for 60 s (resumed by its resume time), then transfers it to agent 1.
    await advance(10);
    const p2 = await offer(id, AGENT2);
    await advance(2);
    await leg(id, p2, { state: 'connected' }, agent2);
    await advance(8);
    await leg(id, p2, { state: 'parked', resumeTime: at(t0, 110) }, agent2);
    await advance(60);
    await advance(15);
    await api.call('POST', `/api/v2/conversations/${id}/participants/${p2}/replace/agent`, { token: agent2, body: { userId: AGENT1 } });
    sdk.setAccessToken(app);
    const d = await analytics.getAnalyticsConversationDetails(id);
    const missed = byPurpose(d, 'agent', 0)?.sessions?.[0];
    expect(shape(missed, t0)).toEqual([['alert', 0, 30, 'system']]);
    expect(metrics(missed)).toEqual({ tNotResponding: 30000 });
    const parked = byPurpose(d, 'agent', 1)?.sessions?.[0];
    expect(shape(parked, t0)).toEqual([
      ['alert', 40, 2],
      ['interact', 42, 8],
      ['parked', 50, 60],
      ['interact', 110, 15, 'transfer'],
      // After-call work goes on (this queue's ACW is mandatory, with a timeout): the segment has no end yet.
      ['wrapup', 125, null],
    ]);
    expect(metrics(parked)).toMatchObject({ tAlert: 2000, tTalk: 23000, tPark: 60000 });
    // Handle time is emitted once every segment has ended.
    expect(metrics(parked).tHandle).toBeUndefined();
    // It waited 42 s until agent 2 answered; not ended and no call placed: no outcome yet.
    expect(metrics(byPurpose(d, 'acd')?.sessions?.[0])).toEqual({ nOffered: 1, tAcd: 42000 });
    const third = byPurpose(d, 'agent', 2);
    expect(third?.userId).toBe(AGENT1);
    expect(shape(third?.sessions?.[0], t0)).toEqual([['alert', 125, null]]);
  });
});

describe('the detail query', () => {
  const day = (d: string) => `${d}T00:00:00.000Z/${d}T23:59:59.999Z`;

  it('includes conversations that started on a day the interval touches; refuses long intervals and deep pages', async () => {
    sdk.setAccessToken(app);
    const all = await analytics.postAnalyticsConversationsDetailsQuery({ interval: day('2026-06-01') });
    const ids = all.conversations?.map((c) => c.conversationId) ?? [];
    expect(all.totalHits).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    // One minute at noon still covers the whole day: the conversations started at 09:00 are in.
    const minute = await analytics.postAnalyticsConversationsDetailsQuery({
      interval: '2026-06-01T12:00:00.000Z/2026-06-01T12:01:00.000Z',
    });
    expect(minute.conversations?.map((c) => c.conversationId)).toEqual(ids);
    expect((await analytics.postAnalyticsConversationsDetailsQuery({ interval: day('2026-06-02') })).conversations ?? []).toEqual([]);
    const refused = (body: platformClient.Models.ConversationQuery) =>
      analytics.postAnalyticsConversationsDetailsQuery(body).then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await refused({ interval: '2026-06-01T00:00:00Z/2026-06-09T00:00:01Z' })).toMatchObject({
      status: 400,
      message: expect.stringMatching(/7 days/),
    });
    const filter = [{ type: 'and' as const, predicates: [{ dimension: 'queueId', value: QUEUE }] }];
    expect(await refused({ interval: '2026-06-01T00:00:00Z/2026-06-09T00:00:01Z', segmentFilters: filter })).toBeUndefined();
    expect(await refused({ interval: '2026-05-01T00:00:00Z/2026-06-02T00:00:00Z', segmentFilters: filter })).toMatchObject({
      message: expect.stringMatching(/31 days/),
    });
    expect(await refused({ interval: day('2026-06-01'), paging: { pageSize: 100, pageNumber: 1001 } })).toMatchObject({
      status: 400,
      message: 'Pagination may not exceed 100000 results.',
    });
    expect(await refused({ interval: 'yesterday' })).toMatchObject({ status: 400, details: [{ fieldName: '/interval' }] });
    expect(
      await refused({ interval: day('2026-06-01'), segmentFilters: [{ type: 'and', predicates: [{ dimension: 'mood', value: 'x' }] }] }),
    ).toMatchObject({
      status: 400,
      details: [{ fieldName: '/segmentFilters/0/predicates/0/dimension' }],
    });
  });

  it('filters: each segment filter matches some segment; conversation metrics by range; exists; order and paging', async () => {
    sdk.setAccessToken(app);
    const q = (body: Omit<platformClient.Models.ConversationQuery, 'interval'>) =>
      analytics
        .postAnalyticsConversationsDetailsQuery({ interval: day('2026-06-01'), ...body })
        .then((r) => r.conversations?.map((c) => c.conversationId) ?? []);
    const all = await q({});
    const held = await q({ segmentFilters: [{ type: 'and', predicates: [{ dimension: 'segmentType', value: 'hold' }] }] });
    expect(held).toHaveLength(1);
    // Two filters that hold on different segments of that conversation: it matches (not a join of one segment).
    const split = await q({
      segmentFilters: [
        { type: 'and', predicates: [{ dimension: 'segmentType', value: 'hold' }] },
        { type: 'and', predicates: [{ dimension: 'segmentType', value: 'scheduled' }] },
      ],
    });
    expect(split).toEqual(held);
    // In one filter (and), both on the same segment: nothing.
    expect(
      await q({
        segmentFilters: [
          {
            type: 'and',
            predicates: [
              { dimension: 'segmentType', value: 'hold' },
              { dimension: 'segmentType', value: 'scheduled' },
            ],
          },
        ],
      }),
    ).toEqual([]);
    const either = await q({
      segmentFilters: [
        {
          type: 'or',
          predicates: [
            { dimension: 'segmentType', value: 'hold' },
            { dimension: 'segmentType', value: 'parked' },
          ],
        },
      ],
    });
    expect(either).toHaveLength(2);
    expect(
      await q({ conversationFilters: [{ type: 'and', predicates: [{ type: 'metric', metric: 'tTalk', range: { gte: 80000 } }] }] }),
    ).toEqual(held);
    expect(
      await q({ conversationFilters: [{ type: 'and', predicates: [{ metric: 'tNotResponding', operator: 'exists' }] }] }),
    ).toHaveLength(1);
    expect(
      await q({ conversationFilters: [{ type: 'and', predicates: [{ dimension: 'conversationEnd', operator: 'notExists' }] }] }),
    ).toHaveLength(1);
    expect(await q({ segmentFilters: [{ type: 'and', predicates: [{ dimension: 'wrapUpCode', value: RESOLVED }] }] })).toEqual(held);
    expect(
      await q({
        segmentFilters: [
          {
            type: 'and',
            clauses: [
              {
                type: 'and',
                predicates: [
                  { dimension: 'userId', value: AGENT2 },
                  { dimension: 'segmentType', value: 'parked' },
                ],
              },
            ],
          },
        ],
      }),
    ).toHaveLength(1);
    // Order and paging.
    const desc = await q({ order: 'desc' });
    expect(desc).toEqual([...all].reverse());
    const first = await q({ paging: { pageSize: 1, pageNumber: 1 } });
    const second = await q({ paging: { pageSize: 1, pageNumber: 2 } });
    expect([...first, ...second]).toEqual(all.slice(0, 2));
    expect(await q({ orderBy: 'conversationEnd' })).toEqual([held[0], ...all.filter((x) => x !== held[0])]);
  });

  it('several by id; a user token sees only conversations its user took part in', async () => {
    sdk.setAccessToken(app);
    const all =
      (await analytics.postAnalyticsConversationsDetailsQuery({ interval: day('2026-06-01') })).conversations?.map(
        (c) => c.conversationId as string,
      ) ?? [];
    const many = await analytics.getAnalyticsConversationsDetails({ id: [...all, 'no-such-conversation'] });
    expect(many.conversations?.map((c) => c.conversationId)).toEqual(all);
    // Agent 2 took part only in the second life.
    sdk.setAccessToken(agent2);
    const mine = (await analytics.postAnalyticsConversationsDetailsQuery({ interval: day('2026-06-01') })).conversations?.map(
      (c) => c.conversationId,
    );
    expect(mine).toEqual([all[1]]);
    expect(
      await analytics.getAnalyticsConversationDetails(all[0] as string).then(
        () => 'seen',
        (e: { status: number }) => e.status,
      ),
    ).toBe(404);
  });
});

describe('queue observations and detail jobs', () => {
  it('observes what a queue holds now: callbacks waiting, alerting, with an agent; members on and off queue', async () => {
    // On the shared server: the earlier lives left one callback alerting agent 1 (the transferred one) and none waiting.
    const waiting = await create();
    const alerting = await create();
    await offer(alerting, AGENT2);
    await api.call('PUT', `/api/v2/users/${AGENT2}/routingstatus`, { token: agent2, body: { status: 'IDLE' } });
    sdk.setAccessToken(app);
    const res = await analytics.postAnalyticsQueuesObservationsQuery({
      filter: { type: 'or', predicates: [{ dimension: 'queueId', value: QUEUE }] },
      metrics: ['oWaiting', 'oAlerting', 'oInteracting', 'oMemberUsers', 'oOnQueueUsers', 'oUserRoutingStatuses'],
    });
    const byGroup = (mediaType?: string) => res.results?.find((r) => r.group?.queueId === QUEUE && r.group?.mediaType === mediaType);
    const counts = (mediaType?: string) =>
      Object.fromEntries(
        (byGroup(mediaType)?.data ?? []).map((d) => [d.qualifier !== undefined ? `${d.metric}:${d.qualifier}` : d.metric, d.stats?.count]),
      );
    expect(counts('callback')).toEqual({ oWaiting: 1, oAlerting: 2, oInteracting: 0 });
    expect(counts(undefined)).toEqual({
      oMemberUsers: 2,
      oOnQueueUsers: 1,
      'oUserRoutingStatuses:IDLE': 1,
      'oUserRoutingStatuses:INTERACTING': 0,
      'oUserRoutingStatuses:NOT_RESPONDING': 0,
      'oUserRoutingStatuses:OFF_QUEUE': 1,
    });
    expect(res.results).toHaveLength(2);
    // Another medium has no callbacks: only the users' group answers.
    const voice = await analytics.postAnalyticsQueuesObservationsQuery({
      filter: {
        type: 'and',
        predicates: [
          { dimension: 'queueId', value: QUEUE },
          { dimension: 'mediaType', value: 'voice' },
        ],
      },
      metrics: ['oWaiting', 'oMemberUsers'],
    });
    expect(voice.results?.map((r) => r.group)).toEqual([{ queueId: QUEUE }]);
    const bad = await analytics
      .postAnalyticsQueuesObservationsQuery({ filter: { type: 'and' }, metrics: ['oMood'] })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, details: [{ fieldName: '/metrics' }] });
    expect((await api.call('GET', `/api/v2/conversations/callbacks/${waiting}`, { token: app })).json.participants).toHaveLength(2);
  });

  it('a detail job: QUEUED, then FULFILLED, results by cursor, cancel, and EXPIRED a day later', async () => {
    sdk.setAccessToken(app);
    const interval = '2026-06-01T00:00:00.000Z/2026-06-02T00:00:00.000Z';
    const direct = (
      await analytics.postAnalyticsConversationsDetailsQuery({ interval, paging: { pageSize: 100, pageNumber: 1 } })
    ).conversations?.map((c) => c.conversationId);
    const { jobId } = await analytics.postAnalyticsConversationsDetailsJobs({ interval });
    const first = await analytics.getAnalyticsConversationsDetailsJob(jobId as string);
    expect(['QUEUED', 'FULFILLED']).toContain(first.state);
    let status = first;
    for (let i = 0; i < 50 && status.state !== 'FULFILLED'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      status = await analytics.getAnalyticsConversationsDetailsJob(jobId as string);
    }
    expect(status).toMatchObject({ state: 'FULFILLED', submissionDate: iso(clock.now()), expirationDate: at(clock.now(), 86400) });
    // Page by page with the cursor: the same conversations as the direct query, in the same order.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await analytics.getAnalyticsConversationsDetailsJobResults(jobId as string, {
        pageSize: 2,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      seen.push(...(page.conversations ?? []).map((c) => c.conversationId as string));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(direct);
    // A limit, and a cancelled job.
    const limited = (await analytics.postAnalyticsConversationsDetailsJobs({ interval, limit: 1 })).jobId as string;
    const cancelled = (await analytics.postAnalyticsConversationsDetailsJobs({ interval })).jobId as string;
    await analytics.deleteAnalyticsConversationsDetailsJob(cancelled);
    expect((await analytics.getAnalyticsConversationsDetailsJob(cancelled)).state).toBe('CANCELLED');
    await new Promise((r) => setTimeout(r, 20));
    expect((await analytics.getAnalyticsConversationsDetailsJobResults(limited)).conversations).toHaveLength(1);
    // Another organization's client does not see the job.
    const other = (await api.token({ grant_type: 'client_credentials' }, 'other-client:other-secret')).json.access_token as string;
    expect((await api.call('GET', `/api/v2/analytics/conversations/details/jobs/${jobId}`, { token: other })).status).toBe(404);
    // A day later on the manual clock, the results are gone.
    await advance(86400);
    sdk.setAccessToken(await api.app()); // the old token lived a day too
    expect((await analytics.getAnalyticsConversationsDetailsJob(jobId as string)).state).toBe('EXPIRED');
    const gone = await analytics.getAnalyticsConversationsDetailsJobResults(jobId as string).catch((e: unknown) => e);
    expect(gone).toMatchObject({ status: 400, message: expect.stringMatching(/EXPIRED/) });
  });
});

describe('how callbacks end', () => {
  it('abandoned before any agent answered; not reached when an agent answered but no call was placed', async () => {
    // A server of its own, so that the shared one's day keeps the lives the query tests count.
    const own = await server({ clock: new TestClock(new Date('2026-06-03T09:00:00.000Z')), routing: false });
    const c = client(own.url);
    const token = await c.app();
    const agent = await c.agent(1);
    const t0 = new Date('2026-06-03T09:00:00.000Z');
    const move = (seconds: number) => c.call('POST', '/emulator/clock', { token, body: { advance: seconds * 1000 } });
    const make = async () =>
      (await c.call('POST', '/api/v2/conversations/callbacks', { token, body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] } })).json
        .conversation.id as string;
    const abandoned = await make();
    await move(20);
    expect((await c.call('POST', `/api/v2/conversations/${abandoned}/disconnect`, { token })).status).toBe(202);
    const notReached = await make();
    await c.call('POST', `/api/v2/conversations/${notReached}/assign`, { token, body: { id: AGENT1 } });
    const pid = (await c.call('GET', `/api/v2/conversations/callbacks/${notReached}`, { token })).json.participants.find(
      (p: any) => p.purpose === 'agent',
    ).id;
    await move(3);
    await c.call('PATCH', `/api/v2/conversations/callbacks/${notReached}/participants/${pid}`, {
      token: agent,
      body: { state: 'connected' },
    });
    await move(7);
    expect((await c.call('POST', `/api/v2/conversations/${notReached}/disconnect`, { token })).status).toBe(202);
    const details = async (id: string) => (await c.call('GET', `/api/v2/analytics/conversations/${id}/details`, { token })).json;
    const acdMetrics = (d: any) =>
      Object.fromEntries(d.participants.find((p: any) => p.purpose === 'acd').sessions[0].metrics.map((m: any) => [m.name, m.value]));
    const a = await details(abandoned);
    expect(a.conversationEnd).toBe(at(t0, 20));
    expect(acdMetrics(a)).toEqual({ nOffered: 1, tAcd: 20000, tCallbackAbandon: 20000 });
    const n = await details(notReached);
    expect(acdMetrics(n)).toEqual({ nOffered: 1, tAcd: 3000, tCallbackNotReached: 10000 });
    await own.close();
  });
});
