// What a server loads: not the schema library (TypeBox costs ~100 ms to load; the server reads generated
// descriptors instead), nor Fastify's schema compilers (Ajv; no route has a Fastify schema). Checked on the built
// code, with a module hook that reports every resolution of `typebox`, and the CommonJS cache of a started server.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDb } from '../api/helpers.js';
import { describe, expect, it } from 'vitest';

const hook = `export async function resolve(s, c, next) { if (s === 'typebox' || s.startsWith('typebox/')) process.stderr.write('typebox loaded\\n'); return next(s, c); }`;
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

/** What loading a built module (a path under dist/) reports through the hook. */
function loads(module: string): string {
  const url = new URL(`../../dist/${module}`, import.meta.url).href;
  const r = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '-e', `await import(${JSON.stringify(url)})`],
    {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    },
  );
  expect(r.status).toBe(0);
  return r.stderr;
}

describe('start-up', () => {
  it('the server and the CLI do not load the schema library; the full package entry does', () => {
    expect(loads('src/server.js')).not.toContain('typebox loaded');
    expect(loads('src/cli/main.js')).not.toContain('typebox loaded');
    expect(loads('cli/main.js')).not.toContain('typebox loaded'); // the bundle the command runs
    // The probe itself works: the package's main entry exports the schema, so it loads TypeBox.
    expect(loads('src/index.js')).toContain('typebox loaded');
  });

  it("a started server has not loaded Fastify's schema compilers (Ajv, fast-json-stringify's); a bare Fastify does", () => {
    const packages = (start: string) => {
      const r = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createRequire } from 'node:module';
           ${start}
           const loaded = new Set(Object.keys(createRequire(import.meta.url).cache).flatMap((f) => {
             const parts = (f.split('node_modules/').at(-1) ?? '').split('/');
             return f.includes('node_modules/') ? [parts[0].startsWith('@') ? parts[0] + '/' + parts[1] : parts[0]] : [];
           }));
           process.stdout.write(JSON.stringify([...loaded]));
           process.exit(0);`,
        ],
        { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) },
      );
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as string[];
    };
    const server = new URL('../../dist/src/server.js', import.meta.url).href;
    const ours = packages(
      `const { startServer } = await import(${JSON.stringify(server)}); const s = await startServer({ db: ${JSON.stringify(tempDb())}, port: 0, logger: false }); await fetch(s.url + '/emulator/health'); await s.close();`,
    );
    expect(ours).toContain('fastify');
    expect(ours).not.toContain('ajv');
    expect(ours).not.toContain('@fastify/ajv-compiler');
    expect(ours).not.toContain('@fastify/fast-json-stringify-compiler');
    const bare = packages(
      `const { default: F } = await import('fastify'); const app = F(); app.get('/', async () => 'ok'); await app.ready();`,
    );
    expect(bare).toContain('ajv');
  });

  it('the command runs its bundle (dist/cli/), not the modules of dist/src/, and the chunks it imports lazily load', async () => {
    // Every module of ours that is loaded is reported on stderr by a load hook.
    const hook = `export async function load(u, c, next) { if (u.includes('/dist/')) process.stderr.write('loaded ' + u + '\\n'); return next(u, c); }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
    const p = spawn(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        bin,
        'serve',
        '--port',
        '0',
        '--db',
        tempDb(),
        '--log-level',
        'silent',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let url = '';
    for await (const line of createInterface({ input: p.stdout })) {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m !== null) {
        url = m[1] as string;
        break;
      }
    }
    // The OpenAPI document is imported on its first request: a chunk of the bundle.
    const doc = await fetch(`${url}/api/v2/docs/openapi.json`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    p.kill('SIGTERM');
    await once(p, 'exit');
    const loaded = stderr
      .split('\n')
      .filter((l) => l.startsWith('loaded '))
      .map((l) => l.slice('loaded '.length).replace(/.*\/dist\//, 'dist/'));
    expect(loaded).toContain('dist/cli/main.js');
    expect(loaded.filter((u) => u.startsWith('dist/cli/chunk-')).length).toBeGreaterThan(1);
    expect(loaded.filter((u) => !u.startsWith('dist/cli/'))).toEqual([]);
  });
});
