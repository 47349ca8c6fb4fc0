// npm run bench:notify [-- --json]: live notifications under load. 1,000 sockets (one channel each, 20 per client),
// each subscribed to its agent's callback topic and its queue's (100 queues); 1,000 callbacks alerting their agents.
// A change is a PATCH of a customer's attributes carrying its send time; it reaches 11 sockets (the agent's, and the
// queue's 10). Two phases per run: a steady rate (500 changes/s: delivery latency from the request's send to each
// frame's receipt, p50/p99, frames lost, the server's RSS), then saturation (32 changes in flight: frames delivered
// per second). The floor, measured in the same run, is a bare `ws` server that sends frames of the same size to the
// same sockets for each POSTed change. Runs alternate (callbackd, floor, ...); figures are medians over rounds.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { QUEUES, USERS, queueTopic, userTopic } from './notify-shared.js';

const json = process.argv.includes('--json');
const steadySeconds = Number(process.env.BENCH_SECONDS ?? 10);
const saturationSeconds = Number(process.env.BENCH_SATURATION_SECONDS ?? 5);
const rate = Number(process.env.BENCH_RATE ?? 500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const FANOUT = 1 + USERS / QUEUES;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Child {
  proc: ChildProcess;
  next(): Promise<string>;
}

function launch(mode: 'callbackd' | 'floor'): Child {
  const proc = spawn(process.execPath, [fileURLToPath(new URL('./notify-server.js', import.meta.url)), mode], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return { proc, next: async () => (await lines.next()).value as string };
}

function post(url: string, path: string, method: string, body: string, token?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      {
        method,
        agent,
        headers: { 'content-type': 'application/json', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode !== undefined && res.statusCode < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] as number);
};

/** What the sockets received. */
class Receiver {
  frames = 0;
  latencies: number[] = [];
  sample: string | undefined;
  recording = true;
  onFrame(data: WebSocket.RawData): void {
    const text = data.toString();
    const f = JSON.parse(text) as { topicName: string; eventBody: { participants?: { attributes?: Record<string, string> }[] } };
    if (f.topicName === 'channel.metadata') return;
    this.frames++;
    const t = f.eventBody.participants?.[0]?.attributes?.t;
    if (t !== undefined && t !== 'TVALUE') {
      if (this.recording) this.latencies.push(performance.now() - Number(t));
      if (this.sample === undefined && f.topicName.startsWith('v2.routing.queues.')) this.sample = text;
    }
  }
  async drain(expected: number, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.frames < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
}

interface RunResult {
  p50: number;
  p99: number;
  lost: number;
  sent: number;
  framesPerSec: number;
  rss: number;
}

/** The floor's frame: a real frame of callbackd with its topic, correlation id and send time left to fill. */
let template: string | undefined;

async function run(mode: 'callbackd' | 'floor'): Promise<RunResult> {
  const child = launch(mode);
  const info = JSON.parse(await child.next()) as { url: string; tokens?: string[]; conversations?: { id: string; customer: string }[] };
  const receiver = new Receiver();
  const sockets: WebSocket[] = [];
  const open = (uri: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(uri);
      ws.on('message', (d) => receiver.onFrame(d));
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  for (let i = 0; i < USERS; i++) {
    if (mode === 'callbackd') {
      const token = info.tokens?.[Math.floor(i / 20)] as string;
      const ch = await new Promise<{ id: string; connectUri: string }>((resolve, reject) => {
        const req = http.request(
          `${info.url}/api/v2/notifications/channels`,
          { method: 'POST', agent, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(JSON.parse(body) as { id: string; connectUri: string }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      await post(
        info.url,
        `/api/v2/notifications/channels/${ch.id}/subscriptions`,
        'POST',
        JSON.stringify([{ id: userTopic(i) }, { id: queueTopic(i % QUEUES) }]),
        token,
      );
      sockets.push(await open(ch.connectUri));
    } else sockets.push(await open(`${info.url.replace('http:', 'ws:')}/channels/${i}`));
  }
  const token = info.tokens?.[0];
  let k = 0;
  const change = async (): Promise<void> => {
    const i = k++ % USERS;
    const t = String(performance.now());
    if (mode === 'callbackd') {
      const c = info.conversations?.[i] as { id: string; customer: string };
      await post(
        info.url,
        `/api/v2/conversations/${c.id}/participants/${c.customer}/attributes`,
        'PATCH',
        JSON.stringify({ attributes: { t } }),
        token,
      );
    } else await post(info.url, '/change', 'POST', JSON.stringify({ k: i, frame: (template as string).replace('TVALUE', t) }));
  };
  if (mode === 'callbackd' && template === undefined) {
    // One change to learn the frame's exact text (and warm up), kept out of the figures.
    const c = info.conversations?.[0] as { id: string; customer: string };
    await post(
      info.url,
      `/api/v2/conversations/${c.id}/participants/${c.customer}/attributes`,
      'PATCH',
      JSON.stringify({ attributes: { t: '0' } }),
      token,
    );
    await receiver.drain(FANOUT);
    const sample = JSON.parse(receiver.sample as string) as Record<string, unknown> & {
      metadata: unknown;
      eventBody: { participants: { attributes: Record<string, string> }[] };
    };
    (sample.eventBody.participants[0] as { attributes: Record<string, string> }).attributes.t = 'TVALUE';
    template = JSON.stringify({ ...sample, topicName: '', metadata: { CorrelationId: 'CORRELATION' } });
  }
  // Steady phase.
  receiver.frames = 0;
  receiver.latencies = [];
  let sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const perTick = rate / 100;
  for (let tick = 0; performance.now() - start < steadySeconds * 1000; tick++) {
    const due = Math.floor((tick + 1) * perTick) - Math.floor(tick * perTick);
    for (let j = 0; j < due; j++) {
      pending.push(change());
      sent++;
    }
    const wait = start + (tick + 1) * 10 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
  await receiver.drain(sent * FANOUT);
  const lost = sent * FANOUT - receiver.frames;
  const steady = [...receiver.latencies];
  child.proc.stdin?.write('rss\n');
  const rss = (JSON.parse(await child.next()) as { rss: number }).rss;
  // Saturation phase: 32 changes in flight.
  receiver.recording = false;
  receiver.frames = 0;
  const satStart = performance.now();
  const worker = async () => {
    while (performance.now() - satStart < saturationSeconds * 1000) await change();
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const elapsed = (performance.now() - satStart) / 1000;
  const framesPerSec = receiver.frames / elapsed;
  for (const ws of sockets) ws.terminate();
  child.proc.kill();
  return { p50: pct(steady, 50), p99: pct(steady, 99), lost, sent, framesPerSec, rss };
}

const results: { callbackd: RunResult[]; floor: RunResult[] } = { callbackd: [], floor: [] };
for (let r = 0; r < rounds; r++) {
  for (const mode of ['callbackd', 'floor'] as const) {
    const res = await run(mode);
    results[mode].push(res);
    if (!json)
      console.log(
        `round ${r + 1} ${mode.padEnd(9)} at ${rate}/s: p50 ${res.p50.toFixed(1)} ms, p99 ${res.p99.toFixed(1)} ms, lost ${res.lost} of ${res.sent * FANOUT} frames, RSS ${(res.rss / 2 ** 20).toFixed(0)} MB; saturated: ${res.framesPerSec.toFixed(0)} frames/s`,
      );
  }
}
const m = (mode: 'callbackd' | 'floor', key: keyof RunResult) => median(results[mode].map((x) => x[key]));
const ratios = results.callbackd.map((c, i) => c.framesPerSec / (results.floor[i] as RunResult).framesPerSec);
const summary = {
  name: 'notify',
  sockets: USERS,
  queues: QUEUES,
  ratePerSec: rate,
  p50Ms: m('callbackd', 'p50'),
  p99Ms: m('callbackd', 'p99'),
  floorP50Ms: m('floor', 'p50'),
  floorP99Ms: m('floor', 'p99'),
  lost: Math.max(...results.callbackd.map((x) => x.lost)),
  rssMB: m('callbackd', 'rss') / 2 ** 20,
  framesPerSec: m('callbackd', 'framesPerSec'),
  floorFramesPerSec: m('floor', 'framesPerSec'),
  ratio: median(ratios),
  floor: 'bare ws server sending frames of the same size to the same sockets per POSTed change',
};
if (json) console.log(JSON.stringify(summary));
else
  console.log(
    `\nnotify, ${USERS} sockets over ${QUEUES} queues, medians of ${rounds} rounds:\n` +
      `  at ${rate} changes/s: latency p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms (floor p50 ${summary.floorP50Ms.toFixed(1)}, p99 ${summary.floorP99Ms.toFixed(1)}); lost ${summary.lost}; RSS ${summary.rssMB.toFixed(0)} MB\n` +
      `  saturated: ${summary.framesPerSec.toFixed(0)} frames/s vs floor ${summary.floorFramesPerSec.toFixed(0)} frames/s: ratio ${summary.ratio.toFixed(2)}`,
  );
agent.destroy();
