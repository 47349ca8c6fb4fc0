// Child process of `npm run bench:http`: callbackd servers and a bare Fastify server side by side, so that the load
// generator in the parent gets its own core. callbackd: one on a fresh SQLite file, one on the large store
// (store-1m.ts). The bare server's routes are the floors: the same bytes with no work; a durable create that inserts
// the same row into the same table (a file of its own with the same schema) and commits; a GET of a stored row by
// id from the large store's file, its stored text as is.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server.js';
import { conversationIndex, createCallback } from '../src/lifecycle/index.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { encodeState } from '../src/store/state-codec.js';
import { largeStore } from './store-1m.js';

const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';
const LARGE = Number(process.env.BENCH_STORE_SIZE ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'callbackd-bench-'));
const largeFile = largeStore(LARGE, (l) => process.stderr.write(`${l}\n`));
const server = await startServer({ db: join(dir, 'bench.db'), port: 0, logger: false });
const large = await startServer({ db: largeFile, port: 0, logger: false });

async function token(base: string): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('callbackd-dev:callbackd-dev-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
const base = server.url;
const tok = await token(base);
const largeToken = await token(large.url);
const headers = { authorization: `Bearer ${tok}`, 'content-type': 'application/json' };
const createBody = JSON.stringify({
  queueId: QUEUE,
  callbackNumbers: ['+13175550100'],
  callbackUserName: 'Pat Doe',
  data: { orderId: 'A-17' },
});
const created = await (await fetch(`${base}/api/v2/conversations/callbacks`, { method: 'POST', headers, body: createBody })).text();
const id = (JSON.parse(created) as { conversation: { id: string } }).conversation.id;
const getBytes = await (await fetch(`${base}/api/v2/conversations/callbacks/${id}`, { headers })).text();

// The durable floor's table: the same schema, its own file (a second writer on callbackd's file would contend).
const floorDb = new Database(join(dir, 'floor.db'));
floorDb.pragma('journal_mode = WAL');
floorDb.pragma('synchronous = NORMAL');
for (const m of MIGRATIONS) floorDb.exec(m);
const sample = createCallback(
  {
    type: 'create',
    conversationId: id,
    queue: { id: QUEUE, alertingTimeoutMs: 30_000, autoAnswer: false, wrapupPrompt: 'optional', wrapupCodes: [] },
    callbackNumbers: ['+13175550100'],
  },
  new Date(),
).state;
const sampleBody = encodeState(sample);
const sampleIndex = conversationIndex(sample);
const insert = floorDb.prepare(
  `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority, queued_at)
   VALUES (?, 'org', 1, ?, ?, 'NONE', NULL, ?, ?, ?, ?)`,
);
const largeDb = new Database(largeFile, { readonly: true });
const readStored = largeDb.prepare('SELECT body FROM conversations WHERE id = ?').pluck();

const bare = Fastify({ logger: false });
const json = 'application/json; charset=utf-8';
bare.get('/api/v2/conversations/callbacks/:id', async (_req, reply) => reply.type(json).send(getBytes));
bare.post('/api/v2/conversations/callbacks', async (_req, reply) => reply.type(json).send(created));
bare.patch('/api/v2/conversations/callbacks', async (_req, reply) => reply.type(json).send(created));
bare.patch('/api/v2/conversations/callbacks/:id/participants/:pid/attributes', async (_req, reply) =>
  reply.code(202).type(json).send('{"attributes":{"orderId":"A-17","step":"1"}}'),
);
bare.post('/durable/api/v2/conversations/callbacks', async (_req, reply) => {
  insert.run(randomUUID(), sampleIndex.phase, sampleBody, Date.now(), QUEUE, sampleIndex.priority, Date.now());
  return reply.type(json).send(created);
});
bare.get('/stored/api/v2/conversations/callbacks/:id', async (req, reply) => {
  const body = readStored.get((req.params as { id: string }).id) as string | undefined;
  return body === undefined ? reply.code(404).send() : reply.type(json).send(body);
});
await bare.listen({ host: '127.0.0.1', port: 0 });
const address = bare.server.address();
const barePort = typeof address === 'object' && address !== null ? address.port : 0;
const customer = (JSON.parse(getBytes) as { participants: { id: string }[] }).participants[0]?.id;
const countOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  const n = db.prepare('SELECT COUNT(*) FROM conversations').pluck().get() as number;
  db.close();
  return n;
};
process.stdout.write(
  `${JSON.stringify({ url: base, largeUrl: large.url, largeToken, largeSize: countOf(largeFile), bareUrl: `http://127.0.0.1:${barePort}`, token: tok, id, customer, createBody })}\n`,
);
// The parent asks for the size of the fresh store after each figure (it grows with the creates).
process.stdin.setEncoding('utf8');
process.stdin.on('data', () => process.stdout.write(`${countOf(join(dir, 'bench.db'))}\n`));
process.on('SIGTERM', () => {
  void Promise.all([server.close(), large.close(), bare.close()]).then(() => process.exit(0));
});
