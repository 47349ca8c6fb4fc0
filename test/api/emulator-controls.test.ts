// Emulator controls for users' test suites: health, and reset to the seeded state between tests.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { AGENT1, OTHER_QUEUE, QUEUE, client, server, snapshot, tempDb } from './helpers.js';

let srv: RunningServer;
let db: string;
let api: ReturnType<typeof client>;
let app: string;
let other: string;

beforeAll(async () => {
  db = tempDb();
  srv = await server({ db, routing: false });
  api = client(srv.url);
  app = await api.app();
  other = (await api.token({ grant_type: 'client_credentials' }, 'other-client:other-secret')).json.access_token as string;
});
afterAll(async () => srv.close());

describe('emulator controls', () => {
  it('health answers without a token: ready, the version, the store, the clock', async () => {
    const res = await api.call('GET', '/emulator/health');
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ready', version, store: 'sqlite', clock: { now: expect.any(String), mode: 'system' } });
  });

  it("reset brings the caller's organization back to its seed, and leaves the others and the tokens alone", async () => {
    const seeded = snapshot(db);
    const theirs = await api.call('POST', '/api/v2/conversations/callbacks', {
      token: other,
      body: { queueId: OTHER_QUEUE, callbackNumbers: ['+1317555'] },
    });
    expect(theirs.status).toBe(200);
    const afterTheirs = snapshot(db);
    // Everything a test might leave behind in ours.
    const mine = await api.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
    });
    await api.call('POST', `/api/v2/conversations/${mine.json.conversation.id}/assign`, { token: app, body: { id: AGENT1 } });
    await api.call('PUT', `/api/v2/users/${AGENT1}/routingstatus`, { token: app, body: { status: 'IDLE' } });
    await api.call('PUT', `/api/v2/routing/queues/${QUEUE}`, { token: app, body: { name: 'Renamed' } });
    await api.call('POST', '/api/v2/routing/queues', { token: app, body: { name: 'Extra' } });
    await api.call('POST', '/api/v2/routing/wrapupcodes', { token: app, body: { name: 'Extra code' } });
    const created = await api.call('POST', '/api/v2/users', {
      token: app,
      body: { name: 'New', email: 'new@example.com', password: 'pw' },
    });
    expect(created.status).toBe(200);
    expect(snapshot(db)).not.toBe(afterTheirs);

    const reset = await api.call('POST', '/emulator/reset', { token: app });
    expect(reset.status).toBe(200);
    expect(reset.json).toEqual({ organizations: ['4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001'] });
    // Ours is as seeded again; theirs keeps its callback.
    expect(snapshot(db)).toBe(afterTheirs);
    expect((await api.call('GET', `/api/v2/conversations/callbacks/${mine.json.conversation.id}`, { token: app })).status).toBe(404);
    expect((await api.call('GET', `/api/v2/routing/queues/${QUEUE}`, { token: app })).json.name).toBe('Callbacks');
    expect((await api.call('GET', `/api/v2/conversations/callbacks/${theirs.json.conversation.id}`, { token: other })).status).toBe(200);
    // No event of ours survives; theirs do.
    expect(await srv.store.readEvents('4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001', 0, 10)).toEqual([]);
    expect((await srv.store.readEvents('0b0b0b0b-0000-4000-8000-0000000000b0', 0, 10)).length).toBeGreaterThan(0);
    // all=true: every organization.
    const everything = await api.call('POST', '/emulator/reset?all=true', { token: app });
    expect(everything.json.organizations).toHaveLength(2);
    expect(snapshot(db)).toBe(seeded);
    expect((await api.call('GET', '/api/v2/users/me', { token: await api.agent(1) })).status).toBe(200);
    // A reset needs a token like the API.
    expect((await api.call('POST', '/emulator/reset')).status).toBe(401);
  });
});

describe('state snapshots', () => {
  it('export, reset, import, export: the same state; the conversations work on after it', async () => {
    const made = await api.call('POST', '/api/v2/conversations/callbacks', {
      token: app,
      body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
    });
    const id = made.json.conversation.id as string;
    await api.call('POST', `/api/v2/conversations/${id}/assign`, { token: app, body: { id: AGENT1 } });
    await api.call('PUT', `/api/v2/users/${AGENT1}/routingstatus`, { token: app, body: { status: 'IDLE' } });
    await api.call('POST', '/api/v2/routing/queues', { token: app, body: { name: 'Exported queue' } });
    const exported = await api.call('GET', '/emulator/state', { token: app });
    expect(exported.status).toBe(200);
    expect(exported.json).toMatchObject({ format: 'callbackd-state', version: 1, schema: 8 });
    expect(exported.json.tables.conversations).toHaveLength(1);
    expect(exported.json.tables.events.length).toBeGreaterThan(2);
    const stored = snapshot(db);
    await api.call('POST', '/emulator/reset', { token: app });
    expect(snapshot(db)).not.toBe(stored);
    const imported = await api.call('PUT', '/emulator/state', { token: app, body: exported.json });
    expect(imported.status).toBe(204);
    expect(snapshot(db)).toBe(stored);
    expect((await api.call('GET', '/emulator/state', { token: app })).json).toEqual(exported.json);
    // What was imported is live: the conversation reads and changes.
    const read = await api.call('GET', `/api/v2/conversations/callbacks/${id}`, { token: app });
    expect(read.json.participants.find((p: any) => p.purpose === 'agent').state).toBe('alerting');
  });

  it('a snapshot that does not fit is refused whole, naming each problem, and nothing is written', async () => {
    const good = (await api.call('GET', '/emulator/state', { token: app })).json;
    const before = snapshot(db);
    const theirs = (await api.call('GET', '/emulator/state', { token: other })).json;
    const bad = structuredClone(good);
    bad.schema = 3;
    bad.tables.conversations[0].version = 'two';
    bad.tables.queues[0].colour = 'blue';
    bad.tables.users.push({ ...bad.tables.users[0], id: 'x', org_id: theirs.organization });
    const res = await api.call('PUT', '/emulator/state', { token: app, body: bad });
    expect(res.status).toBe(400);
    expect(res.json.details.map((d: any) => d.fieldName)).toEqual([
      '/schema',
      '/tables/users/2/org_id',
      '/tables/queues/0/colour',
      '/tables/conversations/0/version',
    ]);
    expect(snapshot(db)).toBe(before);
    expect(
      (await api.call('PUT', '/emulator/state', { token: app, body: { format: 'other', version: 1, schema: 7, tables: {} } })).status,
    ).toBe(400);
    expect(snapshot(db)).toBe(before);
    // A snapshot of schema 7 (before the seed's digest table, which snapshots do not hold) still imports as it is.
    expect((await api.call('PUT', '/emulator/state', { token: app, body: { ...good, schema: 7 } })).status).toBe(204);
    expect(snapshot(db)).toBe(before);
  });
});

describe('the conversations listing (what the console reads)', () => {
  it('pages newest first, filters by queue, phase and time, says how many; only the caller organization; bad values named', async () => {
    await api.call('POST', '/emulator/reset', { token: app });
    await api.call('POST', '/emulator/reset', { token: other });
    const future = new Date(Date.now() + 3600_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = {
        queueId: QUEUE,
        callbackNumbers: [`+1555000${i}`],
        callbackUserName: `C${i}`,
        ...(i < 2 ? { callbackScheduledTime: future } : {}),
      };
      ids.push((await api.call('POST', '/api/v2/conversations/callbacks', { token: app, body })).json.conversation.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    await api.call('POST', '/api/v2/conversations/callbacks', { token: other, body: { queueId: OTHER_QUEUE, callbackNumbers: ['+1'] } });
    const page1 = (await api.call('GET', '/emulator/conversations?pageSize=2', { token: app })).json;
    expect(page1).toMatchObject({ pageSize: 2, pageNumber: 1, total: 5 });
    expect(page1.entities.map((c: { id: string }) => c.id)).toEqual([ids[4], ids[3]]);
    const page3 = (await api.call('GET', '/emulator/conversations?pageSize=2&pageNumber=3', { token: app })).json;
    expect(page3.entities.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    const scheduled = (await api.call('GET', `/emulator/conversations?phase=scheduled&queueId=${QUEUE}`, { token: app })).json;
    expect(scheduled.total).toBe(2);
    expect(scheduled.entities[0]).toMatchObject({
      phase: 'scheduled',
      queueId: QUEUE,
      customerName: 'C1',
      callbackNumbers: ['+15550001'],
      scheduledTime: future,
      nextDeadline: future,
      agents: [],
    });
    const later = (await api.call('GET', `/emulator/conversations?startedAfter=${encodeURIComponent(future)}`, { token: app })).json;
    expect(later.total).toBe(0);
    // The next deadline of the organization, on the clock.
    expect((await api.call('GET', '/emulator/clock', { token: app })).json.nextDeadline).toBe(future);
    const bad = await api.call('GET', '/emulator/conversations?phase=waiting&startedAfter=soon', { token: app });
    expect(bad.status).toBe(400);
    expect(bad.json.details[0].fieldName).toBe('/phase');
    expect((await api.call('GET', '/emulator/conversations?startedAfter=soon', { token: app })).json.details[0].fieldName).toBe(
      '/startedAfter',
    );
    expect((await api.call('GET', '/emulator/conversations?pageSize=500', { token: app })).status).toBe(400);
    expect((await api.call('GET', '/emulator/conversations', { token: other })).json.total).toBe(1);
  });
});
