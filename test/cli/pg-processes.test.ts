// Two `callbackd serve` processes on one PostgreSQL database: every deadline fires exactly once, and a process killed
// with SIGKILL in the middle of a scheduler batch (claimed and computed, not committed) loses nothing: the other
// process fires what it had claimed. Counted from the event log.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../api/helpers.js';
import { SocketClient } from '../api/socket-client.js';
import { useCluster } from '../support/postgres.js';

const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const postgres = useCluster({ beforeAll, afterAll });
const available = postgres.available;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

async function serve(
  db: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<{ url: string; child: ChildProcess; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'silent', '--db', db, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
    child.stdout?.on('data', () => out.includes('OpenAPI:') && (clearTimeout(timer), resolve()));
  });
  return { url: /listening on (http:\/\/[^ ]+)/.exec(out)?.[1] as string, child, exited };
}

describe.runIf(available)('several processes on one PostgreSQL database', () => {
  it('a process killed mid-batch loses nothing; every deadline fires once', async () => {
    const db = await postgres.cluster().database('two_processes');
    // The first to start seeds; the second finds it done.
    const a = await serve(db, { CALLBACKD_KILL_IN_BATCH: '1' });
    const b = await serve(db);
    const api = client(a.url);
    const token = await api.app();
    const due = new Date(Date.now() + 2500).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const r = await api.call('POST', '/api/v2/conversations/callbacks', {
        token,
        body: { queueId: '0e0e0e0e-0000-4000-8000-000000000001', callbackNumbers: [`+1555${i}`], callbackScheduledTime: due },
      });
      ids.push(r.json.conversation.id as string);
    }
    // A dies in its first batch when the time comes.
    expect(await a.exited).toBe('SIGKILL');
    const pool = new pg.Pool({ connectionString: db, max: 1 });
    try {
      await expect
        .poll(async () => (await pool.query("SELECT count(*)::int AS n FROM conversations WHERE phase = 'scheduled'")).rows[0].n, {
          timeout: 15_000,
          interval: 200,
        })
        .toBe(0);
      // Each conversation came due once: one 'queued' event each, none twice, none lost.
      const queued = await pool.query<{ conversation_id: string; n: number }>(
        "SELECT conversation_id, count(*)::int AS n FROM events WHERE type = 'queued' GROUP BY conversation_id",
      );
      expect(queued.rows).toHaveLength(300);
      expect(queued.rows.every((r) => r.n === 1)).toBe(true);
      expect(new Set(queued.rows.map((r) => r.conversation_id))).toEqual(new Set(ids));
      // Event numbers have no gaps or doubles.
      const seqs = (await pool.query<{ seq: number }>('SELECT seq::int AS seq FROM events ORDER BY seq')).rows.map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      // B serves what A created.
      expect(
        (await client(b.url).call('GET', `/api/v2/conversations/callbacks/${ids[0]}`, { token: await client(b.url).app() })).status,
      ).toBe(200);
    } finally {
      await pool.end();
      b.child.kill('SIGTERM');
      await b.exited;
    }
  }, 90_000);

  it('a socket on one process hears the changes made through another, in commit order per conversation', async () => {
    const db = await postgres.cluster().database('shared_log');
    const a = await serve(db);
    const b = await serve(db);
    try {
      const onA = client(a.url);
      const tokenA = await onA.app();
      const topic = 'v2.routing.queues.0e0e0e0e-0000-4000-8000-000000000001.conversations.callbacks';
      const ch = (await onA.call('POST', '/api/v2/notifications/channels', { token: tokenA })).json;
      await onA.call('PUT', `/api/v2/notifications/channels/${ch.id}/subscriptions`, { token: tokenA, body: [{ id: topic }] });
      const socket = await SocketClient.open(ch.connectUri);
      const onB = client(b.url);
      const tokenB = await onB.app();
      const made = await onB.call('POST', '/api/v2/conversations/callbacks', {
        token: tokenB,
        body: { queueId: '0e0e0e0e-0000-4000-8000-000000000001', callbackNumbers: ['+15550100'] },
      });
      const id = made.json.conversation.id as string;
      const customer = (await onB.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: tokenB })).json.participants[0]
        .id as string;
      for (let i = 1; i <= 5; i++)
        await onB.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer}/attributes`, {
          token: tokenB,
          body: { attributes: { step: String(i) } },
        });
      // Created, then five changes: six frames on A, the last with the last step.
      await socket.count(topic, 6, 10_000);
      const frames = socket.on(topic).filter((f) => f.eventBody?.id === id);
      expect(frames).toHaveLength(6);
      expect(frames.at(-1)?.eventBody.participants[0].attributes.step).toBe('5');
      // In commit order: the steps never go back.
      const steps = frames.map((f) => Number(f.eventBody.participants[0].attributes?.step ?? 0));
      expect(steps).toEqual([...steps].sort((x, y) => x - y));
      socket.ws.close();
    } finally {
      for (const p of [a, b]) p.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 60_000);

  it('the manual clock is shared: moved on one process, it moves on all; a reset on one is seen by all', async () => {
    const db = await postgres.cluster().database('shared_clock');
    const manual = ['--clock', 'manual', '--clock-start', '2026-06-01T09:00:00Z'];
    const a = await serve(db, {}, manual);
    const b = await serve(db, {}, manual);
    try {
      const onA = client(a.url);
      const onB = client(b.url);
      const [tokenA, tokenB] = [await onA.app(), await onB.app()];
      // A callback scheduled for 10:00, created through B; the clock moved an hour through A: B fires it.
      const made = await onB.call('POST', '/api/v2/conversations/callbacks', {
        token: tokenB,
        body: {
          queueId: '0e0e0e0e-0000-4000-8000-000000000001',
          callbackNumbers: ['+15550100'],
          callbackScheduledTime: '2026-06-01T10:00:00Z',
        },
      });
      const id = made.json.conversation.id as string;
      expect((await onA.call('POST', '/emulator/clock', { token: tokenA, body: { advance: 'PT1H' } })).json.now).toBe(
        '2026-06-01T10:00:00.000Z',
      );
      await expect
        .poll(async () => (await onB.call('GET', '/emulator/clock', { token: tokenB })).json.now, { timeout: 5000 })
        .toBe('2026-06-01T10:00:00.000Z');
      await expect
        .poll(
          async () =>
            (await onB.call('GET', `/emulator/conversations?phase=queued`, { token: tokenB })).json.entities.map(
              (c: { id: string }) => c.id,
            ),
          {
            timeout: 5000,
          },
        )
        .toEqual([id]);
      // A third process started later starts at the shared time, not at its own --clock-start.
      const c = await serve(db, {}, manual);
      expect((await client(c.url).call('GET', '/emulator/clock', { token: await client(c.url).app() })).json.now).toBe(
        '2026-06-01T10:00:00.000Z',
      );
      c.child.kill('SIGTERM');
      await c.exited;
      // A reset through A: B no longer has the callback.
      expect((await onA.call('POST', '/emulator/reset', { token: tokenA })).status).toBe(200);
      expect((await onB.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: tokenB })).status).toBe(404);
    } finally {
      for (const p of [a, b]) p.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 60_000);

  it('routing across processes: an agent made idle through one gets a callback created through the other, offered once', async () => {
    const db = await postgres.cluster().database('shared_routing');
    const a = await serve(db);
    const b = await serve(db);
    const pool = new pg.Pool({ connectionString: db, max: 1 });
    try {
      const onA = client(a.url);
      const onB = client(b.url);
      const [tokenA, tokenB] = [await onA.app(), await onB.app()];
      const agent = 'a1a1a1a1-0000-4000-8000-000000000001';
      expect((await onA.call('PUT', `/api/v2/users/${agent}/routingstatus`, { token: tokenA, body: { status: 'IDLE' } })).status).toBe(200);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const on = i % 2 === 0 ? onB : onA;
        const r = await on.call('POST', '/api/v2/conversations/callbacks', {
          token: i % 2 === 0 ? tokenB : tokenA,
          body: { queueId: '0e0e0e0e-0000-4000-8000-000000000001', callbackNumbers: [`+1555${i}`] },
        });
        expect(r.json).toMatchObject({ conversation: { id: expect.any(String) } });
        ids.push(r.json.conversation.id as string);
      }
      // The agent has one offer (they take one callback at a time), made once, whichever process made it.
      await expect
        .poll(async () => (await pool.query("SELECT count(*)::int AS n FROM events WHERE type = 'offered'")).rows[0].n, { timeout: 5000 })
        .toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await pool.query("SELECT count(*)::int AS n FROM events WHERE type = 'offered'")).rows[0].n).toBe(1);
      const offered = await pool.query("SELECT conversation_id FROM events WHERE type = 'offered'");
      expect(ids).toContain(offered.rows[0].conversation_id);
    } finally {
      await pool.end();
      for (const p of [a, b]) p.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 60_000);

  it('configuration changed through one process is what the other serves next (its cache is dropped by NOTIFY)', async () => {
    const db = await postgres.cluster().database('shared_config');
    const a = await serve(db);
    const b = await serve(db);
    try {
      const onA = client(a.url);
      const onB = client(b.url);
      const [tokenA, tokenB] = [await onA.app(), await onB.app()];
      const queue = '0e0e0e0e-0000-4000-8000-000000000001';
      // B reads (and caches) the queue, A renames it, B serves the new name.
      expect((await onB.call('GET', `/api/v2/routing/queues/${queue}`, { token: tokenB })).json.name).toBe('Callbacks');
      expect((await onA.call('PUT', `/api/v2/routing/queues/${queue}`, { token: tokenA, body: { name: 'Renamed' } })).status).toBe(200);
      await expect
        .poll(async () => (await onB.call('GET', `/api/v2/routing/queues/${queue}`, { token: tokenB })).json.name, { timeout: 2000 })
        .toBe('Renamed');
      const code = await onA.call('POST', '/api/v2/routing/wrapupcodes', { token: tokenA, body: { name: 'Added through A' } });
      expect(code.status).toBe(200);
      await expect
        .poll(
          async () =>
            (await onB.call('GET', '/api/v2/routing/wrapupcodes', { token: tokenB })).json.entities.map((w: { name: string }) => w.name),
          {
            timeout: 2000,
          },
        )
        .toContain('Added through A');
    } finally {
      for (const p of [a, b]) p.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 60_000);
});
