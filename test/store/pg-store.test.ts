// The PostgreSQL store's own ways (issue 15): new conversations group-committed in one call per organization, and a
// process that tells its own commits without reading them back from the log, while what another process commits is
// read and told. Against a real PostgreSQL cluster started for the test.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, conversationIndex, createCallback, type CallbackConversationState } from '../../src/lifecycle/index.js';
import { PgStore } from '../../src/store/pg/store.js';
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
});
