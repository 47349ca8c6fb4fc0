// Backlog mode of `npm run bench:scheduler`: 20,000 callbacks come due at once on the manual clock (the clock jumps
// past all their deadlines), and the server fires them all and lets routing settle. Three scenarios: no agents; 50
// idle auto-answer agents on the queue; one idle agent on another queue. The floor does the same durable work without
// the service: the engine's advance() of each stored state plus one UPDATE of its row per firing, each in its own
// transaction, on a SQLite file with the same schema, in the same run.
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { advance, conversationIndex, createCallback, type QueueSettings } from '../src/lifecycle/index.js';
import { ManualClock } from '../src/service/clock.js';
import type { Principal } from '../src/service/principal.js';
import { startServer } from '../src/server.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { encodeState } from '../src/store/state-codec.js';

const json = process.argv.includes('--json');
const COUNT = Number(process.env.BENCH_BACKLOG ?? 20_000);
const ORG = 'bench-org';
const T0 = new Date('2030-01-01T08:00:00.000Z');
const DUE = new Date(T0.getTime() + 3600_000);

type Scenario = 'no-agents' | '50-auto-answer-agents' | 'one-idle-agent-elsewhere';

function seed(dir: string, scenario: Scenario): string {
  const agents = scenario === '50-auto-answer-agents' ? 50 : scenario === 'one-idle-agent-elsewhere' ? 1 : 0;
  const users = Array.from({ length: agents }, (_, i) => ({
    id: `agent-${i}`,
    name: `Agent ${i}`,
    email: `a${i}@bench.example`,
    password: 'x',
  }));
  const file = join(dir, `${scenario}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      organizations: [
        {
          id: ORG,
          name: 'bench',
          clients: [{ clientId: 'bench', clientSecret: 'bench' }],
          users,
          queues: [
            {
              id: 'queue-a',
              name: 'A',
              members: scenario === '50-auto-answer-agents' ? users.map((u) => u.email) : [],
              callback: { enableAutoAnswer: true },
            },
            { id: 'queue-b', name: 'B', members: scenario === 'one-idle-agent-elsewhere' ? users.map((u) => u.email) : [] },
          ],
        },
      ],
    }),
  );
  return file;
}

/** The service: create the backlog, move the clock past it, and time until everything fired and routing settled. */
async function subject(dir: string, scenario: Scenario): Promise<{ fired: number; seconds: number }> {
  const clock = new ManualClock(T0);
  const server = await startServer({ db: join(dir, `${scenario}.db`), port: 0, seedFile: seed(dir, scenario), logger: false, clock });
  const { callbacks, configuration } = server.services;
  const app: Principal = { orgId: ORG, clientId: 'bench' };
  for (const u of await configuration.listUsers(app)) await configuration.setRoutingStatus(app, u.id as string, 'IDLE');
  for (let i = 0; i < COUNT; i++) {
    await callbacks.createCallback(app, {
      queueId: 'queue-a',
      callbackNumbers: ['+13175550100'],
      callbackScheduledTime: new Date(DUE.getTime() + (i % 1000)),
    });
  }
  const before = server.scheduler.fired;
  const t0 = process.hrtime.bigint();
  clock.set(new Date(DUE.getTime() + 60_000));
  await server.settle();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const fired = server.scheduler.fired - before;
  await server.close();
  return { fired, seconds };
}

/** The floor: advance() and one UPDATE (its own transaction) per firing, on a file with the same schema. */
function floor(dir: string): { fired: number; seconds: number } {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const m of MIGRATIONS) db.exec(m);
  const queue: QueueSettings = { id: 'queue-a', alertingTimeoutMs: 8000, autoAnswer: true, wrapupPrompt: 'optional', wrapupCodes: [] };
  const insert = db.prepare(
    `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority, queued_at)
     VALUES (?, ?, ?, ?, ?, 'NONE', ?, ?, ?, ?, ?)`,
  );
  const states = Array.from({ length: COUNT }, (_, i) => {
    const s = createCallback(
      {
        type: 'create',
        conversationId: `c${i}`,
        queue,
        callbackNumbers: ['+13175550100'],
        callbackScheduledTime: new Date(DUE.getTime() + (i % 1000)),
      },
      T0,
    ).state;
    const ix = conversationIndex(s);
    insert.run(
      s.id,
      ORG,
      s.version,
      ix.phase,
      encodeState(s),
      ix.nextDeadline?.getTime() ?? null,
      Date.now(),
      ix.queueId,
      ix.priority,
      null,
    );
    return s;
  });
  const update = db.prepare(
    'UPDATE conversations SET version = ?, phase = ?, body = ?, next_deadline = ?, queued_at = ?, updated_at = ? WHERE id = ? AND version = ?',
  );
  const now = new Date(DUE.getTime() + 60_000);
  const t0 = process.hrtime.bigint();
  for (const s of states) {
    const next = advance(s, now).state;
    const ix = conversationIndex(next);
    update.run(
      next.version,
      ix.phase,
      encodeState(next),
      ix.nextDeadline?.getTime() ?? null,
      ix.queuedAt?.getTime() ?? null,
      Date.now(),
      s.id,
      s.version,
    );
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  return { fired: states.length, seconds };
}

const scenarios: Scenario[] = ['no-agents', '50-auto-answer-agents', 'one-idle-agent-elsewhere'];
const only = process.env.BENCH_SCENARIO;
for (const scenario of scenarios.filter((s) => only === undefined || s === only)) {
  const dir = mkdtempSync(join(tmpdir(), 'callbackd-backlog-'));
  const s = await subject(dir, scenario);
  const f = floor(dir);
  const figure = {
    name: `scheduler/backlog-${COUNT}/${scenario}`,
    fired: s.fired,
    opsPerSec: Math.round(s.fired / s.seconds),
    floorOpsPerSec: Math.round(f.fired / f.seconds),
    ratio: Number((s.fired / s.seconds / (f.fired / f.seconds)).toFixed(3)),
    floor: 'advance() + one UPDATE per firing',
  };
  if (json) console.log(JSON.stringify(figure));
  else
    console.log(
      `${figure.name.padEnd(48)} ${String(figure.opsPerSec).padStart(7)} fired/s (${figure.fired})   floor (${figure.floor}) ${String(figure.floorOpsPerSec).padStart(7)}/s   ratio ${figure.ratio.toFixed(2)}`,
    );
}
process.exit(0);
