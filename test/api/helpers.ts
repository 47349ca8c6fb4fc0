import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { ManualClock } from '../../src/service/clock.js';
import { fixturePath } from '../helpers.js';

export const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';
export const AGENT1 = 'a1a1a1a1-0000-4000-8000-000000000001';
export const AGENT2 = 'a1a1a1a1-0000-4000-8000-000000000002';
export const RESOLVED = 'c0de0000-0000-4000-8000-000000000001';
export const OTHER_QUEUE = '0e0e0e0e-0000-4000-8000-0000000000b1';

export const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'callbackd-')), 'test.db');

/** A manual clock for servers under test, moved in seconds. */
export class TestClock extends ManualClock {
  constructor(start = new Date('2026-06-01T09:00:00.000Z')) {
    super(start);
  }
  get t(): Date {
    return this.now();
  }
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}

/** The suites of the `postgres` project (vitest.config.ts) run their servers on PostgreSQL: a new database each. */
export const onPostgres = process.env.CALLBACKD_TEST_STORE === 'postgres';
let databases = 0;

async function defaultDb(): Promise<string> {
  if (!onPostgres) return tempDb();
  const { inject } = await import('vitest');
  const { default: pg } = await import('pg');
  const base = inject('pgUrl');
  const name = `t_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function server(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({ port: 0, seedFile: fixturePath('seed-two-orgs.json'), ...options, db: options.db ?? (await defaultDb()) });
}

/** Everything a server stores but tokens (a token request that succeeds adds one), as one text to compare. */
export function snapshot(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables: [string, string][] = [
      ['organizations', 'id'],
      ['clients', 'client_id'],
      ['users', 'id'],
      ['wrapup_codes', 'id'],
      ['queues', 'id'],
      ['routing_status', 'user_id'],
      ['conversations', 'id'],
      ['conversation_agents', 'conversation_id, user_id'],
    ];
    return JSON.stringify(tables.map(([t, key]) => db.prepare(`SELECT * FROM ${t} ORDER BY ${key}`).all()));
  } finally {
    db.close();
  }
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export function client(base: string) {
  async function call(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }
  async function token(form: Record<string, string>, basic = 'callbackd-dev:callbackd-dev-secret'): Promise<Reply> {
    const res = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(basic).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: JSON.parse(text) };
  }
  const app = async (): Promise<string> => (await token({ grant_type: 'client_credentials' })).json.access_token;
  const agent = async (n: number): Promise<string> =>
    (await token({ grant_type: 'password', username: `agent${n}@example.com`, password: 'callbackd' })).json.access_token;
  return { call, token, app, agent };
}
