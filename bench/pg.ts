// npm run bench:pg [-- --json]: callbackd on PostgreSQL (issue 15), on a throwaway cluster this bench starts
// (or CALLBACKD_TEST_PG_URL), each figure beside a floor measured in the same run:
// - create a callback over HTTP with 1 and 2 `serve` processes on one database, beside SQLite (1 process) and beside
//   the floor: the same row inserted by the pg driver alone, 10 at a time, each its own transaction;
// - a backlog of due callbacks fired on the manual clock with 1 and 2 processes, beside the floor: one UPDATE per
//   firing through the driver, in transactions of 128.
// This machine has 2 cores: two processes cannot show scale-out here; the figures show the cost of sharing.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { conversationIndex, createCallback } from '../src/lifecycle/index.js';
import { encodeState } from '../src/store/state-codec.js';
import { startCluster } from '../test/support/postgres.js';

const json = process.argv.includes('--json');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const backlog = Number(process.env.BENCH_BACKLOG ?? 3000);
const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';
const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const basic = `Basic ${Buffer.from('callbackd-dev:callbackd-dev-secret').toString('base64')}`;
const children: ChildProcess[] = [];

const report = (row: Record<string, unknown>) => {
  if (json) console.log(JSON.stringify(row));
  else
    console.log(
      Object.entries(row)
        .map(([k, v]) => `${k} ${v}`)
        .join('  '),
    );
};

async function serve(db: string, args: string[] = []): Promise<string> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'silent', '--db', db, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
    child.stdout?.on('data', () => out.includes('OpenAPI:') && (clearTimeout(timer), resolve()));
  });
  return /listening on (http:\/\/[^ ]+)/.exec(out)?.[1] as string;
}

async function token(url: string): Promise<string> {
  const r = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

const createBody = JSON.stringify({ queueId: QUEUE, callbackNumbers: ['+13175550100'] });

/** Creates over HTTP against each url at once (connections split between them); the sum of req/s, the worst p99. */
async function creates(urls: string[]): Promise<{ rps: number; p99: number }> {
  const runs = await Promise.all(
    urls.map(async (url) =>
      autocannon({
        url: `${url}/api/v2/conversations/callbacks`,
        method: 'POST',
        headers: { authorization: `Bearer ${await token(url)}`, 'content-type': 'application/json' },
        body: createBody,
        connections: Math.max(1, Math.floor(10 / urls.length)),
        duration: seconds,
      }),
    ),
  );
  return { rps: runs.reduce((a, r) => a + r.requests.average, 0), p99: Math.max(...runs.map((r) => r.latency.p99)) };
}

/** The floor of create: the same row inserted by the driver alone, 10 at a time, each its own transaction. */
async function insertFloor(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const sample = createCallback(
    {
      type: 'create',
      conversationId: randomUUID(),
      queue: { id: QUEUE, alertingTimeoutMs: 30_000, autoAnswer: false, wrapupPrompt: 'optional', wrapupCodes: [] },
      callbackNumbers: ['+13175550100'],
    },
    new Date(),
  ).state;
  const body = encodeState(sample);
  const ix = conversationIndex(sample);
  let n = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (Date.now() < end) {
        await pool.query(
          `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority, queued_at, started_at)
           VALUES ($1, $2, 1, $3, $4, 'NONE', NULL, $5, $6, $7, $5, $5)`,
          [randomUUID(), ORG, ix.phase, body, Date.now(), QUEUE, ix.priority],
        );
        n++;
      }
    }),
  );
  await pool.end();
  return n / seconds;
}

/** Fires a backlog on the manual clock with `processes` servers; fired/s from the move until none is scheduled. */
async function fireBacklog(cluster: { database(n: string): Promise<string> }, name: string, processes: number): Promise<number> {
  const db = await cluster.database(name);
  const manual = ['--clock', 'manual', '--clock-start', '2030-01-01T08:00:00Z'];
  const urls: string[] = [];
  for (let i = 0; i < processes; i++) urls.push(await serve(db, manual));
  const first = urls[0] as string;
  const t = await token(first);
  const headers = { authorization: `Bearer ${t}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ queueId: QUEUE, callbackNumbers: ['+13175550100'], callbackScheduledTime: '2030-01-01T09:00:00Z' });
  for (let i = 0; i < backlog; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, backlog - i) }, () =>
        fetch(`${first}/api/v2/conversations/callbacks`, { method: 'POST', headers, body }),
      ),
    );
  const pool = new pg.Pool({ connectionString: db, max: 1 });
  const t0 = performance.now();
  await fetch(`${first}/emulator/clock`, { method: 'POST', headers, body: JSON.stringify({ advance: 'PT1H' }) });
  while ((await pool.query("SELECT count(*)::int AS n FROM conversations WHERE phase = 'scheduled'")).rows[0].n > 0)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const rate = backlog / ((performance.now() - t0) / 1000);
  await pool.end();
  for (const c of children.splice(0)) c.kill('SIGTERM');
  return rate;
}

/** The floor of firing: one UPDATE per firing through the driver, in transactions of 128. */
async function updateFloor(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const ids = (await pool.query<{ id: string }>('SELECT id FROM conversations LIMIT $1', [backlog])).rows.map((r) => r.id);
  const c = await pool.connect();
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i += 128) {
    await c.query('BEGIN');
    for (const id of ids.slice(i, i + 128))
      await c.query("UPDATE conversations SET phase = 'queued', next_deadline = NULL, version = version + 1 WHERE id = $1", [id]);
    await c.query('COMMIT');
  }
  const rate = ids.length / ((performance.now() - t0) / 1000);
  c.release();
  await pool.end();
  return rate;
}

// CALLBACKD_TEST_PG_URL points it at a server of your own.
const cluster = await startCluster();
try {
  const floorDb = await cluster.database('bench_floor');
  // The floor's table: the schema, made by a server that starts and stops.
  await serve(floorDb);
  for (const c of children.splice(0)) c.kill('SIGTERM');
  const floor = await insertFloor(floorDb);
  const one = await cluster.database('bench_one');
  const u1 = await serve(one);
  const single = await creates([u1]);
  for (const c of children.splice(0)) c.kill('SIGTERM');
  const two = await cluster.database('bench_two');
  const [a, b] = [await serve(two), await serve(two)];
  const double = await creates([a, b]);
  for (const c of children.splice(0)) c.kill('SIGTERM');
  const lite = await serve(join(mkdtempSync(join(tmpdir(), 'bench-pg-')), 'lite.db'));
  const sqlite = await creates([lite]);
  for (const c of children.splice(0)) c.kill('SIGTERM');
  const r = (x: number) => Math.round(x);
  report({
    name: 'pg/create, 1 process',
    rps: r(single.rps),
    p99Ms: single.p99,
    floorRps: r(floor),
    floor: 'pg driver inserting the same row, 10 at a time',
    ratio: Number((single.rps / floor).toFixed(2)),
  });
  report({
    name: 'pg/create, 2 processes',
    rps: r(double.rps),
    p99Ms: double.p99,
    floorRps: r(floor),
    ratio: Number((double.rps / floor).toFixed(2)),
  });
  report({ name: 'sqlite/create, 1 process (reference)', rps: r(sqlite.rps), p99Ms: sqlite.p99 });
  const fired1 = await fireBacklog(cluster, 'bench_backlog_one', 1);
  const fired2 = await fireBacklog(cluster, 'bench_backlog_two', 2);
  const updates = await updateFloor(floorDb);
  report({
    name: 'pg/backlog, 1 process',
    backlog,
    firedPerSec: r(fired1),
    floorPerSec: r(updates),
    floor: 'one UPDATE per firing, 128 a transaction',
    ratio: Number((fired1 / updates).toFixed(2)),
  });
  report({
    name: 'pg/backlog, 2 processes',
    backlog,
    firedPerSec: r(fired2),
    floorPerSec: r(updates),
    ratio: Number((fired2 / updates).toFixed(2)),
  });
} finally {
  for (const c of children) c.kill('SIGKILL');
  await cluster.stop();
}
