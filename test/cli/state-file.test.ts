// `serve --export-on-exit FILE` writes every organization's state on shutdown; `serve --import FILE` loads one into a
// new store, checked whole first (a bad file: exit 2 naming the field, nothing written).
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { client } from '../api/helpers.js';

const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'callbackd-state-'));
const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';

async function start(args: string[]) {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'silent', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out} ${err}`)), 15_000);
    child.stdout.on('data', () => out.includes('OpenAPI:') && (clearTimeout(timer), resolve()));
  });
  const url = /listening on (http:\/\/[^ ]+)/.exec(out)?.[1] as string;
  const token = await client(url).app();
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const stop = async () => {
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return { code: await exit, err };
  };
  return { call, stop };
}

describe('state files', () => {
  it('export on exit, import into a new store: the same conversations, which work on', async () => {
    const file = join(dir, 'state.json');
    const first = await start(['--db', join(dir, 'first.db'), '--export-on-exit', file]);
    const created = (await (
      await first.call('POST', '/api/v2/conversations/callbacks', { queueId: QUEUE, callbackNumbers: ['+15550100'] })
    ).json()) as {
      conversation: { id: string };
    };
    const id = created.conversation.id;
    const before = await (await first.call('GET', `/api/v2/conversations/callbacks/${id}`)).text();
    expect(await first.stop()).toEqual({ code: 0, err: '' });

    const states = JSON.parse(readFileSync(file, 'utf8'));
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ format: 'callbackd-state', version: 1, organization: '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001' });
    expect(states[0].tables.conversations.map((c: { id: string }) => c.id)).toEqual([id]);

    const second = await start(['--db', join(dir, 'second.db'), '--import', file]);
    expect(await (await second.call('GET', `/api/v2/conversations/callbacks/${id}`)).text()).toBe(before);
    expect((await second.call('POST', `/api/v2/conversations/${id}/disconnect`)).status).toBe(202);
    const after = (await (await second.call('GET', `/api/v2/conversations/callbacks/${id}`)).json()) as {
      participants: { state: string }[];
    };
    expect(new Set(after.participants.map((p) => p.state))).toEqual(new Set(['disconnected']));
    expect((await second.stop()).code).toBe(0);
  });

  it('a state file that does not fit: exit 2, each problem by its pointer, nothing written', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify([{ format: 'callbackd-state', version: 1, schema: 8, organization: 'o', tables: { conversations: 'none' } }]),
    );
    const db = join(dir, 'never.db');
    const r = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'silent', '--db', db, '--import', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`callbackd: cannot import ${file}:\n  /0/tables/organizations: expected an array of rows, got nothing`);
    expect(r.stderr).toContain('/0/tables/conversations: expected an array of rows, got string');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--db', db, '--import', join(dir, 'nope.json')], {
      encoding: 'utf8',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`callbackd: cannot import ${join(dir, 'nope.json')}: no such file\n`);
    // The store was opened (and seeded) to check the file, but nothing of the file went in.
    const opened = new Database(db, { readonly: true });
    expect(opened.prepare("SELECT count(*) FROM organizations WHERE id = 'o'").pluck().get()).toBe(0);
    expect(opened.prepare('SELECT count(*) FROM conversations').pluck().get()).toBe(0);
    opened.close();
  });
});
