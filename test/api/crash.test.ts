// Kills the server (SIGKILL) between deadlines and their effects, restarts it on the same file, and checks that every
// passed deadline fired exactly once, at its own time, in deadline order.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { fixturePath } from '../helpers.js';
import { AGENT1, QUEUE, client, tempDb } from './helpers.js';

const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));

async function launch(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--port', '0', '--db', db, '--seed', fixturePath('seed-two-orgs.json'), '--log-level', 'silent'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
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
});
