// Child process of `npm run bench:notify`: either callbackd (argv[2] = 'callbackd') set up with 1,000 agents, 100 queues
// and 1,000 callbacks each alerting its own agent (manual clock: nothing times out), or the floor ('floor'): a bare
// `ws` server that, for each POSTed change, sends frames of the same size to the same sockets callbackd would. Prints
// one JSON line of what the driver needs, then answers `rss` on stdin with its resident set size.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocketServer, type WebSocket } from 'ws';
import { startServer } from '../src/server.js';
import { ManualClock } from '../src/service/clock.js';
import { QUEUE_DEFAULTS } from '../src/service/configuration.js';
import { hashSecret } from '../src/service/secrets.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { CLIENTS, ORG, QUEUES, USERS, queueId, queueTopic, userId, userTopic } from './notify-shared.js';

const mode = process.argv[2];
const report = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'rss') report({ rss: process.memoryUsage().rss });
});

if (mode === 'callbackd') {
  const file = join(mkdtempSync(join(tmpdir(), 'callbackd-notify-')), 'notify.db');
  // The organization written straight into the store, every secret the same hash (1,050 scrypt runs would take a minute).
  const hash = hashSecret('bench-secret');
  const store = new SqliteStore(file);
  await store.seed({
    organizations: [{ id: ORG, name: 'bench' }],
    clients: Array.from({ length: CLIENTS }, (_, c) => ({ clientId: `bench-${c}`, orgId: ORG, name: `bench ${c}`, secretHash: hash })),
    users: Array.from({ length: USERS }, (_, i) => ({
      id: userId(i),
      orgId: ORG,
      name: `Agent ${i}`,
      email: `agent${i}@bench.example`,
      username: `agent${i}@bench.example`,
      passwordHash: hash,
      state: 'active' as const,
    })),
    wrapupCodes: [],
    queues: Array.from({ length: QUEUES }, (_, q) => ({
      id: queueId(q),
      orgId: ORG,
      name: `Queue ${q}`,
      dateCreated: new Date(0),
      ...QUEUE_DEFAULTS,
      memberIds: Array.from({ length: USERS / QUEUES }, (_, k) => userId(k * QUEUES + q)),
      wrapupCodeIds: [],
    })),
  });
  await store.close();
  const server = await startServer({ db: file, port: 0, logger: false, clock: new ManualClock(), routing: false });
  const tokens: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`bench-${c}:bench-secret`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    tokens.push(((await res.json()) as { access_token: string }).access_token);
  }
  const headers = { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' };
  const conversations: { id: string; customer: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const body = JSON.stringify({ queueId: queueId(i % QUEUES), callbackNumbers: ['+13175550100'], callbackUserName: `Customer ${i}` });
    const created = (await (await fetch(`${server.url}/api/v2/conversations/callbacks`, { method: 'POST', headers, body })).json()) as {
      conversation: { id: string };
    };
    const id = created.conversation.id;
    await fetch(`${server.url}/api/v2/conversations/${id}/assign`, { method: 'POST', headers, body: JSON.stringify({ id: userId(i) }) });
    const conv = (await (await fetch(`${server.url}/api/v2/conversations/callbacks/${id}`, { headers })).json()) as {
      participants: { id: string; purpose: string }[];
    };
    conversations.push({ id, customer: conv.participants.find((p) => p.purpose === 'customer')?.id as string });
  }
  report({ url: server.url, tokens, conversations });
} else if (mode === 'floor') {
  // The same deliveries with no store, no lifecycle, no encoding: the frame text the driver gives, sent as is.
  const sockets: WebSocket[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const change = JSON.parse(body) as { k: number; frame: string };
      const k = change.k;
      const correlation = randomUUID();
      const text = (topic: string) =>
        change.frame.replace('"topicName":""', `"topicName":${JSON.stringify(topic)}`).replace('CORRELATION', correlation);
      sockets[k]?.send(text(userTopic(k)));
      const queueFrame = text(queueTopic(k % QUEUES));
      for (let i = k % QUEUES; i < USERS; i += QUEUES) sockets[i]?.send(queueFrame);
      res.writeHead(202).end();
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    const n = Number(/\/channels\/(\d+)/.exec(req.url ?? '')?.[1]);
    sockets[n] = ws;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  report({ url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}` });
} else {
  process.stderr.write('usage: notify-server.js callbackd|floor\n');
  process.exit(2);
}
