// The store on PostgreSQL (issue 15): the same interface and the same rules as the SQLite store, through the `pg`
// driver and a pool. Every change is one transaction; a conversation's write checks its version (UPDATE ... WHERE
// version = expected), and the transactions that log events take their organization's row lock first, so event
// numbers are given out in commit order per organization without gaps, by however many processes. Nothing is cached
// that another process could change (configuration, conversations: only decoded states are reused while the stored
// version is the same); tokens, which never change, are.
import pg from 'pg';
import { ERRORS, retryLater } from '../../errors.js';
import { LruCache } from '../lru.js';
import { MIGRATIONS } from '../migrations.js';
import {
  cachedIfCurrent,
  conversationColumns,
  eventChains,
  eventRow,
  loggedEvent,
  userFromRow,
  type ConversationRow,
  type EventRow,
} from '../rows.js';
import { planSeed, queueBody, queueFromBody } from '../seed-plan.js';
import { checkSnapshot, SNAPSHOT_TABLES } from '../snapshot.js';
import { decodeState } from '../state-codec.js';
import {
  VersionConflictError,
  type ClientRecord,
  type CommitResult,
  type CommittedChange,
  type ConversationFilter,
  type ConversationWrite,
  type DueConversation,
  type LazyHash,
  type LogEvent,
  type LoggedEvent,
  type Organization,
  type QueueRecord,
  type QueuedCallback,
  type QueuedFilter,
  type RecordingState,
  type RoutingStatus,
  type RoutingStatusRecord,
  type SeedData,
  type SeedOutcome,
  type StateSnapshot,
  type Store,
  type StoredConversation,
  type StoredText,
  type TokenRecord,
  type UserRecord,
  type WrapupCodeRecord,
} from '../types.js';
import { migratePostgres } from './migrate.js';

type Db = pg.Pool | pg.PoolClient;
type Row = Record<string, unknown>;
type Committed = { ok: true; bytes: number; logged: LoggedEvent[] };

/** bigint and count(*) as numbers: every integer we store is a safe integer (milliseconds, versions, numbers). */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The channel every process's deadlines are announced on (the payload: the deadline in ms). */
const DEADLINES = 'callbackd_deadlines';
/** The channel a move of the shared manual clock is announced on (the payload: the time in ms). */
const CLOCK = 'callbackd_clock';
/** The channel a change of an organization's configuration is announced on (the payload: the organization). */
const CONFIG = 'callbackd_config';
/** The channel every commit that logged events is announced on (the payload: the organization, its last number). */
const EVENTS = 'callbackd_events';

const hashOf = (h: LazyHash) => (typeof h === 'function' ? h() : h);

/** What a write logs: its lifecycle events (or `updated` when it brings none), then a routingStatus per move. */
function eventsOf(w: ConversationWrite, updatedAt: number): LogEvent[] {
  const events: LogEvent[] = w.events !== undefined && w.events.length > 0 ? [...w.events] : [{ type: 'updated', at: new Date(updatedAt) }];
  for (const r of w.routing ?? [])
    events.push({ type: 'routingStatus', at: r.to.startTime, userId: r.to.userId, status: r.to.status, from: r.from });
  return events;
}

/** A write that did not commit: lost to another writer (conflict), or failed. */
type Failed = Extract<CommitResult, { ok: false }>;

/** A write's row as the batch functions take it (callbackd_create, callbackd_change), its events and stored text. */
function rowOf(w: ConversationWrite, updatedAt: number) {
  const events = eventsOf(w, updatedAt);
  const row = conversationColumns(w, updatedAt);
  return { events, body: row.body, row: { ...row, events: events.map(eventPayload) } };
}

/** An event as the logging functions take it: its time, type and user apart, the rest as JSON text. */
function eventPayload(event: LogEvent): { at: number; type: string; userId: string | undefined; data: string } {
  const { type, at, ...data } = event;
  return { at: at.getTime(), type, userId: 'userId' in event ? event.userId : undefined, data: JSON.stringify(data) };
}

export class PgStore implements Store {
  private readonly tokens = new LruCache<string, TokenRecord>(10_000);
  /** Decoded states by id, reused while the stored version and recording state are the ones decoded. */
  private readonly decoded = new LruCache<string, StoredConversation>(8 * 1024 * 1024);
  onCommitted: ((change: CommittedChange) => void) | undefined;
  /**
   * Queues and wrap-up codes by organization, dropped when any process changes them (NOTIFY on the configuration
   * channel, this process's own writes included), and whole on reset and import.
   */
  private readonly config = new Map<string, { queues?: QueueRecord[]; codes?: WrapupCodeRecord[] }>();

  /** Tells every process (this one too) that an organization's configuration changed, at the commit. */
  private async configChanged(db: Db, orgId: string): Promise<void> {
    this.config.delete(orgId);
    await db.query('SELECT pg_notify($1, $2)', [CONFIG, orgId]);
  }
  onDeadline: ((at: Date) => void) | undefined;
  onClock: ((at: Date) => void) | undefined;

  /** One router per organization across processes: a session advisory lock on a connection held for the pass. */
  async routeExclusively<T>(orgId: string, fn: () => Promise<T>): Promise<T | undefined> {
    const c = await this.pool.connect();
    try {
      const got = await this.one<{ ok: boolean }>(c, "SELECT pg_try_advisory_lock(hashtext('callbackd-route:' || $1)) AS ok", [orgId]);
      if (got?.ok !== true) return undefined;
      try {
        return await fn();
      } finally {
        await c.query("SELECT pg_advisory_unlock(hashtext('callbackd-route:' || $1))", [orgId]);
      }
    } finally {
      c.release();
    }
  }

  async readClock(): Promise<Date | undefined> {
    const r = await this.one<{ now: number | null }>(this.pool, 'SELECT now FROM emulator_clock WHERE id = 1');
    return r?.now === null || r?.now === undefined ? undefined : new Date(r.now);
  }

  /** Moves the shared manual clock (never back) and tells every process, this one included. */
  async writeClock(at: Date): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO emulator_clock (id, mode, now) VALUES (1, 'manual', $1)
         ON CONFLICT (id) DO UPDATE SET now = GREATEST(emulator_clock.now, excluded.now)`,
        [at.getTime()],
      );
      await c.query('SELECT pg_notify($1, $2)', [CLOCK, String(at.getTime())]);
    });
  }

  private constructor(
    private readonly pool: pg.Pool,
    /** The connection that LISTENs for the deadlines every process writes. */
    private readonly listener: pg.Client,
  ) {
    listener.on('notification', (m) => {
      if (m.channel === EVENTS && m.payload !== undefined) {
        // Read only when the log holds more than this process has told (its own commits are told already).
        // Our own commits announce themselves too, often before their COMMIT's answer: wait for the transactions of
        // this process that hold numbers of the organization, then read only if the number is still not told.
        const [orgId = '', text] = m.payload.split('\n');
        const last = Number(text);
        if (!this.isTold(orgId, last)) this.whenSettled(orgId, () => !this.isTold(orgId, last) && this.catchUp(orgId));
      }
      const at = Number(m.payload);
      if (m.channel === DEADLINES && Number.isSafeInteger(at)) this.onDeadline?.(new Date(at));
      if (m.channel === CLOCK && Number.isSafeInteger(at)) this.onClock?.(new Date(at));
      if (m.channel === CONFIG && m.payload !== undefined) this.config.delete(m.payload);
    });
  }

  // ---- other processes' changes (the event log is shared: the listener is told, the log is read) ----

  /**
   * Per organization: every event up to `told` has been told (once); `ahead` holds numbers beyond it told already (our
   * own changes, told at commit); `queued` our own changes waiting for the log before them to be told first.
   */
  private readonly told = new Map<string, number>();
  private readonly ahead = new Map<string, Set<number>>();
  private readonly queued = new Map<string, Map<number, CommittedChange>>();
  private readonly catching = new Map<string, Promise<void>>();
  /** Per organization, this process's transactions that took event numbers and are not told yet. */
  private readonly inflight = new Map<string, Set<Promise<void>>>();
  /** The transaction a connection runs: settled once it is over and what it committed was told. */
  private readonly running = new WeakMap<pg.PoolClient, Promise<void>>();

  /**
   * Runs `check` once this process's transactions of the organization that are in flight now are over (a gap in the
   * numbers is usually one of them, told at its commit); at once when there are none.
   */
  private whenSettled(orgId: string, check: () => unknown): void {
    const pending = this.inflight.get(orgId);
    if (pending === undefined || pending.size === 0) {
      check();
      return;
    }
    void Promise.all([...pending]).then(check);
  }

  private setOf<K, V>(map: Map<string, K>, orgId: string, make: () => K): K {
    let v = map.get(orgId);
    if (v === undefined) map.set(orgId, (v = make()));
    return v as K & V;
  }

  /** Marks numbers told, and moves the watermark over every number told in a row. */
  private markTold(orgId: string, seqs: Iterable<number>): void {
    const ahead = this.setOf(this.ahead, orgId, () => new Set<number>());
    for (const s of seqs) ahead.add(s);
    let t = this.told.get(orgId) ?? 0;
    while (ahead.delete(t + 1)) t++;
    for (const s of ahead) if (s <= t) ahead.delete(s);
    this.told.set(orgId, t);
  }

  private isTold(orgId: string, seq: number): boolean {
    return seq <= (this.told.get(orgId) ?? 0) || (this.ahead.get(orgId)?.has(seq) ?? false);
  }

  /** Remembers where the log of each organization stands now: only what other processes commit from now on is told. */
  private async startWatching(): Promise<void> {
    for (const r of await this.rows<{ org_id: string; m: number }>(this.pool, 'SELECT org_id, max(seq) AS m FROM events GROUP BY org_id'))
      this.told.set(r.org_id, r.m);
  }

  /** An organization's log moved: reads it, one read at a time per organization. */
  private catchUp(orgId: string): void {
    const run: Promise<void> = (this.catching.get(orgId) ?? Promise.resolve())
      .then(() => this.readLog(orgId))
      .catch(() => undefined)
      .then(() => {
        if (this.catching.get(orgId) === run) this.catching.delete(orgId);
      });
    this.catching.set(orgId, run);
  }

  /**
   * Tells onCommitted what the log holds that was not told, in its order (commit order: numbers are given out under
   * the organization's lock): other processes' changes, with their conversation as it is now (docs/events.md), and
   * ours where they fall among them.
   */
  private async readLog(orgId: string): Promise<void> {
    for (;;) {
      const events = await this.readEvents(orgId, this.told.get(orgId) ?? 0, 1000);
      if (events.length === 0) break;
      const more = events.length === 1000;
      // The conversations of the page as they are now, in one read.
      const ids = new Set<string>();
      for (const e of events)
        if (e.conversationId !== undefined && !this.isTold(orgId, e.seq) && this.queued.get(orgId)?.has(e.seq) !== true)
          ids.add(e.conversationId);
      const now = await this.rowsNow(orgId, [...ids]);
      let group: LoggedEvent[] = [];
      const flush = async () => {
        const change = group;
        group = [];
        if (change.length === 0) return;
        const id = change[0]?.conversationId;
        const row = id === undefined ? undefined : now.get(id);
        this.markTold(
          orgId,
          change.map((e) => e.seq),
        );
        const told: CommittedChange = { orgId, remote: true, events: change };
        // Decoded only if a listener looks (a notification subscriber): most of another process's changes go unread.
        if (id !== undefined && row !== undefined) {
          let decoded: StoredConversation | undefined;
          Object.defineProperty(told, 'conversation', { enumerable: true, get: () => (decoded ??= this.conversation(id, row)) });
        }
        this.onCommitted?.(told);
      };
      for (const e of events) {
        if (this.isTold(orgId, e.seq)) continue;
        const mine = this.queued.get(orgId)?.get(e.seq);
        if (mine !== undefined) {
          await flush();
          this.queued.get(orgId)?.delete(e.seq);
          this.markTold(
            orgId,
            mine.events.map((x) => x.seq),
          );
          this.onCommitted?.(mine);
          continue;
        }
        const last = group.at(-1);
        if (
          last !== undefined &&
          (last.conversationId !== e.conversationId || last.version !== e.version || e.conversationId === undefined)
        )
          await flush();
        group.push(e);
      }
      await flush();
      if (!more) break;
    }
    // Our changes the log told as another's (read before they were told here) are done with.
    const queued = this.queued.get(orgId);
    if (queued !== undefined) for (const first of queued.keys()) if (this.isTold(orgId, first)) queued.delete(first);
  }

  /**
   * What this process commits: told at once when everything before it was told (the usual case), else kept until the
   * log's reader reaches it, so that a conversation's changes are told in commit order across processes; never twice.
   */
  private tellOwn(change: CommittedChange): void {
    const first = change.events[0]?.seq;
    if (first === undefined) return this.onCommitted?.(change);
    if (this.isTold(change.orgId, first)) return;
    const orgId = change.orgId;
    if ((this.told.get(orgId) ?? 0) >= first - 1 && !this.catching.has(orgId)) {
      this.markTold(
        orgId,
        change.events.map((e) => e.seq),
      );
      this.onCommitted?.(change);
      // Ours that committed after this one but were answered first.
      const queued = this.queued.get(orgId);
      for (
        let next = queued?.get((this.told.get(orgId) ?? 0) + 1);
        next !== undefined;
        next = queued?.get((this.told.get(orgId) ?? 0) + 1)
      ) {
        queued?.delete(next.events[0]?.seq as number);
        this.markTold(
          orgId,
          next.events.map((e) => e.seq),
        );
        this.onCommitted?.(next);
      }
      return;
    }
    this.setOf(this.queued, orgId, () => new Map<number, CommittedChange>()).set(first, change);
    // The gap before it is another of ours still answering, or another process's commit: the log tells which.
    this.whenSettled(orgId, () => this.queued.get(orgId)?.has(first) === true && this.catchUp(orgId));
  }

  /** Connects, runs the migrations (safely beside other servers starting), listens for deadlines, and is ready. */
  static async open(url: string, poolSize = 10): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, types: TYPES });
    // An idle connection the server drops (a restart, a timeout) is replaced at the next query; not a crash.
    pool.on('error', () => undefined);
    const listener = new pg.Client({ connectionString: url, types: TYPES });
    // A dropped listening connection must not end the process; the scheduler's own timer still runs.
    listener.on('error', () => undefined);
    try {
      await migratePostgres(pool);
      await listener.connect();
      await listener.query(`LISTEN ${DEADLINES}`);
    } catch (e) {
      await Promise.allSettled([pool.end(), listener.end()]);
      throw e;
    }
    const store = new PgStore(pool, listener);
    await store.startWatching();
    await listener.query(`LISTEN ${EVENTS}`);
    await listener.query(`LISTEN ${CLOCK}`);
    await listener.query(`LISTEN ${CONFIG}`);
    return store;
  }

  /** Names of the statements run with values: each connection parses and plans one once, not at every call. */
  private readonly statementNames = new Map<string, string>();

  /** A statement with values, as a prepared statement of the connection (PostgreSQL parses and plans it once). */
  private async exec(db: Db, text: string, values: unknown[]): Promise<pg.QueryResult> {
    let name = this.statementNames.get(text);
    if (name === undefined) this.statementNames.set(text, (name = `callbackd_${this.statementNames.size + 1}`));
    return db.query({ name, text, values });
  }

  /**
   * A statement's rows. `prepared` for the statements on the hot paths (a create, a change, a read by id, the
   * scheduler's and the router's): planned once per connection. The others (optional filters, time ranges, seeding)
   * are planned at each call, with their values, as a generic plan could serve them worse.
   */
  private async rows<T = Row>(db: Db, text: string, values: unknown[] = [], prepared = false): Promise<T[]> {
    return (prepared ? await this.exec(db, text, values) : await db.query(text, values)).rows as T[];
  }

  private async one<T = Row>(db: Db, text: string, values: unknown[] = [], prepared = false): Promise<T | undefined> {
    return (await this.rows<T>(db, text, values, prepared))[0];
  }

  /** One transaction; a serialization failure or deadlock (another process) is a 503 with Retry-After. */
  private async tx<T>(run: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.session(run, true);
  }

  /** A connection of the pool for `run`: in a transaction, or for one statement (its own transaction). */
  private async session<T>(run: (c: pg.PoolClient) => Promise<T>, transaction: boolean): Promise<T> {
    const c = await this.pool.connect();
    let over = () => undefined as void;
    this.running.set(c, new Promise<void>((resolve) => (over = resolve)));
    try {
      if (transaction) await c.query('BEGIN');
      const result = await run(c);
      if (transaction) await c.query('COMMIT');
      return result;
    } catch (e) {
      if (transaction) await c.query('ROLLBACK').catch(() => undefined);
      const code = (e as { code?: string }).code;
      if (code === '40001' || code === '40P01') throw retryLater(ERRORS.unavailable, 'The database is busy; try again shortly.', 1);
      throw e;
    } finally {
      this.running.delete(c);
      c.release();
      // After the caller's telling of what committed (it runs when this returns, before the next turn).
      setImmediate(over);
    }
  }

  /** Counts the connection's transaction among the organization's in flight until it is over. */
  private holdsNumbers(c: pg.PoolClient, orgId: string): void {
    const running = this.running.get(c);
    if (running === undefined) return;
    const pending = this.setOf(this.inflight, orgId, () => new Set<Promise<void>>());
    if (pending.has(running)) return;
    pending.add(running);
    void running.then(() => pending.delete(running));
  }

  /**
   * Logs events in one call under the organization's lock (callbackd_log: the number, the events, the conversation's
   * last event, the notifications); the entries as committed.
   */
  private async log(
    c: pg.PoolClient,
    orgId: string,
    events: readonly LogEvent[],
    conversationId?: string,
    version?: number,
    prev?: number | null,
    deadline?: Date,
  ): Promise<LoggedEvent[]> {
    if (events.length === 0) return [];
    this.holdsNumbers(c, orgId);
    const payload = events.map(eventPayload);
    const r = await this.one<{ first: number }>(
      c,
      'SELECT callbackd_log($1, $2, $3, $4, $5, $6) AS first',
      [orgId, conversationId ?? null, version ?? null, prev ?? null, JSON.stringify(payload), deadline?.getTime() ?? null],
      true,
    );
    const first = r?.first as number;
    return events.map(
      (event, i) => eventRow(orgId, first + i, event, i === 0 ? (prev ?? null) : first + i - 1, conversationId, version).logged,
    );
  }

  // ---- seed, reset, snapshots ----

  async seed(data: SeedData): Promise<SeedOutcome> {
    const stored = await this.one<{ digest: string }>(this.pool, 'SELECT digest FROM seed_state WHERE id = 1');
    return this.tx(async (c) => {
      // Several servers starting together seed one at a time.
      await c.query('SELECT pg_advisory_xact_lock(7301)');
      let outcome: SeedOutcome = { applied: [], conflicts: [] };
      const fresh =
        (await this.rows(c, 'SELECT 1 FROM organizations WHERE id = ANY($1::text[])', [data.organizations.map((o) => o.id)])).length === 0;
      if (!(data.digest !== undefined && stored?.digest === data.digest) && !fresh && data.digest !== undefined)
        outcome = await this.applySeedChanges(c, data);
      if (outcome.conflicts.length > 0) throw new SeedConflict(outcome);
      await this.insertSeed(c, data);
      if (data.digest !== undefined)
        await c.query('INSERT INTO seed_state (id, digest) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET digest = excluded.digest', [
          data.digest,
        ]);
      for (const o of data.organizations) await this.configChanged(c, o.id);
      return outcome;
    }).catch((e: unknown) => {
      if (e instanceof SeedConflict) return e.outcome;
      throw e;
    });
  }

  private async applySeedChanges(c: pg.PoolClient, data: SeedData): Promise<SeedOutcome> {
    const byKey = <T extends Row>(list: T[], key: string) => new Map(list.map((r) => [r[key] as string, r]));
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    const logins = await this.rows<{ org_id: string; username: string; id: string }>(
      c,
      'SELECT org_id, username, id FROM users WHERE (org_id || chr(10) || username) = ANY($1::text[])',
      [data.users.map((u) => `${u.orgId}\n${u.username}`)],
    );
    const plan = planSeed(data, {
      organizations: new Map(
        (
          await this.rows<{ id: string; name: string }>(c, 'SELECT id, name FROM organizations WHERE id = ANY($1::text[])', [
            ids(data.organizations),
          ])
        ).map((r) => [r.id, r.name]),
      ),
      clients: byKey(
        await this.rows<{ client_id: string; org_id: string; name: string; secret_hash: string }>(
          c,
          'SELECT * FROM clients WHERE client_id = ANY($1::text[])',
          [data.clients.map((x) => x.clientId)],
        ),
        'client_id',
      ),
      users: byKey(
        await this.rows<{ id: string; org_id: string; name: string; email: string; username: string; password_hash: string }>(
          c,
          'SELECT * FROM users WHERE id = ANY($1::text[])',
          [ids(data.users)],
        ),
        'id',
      ),
      logins: new Map(logins.map((r) => [`${r.org_id}\n${r.username}`, r.id])),
      codes: byKey(
        await this.rows<{ id: string; org_id: string; name: string }>(
          c,
          'SELECT id, org_id, name FROM wrapup_codes WHERE id = ANY($1::text[])',
          [ids(data.wrapupCodes)],
        ),
        'id',
      ),
      queues: byKey(
        await this.rows<{ id: string; org_id: string; body: string }>(c, 'SELECT id, org_id, body FROM queues WHERE id = ANY($1::text[])', [
          ids(data.queues),
        ]),
        'id',
      ),
    });
    if (plan.conflicts.length > 0) return plan;
    for (const o of plan.organizations) await c.query('UPDATE organizations SET name = $1 WHERE id = $2', [o.name, o.id]);
    for (const x of plan.clients)
      await c.query('UPDATE clients SET name = $1, secret_hash = $2 WHERE client_id = $3', [x.name, x.secretHash, x.clientId]);
    for (const u of plan.users)
      await c.query('UPDATE users SET name = $1, email = $2, username = $3, password_hash = $4 WHERE id = $5', [
        u.name,
        u.email,
        u.username,
        u.passwordHash,
        u.id,
      ]);
    for (const w of plan.codes) await c.query('UPDATE wrapup_codes SET name = $1 WHERE id = $2', [w.name, w.id]);
    for (const q of plan.queues) await c.query('UPDATE queues SET name = $1, body = $2 WHERE id = $3', [q.name, q.body, q.id]);
    return { applied: plan.applied, conflicts: [] };
  }

  /** Inserts what is missing, hashing only the secrets of what it inserts. */
  private async insertSeed(c: pg.PoolClient, data: SeedData): Promise<void> {
    for (const o of data.organizations)
      await c.query('INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [o.id, o.name]);
    for (const x of data.clients)
      if ((await this.one(c, 'SELECT 1 FROM clients WHERE client_id = $1', [x.clientId])) === undefined)
        await c.query('INSERT INTO clients (client_id, org_id, name, secret_hash) VALUES ($1, $2, $3, $4)', [
          x.clientId,
          x.orgId,
          x.name,
          hashOf(x.secretHash),
        ]);
    for (const u of data.users)
      if (
        (await this.one(c, 'SELECT 1 FROM users WHERE id = $1 OR (org_id = $2 AND username = $3)', [u.id, u.orgId, u.username])) ===
        undefined
      )
        await c.query('INSERT INTO users (id, org_id, name, email, username, password_hash, state) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          u.id,
          u.orgId,
          u.name,
          u.email,
          u.username,
          hashOf(u.passwordHash),
          u.state,
        ]);
    for (const w of data.wrapupCodes)
      await c.query('INSERT INTO wrapup_codes (id, org_id, name, date_created) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        w.id,
        w.orgId,
        w.name,
        w.dateCreated.toISOString(),
      ]);
    for (const q of data.queues)
      await c.query('INSERT INTO queues (id, org_id, name, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        q.id,
        q.orgId,
        q.name,
        queueBody(q),
      ]);
  }

  async resetOrganizations(orgIds: readonly string[], data: SeedData): Promise<void> {
    await this.tx(async (c) => {
      for (const org of orgIds) {
        for (const table of ['conversation_agents', 'events', 'routing_status', 'queues', 'wrapup_codes', 'conversations'])
          await c.query(`DELETE FROM ${table} WHERE org_id = $1`, [org]);
        await c.query('DELETE FROM users WHERE org_id = $1 AND NOT (id = ANY($2::text[]))', [
          org,
          data.users.filter((u) => u.orgId === org).map((u) => u.id),
        ]);
        await c.query('DELETE FROM clients WHERE org_id = $1 AND NOT (client_id = ANY($2::text[]))', [
          org,
          data.clients.filter((x) => x.orgId === org).map((x) => x.clientId),
        ]);
      }
      await this.insertSeed(c, data);
      for (const org of orgIds) await this.configChanged(c, org);
    });
    this.decoded.clear();
  }

  async exportOrganization(orgId: string): Promise<StateSnapshot> {
    const tables: Record<string, Record<string, unknown>[]> = {};
    const order: Record<string, string> = {
      events: 'seq',
      conversation_agents: 'conversation_id, user_id',
      clients: 'client_id',
      routing_status: 'user_id',
    };
    for (const t of SNAPSHOT_TABLES)
      tables[t] = await this.rows(
        this.pool,
        `SELECT * FROM ${t} WHERE ${t === 'organizations' ? 'id' : 'org_id'} = $1 ORDER BY ${order[t] ?? 'id'}`,
        [orgId],
      );
    return { format: 'callbackd-state', version: 1, schema: MIGRATIONS.length, organization: orgId, tables };
  }

  async checkOrganizationSnapshot(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]> {
    const columns = await this.rows<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      this.pool,
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
    );
    return checkSnapshot(orgId, snapshot, MIGRATIONS.length, (table) =>
      columns
        .filter((c) => c.table_name === table)
        .map((c) => ({
          name: c.column_name,
          integer: c.data_type === 'bigint' || c.data_type === 'integer',
          notNull: c.is_nullable === 'NO',
        })),
    );
  }

  async importOrganization(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]> {
    const problems = await this.checkOrganizationSnapshot(orgId, snapshot);
    if (problems.length > 0) return problems;
    const tables = (snapshot as StateSnapshot).tables;
    await this.tx(async (c) => {
      for (const t of [...SNAPSHOT_TABLES].reverse())
        if (t !== 'organizations') await c.query(`DELETE FROM ${t} WHERE org_id = $1`, [orgId]);
      for (const t of SNAPSHOT_TABLES)
        for (const row of tables[t] as Row[]) {
          const keys = Object.keys(row);
          const upsert = t === 'organizations' ? ' ON CONFLICT (id) DO UPDATE SET name = excluded.name' : '';
          await c.query(
            `INSERT INTO ${t} (${keys.join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})${upsert}`,
            keys.map((k) => row[k]),
          );
        }
      await this.configChanged(c, orgId);
    });
    this.decoded.clear();
    return [];
  }

  // ---- configuration ----

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const r = await this.one<{ client_id: string; org_id: string; name: string; secret_hash: string }>(
      this.pool,
      'SELECT client_id, org_id, name, secret_hash FROM clients WHERE client_id = $1',
      [clientId],
    );
    return r && { clientId: r.client_id, orgId: r.org_id, name: r.name, secretHash: r.secret_hash };
  }

  async findUserByUsername(orgId: string, username: string): Promise<UserRecord | undefined> {
    const r = await this.one<Record<string, string>>(this.pool, 'SELECT * FROM users WHERE org_id = $1 AND username = $2', [
      orgId,
      username,
    ]);
    return r && userFromRow(r);
  }

  async getUser(orgId: string, id: string): Promise<UserRecord | undefined> {
    const r = await this.one<Record<string, string>>(this.pool, 'SELECT * FROM users WHERE org_id = $1 AND id = $2', [orgId, id]);
    return r && userFromRow(r);
  }

  async listUsers(orgId: string): Promise<UserRecord[]> {
    return (await this.rows<Record<string, string>>(this.pool, 'SELECT * FROM users WHERE org_id = $1 ORDER BY name, id', [orgId])).map(
      userFromRow,
    );
  }

  async getQueue(orgId: string, id: string): Promise<QueueRecord | undefined> {
    return (await this.listQueues(orgId)).find((q) => q.id === id);
  }

  async listQueues(orgId: string): Promise<QueueRecord[]> {
    const cached = this.config.get(orgId)?.queues;
    if (cached !== undefined) return cached;
    const queues = (
      await this.rows<{ body: string }>(this.pool, 'SELECT body FROM queues WHERE org_id = $1 ORDER BY name, id', [orgId])
    ).map((r) => queueFromBody(r.body));
    this.setOf(this.config, orgId, () => ({}) as { queues?: QueueRecord[]; codes?: WrapupCodeRecord[] }).queues = queues;
    return queues;
  }

  async listWrapupCodes(orgId: string): Promise<WrapupCodeRecord[]> {
    const cached = this.config.get(orgId)?.codes;
    if (cached !== undefined) return cached;
    const rows = await this.rows<Record<string, string>>(
      this.pool,
      'SELECT id, org_id, name, date_created FROM wrapup_codes WHERE org_id = $1 ORDER BY name, id',
      [orgId],
    );
    const codes = rows.map((r) => ({
      id: r.id as string,
      orgId: r.org_id as string,
      name: r.name as string,
      dateCreated: new Date(r.date_created as string),
    }));
    this.setOf(this.config, orgId, () => ({}) as { queues?: QueueRecord[]; codes?: WrapupCodeRecord[] }).codes = codes;
    return codes;
  }

  async putToken(t: TokenRecord): Promise<void> {
    await this.pool.query('INSERT INTO tokens (token, org_id, client_id, user_id, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      t.token,
      t.orgId,
      t.clientId,
      t.userId ?? null,
      t.expiresAt.getTime(),
    ]);
  }

  cachedToken(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  async getToken(token: string): Promise<TokenRecord | undefined> {
    const cached = this.tokens.get(token);
    if (cached !== undefined) return cached;
    const r = await this.one<{ token: string; org_id: string; client_id: string; user_id: string | null; expires_at: number }>(
      this.pool,
      'SELECT * FROM tokens WHERE token = $1',
      [token],
      true,
    );
    if (r === undefined) return undefined;
    const record: TokenRecord = {
      token: r.token,
      orgId: r.org_id,
      clientId: r.client_id,
      ...(r.user_id !== null ? { userId: r.user_id } : {}),
      expiresAt: new Date(r.expires_at),
    };
    this.tokens.set(token, record, 1);
    return record;
  }

  async listOrganizations(): Promise<Organization[]> {
    return this.rows<Organization>(this.pool, 'SELECT id, name FROM organizations ORDER BY id');
  }

  async putQueue(q: QueueRecord): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        'INSERT INTO queues (id, org_id, name, body) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body WHERE queues.org_id = excluded.org_id',
        [q.id, q.orgId, q.name, queueBody(q)],
      );
      await this.configChanged(c, q.orgId);
    });
  }

  async deleteQueue(orgId: string, id: string): Promise<boolean> {
    return this.tx(async (c) => {
      const gone = ((await c.query('DELETE FROM queues WHERE org_id = $1 AND id = $2', [orgId, id])).rowCount ?? 0) === 1;
      await this.configChanged(c, orgId);
      return gone;
    });
  }

  async putUser(u: UserRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO users (id, org_id, name, email, username, password_hash, state) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [u.id, u.orgId, u.name, u.email, u.username, u.passwordHash, u.state],
    );
  }

  async putWrapupCode(w: WrapupCodeRecord): Promise<void> {
    await this.tx(async (c) => {
      await c.query('INSERT INTO wrapup_codes (id, org_id, name, date_created) VALUES ($1, $2, $3, $4)', [
        w.id,
        w.orgId,
        w.name,
        w.dateCreated.toISOString(),
      ]);
      await this.configChanged(c, w.orgId);
    });
  }

  // ---- conversations ----

  private conversation(id: string, r: ConversationRow): StoredConversation {
    const cached = cachedIfCurrent(this.decoded.get(id), r);
    if (cached !== undefined) return cached;
    const value: StoredConversation = { orgId: r.org_id, state: decodeState(r.body), recordingState: r.recording_state as RecordingState };
    this.decoded.set(id, value, r.body.length);
    return value;
  }

  /** Conversations of an organization by id, their rows as stored now. */
  private async rowsNow(orgId: string, ids: readonly string[]): Promise<Map<string, ConversationRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.rows<ConversationRow & { id: string }>(
      this.pool,
      'SELECT id, org_id, version, body, recording_state FROM conversations WHERE org_id = $1 AND id = ANY($2::text[])',
      [orgId, ids],
      true,
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  async getConversation(orgId: string, id: string): Promise<StoredConversation | undefined> {
    const r = await this.one<{ org_id: string; version: number; body: string; recording_state: string }>(
      this.pool,
      'SELECT org_id, version, body, recording_state FROM conversations WHERE org_id = $1 AND id = $2',
      [orgId, id],
      true,
    );
    return r && this.conversation(id, r);
  }

  async peekConversation(orgId: string, id: string): Promise<StoredConversation | StoredText | undefined> {
    const r = await this.one<{ org_id: string; version: number; body: string; recording_state: string; next_deadline: number | null }>(
      this.pool,
      'SELECT org_id, version, body, recording_state, next_deadline FROM conversations WHERE org_id = $1 AND id = $2',
      [orgId, id],
      true,
    );
    if (r === undefined) return undefined;
    const cached = cachedIfCurrent(this.decoded.get(id), r);
    if (cached !== undefined) return cached;
    return { orgId: r.org_id, text: r.body, nextDeadline: r.next_deadline };
  }

  private async commitOne(c: pg.PoolClient, w: ConversationWrite): Promise<Committed> {
    const s = w.state;
    const ix = w.index;
    if (w.expectedVersion !== undefined && s.version <= w.expectedVersion)
      throw new Error(`conversation ${s.id}: a change must advance the version (from ${w.expectedVersion}, got ${s.version})`);
    const updatedAt = Date.now();
    const events = eventsOf(w, updatedAt);
    // Locks in one order everywhere, so that no two transactions wait on each other: the conversation's row first
    // (the scheduler's batch already holds it: it claimed it), then its organization's, as late as can be: the
    // organization's lock orders every commit of it, so it is held only for the events and the commit.
    const prev =
      w.expectedVersion === undefined
        ? null
        : ((await this.one<{ last_event: number | null }>(c, 'SELECT last_event FROM conversations WHERE id = $1 FOR UPDATE', [s.id], true))
            ?.last_event ?? null);
    const col = conversationColumns(w, updatedAt);
    const body = col.body;
    const common = [
      col.id,
      w.orgId,
      col.version,
      col.phase,
      body,
      col.recordingState,
      col.nextDeadline,
      col.updatedAt,
      col.queueId,
      col.priority,
      col.queuedAt,
      col.ownerId,
    ];
    if (w.expectedVersion === undefined) {
      await this.exec(
        c,
        `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority, queued_at, owner_id, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [...common, s.createdAt.getTime()],
      );
    } else {
      const r = await this.exec(
        c,
        `UPDATE conversations SET version = $3, phase = $4, body = $5, recording_state = $6, next_deadline = $7, updated_at = $8, queue_id = $9,
           priority = $10, queued_at = $11, owner_id = $12
         WHERE id = $1 AND org_id = $2 AND version = $13`,
        [...common, w.expectedVersion],
      );
      if (r.rowCount !== 1)
        throw new VersionConflictError(`conversation ${s.id} changed since it was read (expected version ${w.expectedVersion})`);
    }
    if (w.expectedVersion !== undefined || ix.busyAgentIds.length > 0)
      await this.exec(
        c,
        // (One statement: the rows it keeps are not deleted, so the insert never meets a row it deletes.)
        `WITH gone AS (DELETE FROM conversation_agents WHERE conversation_id = $1 AND NOT (user_id = ANY($3::text[])))
         INSERT INTO conversation_agents (conversation_id, org_id, user_id) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
        [s.id, w.orgId, ix.busyAgentIds],
      );
    for (const r of w.routing ?? []) {
      const moved = await this.exec(
        c,
        'UPDATE routing_status SET status = $1, since = $2 WHERE org_id = $3 AND user_id = $4 AND status = $5',
        [r.to.status, r.to.startTime.getTime(), r.to.orgId, r.to.userId, r.from],
      );
      if (moved.rowCount !== 1) throw new VersionConflictError(`the routing status of ${r.to.userId} is no longer ${r.from}`);
    }
    const logged = await this.log(c, w.orgId, events, s.id, s.version, prev, ix.nextDeadline);
    return { ok: true, bytes: body.length, logged };
  }

  private committed(w: ConversationWrite, c: Committed): void {
    const conversation = { orgId: w.orgId, state: w.state, recordingState: w.recordingState };
    this.decoded.set(w.state.id, conversation, c.bytes);
    this.tellOwn({ orgId: w.orgId, events: c.logged, conversation });
  }

  /**
   * A change of a conversation commits at once. New conversations (without agents or routing moves: every create) are
   * group-committed: those asked for while the last group was being written go in one call per organization
   * (callbackd_create), answered once it committed. If the group fails, each is tried alone, so that a failure is
   * that write's only. (Changes are not grouped, for the reason the SQLite store gives.)
   */
  async commitConversation(w: ConversationWrite): Promise<void> {
    if (w.expectedVersion !== undefined || (w.routing?.length ?? 0) > 0 || w.index.busyAgentIds.length > 0)
      return this.committed(w, await this.tx((c) => this.commitOne(c, w)));
    return new Promise<void>((resolve, reject) => {
      this.creates.push({ w, resolve, reject });
      if (this.creates.length === 1 && !this.creating) setImmediate(() => this.flushCreates());
    });
  }

  private creates: { w: ConversationWrite; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private creating = false;

  /**
   * Writes the waiting new conversations, a group per organization at a time, until none waits. (Two groups in flight
   * measured no faster: one organization's groups commit one after another anyway.)
   */
  private flushCreates(): void {
    this.creating = true;
    const byOrg = new Map<string, typeof this.creates>();
    for (const item of this.creates.splice(0, 1000)) this.setOf(byOrg, item.w.orgId, () => [] as typeof this.creates).push(item);
    void Promise.all([...byOrg].map(([orgId, group]) => this.createGroup(orgId, group))).then((answers) => {
      // The next group goes to the database before this one's callers are answered, so that its round trip overlaps
      // their responses (else the server waits for it with the next group ready). Its events number after these.
      if (this.creates.length > 0) this.flushCreates();
      else this.creating = false;
      for (const answer of answers) answer();
    });
  }

  /** Writes one organization's group; returns what tells and answers its callers (flushCreates says when). */
  private async createGroup(orgId: string, group: typeof this.creates): Promise<() => void> {
    let results: Committed[];
    try {
      results = await this.session(
        (c) =>
          this.insertNew(
            c,
            orgId,
            group.map((g) => g.w),
          ),
        false,
      );
    } catch {
      for (const g of group)
        await this.tx((c) => this.commitOne(c, g.w)).then(
          (r) => (this.committed(g.w, r), g.resolve()),
          (e: unknown) => g.reject(e),
        );
      return () => undefined;
    }
    return () =>
      group.forEach((g, i) => {
        this.committed(g.w, results[i] as Committed);
        g.resolve();
      });
  }

  /** New conversations of one organization and their events, in one statement (callbackd_create). */
  private async insertNew(c: pg.PoolClient, orgId: string, writes: readonly ConversationWrite[]): Promise<Committed[]> {
    const updatedAt = Date.now();
    let count = 0;
    let deadline: number | undefined;
    const rows = writes.map((w) => {
      const x = rowOf(w, updatedAt);
      const base = count;
      count += x.events.length;
      if (x.row.nextDeadline !== null) deadline = Math.min(deadline ?? x.row.nextDeadline, x.row.nextDeadline);
      return { ...x, row: { ...x.row, startedAt: w.state.createdAt.getTime(), base } };
    });
    this.holdsNumbers(c, orgId);
    const r = await this.one<{ first: number }>(
      c,
      'SELECT callbackd_create($1, $2, $3, $4) AS first',
      [orgId, JSON.stringify(rows.map((x) => x.row)), count, deadline ?? null],
      true,
    );
    const first = r?.first as number;
    return rows.map(({ events, body, row }, i) => {
      const w = writes[i] as ConversationWrite;
      const at = first + row.base;
      return {
        ok: true,
        bytes: body.length,
        logged: events.map((e, k) => eventRow(orgId, at + k, e, k === 0 ? null : at + k - 1, w.state.id, w.state.version).logged),
      };
    });
  }

  /**
   * Changes of existing conversations in one statement (callbackd_change): one round trip for a scheduler's batch
   * instead of about six per change. Each row is written or not on its own, as with a savepoint each.
   */
  private async changeMany(c: pg.PoolClient, writes: readonly ConversationWrite[]): Promise<(Committed | Failed)[]> {
    const updatedAt = Date.now();
    let deadline: number | undefined;
    const rows = writes.map((w) => {
      const s = w.state;
      if (w.expectedVersion !== undefined && s.version <= w.expectedVersion)
        throw new Error(`conversation ${s.id}: a change must advance the version (from ${w.expectedVersion}, got ${s.version})`);
      const x = rowOf(w, updatedAt);
      if (x.row.nextDeadline !== null) deadline = Math.min(deadline ?? x.row.nextDeadline, x.row.nextDeadline);
      this.holdsNumbers(c, w.orgId);
      const routing = (w.routing ?? []).map((r) => ({
        userId: r.to.userId,
        from: r.from,
        to: r.to.status,
        since: r.to.startTime.getTime(),
      }));
      return { ...x, row: { ...x.row, org: w.orgId, expected: w.expectedVersion, agents: w.index.busyAgentIds, routing } };
    });
    const r = await this.one<{ out: ({ prev: number | null; first: number } | { conflict: string } | { error: string })[] }>(
      c,
      'SELECT callbackd_change($1, $2) AS out',
      [JSON.stringify(rows.map((x) => x.row)), deadline ?? null],
      true,
    );
    return (r?.out ?? []).map((o, i): Committed | Failed => {
      if ('conflict' in o) return { ok: false, conflict: true, error: new VersionConflictError(o.conflict) };
      if ('error' in o) return { ok: false, conflict: false, error: new Error(o.error) };
      const w = writes[i] as ConversationWrite;
      const { events, body } = rows[i] as (typeof rows)[number];
      return {
        ok: true,
        bytes: body.length,
        logged: events.map(
          (e, k) => eventRow(w.orgId, o.first + k, e, k === 0 ? o.prev : o.first + k - 1, w.state.id, w.state.version).logged,
        ),
      };
    });
  }

  async commitConversations(writes: readonly ConversationWrite[]): Promise<CommitResult[]> {
    return this.afterCommit(writes, await this.tx((c) => this.commitInto(c, writes)));
  }

  /**
   * Each write on its own, in the caller's transaction: changes of existing conversations in one statement; if that
   * statement fails as a whole (or a write is new), each write in a savepoint of its own.
   */
  private async commitInto(c: pg.PoolClient, writes: readonly ConversationWrite[]): Promise<(Committed | Failed)[]> {
    if (writes.length > 1 && writes.every((w) => w.expectedVersion !== undefined)) {
      await c.query('SAVEPOINT batch');
      try {
        return await this.changeMany(c, writes);
      } catch {
        await c.query('ROLLBACK TO SAVEPOINT batch');
      }
    }
    const out: (Committed | Failed)[] = [];
    for (const w of writes) {
      await c.query('SAVEPOINT one');
      try {
        out.push(await this.commitOne(c, w));
        await c.query('RELEASE SAVEPOINT one');
      } catch (error) {
        await c.query('ROLLBACK TO SAVEPOINT one');
        out.push({ ok: false, conflict: error instanceof VersionConflictError, error });
      }
    }
    return out;
  }

  /** After the commit: what committed is cached and told to the listener, in order. */
  private afterCommit(writes: readonly ConversationWrite[], results: (Committed | Failed)[]): CommitResult[] {
    return writes.map((w, i) => {
      const r = results[i] as Committed | Failed;
      if (!r.ok) return r;
      this.committed(w, r);
      return { ok: true, bytes: r.bytes };
    });
  }

  async listActiveConversationsForUser(orgId: string, userId: string): Promise<StoredConversation[]> {
    const rows = await this.rows<{ id: string; org_id: string; version: number; body: string; recording_state: string }>(
      this.pool,
      `SELECT c.id, c.org_id, c.version, c.body, c.recording_state FROM conversation_agents a JOIN conversations c ON c.id = a.conversation_id
       WHERE a.org_id = $1 AND a.user_id = $2 ORDER BY c.id`,
      [orgId, userId],
    );
    return rows.map((r) => this.conversation(r.id, r));
  }

  // ---- routing and time ----

  async getRoutingStatus(orgId: string, userId: string): Promise<RoutingStatusRecord | undefined> {
    const r = await this.one<{ org_id: string; user_id: string; status: RoutingStatus; since: number }>(
      this.pool,
      'SELECT org_id, user_id, status, since FROM routing_status WHERE org_id = $1 AND user_id = $2',
      [orgId, userId],
    );
    return r && { orgId: r.org_id, userId: r.user_id, status: r.status, startTime: new Date(r.since) };
  }

  async setRoutingStatus(r: RoutingStatusRecord): Promise<void> {
    const logged = await this.tx(async (c) => {
      const from = (
        await this.one<{ status: RoutingStatus }>(c, 'SELECT status FROM routing_status WHERE user_id = $1 AND org_id = $2', [
          r.userId,
          r.orgId,
        ])
      )?.status;
      await c.query(
        'INSERT INTO routing_status (user_id, org_id, status, since) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, since = excluded.since',
        [r.userId, r.orgId, r.status, r.startTime.getTime()],
      );
      return this.log(c, r.orgId, [
        { type: 'routingStatus', at: r.startTime, userId: r.userId, status: r.status, ...(from !== undefined ? { from } : {}) },
      ]);
    });
    this.tellOwn({ orgId: r.orgId, events: logged });
  }

  async listRoutingStatuses(orgId: string): Promise<RoutingStatusRecord[]> {
    const rows = await this.rows<{ org_id: string; user_id: string; status: RoutingStatus; since: number }>(
      this.pool,
      'SELECT org_id, user_id, status, since FROM routing_status WHERE org_id = $1 ORDER BY since, user_id',
      [orgId],
    );
    return rows.map((r) => ({ orgId: r.org_id, userId: r.user_id, status: r.status, startTime: new Date(r.since) }));
  }

  async listQueued(orgId: string, queueId: string, limit: number, eligible?: QueuedFilter): Promise<QueuedCallback[]> {
    const columns = 'SELECT id, org_id, queue_id, priority, queued_at, owner_id FROM conversations';
    const rows = await this.rows<{
      id: string;
      org_id: string;
      queue_id: string;
      priority: number;
      queued_at: number | null;
      owner_id: string | null;
    }>(
      this.pool,
      eligible === undefined
        ? `${columns} WHERE org_id = $1 AND queue_id = $2 AND phase = 'queued' ORDER BY priority DESC, queued_at, id LIMIT $3`
        : `${columns} WHERE org_id = $1 AND queue_id = $2 AND phase = 'queued'
             AND (owner_id IS NULL OR queued_at <= $4 OR owner_id = ANY($5::text[])) ORDER BY priority DESC, queued_at, id LIMIT $3`,
      eligible === undefined ? [orgId, queueId, limit] : [orgId, queueId, limit, eligible.ownedUntil.getTime(), [...eligible.owners]],
    );
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      queueId: r.queue_id,
      priority: r.priority,
      queuedAt: new Date(r.queued_at ?? 0),
      ...(r.owner_id !== null ? { ownerId: r.owner_id } : {}),
    }));
  }

  async idleAgents(orgId: string): Promise<RoutingStatusRecord[]> {
    const rows = await this.rows<{ user_id: string; since: number }>(
      this.pool,
      `SELECT user_id, since FROM routing_status s WHERE org_id = $1 AND status = 'IDLE'
         AND NOT EXISTS (SELECT 1 FROM conversation_agents a WHERE a.org_id = s.org_id AND a.user_id = s.user_id)
       ORDER BY since, user_id`,
      [orgId],
    );
    return rows.map((r) => ({ orgId, userId: r.user_id, status: 'IDLE', startTime: new Date(r.since) }));
  }

  async earliestOwnedQueuedAfter(orgId: string, queueId: string, after: Date): Promise<Date | undefined> {
    const r = await this.one<{ t: number | null }>(
      this.pool,
      `SELECT min(queued_at) AS t FROM conversations WHERE org_id = $1 AND queue_id = $2 AND phase = 'queued' AND owner_id IS NOT NULL AND queued_at > $3`,
      [orgId, queueId, after.getTime()],
    );
    return r?.t === null || r?.t === undefined ? undefined : new Date(r.t);
  }

  async busyAgents(orgId: string): Promise<Set<string>> {
    return new Set(
      (await this.rows<{ user_id: string }>(this.pool, 'SELECT DISTINCT user_id FROM conversation_agents WHERE org_id = $1', [orgId])).map(
        (r) => r.user_id,
      ),
    );
  }

  async dueConversations(now: Date, limit: number): Promise<DueConversation[]> {
    const rows = await this.rows<{ org_id: string; id: string; next_deadline: number }>(
      this.pool,
      'SELECT org_id, id, next_deadline FROM conversations WHERE next_deadline IS NOT NULL AND next_deadline <= $1 ORDER BY next_deadline, id LIMIT $2',
      [now.getTime(), limit],
    );
    return rows.map((r) => ({ orgId: r.org_id, id: r.id, at: new Date(r.next_deadline) }));
  }

  /**
   * Claims the due rows with FOR UPDATE SKIP LOCKED in the transaction that then commits their writes: another
   * process skips them meanwhile, and a process killed before its commit releases them (its connection goes, its
   * transaction with it) for the others to fire.
   */
  async fireDue(
    now: Date,
    limit: number,
    skip: ReadonlySet<string>,
    compute: (due: DueConversation[]) => Promise<ConversationWrite[]>,
  ): Promise<{ due: DueConversation[]; results: CommitResult[] }> {
    const outcome = await this.tx(async (c) => {
      const rows = await this.rows<ConversationRow & { id: string; next_deadline: number }>(
        c,
        `SELECT org_id, id, next_deadline, version, body, recording_state FROM conversations
         WHERE next_deadline IS NOT NULL AND next_deadline <= $1 AND NOT (id = ANY($3::text[]))
         ORDER BY next_deadline, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now.getTime(), limit, [...skip]],
        true,
      );
      // As stored under the claim's lock: no other process changes them until this transaction ends.
      const due = rows.map((r) => ({ orgId: r.org_id, id: r.id, at: new Date(r.next_deadline), conversation: this.conversation(r.id, r) }));
      if (due.length === 0) return { due, writes: [], results: [] };
      const writes = await compute(due);
      return { due, writes, results: await this.commitInto(c, writes) };
    });
    return { due: outcome.due, results: this.afterCommit(outcome.writes, outcome.results) };
  }

  async nextDeadlineAt(): Promise<Date | undefined> {
    const r = await this.one<{ t: number | null }>(
      this.pool,
      'SELECT min(next_deadline) AS t FROM conversations WHERE next_deadline IS NOT NULL',
    );
    return r?.t === null || r?.t === undefined ? undefined : new Date(r.t);
  }

  async nextDeadlineOf(orgId: string): Promise<Date | undefined> {
    const r = await this.one<{ t: number | null }>(
      this.pool,
      'SELECT min(next_deadline) AS t FROM conversations WHERE org_id = $1 AND next_deadline IS NOT NULL',
      [orgId],
    );
    return r?.t === null || r?.t === undefined ? undefined : new Date(r.t);
  }

  // ---- the event log ----

  async readEvents(orgId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    return (
      await this.rows<EventRow>(
        this.pool,
        'SELECT * FROM events WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [orgId, afterSeq, limit],
        true,
      )
    ).map(loggedEvent);
  }

  async conversationEvents(orgId: string, conversationId: string): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    let seq = (
      await this.one<{ last_event: number | null }>(this.pool, 'SELECT last_event FROM conversations WHERE org_id = $1 AND id = $2', [
        orgId,
        conversationId,
      ])
    )?.last_event;
    while (typeof seq === 'number') {
      const r = await this.one<EventRow>(this.pool, 'SELECT * FROM events WHERE org_id = $1 AND seq = $2', [orgId, seq]);
      if (r === undefined || r.conversation_id !== conversationId) break;
      out.push(loggedEvent(r));
      seq = r.prev_seq;
    }
    return out.reverse();
  }

  async compactEvents(before: Date): Promise<number> {
    let dropped = 0;
    for (const { id: org } of await this.listOrganizations()) {
      // Events of conversations not ended, and each organization's last event (the next number comes from it), stay.
      const r = await this.pool.query(
        `DELETE FROM events WHERE org_id = $1 AND at < $2 AND seq < (SELECT max(seq) FROM events WHERE org_id = $1)
           AND (conversation_id IS NULL OR NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = events.conversation_id AND c.phase <> 'ended'))`,
        [org, before.getTime()],
      );
      dropped += r.rowCount ?? 0;
    }
    return dropped;
  }

  // ---- analytics and lists ----

  async conversationsStartedBetween(
    orgId: string,
    from: Date,
    to: Date,
    page?: { offset: number; limit: number; desc: boolean },
  ): Promise<string[]> {
    const range = 'FROM conversations WHERE org_id = $1 AND started_at >= $2 AND started_at < $3';
    const order = page?.desc === true ? 'DESC' : 'ASC';
    const rows = await this.rows<{ id: string }>(
      this.pool,
      page === undefined
        ? `SELECT id ${range} ORDER BY started_at, id`
        : `SELECT id ${range} ORDER BY started_at ${order}, id ${order} LIMIT $4 OFFSET $5`,
      page === undefined ? [orgId, from.getTime(), to.getTime()] : [orgId, from.getTime(), to.getTime(), page.limit, page.offset],
    );
    return rows.map((r) => r.id);
  }

  async countStartedBetween(orgId: string, from: Date, to: Date): Promise<number> {
    const r = await this.one<{ n: number }>(
      this.pool,
      'SELECT count(*) AS n FROM conversations WHERE org_id = $1 AND started_at >= $2 AND started_at < $3',
      [orgId, from.getTime(), to.getTime()],
    );
    return r?.n ?? 0;
  }

  async countByPhase(orgId: string, queueId: string): Promise<{ queued: number; offered: number; active: number }> {
    const rows = await this.rows<{ phase: string; n: number }>(
      this.pool,
      `SELECT phase, count(*) AS n FROM conversations WHERE org_id = $1 AND phase IN ('queued', 'offered', 'active') AND queue_id = $2 GROUP BY phase`,
      [orgId, queueId],
    );
    const n = (phase: string) => rows.find((r) => r.phase === phase)?.n ?? 0;
    return { queued: n('queued'), offered: n('offered'), active: n('active') };
  }

  async listConversations(
    orgId: string,
    filter: ConversationFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: StoredConversation[]; total: number }> {
    const where = `FROM conversations WHERE org_id = $1 AND started_at >= $2 AND started_at < $3
      AND ($4::text IS NULL OR queue_id = $4) AND ($5::text IS NULL OR phase = $5)`;
    const params = [
      orgId,
      filter.startedFrom?.getTime() ?? 0,
      filter.startedTo?.getTime() ?? Number.MAX_SAFE_INTEGER,
      filter.queueId ?? null,
      filter.phase ?? null,
    ];
    const rows = await this.rows<{ id: string; org_id: string; version: number; body: string; recording_state: string }>(
      this.pool,
      `SELECT id, org_id, version, body, recording_state ${where} ORDER BY started_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [...params, page.limit, page.offset],
    );
    const total = (await this.one<{ n: number }>(this.pool, `SELECT count(*) AS n ${where}`, params))?.n ?? 0;
    return { items: rows.map((r) => this.conversation(r.id, r)), total };
  }

  async startedBetweenWithEvents(
    orgId: string,
    from: Date,
    to: Date,
  ): Promise<{ conversation: StoredConversation; events: LoggedEvent[] }[]> {
    const rows = await this.rows<{
      id: string;
      org_id: string;
      version: number;
      body: string;
      recording_state: string;
      last_event: number | null;
    }>(
      this.pool,
      `SELECT id, org_id, version, body, recording_state, last_event FROM conversations
       WHERE org_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id`,
      [orgId, from.getTime(), to.getTime()],
    );
    const chains = await eventChains(rows, (seqs) =>
      this.rows<EventRow>(this.pool, 'SELECT * FROM events WHERE org_id = $1 AND seq = ANY($2::bigint[])', [orgId, seqs]),
    );
    return rows.map((r) => ({
      conversation: this.conversation(r.id, r),
      events: (chains.get(r.id) ?? []).filter((e) => e.conversationId === r.id),
    }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.listener.end()]);
    await this.pool.end();
  }
}

/** Thrown inside the seed's transaction to roll back what a conflicting seed had begun to change. */
class SeedConflict extends Error {
  constructor(readonly outcome: SeedOutcome) {
    super('the seed conflicts with the store');
  }
}
