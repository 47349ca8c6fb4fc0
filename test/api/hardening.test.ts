// What used to end in a 500, a Fastify-shaped error, a hang or a partial change: each answered with the Platform
// ErrorBody (or refused whole), and the service still working afterwards.
import Database from 'better-sqlite3';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, QUEUE, TestClock, client, server, snapshot, tempDb } from './helpers.js';

/** Sends raw bytes and reads the whole response (the server closes the connection after an HTTP-level error). */
function raw(url: string, bytes: string, pauseMs = 0): Promise<{ status: number; headers: string; body: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(bytes);
      if (pauseMs > 0) setTimeout(() => socket.writable && socket.write('x'), pauseMs);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body, ms: Date.now() - started });
    });
  });
}

const isErrorBody = (text: string, status: number) => {
  const json = JSON.parse(text);
  expect(json).toMatchObject({
    status,
    code: expect.any(String),
    message: expect.any(String),
    contextId: expect.any(String),
    details: [],
    errors: [],
  });
  return json;
};

const db = tempDb();
const clock = new TestClock();
let srv: RunningServer;
let c: ReturnType<typeof client>;
let app: string;

beforeAll(async () => {
  srv = await server({ db, clock, requestTimeoutMs: 600 });
  c = client(srv.url);
  app = await c.app();
});
afterAll(async () => srv.close());

describe('every error is an ErrorBody', () => {
  it('a bad percent-encoding and an id too long to be one', async () => {
    const bad = await c.call('GET', '/api/v2/conversations/callbacks/%00%ff', { token: app });
    expect(isErrorBody(bad.text, 400).contextId).toBe(bad.headers.get('inin-correlation-id'));
    const long = await c.call('GET', `/api/v2/conversations/callbacks/${'a'.repeat(150)}`, { token: app });
    expect(isErrorBody(long.text, 404).code).toBe('not.found');
  });

  it('what the HTTP parser refuses: an unknown method, two Content-Lengths, headers over the limit', async () => {
    const host = `Host: 127.0.0.1\r\n`;
    const foo = await raw(srv.url, `FOO /api/v2/conversations HTTP/1.1\r\n${host}\r\n`);
    expect(foo.status).toBe(400);
    isErrorBody(foo.body, 400);
    const two = await raw(srv.url, `POST /oauth/token HTTP/1.1\r\n${host}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`);
    expect(two.status).toBe(400);
    isErrorBody(two.body, 400);
    const chunked = await raw(
      srv.url,
      `POST /oauth/token HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    );
    expect(chunked.status).toBe(400);
    isErrorBody(chunked.body, 400);
    const big = await raw(srv.url, `GET /api/v2/users HTTP/1.1\r\n${host}X-Big: ${'y'.repeat(100_000)}\r\n\r\n`);
    expect(big.status).toBe(431);
    expect(isErrorBody(big.body, 431).code).toBe('request.header.fields.too.large');
    expect(big.headers).toMatch(/inin-correlation-id: [0-9a-f-]{36}/);
  });

  it('a body that arrives too slowly: 408 after the request timeout, not a connection held open', async () => {
    const slow = await raw(
      srv.url,
      `POST /api/v2/conversations/callbacks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${app}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      200,
    );
    expect(slow.status).toBe(408);
    expect(isErrorBody(slow.body, 408).code).toBe('request.timeout');
    expect(slow.ms).toBeLessThan(5000);
    // The service goes on.
    expect((await c.call('GET', '/api/v2/users', { token: app })).status).toBe(200);
  });
});

describe('refused whole', () => {
  it('a form body on a JSON route is 415 and writes nothing', async () => {
    const before = snapshot(db);
    const r = await c.call('PUT', `/api/v2/users/${AGENT1}/routingstatus`, {
      token: app,
      raw: 'status=IDLE',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(r.json).toMatchObject({ status: 415, code: 'unsupported.media.type' });
    expect(snapshot(db)).toBe(before);
  });

  it('bulk disconnect with one unknown pair disconnects none (404 naming it)', async () => {
    const made = await c.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
    });
    const id = made.json.conversation.id;
    const acd = made.json.callbackIdentifiers.find((x: { type: string }) => x.type === 'ACD').id;
    const before = snapshot(db);
    const r = await c.call('POST', '/api/v2/conversations/callbacks/bulk/disconnect', {
      token: app,
      body: {
        callbackDisconnectIdentifiers: [
          { conversationId: id, callbackId: acd },
          { conversationId: id, callbackId: 'nope' },
        ],
      },
    });
    expect(r.json).toMatchObject({ status: 404, code: 'not.found' });
    expect(r.json.message).toMatch(/nope/);
    expect(snapshot(db)).toBe(before);
    const ok = await c.call('POST', '/api/v2/conversations/callbacks/bulk/disconnect', {
      token: app,
      body: { callbackDisconnectIdentifiers: [{ conversationId: id, callbackId: acd }] },
    });
    expect(ok.status).toBe(202);
    const after = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json;
    expect(after.participants.map((p: { state: string }) => p.state)).toEqual(['disconnected', 'disconnected']);
  });

  it('a huge bad body gets a bounded error: the first 100 fields, and how many more', async () => {
    const items = Array.from({ length: 300_000 }, () => 1);
    const r = await c.call('POST', `/api/v2/routing/queues/${QUEUE}/members`, { token: app, raw: JSON.stringify(items) });
    expect(r.status).toBe(400);
    expect(r.json.details).toHaveLength(100);
    expect(r.json.details[0]).toMatchObject({ fieldName: '/0', entityName: 'expected an object (WritableEntity), got the integer 1' });
    expect(r.json.details[99].fieldName).toBe('/99');
    expect(r.json.message).toMatch(/\(and 299999 more; the first 100 are listed\)/);
    expect(r.text.length).toBeLessThan(50_000);
  });

  it('documents are bounded by the schema: arrays, maps, strings, and how far a park may go', async () => {
    const create = (body: Record<string, unknown>) =>
      c.call('POST', '/api/v2/conversations/callbacks', {
        token: app,
        body: { queueId: QUEUE, callbackNumbers: ['+13175550100'], ...body },
      });
    const numbers = await create({ callbackNumbers: Array.from({ length: 11 }, (_, i) => `+1317555010${i}`) });
    expect(numbers.json).toMatchObject({ status: 400, details: [{ fieldName: '/callbackNumbers' }] });
    expect(numbers.json.message).toContain('expected an array of at most 10 strings of at most 32 characters, got an array of 11 items');
    const data = await create({ data: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])) });
    expect(data.json).toMatchObject({ status: 400, details: [{ fieldName: '/data' }] });
    expect(data.json.message).toContain('got an object with 101 properties');
    const name = await create({ callbackUserName: 'x'.repeat(257) });
    expect(name.json.details[0].fieldName).toBe('/callbackUserName');
    expect((await create({ callbackNumbers: ['+1'.padEnd(33, '0')] })).json.details[0].fieldName).toBe('/callbackNumbers/0');
    // Within the bounds all is well; a park is at most 7 days.
    const ok = await create({ data: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'])) });
    expect(ok.status).toBe(200);
    const id = ok.json.conversation.id;
    await c.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
    const pid = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants.at(-1).id;
    const patch = (body: unknown) => c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${pid}`, { token: app, body });
    expect((await patch({ state: 'connected' })).status).toBe(202);
    const far = await patch({ state: 'parked', resumeTime: '9999-12-31T00:00:00.000Z' });
    expect(far.json).toMatchObject({ status: 400, code: 'invalid.value' });
    expect(far.json.message).toMatch(/7 days/);
    const doc = (await c.call('GET', '/api/v2/docs/openapi.json')).json.components.schemas;
    expect(doc.CreateCallbackCommand.properties.callbackNumbers).toMatchObject({ maxItems: 10, items: { type: 'string', maxLength: 32 } });
    expect(doc.ParticipantAttributes.properties.attributes).toMatchObject({ maxProperties: 100 });
  });
});

describe('the manual clock stays within what dates can say', () => {
  it('refuses an advance past year 9999 with a 400, and keeps working', async () => {
    const before = (await c.call('GET', '/emulator/clock', { token: app })).json;
    for (const advance of [1e308, 'P99999999D']) {
      const r = await c.call('POST', '/emulator/clock', { token: app, body: { advance } });
      expect(r.json, String(advance)).toMatchObject({ status: 400, code: 'invalid.value', details: [{ fieldName: '/advance' }] });
    }
    expect((await c.call('GET', '/emulator/clock', { token: app })).json).toEqual(before);
    expect((await c.call('POST', '/emulator/clock', { token: app, body: { advance: 'PT1S' } })).json.now).toBe(
      new Date(Date.parse(before.now) + 1000).toISOString(),
    );
    expect((await c.token({ grant_type: 'client_credentials' })).status).toBe(200);
  });
});

describe('a database another process holds locked', () => {
  it('a write waits a bounded time off the event loop, then 503 with Retry-After; reads go on meanwhile', async () => {
    const made = await c.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
    });
    const id = made.json.conversation.id;
    const customer = (await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app })).json.participants[0].id;
    const other = new Database(db);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const write = c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer}/attributes`, {
        token: app,
        body: { attributes: { locked: 'yes' } },
      });
      // While the write waits, other requests are answered at once.
      const readStarted = Date.now();
      const read = await c.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app });
      expect(read.status).toBe(200);
      expect(Date.now() - readStarted).toBeLessThan(500);
      const r = await write;
      expect(r.json).toMatchObject({ status: 503, code: 'service.unavailable' });
      expect(r.headers.get('retry-after')).toBe('1');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const again = await c.call('PATCH', `/api/v2/conversations/callbacks/${id}/participants/${customer}/attributes`, {
      token: app,
      body: { attributes: { locked: 'no' } },
    });
    expect(again.json.attributes).toMatchObject({ locked: 'no' });
  });
});

describe('a client that goes away mid-body', () => {
  it('is a client event: no 500, nothing logged as an error', async () => {
    const lines: string[] = [];
    const logged = await server({ logger: { level: 'debug', stream: { write: (line: string) => lines.push(line) } } });
    try {
      const token = await client(logged.url).app();
      const { hostname, port } = new URL(logged.url);
      await new Promise<void>((resolve) => {
        const s = connect(Number(port), hostname, () => {
          s.write(
            `POST /api/v2/conversations/callbacks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"queueId":`,
          );
          setTimeout(() => {
            s.destroy();
            resolve();
          }, 100);
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; res?: { statusCode: number } });
      expect(entries.filter((e) => e.level >= 50)).toEqual([]);
      expect(entries.some((e) => e.res?.statusCode === 500)).toBe(false);
      // The service goes on.
      expect((await client(logged.url).call('GET', '/api/v2/users', { token })).status).toBe(200);
    } finally {
      await logged.close();
    }
  });
});
