// npm run bench:http [-- --json]: HTTP throughput of callbackd on loopback (autocannon), beside a bare Fastify route
// returning the same bytes, measured in the same run: GET a conversation, create a callback, PATCH attributes.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const json = process.argv.includes('--json');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const child = spawn(process.execPath, [fileURLToPath(new URL('./http-server.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
const info = JSON.parse(line) as { url: string; bareUrl: string; token: string; id: string; customer: string; createBody: string };
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
const create = (base: string): autocannon.Options => ({ url: `${base}/api/v2/conversations/callbacks`, method: 'POST', headers, body: info.createBody });
const patch = (base: string): autocannon.Options => ({
  url: `${base}/api/v2/conversations/callbacks/${info.id}/participants/${info.customer}/attributes`,
  method: 'PATCH',
  headers,
  body: '{"attributes":{"step":"1"}}',
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const figures: Record<string, unknown>[] = [];
for (const [name, make] of [['get-conversation', getOpts], ['create-callback', create], ['patch-attributes', patch]] as const) {
  const subject: Run[] = [];
  const floor: Run[] = [];
  for (let r = 0; r < rounds; r++) {
    subject.push(await load(make(info.url)));
    floor.push(await load(make(info.bareUrl)));
  }
  const ratios = subject.map((s, i) => s.rps / (floor[i] as Run).rps);
  const f = {
    name: `http/${name}`,
    opsPerSec: Math.round(median(subject.map((s) => s.rps))),
    floorOpsPerSec: Math.round(median(floor.map((s) => s.rps))),
    ratio: Number(median(ratios).toFixed(3)),
    p50Ms: median(subject.map((s) => s.p50)),
    p99Ms: median(subject.map((s) => s.p99)),
    floorP50Ms: median(floor.map((s) => s.p50)),
    floorP99Ms: median(floor.map((s) => s.p99)),
    errors: subject.reduce((a, s) => a + s.errors, 0),
  };
  figures.push(f);
  if (!json) {
    console.log(`${f.name.padEnd(22)} ${String(f.opsPerSec).padStart(7)} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms   floor (bare Fastify, same bytes) ${String(f.floorOpsPerSec).padStart(7)} req/s  p50 ${f.floorP50Ms} ms  p99 ${f.floorP99Ms} ms   ratio ${f.ratio.toFixed(2)}${f.errors > 0 ? `   errors ${f.errors}` : ''}`);
  }
}
if (json) for (const f of figures) console.log(JSON.stringify(f));
child.kill('SIGTERM');
await once(child, 'exit');
