// Child process of `npm run bench:http`: a callbackd server (temp SQLite file) and a bare Fastify server that returns
// the same bytes without doing anything, side by side, so that the load generator in the parent gets its own core.
import Fastify from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server.js';

const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';
const server = await startServer({ db: join(mkdtempSync(join(tmpdir(), 'callbackd-bench-')), 'bench.db'), port: 0, logger: false });
const base = server.url;
const tokenRes = await fetch(`${base}/oauth/token`, {
  method: 'POST',
  headers: {
    authorization: `Basic ${Buffer.from('callbackd-dev:callbackd-dev-secret').toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials',
});
const token = ((await tokenRes.json()) as { access_token: string }).access_token;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const createBody = JSON.stringify({
  queueId: QUEUE,
  callbackNumbers: ['+13175550100'],
  callbackUserName: 'Pat Doe',
  data: { orderId: 'A-17' },
});
const created = await (await fetch(`${base}/api/v2/conversations/callbacks`, { method: 'POST', headers, body: createBody })).text();
const id = (JSON.parse(created) as { conversation: { id: string } }).conversation.id;
const getBytes = await (await fetch(`${base}/api/v2/conversations/callbacks/${id}`, { headers })).text();

const bare = Fastify({ logger: false });
bare.get('/api/v2/conversations/callbacks/:id', async (_req, reply) => reply.type('application/json; charset=utf-8').send(getBytes));
bare.post('/api/v2/conversations/callbacks', async (_req, reply) => reply.type('application/json; charset=utf-8').send(created));
bare.patch('/api/v2/conversations/callbacks', async (_req, reply) => reply.type('application/json; charset=utf-8').send(created));
bare.patch('/api/v2/conversations/callbacks/:id/participants/:pid/attributes', async (_req, reply) =>
  reply.code(202).type('application/json; charset=utf-8').send('{"attributes":{"orderId":"A-17","step":"1"}}'),
);
await bare.listen({ host: '127.0.0.1', port: 0 });
const address = bare.server.address();
const barePort = typeof address === 'object' && address !== null ? address.port : 0;
const customer = (JSON.parse(getBytes) as { participants: { id: string }[] }).participants[0]?.id;
process.stdout.write(`${JSON.stringify({ url: base, bareUrl: `http://127.0.0.1:${barePort}`, token, id, customer, createBody })}\n`);
process.on('SIGTERM', () => {
  void Promise.all([server.close(), bare.close()]).then(() => process.exit(0));
});
