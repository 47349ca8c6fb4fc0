import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { apply, createCallback } from '../../src/lifecycle/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { queue, T0, at } from '../lifecycle/helpers.js';
import { tempDb } from '../api/helpers.js';

const ORG = 'org-1';
const seed = { organizations: [{ id: ORG, name: 'o' }], clients: [], users: [], wrapupCodes: [], queues: [] };

describe('the SQLite store', () => {
  it('migrates the schema in order and records how far it got', async () => {
    const file = tempDb();
    const store = new SqliteStore(file);
    await store.close();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const columns = (db.prepare('PRAGMA table_info(conversations)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['next_deadline', 'queue_id', 'priority', 'queued_at', 'owner_id']));
    db.close();
    // Opening again changes nothing.
    await new SqliteStore(file).close();
  });

  it('stores the next deadline with the state, and finds due conversations in deadline order', async () => {
    const store = new SqliteStore(tempDb());
    await store.seed(seed);
    const a = createCallback(
      { type: 'create', conversationId: 'a', queue: queue(), callbackNumbers: ['+1'], callbackScheduledTime: at(200) },
      T0,
    ).state;
    const b = createCallback(
      { type: 'create', conversationId: 'b', queue: queue(), callbackNumbers: ['+1'], callbackScheduledTime: at(100) },
      T0,
    ).state;
    await store.createConversation({ orgId: ORG, state: a, recordingState: 'NONE' });
    await store.createConversation({ orgId: ORG, state: b, recordingState: 'NONE' });
    expect(await store.nextDeadlineAt()).toEqual(at(100));
    expect((await store.dueConversations(at(150), 10)).map((d) => d.id)).toEqual(['b']);
    expect((await store.dueConversations(at(300), 10)).map((d) => [d.id, d.at])).toEqual([
      ['b', at(100)],
      ['a', at(200)],
    ]);
    expect(await store.getConversation('other-org', 'a')).toBeUndefined();
    await store.close();
  });

  it("a change that throws commits nothing; another connection's write is seen (not the cache)", async () => {
    const file = tempDb();
    const store = new SqliteStore(file);
    await store.seed(seed);
    const s = createCallback({ type: 'create', conversationId: 'c', queue: queue(), callbackNumbers: ['+1'] }, T0).state;
    await store.createConversation({ orgId: ORG, state: s, recordingState: 'NONE' });
    await expect(
      store.updateConversation(ORG, 'c', (cur) => {
        apply(cur.state, { type: 'hold', participantId: 'nobody' }, at(1));
        return { next: cur, result: 1 };
      }),
    ).rejects.toThrow(/not in conversation/);
    expect((await store.getConversation(ORG, 'c'))?.state.version).toBe(1);
    const other = new Database(file);
    other.prepare("UPDATE conversations SET recording_state = 'PAUSED' WHERE id = 'c'").run();
    other.close();
    expect((await store.getConversation(ORG, 'c'))?.recordingState).toBe('PAUSED');
    await store.close();
  });
});
