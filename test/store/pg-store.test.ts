// The PostgreSQL store's own ways (issue 15): new conversations group-committed in one call per organization, and a
// process that tells its own commits without reading them back from the log, while what another process commits is
// read and told. Against a real PostgreSQL cluster started for the test.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, conversationIndex, createCallback, type CallbackConversationState } from '../../src/lifecycle/index.js';
import { PgStore } from '../../src/store/pg/store.js';
import { encodeState } from '../../src/store/state-codec.js';
import type { CommittedChange, ConversationWrite, LogEvent } from '../../src/store/types.js';
import { AGENT, queue, T0 } from '../lifecycle/helpers.js';
import { useCluster } from '../support/postgres.js';

const postgres = useCluster({ beforeAll, afterAll });
const ORG = 'org-1';
const seed = { organizations: [{ id: ORG, name: 'o' }], clients: [], users: [], wrapupCodes: [], queues: [] };

const created = (id: string) => createCallback({ type: 'create', conversationId: id, queue: queue(), callbackNumbers: ['+1'] }, T0);
const write = (state: CallbackConversationState, events: readonly LogEvent[] | undefined, expectedVersion?: number): ConversationWrite => ({
  orgId: ORG,
  state,
  recordingState: 'NONE',
  index: conversationIndex(state),
  ...(events !== undefined ? { events } : {}),
  ...(expectedVersion !== undefined ? { expectedVersion } : {}),
});

async function opened(name: string): Promise<{ store: PgStore; url: string; db: pg.Pool }> {
  const url = await postgres.cluster().database(name);
  const store = await PgStore.open(url);
  await store.seed(seed);
  return { store, url, db: new pg.Pool({ connectionString: url, max: 1 }) };
}

describe.runIf(postgres.available)('the PostgreSQL store', () => {
  it('creates asked for together are written in one transaction, numbered in order, told in order', async () => {
    const { store, db } = await opened('group_commit');
    const told: CommittedChange[] = [];
    store.onCommitted = (c) => told.push(c);
    const ids = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const creates = ids.map(created);
    await Promise.all(creates.map((c) => store.commitConversation(write(c.state, c.events))));
    // One transaction wrote them all (the same xmin), and each row's last event is its own.
    const rows = (await db.query('SELECT id, xmin::text AS tx, last_event FROM conversations ORDER BY id')).rows;
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(new Set(rows.map((r) => r.tx)).size).toBe(1);
    const perCreate = creates[0]?.events.length ?? 0;
    expect(rows.map((r) => Number(r.last_event))).toEqual(ids.map((_, i) => (i + 1) * perCreate));
    // The log: gapless, each conversation's events a chain starting with no predecessor.
    const events = (await db.query('SELECT seq, conversation_id, prev_seq, type FROM events ORDER BY seq')).rows;
    expect(events.map((e) => Number(e.seq))).toEqual(Array.from({ length: ids.length * perCreate }, (_, i) => i + 1));
    expect(events.filter((e) => e.prev_seq === null).map((e) => e.conversation_id)).toEqual(ids);
    expect(events.map((e) => e.type)).toEqual(creates.flatMap((c) => c.events.map((e) => e.type)));
    expect(told.map((c) => c.conversation?.state.id)).toEqual(ids);
    expect(told.flatMap((c) => c.events.map((e) => e.seq))).toEqual(events.map((e) => Number(e.seq)));
    expect(await store.getConversation(ORG, 'c07')).toMatchObject({ state: { id: 'c07', version: 1 } });
    await db.end();
    await store.close();
  });

  it('a conversation not decoded in this process is peeked at as its stored text, with its next deadline', async () => {
    const { store, url, db } = await opened('peek');
    const c = created('p1');
    await store.commitConversation(write(c.state, c.events));
    // Its writer has it decoded.
    expect(await store.peekConversation(ORG, 'p1')).toMatchObject({ state: { id: 'p1', version: 1 } });
    const other = await PgStore.open(url);
    try {
      const peeked = await other.peekConversation(ORG, 'p1');
      expect(peeked).toEqual({
        orgId: ORG,
        text: encodeState(c.state),
        nextDeadline: conversationIndex(c.state).nextDeadline?.getTime() ?? null,
      });
      const offered = apply(c.state, { type: 'offer', agent: AGENT }, T0);
      await store.commitConversation(write(offered.state, offered.events, 1));
      // Stored in its row as written: not compressed (past ~2 KB PostgreSQL would compress it on each write).
      const row = (await db.query("SELECT pg_column_compression(body) AS how, length(body) AS n FROM conversations WHERE id = 'p1'"))
        .rows[0];
      expect(row.n).toBeGreaterThan(2100);
      expect(row.how).toBeNull();
      expect(await other.peekConversation(ORG, 'p1')).toEqual({
        orgId: ORG,
        text: encodeState(offered.state),
        nextDeadline: T0.getTime() + 30_000,
      });
      // Once decoded there, and while it is current, the decoded one.
      await other.getConversation(ORG, 'p1');
      expect(await other.peekConversation(ORG, 'p1')).toMatchObject({ state: { id: 'p1', version: 2 } });
      expect(await other.peekConversation('org-2', 'p1')).toBeUndefined();
      expect(await other.peekConversation(ORG, 'nope')).toBeUndefined();
    } finally {
      await other.close();
      await db.end();
      await store.close();
    }
  });

  it("the next group is sent before the last one's callers are answered, and numbered after it", async () => {
    const { store, db } = await opened('group_overlap');
    const order: string[] = [];
    store.onCommitted = (c) => order.push(`told ${c.conversation?.state.id}`);
    const raw = store as unknown as { session: (...args: unknown[]) => Promise<unknown> };
    const session = raw.session.bind(store);
    raw.session = (...args: unknown[]) => (order.push('sent'), session(...args));
    // The organization's row held by another transaction: the first group waits in PostgreSQL while the second forms.
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [ORG]);
    const first = ['a1', 'a2'].map(created).map((c) => store.commitConversation(write(c.state, c.events)));
    while (!order.includes('sent')) await new Promise((resolve) => setImmediate(resolve));
    const second = ['b1', 'b2'].map(created).map((c) => store.commitConversation(write(c.state, c.events)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(['sent']);
    await holder.query('COMMIT');
    holder.release();
    await Promise.all([...first, ...second]);
    expect(order).toEqual(['sent', 'sent', 'told a1', 'told a2', 'told b1', 'told b2']);
    const rows = (await db.query('SELECT id, last_event FROM conversations ORDER BY last_event')).rows;
    expect(rows.map((r) => r.id)).toEqual(['a1', 'a2', 'b1', 'b2']);
    await db.end();
    await store.close();
  });

  it('one create of a group failing fails alone: the others are written, numbered without a gap', async () => {
    const { store, db } = await opened('group_failure');
    await db.query(`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
      CREATE TRIGGER boom BEFORE INSERT ON conversations FOR EACH ROW WHEN (NEW.id = 'bad') EXECUTE FUNCTION boom()`);
    const told: CommittedChange[] = [];
    store.onCommitted = (c) => told.push(c);
    const [x, bad, y] = [created('x'), created('bad'), created('y')];
    const results = await Promise.allSettled([
      store.commitConversation(write(x.state, x.events)),
      store.commitConversation(write(bad.state, bad.events)),
      store.commitConversation(write(y.state, y.events)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/boom/);
    expect((await db.query('SELECT id FROM conversations ORDER BY id')).rows.map((r) => r.id)).toEqual(['x', 'y']);
    const n = x.events.length;
    expect((await db.query('SELECT seq FROM events ORDER BY seq')).rows.map((r) => Number(r.seq))).toEqual(
      Array.from({ length: 2 * n }, (_, i) => i + 1),
    );
    expect(told.map((c) => [c.conversation?.state.id, c.events[0]?.seq])).toEqual([
      ['x', 1],
      ['y', n + 1],
    ]);
    await db.end();
    await store.close();
  });

  it("its own commits are told without reading the log; another process's are read from it and told in order", async () => {
    const { store, url, db } = await opened('own_commits');
    const other = await PgStore.open(url);
    const told: CommittedChange[] = [];
    store.onCommitted = (c) => told.push(c);
    let reads = 0;
    const readEvents = store.readEvents.bind(store);
    store.readEvents = (...args) => (reads++, readEvents(...args));
    // Concurrent creates, then concurrent changes of each (separate transactions, answered in any order).
    const creates = Array.from({ length: 30 }, (_, i) => created(`own${i}`));
    await Promise.all(creates.map((c) => store.commitConversation(write(c.state, c.events))));
    await Promise.all(
      creates.map((c) => {
        const offered = apply(c.state, { type: 'offer', agent: AGENT }, T0);
        return store.commitConversation(write(offered.state, offered.events, c.state.version));
      }),
    );
    // Its own notifications come back on its listener: give them time to be (wrongly) read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reads).toBe(0);
    expect(told).toHaveLength(60);
    expect(told.every((c) => c.remote !== true)).toBe(true);
    const seqs = told.flatMap((c) => c.events.map((e) => e.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    // Another process's create: read from the log, told as remote, with the conversation as stored.
    const theirs = created('theirs');
    await other.commitConversation(write(theirs.state, theirs.events));
    await expect.poll(() => told.length).toBe(61);
    expect(reads).toBeGreaterThan(0);
    expect(told[60]).toMatchObject({ remote: true, conversation: { state: { id: 'theirs' } } });
    expect(told[60]?.events.map((e) => e.seq)).toEqual(theirs.events.map((_, i) => seqs.length + i + 1));
    await db.end();
    await other.close();
    await store.close();
  });

  it("changes of a batch (the scheduler's) go in one statement; a lost race, a lost routing status and a failing row fail alone", async () => {
    const { store, db } = await opened('change_batch');
    await db.query(`INSERT INTO routing_status (user_id, org_id, status, since) VALUES ('${AGENT.id}', '${ORG}', 'IDLE', 0)`);
    await db.query(`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
      CREATE TRIGGER boom BEFORE INSERT ON conversation_agents FOR EACH ROW WHEN (NEW.user_id = 'boom') EXECUTE FUNCTION boom()`);
    const made = ['a', 'b', 'c', 'd', 'e'].map(created);
    for (const m of made) await store.commitConversation(write(m.state, m.events));
    const [a, b, c, d, e] = made.map((m) => m.state) as CallbackConversationState[];
    const afterCreates = Number((await db.query('SELECT max(seq) AS n FROM events')).rows[0].n);
    // b changes after the batch read it: the batch's write of b is stale.
    const bNow = apply(b as CallbackConversationState, { type: 'offer', agent: { id: 'other' } }, T0);
    await store.commitConversation(write(bNow.state, bNow.events, 1));
    const seqBefore = Number((await db.query('SELECT max(seq) AS n FROM events')).rows[0].n);
    const told: CommittedChange[] = [];
    store.onCommitted = (ch) => told.push(ch);
    const offer = (s: CallbackConversationState, agentId: string) => apply(s, { type: 'offer', agent: { id: agentId } }, T0);
    const aw = offer(a as CallbackConversationState, AGENT.id);
    const moved = { orgId: ORG, userId: AGENT.id, status: 'INTERACTING' as const, startTime: T0 };
    const writes: ConversationWrite[] = [
      { ...write(aw.state, aw.events, 1), routing: [{ from: 'IDLE', to: moved }] },
      write(offer(b as CallbackConversationState, 'x').state, offer(b as CallbackConversationState, 'x').events, 1),
      write(offer(c as CallbackConversationState, 'boom').state, offer(c as CallbackConversationState, 'boom').events, 1),
      // The agent is no longer IDLE (a's write moved them): d's routing move is lost.
      { ...write(offer(d as CallbackConversationState, 'y').state, undefined, 1), routing: [{ from: 'IDLE', to: moved }] },
      write(offer(e as CallbackConversationState, 'z').state, offer(e as CallbackConversationState, 'z').events, 1),
    ];
    let statements = 0;
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    const results = await store.commitConversations(writes).finally(() => (pg.Client.prototype.query = query));
    expect(statements).toBe(4); // BEGIN, SAVEPOINT, the batch, COMMIT
    expect(results.map((r) => (r.ok ? 'ok' : r.conflict ? 'conflict' : 'failed'))).toEqual(['ok', 'conflict', 'failed', 'conflict', 'ok']);
    expect(String((results[2] as { error: unknown }).error)).toMatch(/boom/);
    // Stored: a and e changed, b as the other writer left it, c and d untouched; the agent moved once.
    const rows = (await db.query('SELECT id, version, last_event FROM conversations ORDER BY id')).rows;
    expect(rows.map((r) => [r.id, r.version])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 1],
      ['d', 1],
      ['e', 2],
    ]);
    expect((await db.query('SELECT status FROM routing_status')).rows[0].status).toBe('INTERACTING');
    expect((await db.query("SELECT user_id FROM conversation_agents WHERE conversation_id = 'a'")).rows).toEqual([{ user_id: AGENT.id }]);
    // The log: a's and e's events after what was there, gapless, each chained to its conversation's last event.
    const events = (await db.query('SELECT seq, conversation_id, prev_seq FROM events WHERE seq > $1 ORDER BY seq', [seqBefore])).rows;
    const aEvents = aw.events.length + 1; // and its routing status move
    const eEvents = offer(e as CallbackConversationState, 'z').events.length;
    expect(events.map((x) => [x.conversation_id, Number(x.seq)])).toEqual([
      ...Array.from({ length: aEvents }, (_, i) => ['a', seqBefore + 1 + i]),
      ...Array.from({ length: eEvents }, (_, i) => ['e', seqBefore + aEvents + 1 + i]),
    ]);
    const lastOfCreate = (i: number) => (afterCreates / made.length) * (i + 1);
    expect(Number(events[0]?.prev_seq)).toBe(lastOfCreate(0));
    expect(Number(events[aEvents]?.prev_seq)).toBe(lastOfCreate(4));
    expect(rows.map((r) => Number(r.last_event))).toEqual([
      seqBefore + aEvents,
      seqBefore,
      lastOfCreate(2),
      lastOfCreate(3),
      seqBefore + aEvents + eEvents,
    ]);
    // Told in order, as logged.
    expect(told.map((ch) => ch.conversation?.state.id)).toEqual(['a', 'e']);
    expect(told.flatMap((ch) => ch.events.map((x) => x.seq))).toEqual(events.map((x) => Number(x.seq)));
    expect(told[0]?.events.at(-1)).toMatchObject({
      event: { type: 'routingStatus', userId: AGENT.id, from: 'IDLE', status: 'INTERACTING' },
    });
    await db.end();
    await store.close();
  });

  it("a batch across organizations numbers each organization's events on its own, in the batch's order", async () => {
    const { store, db } = await opened('change_orgs');
    await db.query("INSERT INTO organizations (id, name) VALUES ('org-2', 'two')");
    const inOrg = (orgId: string, w: ConversationWrite): ConversationWrite => ({ ...w, orgId });
    const made = ['a1', 'b1', 'a2', 'b2'].map(created);
    const org = (id: string) => (id.startsWith('a') ? ORG : 'org-2');
    for (const m of made) await store.commitConversation(inOrg(org(m.state.id), write(m.state, m.events)));
    const before = new Map(
      (await db.query('SELECT org_id, max(seq) AS n FROM events GROUP BY org_id')).rows.map((r) => [r.org_id, Number(r.n)]),
    );
    const lastBefore = new Map((await db.query('SELECT id, last_event FROM conversations')).rows.map((r) => [r.id, Number(r.last_event)]));
    const told: CommittedChange[] = [];
    store.onCommitted = (ch) => told.push(ch);
    const changes = made.map((m) => apply(m.state, { type: 'offer', agent: AGENT }, T0));
    const results = await store.commitConversations(
      changes.map((c, i) => inOrg(org(made[i]?.state.id as string), write(c.state, c.events, 1))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const n = changes[0]?.events.length as number;
    // Each organization's new events follow its own last number, in the batch's order, chained to each conversation.
    const events = (await db.query('SELECT org_id, seq, conversation_id, prev_seq FROM events WHERE version = 2 ORDER BY org_id, seq'))
      .rows;
    const of = (o: string) => events.filter((e) => e.org_id === o).map((e) => [e.conversation_id, Number(e.seq)]);
    const run = (o: string, ids: string[]) =>
      ids.flatMap((id, k) => Array.from({ length: n }, (_, j) => [id, (before.get(o) as number) + k * n + j + 1]));
    expect(of(ORG)).toEqual(run(ORG, ['a1', 'a2']));
    expect(of('org-2')).toEqual(run('org-2', ['b1', 'b2']));
    const last = new Map((await db.query('SELECT id, last_event FROM conversations')).rows.map((r) => [r.id, Number(r.last_event)]));
    // Each conversation's first new event points at its last one before the batch.
    const firstNew = (id: string) => events.find((e) => e.conversation_id === id);
    for (const [id, prevLast] of lastBefore) expect(Number(firstNew(id)?.prev_seq)).toBe(prevLast);
    expect(last.get('a2')).toBe((before.get(ORG) as number) + 2 * n);
    expect(last.get('b2')).toBe((before.get('org-2') as number) + 2 * n);
    expect(told.map((ch) => [ch.orgId, ch.conversation?.state.id, ch.events[0]?.seq])).toEqual([
      [ORG, 'a1', (before.get(ORG) as number) + 1],
      ['org-2', 'b1', (before.get('org-2') as number) + 1],
      [ORG, 'a2', (before.get(ORG) as number) + n + 1],
      ['org-2', 'b2', (before.get('org-2') as number) + n + 1],
    ]);
    await db.end();
    await store.close();
  });

  it('a batch whose statement fails as a whole is written one change at a time: the failing one alone fails', async () => {
    const { store, db } = await opened('change_fallback');
    // Fails the events of one conversation: after every row's change, so the whole statement fails.
    await db.query(`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
      CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.conversation_id = 'bad' AND NEW.version = 2)
      EXECUTE FUNCTION boom()`);
    const made = ['x', 'bad', 'y'].map(created);
    for (const m of made) await store.commitConversation(write(m.state, m.events));
    const results = await store.commitConversations(
      made.map((m) => {
        const o = apply(m.state, { type: 'offer', agent: AGENT }, T0);
        return write(o.state, o.events, 1);
      }),
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.conflict ? 'conflict' : 'failed'))).toEqual(['ok', 'failed', 'ok']);
    expect((await db.query('SELECT id, version FROM conversations ORDER BY id')).rows.map((r) => [r.id, r.version])).toEqual([
      ['bad', 1],
      ['x', 2],
      ['y', 2],
    ]);
    const seqs = (await db.query('SELECT seq FROM events ORDER BY seq')).rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    await db.end();
    await store.close();
  });

  it('due conversations are claimed with their state as stored under the claim (firing need not read them again)', async () => {
    const { store, db } = await opened('claim');
    const m = created('due');
    await store.commitConversation(write(m.state, m.events));
    const offered = apply(m.state, { type: 'offer', agent: AGENT }, T0); // the alerting timeout is its deadline
    await store.commitConversation(write(offered.state, offered.events, 1));
    const deadline = conversationIndex(offered.state).nextDeadline as Date;
    expect(deadline).toBeInstanceOf(Date);
    let claimed: unknown[] = [];
    const out = await store.fireDue(new Date(deadline.getTime() + 1), 10, new Set(), async (due) => {
      claimed = due;
      return [];
    });
    expect(out.due.map((d) => d.id)).toEqual(['due']);
    expect(claimed).toMatchObject([{ id: 'due', conversation: { state: { id: 'due', version: 2 } } }]);
    await db.end();
    await store.close();
  });
});
