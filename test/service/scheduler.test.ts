// The scheduler on its own: a real SQLite file, the callbacks service, a manual clock whose timers it arms.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apply, conversationIndex, type CallbackConversationState } from '../../src/lifecycle/index.js';
import { CallbackService } from '../../src/service/callbacks.js';
import { ManualClock } from '../../src/service/clock.js';
import { Configuration } from '../../src/service/configuration.js';
import { Scheduler } from '../../src/service/scheduler.js';
import { loadSeed } from '../../src/service/seed.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { QUEUE, tempDb } from '../api/helpers.js';
import { fixturePath } from '../helpers.js';

const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const T0 = new Date('2026-06-01T09:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

let file: string;
let store: SqliteStore;
let clock: ManualClock;
let callbacks: CallbackService;
let scheduler: Scheduler;
let n = 0;

beforeEach(async () => {
  file = tempDb();
  store = new SqliteStore(file);
  await store.seed(loadSeed(fixturePath('seed-two-orgs.json'), T0));
  clock = new ManualClock(T0);
  callbacks = new CallbackService({
    store,
    configuration: new Configuration(store, () => clock.now()),
    clock: () => clock.now(),
    newId: () => `c${++n}`,
  });
  scheduler = new Scheduler(store, callbacks, clock);
  callbacks.onChange = (_org, state) => scheduler.notice(state);
});
afterEach(async () => {
  scheduler.stop();
  await store.close();
});

const schedule = async (seconds: number) =>
  (
    await callbacks.createCallback(
      { orgId: ORG, clientId: 't' },
      { queueId: QUEUE, callbackNumbers: ['+1'], callbackScheduledTime: at(seconds) },
    )
  ).conversation.id as string;
const phase = async (id: string) => ((await store.getConversation(ORG, id))?.state as CallbackConversationState).phase;
/** Waits (a few event-loop turns, no timers) until the condition holds, or fails. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the scheduler did not fire by itself');
}

/** Lets the timer's pass (started by the clock) run to its end. */
const settled = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  await scheduler.runDue();
};

describe('the scheduler', () => {
  it('start fires what passed while it was down, in deadline order, each at its own time, and counts them', async () => {
    const late = await schedule(20);
    const early = await schedule(10);
    const seen: [string, string][] = [];
    scheduler.onFire = (deadline, firedAt) => seen.push([deadline.toISOString(), firedAt.toISOString()]);
    clock.set(at(30));
    await scheduler.start();
    expect(seen).toEqual([
      [at(10).toISOString(), at(30).toISOString()],
      [at(20).toISOString(), at(30).toISOString()],
    ]);
    expect(scheduler.fired).toBe(2);
    expect([await phase(early), await phase(late)]).toEqual(['queued', 'queued']);
    // The customer leg was queued at its own scheduled time, not at the time it fired.
    expect((await store.getConversation(ORG, early))?.state.participants[0]?.connectedTime).toEqual(at(10));
    expect(await scheduler.runDue()).toBe(0);
  });

  it('arms one timer for the earliest deadline, and re-arms earlier when a change brings one', async () => {
    await scheduler.start();
    const later = await schedule(100);
    const sooner = await schedule(50);
    // Only the clock moves: the timer armed by notice() must fire the sooner one by itself.
    clock.set(at(60));
    await waitFor(async () => (await phase(sooner)) === 'queued');
    expect(await phase(later)).toBe('scheduled');
    clock.set(at(100));
    await waitFor(async () => (await phase(later)) === 'queued');
    expect(scheduler.fired).toBe(2);
    // A change with a later deadline than the one armed does not push the timer back.
    const first = await schedule(200);
    await schedule(300);
    clock.set(at(250));
    await waitFor(async () => (await phase(first)) === 'queued');
  });

  it('stops: no firing after stop', async () => {
    await scheduler.start();
    const id = await schedule(10);
    scheduler.stop();
    clock.set(at(20));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await scheduler.runDue()).toBe(0);
    expect(await phase(id)).toBe('scheduled');
  });

  it('fires a backlog in batches: one transaction for many firings, each conversation at its own deadline', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(await schedule(10 + (i % 7)));
    const batches: number[] = [];
    const commit = store.commitConversations.bind(store);
    store.commitConversations = async (writes) => {
      batches.push(writes.length);
      return commit(writes);
    };
    clock.set(at(100));
    await scheduler.start();
    expect(scheduler.fired).toBe(300);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThanOrEqual(5);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    for (const id of ids) expect(await phase(id)).toBe('queued');
    const first = (await store.getConversation(ORG, ids[3] as string))?.state;
    expect(first?.participants[0]?.connectedTime).toEqual(at(13));
  });

  it('lets the event loop run between batches: a backlog does not hold requests until its end', async () => {
    for (let i = 0; i < 400; i++) await schedule(10);
    clock.set(at(100));
    const running = scheduler.start();
    // What an HTTP request arriving now would see: it is served while the backlog is still firing.
    await new Promise((resolve) => setImmediate(resolve));
    const queuedThen = (await store.dueConversations(at(100), 1000)).length;
    await running;
    expect(queuedThen).toBeGreaterThan(0);
    expect(queuedThen).toBeLessThan(400);
    expect(scheduler.fired).toBe(400);
  });

  it('a firing that lost a race within a batch stays due and fires in the next batch, once, on top of the other change', async () => {
    const a = await schedule(10);
    const b = await schedule(20);
    // Another writer changes b between the batch's read and its commit.
    const commit = store.commitConversations.bind(store);
    let raced = false;
    store.commitConversations = async (writes) => {
      if (!raced) {
        raced = true;
        const other = new SqliteStore(file);
        const s = (await other.getConversation(ORG, b))?.state as CallbackConversationState;
        expect(s.version).toBe(1);
        const changed = apply(s, { type: 'update', callbackNumbers: ['+2'] }, at(1)).state;
        await other.commitConversation({
          orgId: ORG,
          state: changed,
          recordingState: 'NONE',
          index: conversationIndex(changed),
          expectedVersion: s.version,
        });
        await other.close();
      }
      return commit(writes);
    };
    clock.set(at(30));
    await scheduler.start();
    expect(scheduler.fired).toBe(2);
    expect([await phase(a), await phase(b)]).toEqual(['queued', 'queued']);
    const stored = (await store.getConversation(ORG, b))?.state as CallbackConversationState;
    // The other writer's change is kept, and the deadline fired exactly once on top of it.
    expect(stored.participants[0]?.callbackNumbers).toEqual(['+2']);
    expect(stored.version).toBe(3);
    expect(await scheduler.runDue()).toBe(0);
  });

  it('a conversation whose write fails inside a batch is reported once and skipped; the batch commits the others', async () => {
    const bad = await schedule(10);
    const good = await schedule(20);
    const db = new Database(file);
    db.exec(`CREATE TRIGGER boom BEFORE UPDATE ON conversations WHEN NEW.id = '${bad}' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    db.close();
    const errors: [string, string][] = [];
    scheduler.onError = (e, id) => errors.push([id, String(e)]);
    clock.set(at(30));
    // Without the failure reported, the scheduler would find the same deadline due again and spin.
    await scheduler.start();
    expect(errors).toEqual([[bad, expect.stringContaining('disk on fire') as unknown as string]]);
    expect([await phase(bad), await phase(good)]).toEqual(['scheduled', 'queued']);
    expect(scheduler.fired).toBe(1);
    expect(await scheduler.runDue()).toBe(0);
    expect(errors.length).toBe(1);
  });

  it('a conversation that cannot be advanced is reported once and skipped; the others still fire', async () => {
    const bad = await schedule(10);
    const good = await schedule(20);
    const db = new Database(file);
    db.prepare("UPDATE conversations SET body = '{' WHERE id = ?").run(bad);
    db.close();
    const errors: string[] = [];
    scheduler.onError = (_e, id) => errors.push(id);
    clock.set(at(30));
    await scheduler.start();
    expect(errors).toEqual([bad]);
    expect(await phase(good)).toBe('queued');
    expect(await scheduler.runDue()).toBe(0);
    expect(errors).toEqual([bad]);
  });
});
