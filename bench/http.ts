// npm run bench:http [-- --json]: HTTP throughput of callbackd on loopback (autocannon), each beside its floor measured
// in the same run: GET a conversation, create a callback, PATCH attributes, create-then-PATCH, against a bare Fastify
// route returning the same bytes; create against a bare route that inserts the same row durably; GET of random ids
// in a store of a million conversations against a bare route reading the stored row; and the server's start.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { largeStore, storedId } from './store-1m.js';

const json = process.argv.includes('--json');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const child = spawn(process.execPath, [fileURLToPath(new URL('./http-server.js', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const nextLine = async () => (await lines.next()).value as string;
const info = JSON.parse(await nextLine()) as {
  url: string;
  largeUrl: string;
  largeToken: string;
  largeSize: number;
  bareUrl: string;
  token: string;
  id: string;
  customer: string;
  createBody: string;
};
/** Conversations in the fresh store now (it grows with the creates). */
const freshSize = async () => {
  child.stdin.write('size\n');
  return Number(await nextLine());
};
const headers = { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' };

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(opts: autocannon.Options): Promise<Run> {
  const r = await autocannon({ connections: 10, duration: seconds, ...opts });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const getOpts = (base: string): autocannon.Options => ({ url: `${base}/api/v2/conversations/callbacks/${info.id}`, headers });
const create = (base: string): autocannon.Options => ({
  url: `${base}/api/v2/conversations/callbacks`,
  method: 'POST',
  headers,
  body: info.createBody,
});
const patch = (base: string): autocannon.Options => ({
  url: `${base}/api/v2/conversations/callbacks/${info.id}/participants/${info.customer}/attributes`,
  method: 'PATCH',
  headers,
  body: '{"attributes":{"step":"1"}}',
});

/** create-then-PATCH as one operation: 10 closed-loop workers, each POSTs a callback and then PATCHes it. */
async function createThenPatch(base: string): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const send = (method: string, path: string, body: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${base}${path}`,
        { method, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () =>
            res.statusCode !== undefined && res.statusCode < 300
              ? resolve(text)
              : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const t0 = process.hrtime.bigint();
      try {
        const created = JSON.parse(await send('POST', '/api/v2/conversations/callbacks', info.createBody)) as {
          conversation: { id: string };
        };
        await send(
          'PATCH',
          '/api/v2/conversations/callbacks',
          JSON.stringify({ conversationId: created.conversation.id, callbackNumbers: ['+13175550199'] }),
        );
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(2));
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** GET of random conversations among the large store's (ids derived from their number, see store-1m.ts). */
const randomGet = (base: string, prefix: string, token: string): autocannon.Options => ({
  url: base,
  headers: { authorization: `Bearer ${token}` },
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        path: `${prefix}/api/v2/conversations/callbacks/${storedId(Math.floor(Math.random() * info.largeSize))}`,
      }),
    },
  ],
});

/** Spawn to listening, in ms: `callbackd serve` on a file, or the floor (the same modules loaded, the file opened, a bare listen). */
async function startup(args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: p.stdout });
  for await (const l of rl) if (l.includes('listening')) break;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  p.kill('SIGTERM');
  await once(p, 'exit');
  return ms;
}
const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
const startFloor = fileURLToPath(new URL('./start-floor.js', import.meta.url));

type Runner = [name: string, subject: () => Promise<Run>, floor: () => Promise<Run>, floorName: string, size: () => Promise<number>];
const runners: Runner[] = [
  ['get-conversation', () => load(getOpts(info.url)), () => load(getOpts(info.bareUrl)), 'bare Fastify, same bytes', freshSize],
  ['create-callback', () => load(create(info.url)), () => load(create(info.bareUrl)), 'bare Fastify, same bytes', freshSize],
  [
    'create-callback-durable',
    () => load(create(info.url)),
    () => load(create(`${info.bareUrl}/durable`)),
    'bare Fastify inserting the same row, committed',
    freshSize,
  ],
  ['patch-attributes', () => load(patch(info.url)), () => load(patch(info.bareUrl)), 'bare Fastify, same bytes', freshSize],
  ['create-then-patch', () => createThenPatch(info.url), () => createThenPatch(info.bareUrl), 'bare Fastify, same bytes', freshSize],
  [
    'get-random-of-1m',
    () => load(randomGet(info.largeUrl, '', info.largeToken)),
    () => load(randomGet(info.bareUrl, '/stored', info.largeToken)),
    'bare Fastify reading the stored row by id',
    async () => info.largeSize,
  ],
];
const only = process.env.BENCH_ONLY;
const figures: Record<string, unknown>[] = [];
const report = (f: Record<string, unknown> & { name: string; ratio: number }) => {
  figures.push(f);
  if (!json) {
    const rest = Object.entries(f)
      .filter(([k]) => k !== 'name')
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
    console.log(`${f.name.padEnd(30)} ${rest}`);
  }
};
/**
 * Reads the large store's file through once, so that its pages are in the OS's cache before the random GETs: else
 * the first rounds read the disk and the figure depends on what ran before (measured: 4.4k/s cold, 12.3k/s warm).
 */
async function warmLargeStore(): Promise<void> {
  const fd = await open(largeStore(info.largeSize), 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  while ((await fd.read(buf, 0, buf.length)).bytesRead > 0);
  await fd.close();
}
for (const [name, subjectRun, floorRun, floorName, size] of runners) {
  if (only !== undefined && !name.includes(only)) continue;
  if (name === 'get-random-of-1m') await warmLargeStore();
  const subject: Run[] = [];
  const floor: Run[] = [];
  for (let r = 0; r < rounds; r++) {
    subject.push(await subjectRun());
    floor.push(await floorRun());
  }
  const ratios = subject.map((s, i) => s.rps / (floor[i] as Run).rps);
  report({
    name: `http/${name}`,
    opsPerSec: Math.round(median(subject.map((s) => s.rps))),
    floorOpsPerSec: Math.round(median(floor.map((s) => s.rps))),
    ratio: Number(median(ratios).toFixed(3)),
    p50Ms: median(subject.map((s) => s.p50)),
    p99Ms: median(subject.map((s) => s.p99)),
    floorP50Ms: median(floor.map((s) => s.p50)),
    floorP99Ms: median(floor.map((s) => s.p99)),
    errors: subject.reduce((a, s) => a + s.errors, 0),
    floor: floorName,
    storeConversations: await size(),
  });
}
child.kill('SIGTERM');
await once(child, 'exit');

// Start: a seeded org on an existing file (the first start seeded it), and on the large store.
if (only === undefined || 'server-start'.includes(only)) {
  const small = join(mkdtempSync(join(tmpdir(), 'callbackd-start-')), 'start.db');
  await startup([bin, 'serve', '--port', '0', '--db', small, '--log-level', 'silent']);
  const largeFile = largeStore(info.largeSize);
  for (const [name, file] of [
    ['server-start', small],
    ['server-start-1m', largeFile],
  ] as const) {
    const subject: number[] = [];
    const floor: number[] = [];
    for (let r = 0; r < 5; r++) {
      subject.push(await startup([bin, 'serve', '--port', '0', '--db', file, '--log-level', 'silent']));
      floor.push(await startup([startFloor, file]));
    }
    report({
      name: `http/${name}`,
      ms: Math.round(median(subject)),
      floorMs: Math.round(median(floor)),
      ratio: Number((median(subject) / median(floor)).toFixed(2)),
      floor: 'node loading fastify and better-sqlite3, opening the file, listening',
      storeConversations: name === 'server-start' ? 0 : info.largeSize,
    });
  }
}
if (json) for (const f of figures) console.log(JSON.stringify(f));
