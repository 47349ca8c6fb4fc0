// The package as users get it: packed with `npm pack`, installed into a new project, then `npx callbackd serve` starts
// on its default organization and `callbackd/server` starts an in-process server. (Installed with the npm cache preferred; the
// native SQLite addon is the one already built for this project, copied rather than compiled again.)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'callbackd-user-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz')) as string;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(project, tarball)], {
    cwd: project,
    stdio: 'pipe',
  });
  cpSync(join(root, 'node_modules/better-sqlite3/build'), join(project, 'node_modules/better-sqlite3/build'), { recursive: true });
}, 180_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

it('npx callbackd serve starts from the installed package on its default organization', async () => {
  const child = spawn('npx', ['callbackd', 'serve', '--port', '0', '--db', join(project, 'data.db'), '--log-level', 'silent'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out} ${err}`)), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out} ${err}`)));
  });
  const token = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('callbackd-dev:callbackd-dev-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(token.status).toBe(200);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}, 60_000);

it('callbackd/server starts an in-process server with typed options, and closes', () => {
  const script = `
    import { startServer } from 'callbackd/server';
    import { decodeModel } from 'callbackd';
    const s = await startServer({ db: ':memory:', port: 0, logger: false });
    const res = await fetch(s.url + '/api/v2/docs/openapi.json');
    console.log(res.status, typeof decodeModel);
    await s.close();
  `;
  writeFileSync(join(project, 'inproc.mjs'), script);
  const out = execFileSync(process.execPath, [join(project, 'inproc.mjs')], { cwd: project, encoding: 'utf8' });
  expect(out.trim()).toBe('200 function');
}, 60_000);
