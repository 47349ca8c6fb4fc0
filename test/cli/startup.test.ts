// What a server loads: not the schema library (TypeBox costs ~100 ms to load; the server reads generated
// descriptors instead). Checked on the built code, with a module hook that reports every resolution of `typebox`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const hook = `export async function resolve(s, c, next) { if (s === 'typebox' || s.startsWith('typebox/')) process.stderr.write('typebox loaded\\n'); return next(s, c); }`;
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

function loads(module: string): string {
  const url = new URL(`../../dist/src/${module}`, import.meta.url).href;
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
    expect(loads('server.js')).not.toContain('typebox loaded');
    expect(loads('cli/main.js')).not.toContain('typebox loaded');
    // The probe itself works: the package's main entry exports the schema, so it loads TypeBox.
    expect(loads('index.js')).toContain('typebox loaded');
  });
});
