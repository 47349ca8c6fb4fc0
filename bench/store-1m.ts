// Builds (once) the large store the HTTP and analytics benches read from: N conversations of the default
// organization, each a callback created, queued and ended, with the events of those changes in the log, written
// through the store's own encoding and index in large transactions. They start 8.64 s apart (10,000 a day, so 1M
// cover 100 days) on two queues in turn. Cached between runs in .bench-data/ (built again when the size, the layout
// or the schema differs).
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { apply, conversationIndex, createCallback, type QueueSettings } from '../src/lifecycle/index.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { encodeState } from '../src/store/state-codec.js';
import { packageRoot } from '../src/service/paths.js';

export const DEFAULT_ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const QUEUES: QueueSettings[] = ['0e0e0e0e-0000-4000-8000-000000000001', '0e0e0e0e-0000-4000-8000-000000000002'].map((id) => ({
  id,
  alertingTimeoutMs: 30_000,
  autoAnswer: false,
  wrapupPrompt: 'optional',
  wrapupCodes: [],
}));
/** The first conversation's start, and the spacing: 10,000 a day. */
export const FIRST_START = new Date('2026-01-01T00:00:00.000Z');
export const SPACING_MS = 8640;
export const queueOf = (i: number): string => (QUEUES[i % 2] as QueueSettings).id;

/** The id of the i-th stored conversation (so that clients can pick random ones without a list). */
export const storedId = (i: number): string => `5e5e5e5e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

export function largeStore(count: number, log: (line: string) => void = () => undefined): string {
  const dir = join(packageRoot(), '.bench-data');
  // Named for the schema it was built with: a changed migration builds a new one.
  const schema = createHash('sha1')
    .update(`${MIGRATIONS.join('\n')}\nlayout 2: events, 10k a day, two queues`)
    .digest('hex')
    .slice(0, 8);
  const file = join(dir, `store-${count}-v${MIGRATIONS.length}-${schema}.db`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const building = `${file}.building`;
  rmSync(building, { force: true });
  log(`building a store of ${count} conversations in ${file} (once; cached for later runs)...`);
  const db = new Database(building);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  for (const [v, m] of MIGRATIONS.entries()) {
    db.exec(m);
    db.pragma(`user_version = ${v + 1}`);
  }
  const insert = db.prepare(
    `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority, queued_at, owner_id, last_event, started_at)
     VALUES (?, ?, ?, ?, ?, 'NONE', ?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const event = db.prepare(
    'INSERT INTO events (org_id, seq, at, conversation_id, version, user_id, type, data, prev_seq) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)',
  );
  const t0 = FIRST_START.getTime();
  let seq = 0;
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const at = new Date(t0 + i * SPACING_MS);
      const made = createCallback(
        {
          type: 'create',
          conversationId: storedId(i),
          queue: QUEUES[i % 2] as QueueSettings,
          callbackNumbers: ['+13175550100'],
          callbackUserName: 'Pat Doe',
          data: { orderId: `A-${i}` },
        },
        at,
      );
      const ended = apply(made.state, { type: 'disconnectAll' }, new Date(at.getTime() + 500));
      const s = ended.state;
      const ix = conversationIndex(s);
      // The log as the service writes it: the creation's events at version 1, the ending's at the last version.
      let prev: number | null = null;
      for (const [version, events] of [
        [made.state.version, made.events],
        [s.version, ended.events],
      ] as const) {
        for (const e of events) {
          const { type, at: when, ...data } = e;
          event.run(DEFAULT_ORG, ++seq, when.getTime(), s.id, version, type, JSON.stringify(data), prev);
          prev = seq;
        }
      }
      insert.run(
        s.id,
        DEFAULT_ORG,
        s.version,
        ix.phase,
        encodeState(s),
        ix.nextDeadline?.getTime() ?? null,
        at.getTime(),
        ix.queueId,
        ix.priority,
        ix.queuedAt?.getTime() ?? null,
        prev,
        at.getTime(),
      );
    }
  });
  const started = Date.now();
  for (let i = 0; i < count; i += 10_000) {
    batch(i, Math.min(count, i + 10_000));
    if (i % 100_000 === 0 && i > 0) log(`  ${i} written (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  db.pragma('journal_mode = WAL');
  db.close();
  renameSync(building, file);
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  return file;
}
