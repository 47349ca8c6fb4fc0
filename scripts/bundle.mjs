// The `callbackd` command's code as one ES module and the chunks of what it imports lazily (dist/cli/), built from
// tsc's output in dist/src/. Loading 73 modules one by one (resolve, read, compile, link each) was ~15 ms of the
// server's start on this machine; the library's modules (dist/src/) stay as they are for `import 'callbackd'`.
// Packages stay external: they are loaded from node_modules as before.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli`;
rmSync(outdir, { recursive: true, force: true }); // chunk names change with their content
await build({
  entryPoints: [`${root}dist/src/cli/main.js`],
  outdir,
  bundle: true,
  splitting: true, // what main.js imports with import() stays lazy (PostgreSQL, the OpenAPI document, ...)
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true, // composed with tsc's maps: node --enable-source-maps shows src/ lines
  logLevel: 'warning',
});
