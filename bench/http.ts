// npm run bench:http [-- --json]: HTTP throughput of callbackd on loopback (autocannon), beside a bare Fastify route
// returning the same bytes, measured in the same run: GET a conversation, create a callback, PATCH attributes.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const json = process.argv.includes('--json');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const child = spawn(process.execPath, [fileURLToPath(new URL('./http-server.js', import.meta.url))], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
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
const figures: Record<string, unknown>[] = [];
const runners: [string, (base: string) => Promise<Run>][] = [
  ['get-conversation', (base) => load(getOpts(base))],
  ['create-callback', (base) => load(create(base))],
  ['patch-attributes', (base) => load(patch(base))],
  ['create-then-patch', createThenPatch],
];
for (const [name, run] of runners) {
  const subject: Run[] = [];
  const floor: Run[] = [];
  for (let r = 0; r < rounds; r++) {
    subject.push(await run(info.url));
    floor.push(await run(info.bareUrl));
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
    console.log(
      `${f.name.padEnd(22)} ${String(f.opsPerSec).padStart(7)} ops/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms   floor (bare Fastify, same bytes) ${String(f.floorOpsPerSec).padStart(7)} ops/s  p50 ${f.floorP50Ms} ms  p99 ${f.floorP99Ms} ms   ratio ${f.ratio.toFixed(2)}${f.errors > 0 ? `   errors ${f.errors}` : ''}`,
    );
  }
}
if (json) for (const f of figures) console.log(JSON.stringify(f));
child.kill('SIGTERM');
await once(child, 'exit');
