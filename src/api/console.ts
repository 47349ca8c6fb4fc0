// The console (README: The console): static files served at /console/, `/` redirecting there. The page is
// console/index.html and console/style.css, its modules are compiled from console/src by `npm run build` into
// dist/console, and Preact, its hooks and htm are served from their packages; an import map in the page names them.
// Every file is read once, at the first request, into memory, and only files of that list are ever served: no path
// from a URL reaches the file system. The page talks to the public API with the token its user signs in with.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../service/paths.js';

interface StaticFile {
  type: string;
  body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
};

const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/** The files of the console by URL path (under /console/), and the page's Content-Security-Policy. */
function load(): { files: Map<string, StaticFile>; csp: string } {
  const root = packageRoot();
  const files = new Map<string, StaticFile>();
  const add = (path: string, file: string) => files.set(path, { type: typeOf(file), body: readFileSync(file) });
  add('', join(root, 'console', 'index.html'));
  add('style.css', join(root, 'console', 'style.css'));
  const compiled = join(root, 'dist', 'console');
  for (const f of readdirSync(compiled)) if (f.endsWith('.js')) add(f, join(compiled, f));
  const require = createRequire(join(root, 'package.json'));
  const preact = dirname(require.resolve('preact'));
  add('vendor/preact.mjs', join(preact, 'preact.mjs'));
  add('vendor/hooks.mjs', join(preact, '..', 'hooks', 'dist', 'hooks.mjs'));
  add('vendor/htm.mjs', join(dirname(require.resolve('htm')), 'htm.mjs'));
  // The page's one inline script is its import map: allowed by its hash, nothing else inline.
  const page = (files.get('') as StaticFile).body.toString('utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "connect-src 'self' ws: wss:",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return { files, csp };
}

export function registerConsole(app: FastifyInstance): void {
  let loaded: ReturnType<typeof load> | undefined;
  app.get('/', (_request, reply) => reply.redirect('/console/', 302));
  // The router ignores trailing slashes: /console/ and /console are the page; /console/x is a file of it.
  const serve = (path: string, reply: FastifyReply) => {
    loaded ??= load();
    const file = loaded.files.get(path);
    if (file === undefined) return reply.callNotFound();
    return reply
      .header('content-type', file.type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', loaded.csp)
      .send(file.body);
  };
  app.get('/console', (_request, reply) => serve('', reply));
  app.get('/console/*', (request, reply) => serve((request.params as { '*': string })['*'], reply));
}
