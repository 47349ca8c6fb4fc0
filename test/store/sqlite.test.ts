import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apply, conversationIndex, createCallback, type CallbackConversationState } from '../../src/lifecycle/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStore, VersionConflictError } from '../../src/store/sqlite.js';
import { encodeState } from '../../src/store/state-codec.js';
import type { ConversationWrite, RoutingStatusWrite } from '../../src/store/types.js';
import { AGENT, queue, T0, at } from '../lifecycle/helpers.js';
import { tempDb } from '../api/helpers.js';

const ORG = 'org-1';
const seed = { organizations: [{ id: ORG, name: 'o' }], clients: [], users: [], wrapupCodes: [], queues: [] };

const write = (state: CallbackConversationState, expectedVersion?: number, routing?: RoutingStatusWrite[]): ConversationWrite => ({
  orgId: ORG,
  state,
  recordingState: 'NONE',
  index: conversationIndex(state),
  ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  ...(routing !== undefined ? { routing } : {}),
});
const newCallback = (id: string, over: Partial<Parameters<typeof createCallback>[0]> = {}) =>
  createCallback({ type: 'create', conversationId: id, queue: queue(), callbackNumbers: ['+1'], ...over }, T0).state;
const attrs = (s: CallbackConversationState, attributes: Record<string, string>, t = 1) =>
  apply(s, { type: 'setAttributes', participantId: s.participants[0]?.id as string, attributes }, at(t)).state;

async function opened(file = tempDb()): Promise<SqliteStore> {
  const store = new SqliteStore(file);
  await store.seed(seed);
  return store;
}

describe('the SQLite store', () => {
  it('migrates the schema in order and records how far it got', async () => {
    const file = tempDb();
    const store = new SqliteStore(file);
    await store.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const columns = (db.prepare('PRAGMA table_info(conversations)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['next_deadline', 'queue_id', 'priority', 'queued_at', 'owner_id']));
    db.close();
    // Opening again changes nothing.
    await new SqliteStore(file).close();
  });

  it('version 7 fills the start time of conversations already stored, and analytics finds them by it', async () => {
    const file = tempDb();
    const db = new Database(file);
    for (const m of MIGRATIONS.slice(0, 6)) db.exec(m);
    db.pragma('user_version = 6');
    db.prepare('INSERT INTO organizations (id, name) VALUES (?, ?)').run(ORG, 'o');
    const s = newCallback('old');
    db.prepare(
      `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, updated_at, queue_id, priority) VALUES (?, ?, 1, 'queued', ?, 'NONE', 0, 'q', 0)`,
    ).run('old', ORG, encodeState(s));
    db.close();
    const store = new SqliteStore(file);
    expect(await store.conversationsStartedBetween(ORG, T0, at(1))).toEqual(['old']);
    expect(await store.conversationsStartedBetween(ORG, at(1), at(2))).toEqual([]);
    await store.commitConversation(write(newCallback('new')));
    expect(await store.countStartedBetween(ORG, T0, at(1))).toBe(2);
    expect(await store.conversationsStartedBetween(ORG, T0, at(1), { offset: 0, limit: 1, desc: true })).toEqual(['old']);
    await store.close();
  });

  it('writes the index as given, and finds due conversations in deadline order', async () => {
    const store = await opened();
    const a = newCallback('a', { callbackScheduledTime: at(200) });
    const b = newCallback('b', { callbackScheduledTime: at(100) });
    await store.commitConversation(write(a));
    await store.commitConversation(write(b));
    expect(await store.nextDeadlineAt()).toEqual(at(100));
    expect((await store.dueConversations(at(150), 10)).map((d) => d.id)).toEqual(['b']);
    expect((await store.dueConversations(at(300), 10)).map((d) => [d.id, d.at])).toEqual([
      ['b', at(100)],
      ['a', at(200)],
    ]);
    expect(await store.getConversation('other-org', 'a')).toBeUndefined();
    // Offered to an agent: the agent is busy, the callback no longer queued, its deadline the alerting timeout.
    const q = newCallback('q');
    await store.commitConversation(write(q));
    expect((await store.listQueued(ORG, 'q-callbacks', 10)).map((x) => [x.id, x.queuedAt])).toEqual([['q', T0]]);
    const offered = apply(q, { type: 'offer', agent: AGENT }, at(5)).state;
    await store.commitConversation(write(offered, q.version));
    expect(await store.busyAgents(ORG)).toEqual(new Set([AGENT.id]));
    expect(await store.listQueued(ORG, 'q-callbacks', 10)).toEqual([]);
    expect((await store.listActiveConversationsForUser(ORG, AGENT.id)).map((c) => c.state.version)).toEqual([offered.version]);
    await store.close();
  });

  it('two writers that read the same version: exactly one commits, the other gets a conflict and writes nothing', async () => {
    const file = tempDb();
    const one = await opened(file);
    const two = new SqliteStore(file);
    await one.commitConversation(write(newCallback('c')));
    // Both read version 1 (two connections, as two processes would).
    const read1 = (await one.getConversation(ORG, 'c'))?.state as CallbackConversationState;
    const read2 = (await two.getConversation(ORG, 'c'))?.state as CallbackConversationState;
    expect([read1.version, read2.version]).toEqual([1, 1]);
    await one.commitConversation(write(attrs(read1, { first: 'yes' }), read1.version));
    await expect(two.commitConversation(write(attrs(read2, { second: 'yes' }), read2.version))).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    // The loser reads again and commits on top: nothing is lost.
    const again = (await two.getConversation(ORG, 'c'))?.state as CallbackConversationState;
    expect(again.participants[0]?.attributes).toMatchObject({ first: 'yes' });
    await two.commitConversation(write(attrs(again, { second: 'yes' }), again.version));
    const last = (await one.getConversation(ORG, 'c'))?.state;
    expect(last?.participants[0]?.attributes).toMatchObject({ first: 'yes', second: 'yes' });
    expect(last?.version).toBe(3);
    // The same within one connection: a write from a stale read conflicts.
    await expect(one.commitConversation(write(attrs(read1, { stale: 'yes' }), read1.version))).rejects.toBeInstanceOf(VersionConflictError);
    expect((await one.getConversation(ORG, 'c'))?.state.participants[0]?.attributes).not.toHaveProperty('stale');
    await Promise.all([one.close(), two.close()]);
  });

  it('a change that fails after its first write commits nothing', async () => {
    const file = tempDb();
    const store = await opened(file);
    const s = newCallback('c');
    await store.commitConversation(write(s));
    // Make the second statement of a commit (the agents index) fail, after the conversation row was updated.
    const db = new Database(file);
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON conversation_agents WHEN NEW.user_id = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    db.close();
    const offered = apply(s, { type: 'offer', agent: { id: 'boom' } }, at(5)).state;
    await expect(store.commitConversation(write(offered, s.version))).rejects.toThrow(/boom/);
    const check = new Database(file, { readonly: true });
    const row = check.prepare("SELECT version, phase FROM conversations WHERE id = 'c'").get() as { version: number; phase: string };
    check.close();
    expect(row).toEqual({ version: 1, phase: 'queued' });
    expect((await store.getConversation(ORG, 'c'))?.state.version).toBe(1);
    expect(await store.busyAgents(ORG)).toEqual(new Set());
  });

  it('routing statuses move with the change, only from the status that was read; a stale one rolls the change back', async () => {
    const store = await opened();
    const s = newCallback('c');
    await store.commitConversation(write(s));
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT.id, status: 'IDLE', startTime: T0 });
    const offered = apply(s, { type: 'offer', agent: AGENT }, at(5)).state;
    const moved = { orgId: ORG, userId: AGENT.id, status: 'INTERACTING' as const, startTime: at(5) };
    // Read as NOT_RESPONDING, but it is IDLE: the whole change conflicts and nothing is written.
    await expect(store.commitConversation(write(offered, s.version, [{ from: 'NOT_RESPONDING', to: moved }]))).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect((await store.getConversation(ORG, 'c'))?.state.version).toBe(s.version);
    expect((await store.getRoutingStatus(ORG, AGENT.id))?.status).toBe('IDLE');
    await store.commitConversation(write(offered, s.version, [{ from: 'IDLE', to: moved }]));
    expect(await store.getRoutingStatus(ORG, AGENT.id)).toEqual(moved);
    expect((await store.getConversation(ORG, 'c'))?.state.phase).toBe('offered');
    await store.close();
  });

  it("another connection's write is seen (not the cache)", async () => {
    const file = tempDb();
    const store = await opened(file);
    await store.commitConversation(write(newCallback('c')));
    expect((await store.getConversation(ORG, 'c'))?.recordingState).toBe('NONE');
    const other = new Database(file);
    other.prepare("UPDATE conversations SET recording_state = 'PAUSED' WHERE id = 'c'").run();
    other.close();
    expect((await store.getConversation(ORG, 'c'))?.recordingState).toBe('PAUSED');
    await store.close();
  });
});

describe('the SQLite store, checkpoints', () => {
  it('copies the log into the file from a worker, not at a commit; its close is the last and removes the log', async () => {
    const file = tempDb();
    const store = await opened(file);
    const before = statSync(file).size;
    // ~1 page a create: far below the writing connection's own checkpoint (10,000 pages), above SQLite's default 1,000.
    for (let i = 0; i < 1200; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, k) => store.commitConversation(write(newCallback(`c${i + k}`)))));
    // Only a checkpoint writes to the database file in WAL mode: the worker's, asked for after the commits.
    await expect.poll(() => statSync(file).size, { timeout: 5000 }).toBeGreaterThan(before + 1_000_000);
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect((await store.getConversation(ORG, 'c1199'))?.state.id).toBe('c1199');
    await store.close();
    // The worker's connection was closed first: the writer's close was the last, which checkpoints and removes the log.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) FROM conversations').pluck().get()).toBe(1200);
    check.close();
  });
});

describe('the SQLite store, batches', () => {
  it('commits many changes in one transaction; a conflicting or failing one is rolled back alone', async () => {
    const file = tempDb();
    const store = await opened(file);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => newCallback(id));
    for (const s of [a, b, c, d]) await store.commitConversation(write(s as CallbackConversationState));
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT.id, status: 'IDLE', startTime: T0 });
    const db = new Database(file);
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON conversation_agents WHEN NEW.user_id = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    db.close();
    const A = a as CallbackConversationState;
    const B = b as CallbackConversationState;
    const C = c as CallbackConversationState;
    const D = d as CallbackConversationState;
    const offered = apply(D, { type: 'offer', agent: AGENT }, at(5)).state;
    const moved = { orgId: ORG, userId: AGENT.id, status: 'INTERACTING' as const, startTime: at(5) };
    // b changes after the batch read it: the batch's write of b is stale.
    await store.commitConversation(write(attrs(B, { first: 'b' }), B.version));
    const results = await store.commitConversations([
      write(attrs(A, { batch: 'a' }), A.version),
      write(attrs(B, { batch: 'b' }), B.version),
      // Fails after its row was written (the agents index): rolled back by itself.
      write(apply(C, { type: 'offer', agent: { id: 'boom' } }, at(5)).state, C.version),
      write(offered, D.version, [{ from: 'IDLE', to: moved }]),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.conflict ? 'conflict' : 'failed'))).toEqual(['ok', 'conflict', 'failed', 'ok']);
    expect(String((results[2] as { error: unknown }).error)).toMatch(/boom/);
    // What is in the file, read by another connection.
    const check = new Database(file, { readonly: true });
    const rows = check.prepare('SELECT id, version, phase FROM conversations ORDER BY id').all();
    const agents = check.prepare('SELECT conversation_id, user_id FROM conversation_agents').all();
    check.close();
    expect(rows).toEqual([
      { id: 'a', version: A.version + 1, phase: 'queued' },
      { id: 'b', version: B.version + 1, phase: 'queued' },
      { id: 'c', version: C.version, phase: 'queued' },
      { id: 'd', version: offered.version, phase: 'offered' },
    ]);
    expect(agents).toEqual([{ conversation_id: 'd', user_id: AGENT.id }]);
    expect(await store.getRoutingStatus(ORG, AGENT.id)).toEqual(moved);
    expect((await store.getConversation(ORG, 'a'))?.state.participants[0]?.attributes).toMatchObject({ batch: 'a' });
    expect((await store.getConversation(ORG, 'b'))?.state.participants[0]?.attributes).not.toHaveProperty('batch');
    await store.close();
  });
});

describe('the SQLite store, its cache', () => {
  it('keeps the recently used conversations within its byte budget, admits a read on its second miss, reads the others from the file', async () => {
    const file = tempDb();
    const probe = await opened(file);
    const one = newCallback('size');
    await probe.commitConversation(write(one));
    await probe.close();
    const bytes = (
      new Database(file, { readonly: true }).prepare("SELECT length(body) AS n FROM conversations WHERE id = 'size'").get() as { n: number }
    ).n;
    // Room for two conversations' text.
    const store = new SqliteStore(file, 2000, bytes * 2 + bytes / 2);
    for (const id of ['a', 'b', 'c']) await store.commitConversation(write(newCallback(id)));
    // Committing cached c and b (the two most recent); a was evicted: read again, it is a new object.
    const b1 = await store.getConversation(ORG, 'b');
    const c1 = await store.getConversation(ORG, 'c');
    expect(await store.getConversation(ORG, 'b')).toBe(b1);
    // A read from the file is cached on its second miss only (a scan does not push the working set out).
    const a1 = await store.getConversation(ORG, 'a');
    expect(a1?.state.id).toBe('a');
    expect(await store.getConversation(ORG, 'c')).toBe(c1);
    const a2 = await store.getConversation(ORG, 'a');
    expect(a2).not.toBe(a1);
    expect(await store.getConversation(ORG, 'a')).toBe(a2);
    // Caching a evicted the least recently used (c was read after b... b went); c is still the same object.
    expect(await store.getConversation(ORG, 'c')).toBe(c1);
    const b2 = await store.getConversation(ORG, 'b');
    expect(b2).not.toBe(b1);
    expect(b2).toEqual(b1);
    await store.close();
  });
});

describe('the SQLite store, peeking', () => {
  it('gives a conversation this process has not decoded as its stored text and next deadline; decodes and caches it on the second read', async () => {
    const file = tempDb();
    const writer = await opened(file);
    const c = newCallback('p1');
    await writer.commitConversation(write(c));
    // The writer has it decoded.
    expect(await writer.peekConversation(ORG, 'p1')).toMatchObject({ state: { id: 'p1', version: 1 } });
    const offered = apply(c, { type: 'offer', agent: AGENT }, T0).state;
    await writer.commitConversation(write(offered, 1));
    const reader = new SqliteStore(file);
    try {
      expect(await reader.peekConversation(ORG, 'p1')).toEqual({
        orgId: ORG,
        text: encodeState(offered),
        nextDeadline: T0.getTime() + 30_000,
      });
      expect(await reader.peekConversation('org-2', 'p1')).toBeUndefined();
      expect(await reader.peekConversation(ORG, 'nope')).toBeUndefined();
      // Read again soon: decoded (the row as it is now) and cached, so a polling client gets it from memory.
      const second = await reader.peekConversation(ORG, 'p1');
      expect(second).toEqual({ orgId: ORG, state: offered, recordingState: 'NONE' });
      expect(await reader.peekConversation(ORG, 'p1')).toBe(second);
      expect(await reader.getConversation(ORG, 'p1')).toBe(second);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

describe('the SQLite store, what the router reads', () => {
  it('idle agents without a live leg, longest idle first; eligible heads; the oldest owned callback', async () => {
    const store = await opened();
    for (const [u, t] of [
      ['u1', 30],
      ['u2', 10],
      ['u3', 20],
      ['u4', 5],
    ] as const)
      await store.setRoutingStatus({ orgId: ORG, userId: u, status: u === 'u4' ? 'OFF_QUEUE' : 'IDLE', startTime: at(t) });
    // u3 is alerting on a callback: busy, though its status still says IDLE.
    const busy = newCallback('busy');
    await store.commitConversation(write(busy));
    await store.commitConversation(write(apply(busy, { type: 'offer', agent: { id: 'u3' } }, at(1)).state, busy.version));
    expect((await store.idleAgents(ORG)).map((s) => [s.userId, s.startTime])).toEqual([
      ['u2', at(10)],
      ['u1', at(30)],
    ]);
    expect(await store.idleAgents('other-org')).toEqual([]);
    // Owners in the index column: o1 (u1's, queued at 0), o2 (u9's, at 0), and an unowned one.
    const owned = (id: string, owner: string) => {
      const s = newCallback(id);
      return { ...write(s), index: { ...conversationIndex(s), ownerId: owner } };
    };
    await store.commitConversation(owned('o1', 'u1'));
    await store.commitConversation(owned('o2', 'u9'));
    await store.commitConversation(write(newCallback('free')));
    const ids = async (f?: { owners: string[]; ownedUntil: Date }) => (await store.listQueued(ORG, 'q-callbacks', 10, f)).map((q) => q.id);
    // Same priority and time: by id.
    expect(await ids()).toEqual(['free', 'o1', 'o2']);
    expect(await ids({ owners: ['u1'], ownedUntil: at(-1) })).toEqual(['free', 'o1']);
    // Ownership over for what was queued at or before T0: all of them.
    expect(await ids({ owners: [], ownedUntil: T0 })).toEqual(['free', 'o1', 'o2']);
    expect(await store.earliestOwnedQueuedAfter(ORG, 'q-callbacks', at(-1))).toEqual(T0);
    expect(await store.earliestOwnedQueuedAfter(ORG, 'q-callbacks', T0)).toBeUndefined();
    expect(await store.earliestOwnedQueuedAfter(ORG, 'other-queue', at(-1))).toBeUndefined();
    await store.close();
  });
});

describe('the SQLite store, query plans', () => {
  it('every statement the router, the scheduler and reads run is an index search, none a scan of a table', async () => {
    const file = tempDb();
    const store = await opened(file);
    await store.commitConversation(write(newCallback('c')));
    // Run what the router, the scheduler and the API's reads run.
    await store.getConversation(ORG, 'c');
    await store.idleAgents(ORG);
    await store.listQueued(ORG, 'q-callbacks', 5);
    await store.listQueued(ORG, 'q-callbacks', 5, { owners: ['u1'], ownedUntil: T0 });
    await store.earliestOwnedQueuedAfter(ORG, 'q-callbacks', T0);
    await store.dueConversations(at(10), 128);
    await store.nextDeadlineAt();
    await store.getRoutingStatus(ORG, 'u1');
    await store.listActiveConversationsForUser(ORG, 'u1');
    // The event log: the next number (every commit), a conversation's chain, the organization's log from a number.
    await store.conversationEvents(ORG, 'c');
    await store.readEvents(ORG, 0, 10);
    // Analytics: the conversations of an interval, a page of them, how many.
    await store.conversationsStartedBetween(ORG, T0, at(10));
    await store.conversationsStartedBetween(ORG, T0, at(10), { offset: 0, limit: 5, desc: false });
    await store.countStartedBetween(ORG, T0, at(10));
    expect(
      (await store.startedBetweenWithEvents(ORG, T0, at(10))).map((x) => [x.conversation.state.id, x.events.map((e) => e.event.type)]),
    ).toEqual([['c', ['updated']]]);
    const texts = [...(store as unknown as { statements: Map<string, unknown> }).statements.keys()].filter((t) => /^\s*SELECT/i.test(t));
    await store.close();
    expect(texts.length).toBeGreaterThanOrEqual(18);
    const db = new Database(file, { readonly: true });
    const plans = texts.map((sql) => {
      const params = (sql.match(/\?/g) ?? []).map(() => 1);
      return {
        sql,
        plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | '),
      };
    });
    db.close();
    // json_each in the owner filter is a scan of the (few) owners given, not of a table.
    expect(plans.filter((p) => / SCAN (?!json_each)/.test(` ${p.plan}`))).toEqual([]);
    const head = plans.filter((p) => p.sql.includes("queue_id = ? AND phase = 'queued'") && p.sql.includes('ORDER BY priority'));
    expect(head.length).toBe(2);
    for (const p of head) expect(p.plan).toContain('USING COVERING INDEX conversations_queue_head');
  });
});

describe('the SQLite store, seeding', () => {
  it('hashes only the secrets of what it inserts: a restart on the same file hashes nothing', async () => {
    const file = tempDb();
    let hashed = 0;
    const lazy = (h: string) => () => {
      hashed++;
      return h;
    };
    const data = {
      ...seed,
      clients: [{ clientId: 'c1', orgId: ORG, name: 'c', secretHash: lazy('client-hash') }],
      users: [
        { id: 'u1', orgId: ORG, name: 'U', email: 'u@x', username: 'u@x', passwordHash: lazy('user-hash'), state: 'active' as const },
      ],
    };
    const first = new SqliteStore(file);
    await first.seed(data);
    expect(hashed).toBe(2);
    await first.close();
    const again = new SqliteStore(file);
    await again.seed(data);
    expect(hashed).toBe(2);
    expect((await again.getClient('c1'))?.secretHash).toBe('client-hash');
    expect((await again.getUser(ORG, 'u1'))?.passwordHash).toBe('user-hash');
    // A new user in the seed is inserted (and hashed) on the next start; one whose login is taken is not.
    await again.seed({
      ...data,
      users: [
        ...data.users,
        { ...data.users[0]!, id: 'u2', username: 'v@x', passwordHash: lazy('second') },
        { ...data.users[0]!, id: 'u3', passwordHash: lazy('taken') },
      ],
    });
    expect(hashed).toBe(3);
    expect((await again.getUser(ORG, 'u2'))?.passwordHash).toBe('second');
    expect(await again.getUser(ORG, 'u3')).toBeUndefined();
    await again.close();
  });
});

describe('the SQLite store, more', () => {
  it('a change must advance the version; conflicts name the conversation', async () => {
    const store = await opened();
    const s = newCallback('c');
    await store.commitConversation(write(s));
    await expect(store.commitConversation(write(s, s.version))).rejects.toThrow(
      'conversation c: a change must advance the version (from 1, got 1)',
    );
    const next = attrs(s, { a: 'b' });
    const later = attrs(next, { c: 'd' });
    await expect(store.commitConversation(write(later, 2))).rejects.toThrow(
      'conversation c changed since it was read (expected version 2)',
    );
    await store.commitConversation(write(next, s.version));
    expect((await store.getConversation(ORG, 'c'))?.state.version).toBe(2);
    await store.close();
  });

  it("sees another connection's new version, not its cached one; other organizations' ids are not found", async () => {
    const file = tempDb();
    const one = await opened(file);
    const two = new SqliteStore(file);
    const s = newCallback('c');
    await one.commitConversation(write(s));
    expect((await one.getConversation(ORG, 'c'))?.state.version).toBe(1);
    await two.commitConversation(write(attrs(s, { from: 'two' }), 1));
    expect((await one.getConversation(ORG, 'c'))?.state.participants[0]?.attributes).toMatchObject({ from: 'two' });
    expect(await one.getConversation('org-2', 'c')).toBeUndefined();
    await Promise.all([one.close(), two.close()]);
  });

  it('a write lock held elsewhere: the write retries, then answers 503 with Retry-After; it succeeds once released', async () => {
    const file = tempDb();
    const store = new SqliteStore(file, 150);
    await store.seed(seed);
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    const refused = await store.commitConversation(write(newCallback('c'))).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'service.unavailable', retryAfterSeconds: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    // Released while a write waits: it goes through.
    const pending = store.commitConversation(write(newCallback('d')));
    setTimeout(() => other.exec('ROLLBACK'), 50);
    await pending;
    expect((await store.getConversation(ORG, 'd'))?.state.id).toBe('d');
    other.close();
    await store.close();
  });

  it('queues: put, list, delete (only in their organization)', async () => {
    const store = await opened();
    const q = {
      id: 'q1',
      orgId: ORG,
      name: 'Q',
      dateCreated: T0,
      callback: {
        alertingTimeoutSeconds: 30,
        enableAutoAnswer: false,
        enableAutoDialAndEnd: false,
        autoDialDelaySeconds: 0,
        autoEndDelaySeconds: 0,
        mode: 'AgentFirst' as const,
      },
      acw: { wrapupPrompt: 'OPTIONAL' as const },
      agentOwnedRouting: { enableAgentOwnedCallbacks: false, maxOwnedCallbackHours: 1, maxOwnedCallbackDelayHours: 1 },
      memberIds: [],
      wrapupCodeIds: [],
    };
    await store.putQueue(q);
    expect((await store.getQueue(ORG, 'q1'))?.dateCreated).toEqual(T0);
    expect(await store.deleteQueue('org-2', 'q1')).toBe(false);
    expect(await store.deleteQueue(ORG, 'q1')).toBe(true);
    expect(await store.getQueue(ORG, 'q1')).toBeUndefined();
    expect(await store.deleteQueue(ORG, 'q1')).toBe(false);
    await store.close();
  });
});
