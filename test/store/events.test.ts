// The event log: written in each change's own transaction, numbered per organization in commit order, told to the
// listener in that order, and compacted without touching conversations still going on.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { apply, conversationIndex, createCallback, type CallbackConversationState } from '../../src/lifecycle/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { CommittedChange, ConversationWrite, LogEvent } from '../../src/store/types.js';
import { AGENT, queue, T0, at } from '../lifecycle/helpers.js';
import { tempDb } from '../api/helpers.js';

const ORG = 'org-1';
const OTHER = 'org-2';
const seed = {
  organizations: [
    { id: ORG, name: 'o' },
    { id: OTHER, name: 'p' },
  ],
  clients: [],
  users: [],
  wrapupCodes: [],
  queues: [],
};

const created = (id: string, over: Partial<Parameters<typeof createCallback>[0]> = {}) =>
  createCallback({ type: 'create', conversationId: id, queue: queue(), callbackNumbers: ['+1'], ...over }, T0);
const write = (
  state: CallbackConversationState,
  events: readonly LogEvent[] | undefined,
  expectedVersion?: number,
  orgId = ORG,
): ConversationWrite => ({
  orgId,
  state,
  recordingState: 'NONE',
  index: conversationIndex(state),
  ...(events !== undefined ? { events } : {}),
  ...(expectedVersion !== undefined ? { expectedVersion } : {}),
});

async function opened(file = tempDb()): Promise<SqliteStore> {
  const store = new SqliteStore(file);
  await store.seed(seed);
  return store;
}

describe('the event log', () => {
  it('logs each change with its events, numbered per organization, and tells the listener in commit order', async () => {
    const store = await opened();
    const told: CommittedChange[] = [];
    store.onCommitted = (c) => told.push(c);
    const a = created('a');
    await store.commitConversation(write(a.state, a.events));
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT.id, status: 'IDLE', startTime: at(1) });
    const offer = apply(a.state, { type: 'offer', agent: AGENT }, at(5));
    await store.commitConversation({
      ...write(offer.state, offer.events, a.state.version),
      routing: [{ from: 'IDLE', to: { orgId: ORG, userId: AGENT.id, status: 'INTERACTING', startTime: at(5) } }],
    });
    const b = created('b');
    await store.commitConversation(write(b.state, b.events, undefined, OTHER));

    const mine = await store.readEvents(ORG, 0, 100);
    expect(mine.map((e) => [e.seq, e.event.type, e.conversationId, e.version, e.userId])).toEqual([
      [1, 'created', 'a', 1, undefined],
      [2, 'queued', 'a', 1, undefined],
      [3, 'routingStatus', undefined, undefined, AGENT.id],
      [4, 'offered', 'a', offer.state.version, AGENT.id],
      [5, 'routingStatus', 'a', offer.state.version, AGENT.id],
    ]);
    // Events come back as they were written: dates as dates, the event's own fields.
    expect(mine[3]?.event).toEqual(offer.events[0]);
    expect(mine[4]?.event).toEqual({ type: 'routingStatus', at: at(5), userId: AGENT.id, status: 'INTERACTING', from: 'IDLE' });
    expect(mine[2]?.event).toEqual({ type: 'routingStatus', at: at(1), userId: AGENT.id, status: 'IDLE' });
    // The other organization numbers its own from 1.
    expect((await store.readEvents(OTHER, 0, 100)).map((e) => [e.seq, e.event.type])).toEqual([
      [1, 'created'],
      [2, 'queued'],
    ]);
    expect((await store.readEvents(ORG, 3, 1)).map((e) => e.seq)).toEqual([4]);
    expect((await store.conversationEvents(ORG, 'a')).map((e) => e.seq)).toEqual([1, 2, 4, 5]);
    expect(await store.conversationEvents(OTHER, 'a')).toEqual([]);
    // The listener heard every commit, in order, with the conversation as committed.
    expect(told.map((c) => [c.orgId, c.events.map((e) => e.seq), c.conversation?.state.version])).toEqual([
      [ORG, [1, 2], 1],
      [ORG, [3], undefined],
      [ORG, [4, 5], offer.state.version],
      [OTHER, [1, 2], 1],
    ]);
    await store.close();
  });

  it('a change without events is logged as updated; a rolled-back change logs nothing', async () => {
    const file = tempDb();
    const store = await opened(file);
    const a = created('a');
    await store.commitConversation(write(a.state, a.events));
    const told: CommittedChange[] = [];
    store.onCommitted = (c) => told.push(c);
    // Fails after the row and before the end: neither the row nor its events stay.
    const db = new Database(file);
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON conversation_agents WHEN NEW.user_id = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    db.close();
    const boom = apply(a.state, { type: 'offer', agent: { id: 'boom' } }, at(5));
    await expect(store.commitConversation(write(boom.state, boom.events, a.state.version))).rejects.toThrow(/boom/);
    const bumped = { ...a.state, version: a.state.version + 1 };
    await store.commitConversation(write(bumped, undefined, a.state.version));
    const events = await store.readEvents(ORG, 0, 100);
    expect(events.map((e) => [e.seq, e.event.type, e.version])).toEqual([
      [1, 'created', 1],
      [2, 'queued', 1],
      [3, 'updated', 2],
    ]);
    expect(told.map((c) => c.events.map((e) => e.seq))).toEqual([[3]]);
    // In a batch, the rolled-back write's events go with it; the others' stay, numbered without a gap.
    const b = created('b');
    const c = created('c');
    await store.commitConversation(write(b.state, b.events));
    await store.commitConversation(write(c.state, c.events));
    const results = await store.commitConversations([
      write(apply(b.state, { type: 'offer', agent: { id: 'boom' } }, at(6)).state, [{ type: 'updated', at: at(6) }], b.state.version),
      write(apply(c.state, { type: 'offer', agent: AGENT }, at(6)).state, [{ type: 'updated', at: at(6) }], c.state.version),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect((await store.readEvents(ORG, 7, 100)).map((e) => [e.seq, e.conversationId])).toEqual([[8, 'c']]);
    await store.close();
  });

  it('compaction drops old events of ended conversations and of routing statuses; numbers keep rising', async () => {
    const store = await opened();
    const a = created('a');
    await store.commitConversation(write(a.state, a.events));
    const ended = apply(a.state, { type: 'disconnectAll' }, at(2));
    await store.commitConversation(write(ended.state, ended.events, a.state.version));
    expect(ended.state.phase).toBe('ended');
    const b = created('b');
    await store.commitConversation(write(b.state, b.events));
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT.id, status: 'IDLE', startTime: at(1) });
    const before = (await store.readEvents(ORG, 0, 100)).map((e) => [e.seq, e.conversationId ?? e.event.type]);
    // Everything is older than at(10): what remains is b's, which is still queued, and the organization's last event
    // (so that numbers go on from it).
    const dropped = await store.compactEvents(at(10));
    const after = await store.readEvents(ORG, 0, 100);
    expect(dropped).toBe(before.length - after.length);
    expect(after.map((e) => e.conversationId ?? e.event.type)).toEqual(['b', 'b', 'routingStatus']);
    expect(await store.conversationEvents(ORG, 'a')).toEqual([]);
    expect((await store.conversationEvents(ORG, 'b')).map((e) => e.event.type)).toEqual(['created', 'queued']);
    // Nothing newer than the cut is dropped.
    expect(await store.compactEvents(T0)).toBe(0);
    const last = Math.max(...before.map(([s]) => s as number));
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT.id, status: 'OFF_QUEUE', startTime: at(11) });
    expect(await store.compactEvents(at(20))).toBe(1);
    await store.setRoutingStatus({ orgId: ORG, userId: AGENT.id, status: 'IDLE', startTime: at(21) });
    // The routing status at(1) went (no longer the last); OFF_QUEUE at(11) was the last, so it stayed.
    expect((await store.readEvents(ORG, 0, 100)).map((e) => [e.conversationId ?? e.event.type, e.seq > last])).toEqual([
      ['b', false],
      ['b', false],
      ['routingStatus', true],
      ['routingStatus', true],
    ]);
    expect((await store.readEvents(ORG, last, 100)).map((e) => e.seq)).toEqual([last + 1, last + 2]);
    await store.close();
  });
});

describe('new conversations are group-committed', () => {
  it('creates asked for in one turn commit together after it, each on its own: one failing leaves the others, numbered without a gap', async () => {
    const file = tempDb();
    const store = await opened(file);
    const told: CommittedChange[] = [];
    store.onCommitted = (c) => told.push(c);
    const db = new Database(file);
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON conversations WHEN NEW.id = 'bad' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    const stored = () => db.prepare('SELECT id FROM conversations ORDER BY id').pluck().all();
    const [x, bad, y] = [created('x'), created('bad'), created('y')];
    const settled = Promise.allSettled([
      store.commitConversation(write(x.state, x.events)),
      store.commitConversation(write(bad.state, bad.events)),
      store.commitConversation(write(y.state, y.events)),
    ]);
    // Nothing is written in the turn the creates were asked for: they wait for the group.
    expect(stored()).toEqual([]);
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/boom/);
    expect(stored()).toEqual(['x', 'y']);
    expect(told.map((c) => [c.conversation?.state.id, c.events.map((e) => e.seq)])).toEqual([
      ['x', [1, 2]],
      ['y', [3, 4]],
    ]);
    // A change commits at once (a read right after it sees it).
    const bumped = { ...x.state, version: 2 };
    const changing = store.commitConversation(write(bumped, undefined, 1));
    expect(db.prepare("SELECT version FROM conversations WHERE id = 'x'").pluck().get()).toBe(2);
    await changing;
    db.close();
    await store.close();
  });
});
