// The README's notifications example runs as written (against a test server instead of port 8080) and prints the
// first snapshot of the callback it creates.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { server } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let srv: RunningServer;
beforeAll(async () => {
  srv = await server({ seedFile: join(root, 'config/default-org.json') });
});
afterAll(async () => srv.close());

it('the README example follows a queue with the SDK and ws', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf('With the official SDK and `ws`'));
  const code = /```js\n([\s\S]*?)```/.exec(after)?.[1];
  expect(code).toContain('postNotificationsChannels');
  // In the repository, so that its imports resolve to this project's node_modules.
  const dir = mkdtempSync(join(root, 'test/.readme-'));
  const file = join(dir, 'follow.mjs');
  writeFileSync(file, (code as string).replace('port: 8080', `port: ${new URL(srv.url).port}`));
  try {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output: ${out} ${err}`)), 15000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(out).toMatch(/^v2\.routing\.queues\.[0-9a-f-]+\.conversations\.callbacks \[ 'customer:connected', 'acd:connected' \]/);
    child.kill();
    await exited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the README's quick-start SDK snippet runs as written", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf('With the official JS SDK'));
  const code = /```js\n([\s\S]*?)```/.exec(after)?.[1] as string;
  expect(code).toContain("import platformClient from 'purecloud-platform-client-v2'");
  const dir = mkdtempSync(join(root, 'test/.readme-'));
  try {
    writeFileSync(join(dir, 'create.mjs'), code.replace('port: 8080', `port: ${new URL(srv.url).port}`));
    // Spawned, not run synchronously: the server answering it lives in this process.
    const child = spawn(process.execPath, [join(dir, 'create.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code_ = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code_).toBe(0);
    expect(out).toMatch(/^created [0-9a-f-]{36}\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
