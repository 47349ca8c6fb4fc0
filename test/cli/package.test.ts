// The packages as users get them: packed with `npm pack`, installed into a new project, then `npx callbackd serve`
// starts on its default organization, `callbackd/server` starts an in-process server, and ES module, CommonJS and
// TypeScript (node16, nodenext, bundler) consumers compile and run; `@callbackd/model` installs without a server or a
// native build. (Installed with the npm cache preferred; the native SQLite addon is the one already built for this
// project, copied rather than compiled again.)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** Compiles a consumer project; a failure throws with tsc's own report (it writes its errors on stdout). */
function tsc(dir: string): void {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      cwd: dir,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    throw new Error(`tsc failed in ${dir}:\n${(e as { stdout?: string }).stdout ?? (e as Error).message}`);
  }
}
const TS_IMPORTS = `
  import { decodeCallbackMediaParticipant, type CallbackMediaParticipant } from 'callbackd';
  import { startServer, type ServerOptions } from 'callbackd/server';
`;
const TS_USER = `
  const options: ServerOptions = { db: ':memory:', port: 0, logger: false };
  const decoded = decodeCallbackMediaParticipant({ id: 'p', held: false });
  const p: CallbackMediaParticipant | undefined = decoded.ok ? decoded.value : undefined;
  const s = await startServer(options);
  const res = await fetch(s.url + '/emulator/health');
  console.log(res.status, p?.held);
  await s.close();
`;

it('CommonJS: require() of both entry points (Node 20.19 and later load ES modules that way)', () => {
  writeFileSync(
    join(project, 'consumer.cjs'),
    `const { decodeCallbackMediaParticipant } = require('callbackd');
     const { startServer } = require('callbackd/server');
     startServer({ db: ':memory:', port: 0, logger: false }).then(async (s) => {
       console.log(decodeCallbackMediaParticipant({ id: 'p' }).ok, (await fetch(s.url + '/emulator/health')).status);
       await s.close();
     });`,
  );
  const out = execFileSync(process.execPath, [join(project, 'consumer.cjs')], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
  expect(out.trim()).toBe('true 200');
}, 60_000);

it.each([
  ['node16 (ES module project)', 'ts-node16', { module: 'node16', moduleResolution: 'node16' }, 'module'],
  ['nodenext (CommonJS project)', 'ts-nodenext-cjs', { module: 'nodenext', moduleResolution: 'nodenext' }, 'commonjs'],
  ['bundler', 'ts-bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'module'],
])(
  'TypeScript, %s: types resolve, the code compiles strictly and runs',
  (_, name, options, type) => {
    const dir = join(project, name);
    mkdirSync(dir, { recursive: true });
    // A CommonJS file cannot await at the top: the same code, in an async function.
    const code = type === 'commonjs' ? `${TS_IMPORTS}async function main() {${TS_USER}}\nvoid main();\n` : `${TS_IMPORTS}${TS_USER}`;
    writeFileSync(join(dir, 'index.ts'), code);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...options, target: 'es2022', strict: true, outDir: 'out', skipLibCheck: true, types: [] },
        files: ['index.ts'],
      }),
    );
    tsc(dir);
    const out = execFileSync(process.execPath, [join(dir, 'out/index.js')], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    expect(out.trim()).toBe('200 false');
  },
  60_000,
);

it('TypeScript finds type errors in a consumer (the types are real, not any)', () => {
  const dir = join(project, 'ts-wrong');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ts'), `import { startServer } from 'callbackd/server';\nvoid startServer({ db: 7 });\nexport {};`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ts-wrong', private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'node16', strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ['index.ts'],
    }),
  );
  expect(() => tsc(dir)).toThrow(/TS2322/);
}, 60_000);

it('@callbackd/model installs without a web server or a native build, and decodes', () => {
  const modelPackage = join(root, 'packages/model');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', modelPackage], { cwd: root, stdio: 'pipe' });
  const manifest = JSON.parse(readFileSync(join(modelPackage, 'package.json'), 'utf8'));
  expect(manifest.version).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  const dir = mkdtempSync(join(tmpdir(), 'callbackd-model-user-'));
  try {
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: modelPackage, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz')) as string;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'model-user', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', join(dir, tarball)], {
      cwd: dir,
      stdio: 'pipe',
    });
    const installed = readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed.sort()).toEqual(['@callbackd', 'typebox']);
    for (const heavy of ['better-sqlite3', 'fastify', 'ws', 'commander']) expect(existsSync(join(dir, 'node_modules', heavy))).toBe(false);
    writeFileSync(
      join(dir, 'use.mjs'),
      `import { decodeCallbackMediaParticipant, ROWS } from '@callbackd/model';
       const r = decodeCallbackMediaParticipant({ id: 'p', state: 'alerting', held: 'no' });
       console.log(r.ok, r.ok ? '' : r.errors[0].path, ROWS.length > 0);`,
    );
    expect(execFileSync(process.execPath, [join(dir, 'use.mjs')], { cwd: dir, encoding: 'utf8' }).trim()).toBe('false /held true');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
