// `callbackd serve --db postgres://...`: the whole service on PostgreSQL from the command line, its banner hiding
// the password; a database it cannot reach is one line naming it (password hidden), exit code 2.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../api/helpers.js';
import { useCluster } from '../support/postgres.js';

const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const postgres = useCluster({ beforeAll, afterAll });
const available = postgres.available;

describe('serve on PostgreSQL', () => {
  it('a database it cannot reach: one line naming it, the password hidden, exit code 2', () => {
    const r = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--db', 'postgres://me:hunter2@127.0.0.1:1/none'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^callbackd: cannot use the PostgreSQL database postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/none: .*ECONNREFUSED/);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.runIf(available)(
    'serves from PostgreSQL: health says so, a callback is created and read back',
    async () => {
      const url = new URL(await postgres.cluster().database('serve_cli'));
      url.password = 'not-needed';
      const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'silent', '--db', url.toString()], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
        child.stdout.on('data', () => out.includes('OpenAPI:') && (clearTimeout(timer), resolve()));
      });
      expect(out).not.toContain('not-needed');
      expect(out).toContain(':***@');
      const base = /listening on (http:\/\/[^ ]+)/.exec(out)?.[1] as string;
      const api = client(base);
      expect((await api.call('GET', '/emulator/health')).json).toMatchObject({ status: 'ready', store: 'postgres' });
      const token = await api.app();
      const made = await api.call('POST', '/api/v2/conversations/callbacks', {
        token,
        body: { queueId: '0e0e0e0e-0000-4000-8000-000000000001', callbackNumbers: ['+15550100'] },
      });
      const id = made.json.conversation.id as string;
      expect((await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token })).json.id).toBe(id);
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    },
    60_000,
  );
});
