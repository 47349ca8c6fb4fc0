// Kills the server (SIGKILL) between deadlines and their effects, restarts it on the same file, and checks that every
// passed deadline fired exactly once, at its own time, in deadline order.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { fixturePath } from '../helpers.js';
import Database from 'better-sqlite3';
import { AGENT1, AGENT2, QUEUE, client, tempDb } from './helpers.js';
import { SocketClient } from './socket-client.js';

const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));

async function launch(db: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--db', db, '--seed', fixturePath('seed-two-orgs.json'), '--log-level', 'silent', ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null && out.includes('OpenAPI:')) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
  });
  return { child, url };
}

const kill = async (child: ChildProcess) => {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a crash', () => {
  it('loses no deadline and fires none twice', async () => {
    const db = tempDb();
    const first = await launch(db);
    const c = client(first.url);
    const app = await c.app();
    const base = Date.now();
    const due = [3000, 3300, 3600].map((ms) => new Date(base + ms).toISOString());
    const ids: string[] = [];
    // Created in reverse order, so that deadline order is not creation order.
    for (const when of [...due].reverse()) {
      const r = await c.call('POST', '/api/v2/conversations/callbacks', {
        token: app,
        body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], callbackScheduledTime: when },
      });
      ids.unshift(r.json.conversation.id);
    }
    // One agent on queue: the first callback to come due is offered first.
    expect((await c.call('PUT', `/api/v2/users/${AGENT1}/routingstatus`, { token: app, body: { status: 'IDLE' } })).status).toBe(200);
    await kill(first.child);
    await sleep(Math.max(0, base + 4100 - Date.now()));

    const store = new SqliteStore(db);
    const before = await Promise.all(ids.map((id) => store.getConversation(ORG, id)));
    expect(before.map((s) => s?.state.phase)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    await store.close();

    const second = await launch(db);
    const c2 = client(second.url);
    const app2 = await c2.app();
    const after = await Promise.all(
      ids.map(async (id) => (await c2.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app2 })).json),
    );
    for (const [i, conv] of after.entries()) {
      // Queued at its own scheduled time, not at restart time.
      expect(conv.participants[0].connectedTime).toBe(due[i]);
    }
    expect(after[0].participants.filter((p: any) => p.purpose === 'agent').map((p: any) => p.user.id)).toEqual([AGENT1]);
    expect(after[1].participants.filter((p: any) => p.purpose === 'agent')).toEqual([]);
    await kill(second.child);

    const check = new SqliteStore(db);
    const versions = (await Promise.all(ids.map((id) => check.getConversation(ORG, id)))).map((s) => s?.state.version);
    // Created (1), came due exactly once (2), and the first also offered (3).
    expect(versions).toEqual([3, 2, 2]);
    await check.close();

    const third = await launch(db);
    const c3 = client(third.url);
    const again = await Promise.all(
      ids.map(async (id) => (await c3.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: await c3.app() })).json),
    );
    expect(again.map((x) => x.participants.length)).toEqual(after.map((x) => x.participants.length));
    await kill(third.child);
    const last = new SqliteStore(db);
    expect((await Promise.all(ids.map((id) => last.getConversation(ORG, id)))).map((s) => s?.state.version)).toEqual([3, 2, 2]);
    await last.close();
  }, 60_000);

  it('a kill after a firing commits and before the router reacts: NOT_RESPONDING was committed with it, the next offer is made on restart, once', async () => {
    const db = tempDb();
    const manual = (at: string) => ['--clock', 'manual', '--clock-start', at];
    const first = await launch(db, manual('2026-06-01T09:00:00Z'), { CALLBACKD_KILL_AFTER_EVENT: 'notResponding' });
    const exited = new Promise<number | null>((resolve) =>
      first.child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? 9 : null)),
    );
    const c = client(first.url);
    const app = await c.app();
    // Agent 1 on queue first (the longest idle), then agent 2: the callback is offered to agent 1.
    for (const agent of [AGENT1, AGENT2]) {
      expect((await c.call('PUT', `/api/v2/users/${agent}/routingstatus`, { token: app, body: { status: 'IDLE' } })).status).toBe(200);
    }
    const id = (
      await c.call('POST', '/api/v2/conversations/callbacks', { token: app, body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] } })
    ).json.conversation.id as string;
    const offered = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json;
    expect(offered.participants.filter((p: any) => p.purpose === 'agent').map((p: any) => [p.user.id, p.state])).toEqual([
      [AGENT1, 'alerting'],
    ]);
    // The alerting timeout (30 s) fires; the process dies right after that commit, before routing reacts.
    await c.call('POST', '/emulator/clock', { token: app, body: { advance: 'PT31S' } }).catch(() => undefined);
    expect(await exited).toBe(9);

    const raw = new Database(db, { readonly: true });
    const statuses = Object.fromEntries(
      (raw.prepare('SELECT user_id, status FROM routing_status').all() as { user_id: string; status: string }[]).map((r) => [
        r.user_id,
        r.status,
      ]),
    );
    const row = raw.prepare('SELECT phase, version FROM conversations WHERE id = ?').get(id) as { phase: string; version: number };
    raw.close();
    // Durable in the firing's transaction: agent 1 is NOT_RESPONDING, the callback is back in the queue, no one has it.
    expect(statuses).toEqual({ [AGENT1]: 'NOT_RESPONDING', [AGENT2]: 'IDLE' });
    expect(row.phase).toBe('queued');

    // Restart: the router's first pass offers it to agent 2 (replayed from stored state), and only once.
    const second = await launch(db, manual('2026-06-01T09:01:00Z'));
    const c2 = client(second.url);
    const app2 = await c2.app();
    const after = (await c2.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app2 })).json;
    expect(after.participants.filter((p: any) => p.purpose === 'agent').map((p: any) => [p.user.id, p.state, p.disconnectType])).toEqual([
      [AGENT1, 'disconnected', 'system'],
      [AGENT2, 'alerting', undefined],
    ]);
    const statusOf = async (agent: string) => (await c2.call('GET', `/api/v2/users/${agent}/routingstatus`, { token: app2 })).json.status;
    expect([await statusOf(AGENT1), await statusOf(AGENT2)]).toEqual(['NOT_RESPONDING', 'INTERACTING']);
    await kill(second.child);
    const third = await launch(db, manual('2026-06-01T09:01:05Z'));
    const c3 = client(third.url);
    const again = (await c3.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: await c3.app() })).json;
    expect(again.participants.filter((p: any) => p.purpose === 'agent')).toHaveLength(2);
    await kill(third.child);
    const check = new Database(db, { readonly: true });
    expect((check.prepare('SELECT version FROM conversations WHERE id = ?').get(id) as { version: number }).version).toBe(row.version + 1);
    check.close();
  }, 60_000);

  it('SIGTERM with an idle connection and a body still arriving: exits within the shutdown bound', async () => {
    const db = tempDb();
    const { child, url } = await launch(db);
    const { hostname, port } = new URL(url);
    const open = (bytes: string) =>
      new Promise<Socket>((resolve) => {
        const s = connect(Number(port), hostname, () => {
          s.write(bytes);
          resolve(s);
        });
        s.on('error', () => undefined);
      });
    const idle = await open('GET /api/v2/docs/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n');
    const slow = await open(
      'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ngrant',
    );
    await sleep(200);
    const started = Date.now();
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    // The idle one closes at once; the slow one when the 5 s shutdown deadline cuts it.
    expect(Date.now() - started).toBeLessThan(8000);
    idle.destroy();
    slow.destroy();
  }, 30_000);

  it('SIGTERM: notification sockets are told socket_closing and closed cleanly; heartbeat and CORS from the command line', async () => {
    const { child, url } = await launch(tempDb(), ['--cors-origin', 'https://app.example'], { CALLBACKD_HEARTBEAT_SECONDS: '0.2' });
    const c = client(url);
    const token = await c.app();
    const ch = (await c.call('POST', '/api/v2/notifications/channels', { token })).json;
    // Only the configured origin may open a socket now (localhost pages are no longer the default).
    await expect(SocketClient.open(ch.connectUri, { origin: 'http://localhost:5173' })).rejects.toThrow(/403/);
    const socket = await SocketClient.open(ch.connectUri, { origin: 'https://app.example' });
    await socket.until(() => socket.frames.some((f) => f.eventBody?.message === 'WebSocket Heartbeat'), 3000);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await socket.until(() => socket.closed, 5000);
    expect(socket.on('v2.system.socket_closing')).toHaveLength(1);
    expect(socket.closed?.code).toBe(1001);
    expect(await exited).toBe(0);
  }, 30_000);
});
