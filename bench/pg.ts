// npm run bench:pg [-- --json]: callbackd on PostgreSQL (issue 15), on a throwaway cluster this bench starts
// (or CALLBACKD_TEST_PG_URL), each figure beside floors measured in the same rounds (medians of BENCH_ROUNDS, 3):
// - create a callback over HTTP with 1 and 2 `serve` processes on one database, beside SQLite (1 process), beside
//   the driver floor (what a create writes, its conversation row and its events, by the pg driver alone, one statement
//   each, 10 at a time: bench/pg-floor.ts) and beside the HTTP floor (that statement behind a bare Fastify route);
// - a backlog of due callbacks fired on the manual clock with 1 and 2 processes, beside the floor: one UPDATE per
//   firing through the driver, in transactions of 128.
// This machine has 2 cores: two processes cannot show scale-out here; the figures show the cost of sharing.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migratePostgres } from '../src/store/pg/migrate.js';
import { createWriter, QUEUE } from './pg-floor.js';
import { startCluster } from '../test/support/postgres.js';

const json = process.argv.includes('--json');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const backlog = Number(process.env.BENCH_BACKLOG ?? 3000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_ONLY=create or BENCH_ONLY=backlog runs that part alone. */
const only = process.env.BENCH_ONLY;
const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const floorProgram = fileURLToPath(new URL('./pg-floor.js', import.meta.url));
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

async function serve(
  db: string,
  args: string[] = [],
  program = [bin, 'serve', '--port', '0', '--log-level', 'silent', '--db', db],
): Promise<string> {
  const child = spawn(process.execPath, [...program, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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
async function creates(urls: string[], bearer = true): Promise<{ rps: number; p99: number }> {
  const runs = await Promise.all(
    urls.map(async (url) =>
      autocannon({
        url: `${url}/api/v2/conversations/callbacks`,
        method: 'POST',
        headers: { authorization: bearer ? `Bearer ${await token(url)}` : 'none', 'content-type': 'application/json' },
        body: createBody,
        connections: Math.max(1, Math.floor(10 / urls.length)),
        duration: seconds,
      }),
    ),
  );
  return { rps: runs.reduce((a, r) => a + r.requests.average, 0), p99: Math.max(...runs.map((r) => r.latency.p99)) };
}

/** The driver floor of create: what a create writes, by the driver alone, 10 at a time, each one statement. */
async function insertFloor(url: string, round: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const write = createWriter(pool, round * 100_000_000 + 1);
  let n = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (Date.now() < end) {
        await write();
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

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const r = (x: number) => Math.round(x);
const ratio = (x: number) => Number(x.toFixed(2));

// CALLBACKD_TEST_PG_URL points it at a server of your own.
const cluster = await startCluster();
try {
  const floorDb = await cluster.database('bench_floor');
  // The floor's tables: callbackd's schema.
  const schema = new pg.Pool({ connectionString: floorDb, max: 1 });
  await migratePostgres(schema);
  await schema.end();
  if (only === undefined || only === 'create') await createFigures(floorDb);
  if (only === undefined || only === 'backlog') await backlogFigures(floorDb);
} finally {
  for (const c of children) c.kill('SIGKILL');
  await cluster.stop();
}

async function createFigures(floorDb: string): Promise<void> {
  const one = await cluster.database('bench_one');
  const two = await cluster.database('bench_two');
  const [u1, a, b] = [await serve(one), await serve(two), await serve(two)];
  const lite = await serve(join(mkdtempSync(join(tmpdir(), 'bench-pg-')), 'lite.db'));
  // The HTTP floor answers with the bytes callbackd answers a create with.
  const bodyFile = join(mkdtempSync(join(tmpdir(), 'bench-pg-')), 'created.json');
  const created = await fetch(`${u1}/api/v2/conversations/callbacks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(u1)}`, 'content-type': 'application/json' },
    body: createBody,
  });
  writeFileSync(bodyFile, await created.text());
  const bare = await serve(floorDb, [], [floorProgram, 'serve', floorDb, bodyFile]);
  const rows: Record<string, { rps: number; p99: number }[]> = { driver: [], http: [], one: [], two: [], sqlite: [] };
  for (let round = 0; round < rounds; round++) {
    rows.driver?.push({ rps: await insertFloor(floorDb, round + 1), p99: NaN });
    rows.http?.push(await creates([bare], false));
    rows.one?.push(await creates([u1]));
    rows.two?.push(await creates([a, b]));
    rows.sqlite?.push(await creates([lite]));
  }
  for (const c of children.splice(0)) c.kill('SIGTERM');
  const med = (k: string, f: 'rps' | 'p99') => median((rows[k] ?? []).map((x) => x[f]));
  const perRound = (k: string, floorKey: string) => median((rows[k] ?? []).map((x, i) => x.rps / ((rows[floorKey] ?? [])[i]?.rps ?? NaN)));
  const driver = med('driver', 'rps');
  const http = med('http', 'rps');
  report({
    name: 'pg/create floors',
    rounds,
    driverRps: r(driver),
    driverFloor: "a create's rows (conversation + events) by the pg driver alone, one statement each, 10 at a time",
    httpRps: r(http),
    httpP99Ms: med('http', 'p99'),
    httpFloor: 'that statement behind a bare Fastify route, 10 connections',
  });
  for (const [name, key] of [
    ['pg/create, 1 process', 'one'],
    ['pg/create, 2 processes', 'two'],
    ['sqlite/create, 1 process (reference)', 'sqlite'],
  ] as const)
    report({
      name,
      rps: r(med(key, 'rps')),
      p99Ms: med(key, 'p99'),
      ratioToDriver: ratio(perRound(key, 'driver')),
      ratioToHttpFloor: ratio(perRound(key, 'http')),
    });
}

async function backlogFigures(floorDb: string): Promise<void> {
  // The floor updates rows the create floor wrote: write some if it did not run.
  const check = new pg.Pool({ connectionString: floorDb, max: 1 });
  const stored = (await check.query<{ n: number }>('SELECT count(*)::int AS n FROM conversations')).rows[0]?.n ?? 0;
  await check.end();
  if (stored < backlog) await insertFloor(floorDb, rounds + 1);
  const fired1: number[] = [];
  const fired2: number[] = [];
  const updates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    fired1.push(await fireBacklog(cluster, `bench_backlog_one_${round}`, 1));
    fired2.push(await fireBacklog(cluster, `bench_backlog_two_${round}`, 2));
    updates.push(await updateFloor(floorDb));
  }
  report({
    name: 'pg/backlog, 1 process',
    backlog,
    firedPerSec: r(median(fired1)),
    floorPerSec: r(median(updates)),
    floor: 'one UPDATE per firing, 128 a transaction',
    ratio: ratio(median(fired1.map((f, i) => f / (updates[i] as number)))),
  });
  report({
    name: 'pg/backlog, 2 processes',
    backlog,
    firedPerSec: r(median(fired2)),
    floorPerSec: r(median(updates)),
    ratio: ratio(median(fired2.map((f, i) => f / (updates[i] as number)))),
  });
}
