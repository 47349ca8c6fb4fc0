// Lateness mode of `npm run bench:scheduler`: 100,000 callbacks scheduled within one minute, on the system clock, with 50
// agents on an auto-answer queue who dial, hang up and wrap up each callback through the engine. Prints how many
// deadlines fired per second, their lateness (fire time minus deadline) p50/p99/max, and the peak RSS; beside the
// engine alone advancing the same kind of state in memory (no storage), as the floor.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server.js';
import { advance, createCallback, type QueueSettings } from '../src/lifecycle/index.js';
import type { Principal } from '../src/service/principal.js';

const json = process.argv.includes('--json');
const COUNT = Number(process.env.BENCH_CALLBACKS ?? 100_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const SPREAD_MS = 60_000;
const ORG = 'bench-org';
const QUEUE = 'bench-queue';
const CODE = 'bench-code';

const dir = mkdtempSync(join(tmpdir(), 'callbackd-sched-'));
const seedFile = join(dir, 'seed.json');
const users = Array.from({ length: AGENTS }, (_, i) => ({
  id: `agent-${i}`,
  name: `Agent ${i}`,
  email: `agent${i}@bench.example`,
  password: 'x',
}));
await (
  await import('node:fs/promises')
).writeFile(
  seedFile,
  JSON.stringify({
    organizations: [
      {
        id: ORG,
        name: 'bench',
        clients: [{ clientId: 'bench', clientSecret: 'bench' }],
        users,
        wrapupCodes: [{ id: CODE, name: 'Done' }],
        queues: [
          {
            id: QUEUE,
            name: 'Bench',
            members: users.map((u) => u.email),
            wrapupCodes: ['Done'],
            callback: { enableAutoAnswer: true, alertingTimeoutSeconds: 30 },
            acw: { wrapupPrompt: 'MANDATORY_TIMEOUT', timeoutMs: 5000 },
          },
        ],
      },
    ],
  }),
);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const cacheBytes = process.env.BENCH_CACHE_MB !== undefined ? Number(process.env.BENCH_CACHE_MB) * 1024 * 1024 : undefined;
const server = await startServer({
  db: join(dir, 'bench.db'),
  port: 0,
  seedFile,
  logger: false,
  ...(cacheBytes !== undefined ? { cacheBytes } : {}),
});
const { scheduler } = server;
const { callbacks, configuration } = server.services;
const app: Principal = { orgId: ORG, clientId: 'bench' };

// Agents: each answered callback is dialed, hung up and wrapped up at once (three more transactions each).
let handled = 0;
let failures = 0;
const previous = callbacks.onChange;
callbacks.onChange = async (orgId, state, events) => {
  await previous?.(orgId, state, events);
  for (const e of events) {
    if (e.type !== 'answered') continue;
    const agent: Principal = { orgId, clientId: 'bench', userId: e.userId };
    setImmediate(() => {
      void (async () => {
        await callbacks.placeCall(agent, state.id, { callNumber: '+13175550100' });
        await callbacks.patchParticipant(agent, state.id, e.participantId, { state: 'disconnected' });
        await callbacks.patchParticipant(agent, state.id, e.participantId, { wrapup: { code: CODE } });
        handled++;
      })().catch((err: unknown) => {
        failures++;
        if (failures <= 3) console.error('agent simulation:', err);
      });
    });
  }
};
for (const u of users) await configuration.setRoutingStatus(app, u.id, 'IDLE');

// Create the callbacks, timed so that all are in before the first one is due.
const create = async (i: number, at: number) =>
  callbacks.createCallback(app, {
    queueId: QUEUE,
    callbackNumbers: ['+13175550100'],
    callbackScheduledTime: new Date(at + (i * SPREAD_MS) / COUNT),
  });
const probeStart = Date.now();
const far = Date.now() + 3600_000;
for (let i = 0; i < 200; i++) await create(i, far);
const perCreate = (Date.now() - probeStart) / 200;
const start = Date.now() + perCreate * COUNT * 1.5 + 3000;
const createStart = Date.now();
for (let i = 200; i < COUNT; i++) await create(i, start);
const createSeconds = (Date.now() - createStart) / 1000;

const lateness: number[] = [];
let firstFire = Infinity;
let lastFire = 0;
scheduler.onFire = (deadline, firedAt) => {
  if (deadline.getTime() < start) return;
  lateness.push(firedAt.getTime() - deadline.getTime());
  firstFire = Math.min(firstFire, firedAt.getTime());
  lastFire = Math.max(lastFire, firedAt.getTime());
};
while (Date.now() < start + SPREAD_MS + 1000 || lateness.length < COUNT - 200) {
  await new Promise((r) => setTimeout(r, 200));
  if (Date.now() > start + SPREAD_MS + 120_000) break;
}
scheduler.onFire = undefined;
clearInterval(sampler);
const firedSeconds = Math.max(1, lastFire - firstFire) / 1000;
const sorted = [...lateness].sort((a, b) => a - b);
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

// Floor: the engine alone advancing callbacks to their due time, in memory.
const queue: QueueSettings = {
  id: QUEUE,
  alertingTimeoutMs: 30000,
  autoAnswer: true,
  wrapupPrompt: 'timeout',
  wrapupTimeoutMs: 5000,
  wrapupCodes: [],
};
const states = Array.from(
  { length: 20_000 },
  (_, i) =>
    createCallback(
      { type: 'create', conversationId: `c${i}`, queue, callbackNumbers: ['+1'], callbackScheduledTime: new Date(far + i) },
      new Date(),
    ).state,
);
const floorStart = process.hrtime.bigint();
for (const s of states) advance(s, new Date(far + 100_000));
const floorPerSec = states.length / (Number(process.hrtime.bigint() - floorStart) / 1e9);

const firedPerSec = lateness.length / firedSeconds;
const figure = {
  name: 'scheduler/100k-in-60s',
  callbacks: COUNT - 200,
  agents: AGENTS,
  fired: lateness.length,
  handledByAgents: handled,
  opsPerSec: Math.round(firedPerSec),
  floorOpsPerSec: Math.round(floorPerSec),
  ratio: Number((firedPerSec / floorPerSec).toFixed(4)),
  latenessP50Ms: q(0.5),
  latenessP99Ms: q(0.99),
  latenessMaxMs: sorted.at(-1) ?? NaN,
  peakRssMB: Math.round(peakRss / 1024 / 1024),
  createPerSec: Math.round((COUNT - 200) / createSeconds),
};
if (json) console.log(JSON.stringify(figure));
else {
  console.log(
    `${figure.name}: ${figure.fired} deadlines fired in the minute (${figure.opsPerSec}/s, the load asked for ${Math.round(figure.callbacks / 60)}/s); agents handled ${handled} callbacks`,
  );
  console.log(
    `  lateness p50 ${figure.latenessP50Ms} ms, p99 ${figure.latenessP99Ms} ms, max ${figure.latenessMaxMs} ms; peak RSS ${figure.peakRssMB} MB`,
  );
  console.log(`  floor (engine alone, in memory) ${figure.floorOpsPerSec}/s; created ${figure.createPerSec}/s before the run`);
}
await server.close();
process.exit(0);
