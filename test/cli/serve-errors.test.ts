// `callbackd serve` with a store or a port it cannot use: one line naming the path (or port) and what to do, exit code
// 2, no stack trace, nothing written.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const serve = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'serve', '--log-level', 'silent', ...args], { encoding: 'utf8', timeout: 20_000 });

describe('serve refuses what it cannot use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callbackd-errors-'));

  it.each([
    [
      'a file that is not SQLite',
      () => (writeFileSync(join(dir, 'notes.txt'), 'hello'), join(dir, 'notes.txt')),
      /is not an SQLite database/,
    ],
    ['a folder', () => (mkdirSync(join(dir, 'folder'), { recursive: true }), join(dir, 'folder')), /is a folder/],
    ['a path below a file', () => (writeFileSync(join(dir, 'plain'), 'x'), join(dir, 'plain', 'x.db')), /cannot create its folder/],
    [
      "another application's database",
      () => {
        const db = new Database(join(dir, 'other.db'));
        db.exec('CREATE TABLE people (name TEXT)');
        db.close();
        return join(dir, 'other.db');
      },
      /database of another application \(tables: people\)/,
    ],
  ])('%s', (_, make, message) => {
    const file = make();
    const before = (() => {
      try {
        return readFileSync(file);
      } catch {
        return undefined;
      }
    })();
    const r = serve('--port', '0', '--db', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(file);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (before !== undefined) expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const r = serve('--port', String(port), '--db', join(dir, 'ok.db'));
    blocker.close();
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`callbackd: port ${port} on 127.0.0.1 is in use; choose another with --port (0 picks a free one).`);
  });
});
