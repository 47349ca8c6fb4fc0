// The embedded store: one SQLite file through better-sqlite3 (synchronous, so a read-change-write of one
// conversation inside one transaction cannot interleave with another in this process), WAL journal.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ERRORS, retryLater } from '../errors.js';
import { Checkpointer } from './checkpointer.js';
import { Doorkeeper } from './doorkeeper.js';
import { LruCache } from './lru.js';
import { MIGRATIONS } from './migrations.js';
import { decodeState } from './state-codec.js';
import { planSeed, queueBody, queueFromBody } from './seed-plan.js';
import { checkSnapshot, SNAPSHOT_TABLES } from './snapshot.js';
import {
  cachedIfCurrent,
  conversationColumns,
  eventChains,
  eventRow,
  loggedEvent,
  userFromRow,
  type ConversationRow,
  type EventRow,
} from './rows.js';
import {
  VersionConflictError,
  type ClientRecord,
  type CommitResult,
  type CommittedChange,
  type LoggedEvent,
  type LogEvent,
  type ConversationWrite,
  type DueConversation,
  type LazyHash,
  type Organization,
  type QueuedCallback,
  type QueuedFilter,
  type RoutingStatus,
  type RoutingStatusRecord,
  type QueueRecord,
  type RecordingState,
  type SeedData,
  type SeedOutcome,
  type ConversationFilter,
  type StateSnapshot,
  type Store,
  type StoredConversation,
  type StoredText,
  type TokenRecord,
  type UserRecord,
  type WrapupCodeRecord,
} from './types.js';

export { VersionConflictError };

/** The store's file cannot be used (the message names the path and what to do). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

type Committed = { ok: true; bytes: number; logged: LoggedEvent[] };
type Failed = Extract<CommitResult, { ok: false }>;

/**
 * How many reads back the doorkeeper remembers an id. A few times what the default cache holds (~3k conversations):
 * a client polling a conversation comes back within it, while random reads over a large store are admitted at
 * about this over the store's size (100k cost random GETs at 1M a decode on ~5-10% of reads: ~5 us a request).
 */
const DOORKEEPER_READS = 10_000;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkpointer: Checkpointer | undefined;
  /** Tokens never change once issued: the recently used ones are kept in memory (weight 1 each). */
  private readonly tokens = new LruCache<string, TokenRecord>(10_000);
  /**
   * Decoded conversations by id, reused while their stored version is the same (states are never mutated); the
   * recently used ones, weighed by the length of their stored text.
   */
  private readonly conversations: LruCache<string, StoredConversation>;
  /** Configuration (queues, wrap-up codes) by organization; dropped whenever configuration is written. */
  private readonly config = new Map<string, { queues?: QueueRecord[]; codes?: WrapupCodeRecord[] }>();

  /** A prepared statement, prepared once per SQL text. */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (st === undefined) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  /**
   * Runs a write, retrying while another connection holds the write lock (SQLITE_BUSY), with waits off the event
   * loop; after `busyWaitMs` in all it gives up with a 503 and Retry-After.
   */
  private async write<T>(run: () => T): Promise<T> {
    const started = Date.now();
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      try {
        const result = run();
        this.checkpointer?.wrote();
        return result;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        if (Date.now() - started >= this.busyWaitMs)
          throw retryLater(ERRORS.unavailable, 'The database is locked by another process; try again shortly.', 1);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  constructor(
    readonly file: string,
    /** How long a write waits in all for another process's write lock before a 503. */
    private readonly busyWaitMs = 2000,
    /** How much stored text the conversation cache may hold (decoded objects take ~1.5x that, and a larger cache grows the heap further). */
    cacheBytes = 8 * 1024 * 1024,
  ) {
    this.conversations = new LruCache(cacheBytes);
    this.db = SqliteStore.open(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    // A write lock held by another connection blocks this (synchronous) thread at most this long per attempt; the
    // waits between attempts are asynchronous (write()), so other requests go on meanwhile.
    this.db.pragma('busy_timeout = 20');
    this.migrate();
    if (file !== ':memory:' && file !== '') {
      // Checkpoints run in a worker (checkpointer.ts); this connection's own only past 10,000 pages (~40 MB of log).
      this.db.pragma('wal_autocheckpoint = 10000');
      this.checkpointer = new Checkpointer(file);
    }
    this.dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    this.commitTx = this.db.transaction((w: ConversationWrite) => this.commitOne(w));
    this.commitManyTx = this.db.transaction((ws: readonly ConversationWrite[]) => this.commitMany(ws));
    this.setStatusTx = this.db.transaction((r: RoutingStatusRecord) => this.setStatus(r));
  }

  /**
   * Opens the file, or says in one sentence why it cannot be callbackd's store (and what to do), writing nothing:
   * a folder, a place it cannot write, a file that is not SQLite or is damaged, another application's database.
   */
  private static open(file: string): Database.Database {
    const fail = (why: string, e?: unknown): never => {
      throw new StoreOpenError(`${file}: ${why}`, { cause: e });
    };
    if (file !== ':memory:') {
      try {
        mkdirSync(dirname(file), { recursive: true });
      } catch (e) {
        fail(`cannot create its folder (${(e as { code?: string }).code ?? 'error'}); give a --db path in a folder you can write to.`, e);
      }
      if (existsSync(file) && statSync(file).isDirectory()) fail('is a folder; give a file path for --db (it is created if missing).');
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      const version = db.pragma('user_version', { simple: true }) as number;
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      if (version === 0 && tables.length > 0)
        fail(
          `is the database of another application (tables: ${tables.slice(0, 5).join(', ')}); callbackd only uses an empty or new file, or its own.`,
        );
      if (version > MIGRATIONS.length)
        fail(
          `was written by a newer callbackd (schema ${version}; this one knows ${MIGRATIONS.length}); upgrade callbackd or use another file.`,
        );
      return db;
    } catch (e) {
      db?.close();
      if (e instanceof StoreOpenError) throw e;
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_NOTADB') return fail('is not an SQLite database; give a new path for --db, or the file callbackd created.', e);
      if (code === 'SQLITE_CORRUPT') return fail('is a damaged SQLite database; restore it from a copy or start from a new file.', e);
      if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM')
        return fail(`cannot be opened for writing (${code}); check its permissions, or give another --db path.`, e);
      throw e;
    }
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /**
   * Brings organizations back to their seeded state in one transaction: their conversations, events, routing statuses
   * and created users, clients, queues and wrap-up codes go, the seeded ones come back as seeded (queues and codes
   * rewritten; users and clients kept as they are, so no secret is hashed again). Tokens stay valid.
   */
  async resetOrganizations(orgIds: readonly string[], data: SeedData): Promise<void> {
    await this.write(() =>
      this.db.transaction(() => {
        for (const org of orgIds) {
          for (const table of ['conversation_agents', 'events', 'routing_status', 'queues', 'wrapup_codes', 'conversations'])
            this.sql(`DELETE FROM ${table} WHERE org_id = ?`).run(org);
          const users = new Set(data.users.filter((u) => u.orgId === org).map((u) => u.id));
          for (const id of this.sql('SELECT id FROM users WHERE org_id = ?').pluck().all(org) as string[])
            if (!users.has(id)) this.sql('DELETE FROM users WHERE id = ?').run(id);
          const clients = new Set(data.clients.filter((c) => c.orgId === org).map((c) => c.clientId));
          for (const id of this.sql('SELECT client_id FROM clients WHERE org_id = ?').pluck().all(org) as string[])
            if (!clients.has(id)) this.sql('DELETE FROM clients WHERE client_id = ?').run(id);
        }
        this.seedTx(data);
      })(),
    );
    this.conversations.clear();
    this.config.clear();
  }

  async exportOrganization(orgId: string): Promise<StateSnapshot> {
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const t of SNAPSHOT_TABLES)
      tables[t] = this.sql(
        `SELECT * FROM ${t} WHERE ${t === 'organizations' ? 'id' : 'org_id'} = ? ORDER BY ${t === 'events' ? 'seq' : 'rowid'}`,
      ).all(orgId) as Record<string, unknown>[];
    return { format: 'callbackd-state', version: 1, schema: MIGRATIONS.length, organization: orgId, tables };
  }

  /**
   * Replaces an organization's state with a snapshot, in one transaction, after checking it whole: its format and
   * schema, every table and column known, every value of its column's type, every row of this organization.
   * Problems are returned as JSON pointers with what was expected; nothing is written when there is any.
   */
  async importOrganization(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]> {
    const problems = await this.checkOrganizationSnapshot(orgId, snapshot);
    if (problems.length > 0) return problems;
    const tables = (snapshot as StateSnapshot).tables;
    await this.write(() =>
      this.db.transaction(() => {
        for (const t of [...SNAPSHOT_TABLES].reverse()) if (t !== 'organizations') this.sql(`DELETE FROM ${t} WHERE org_id = ?`).run(orgId);
        for (const t of SNAPSHOT_TABLES)
          for (const row of tables[t] as Record<string, unknown>[]) {
            const keys = Object.keys(row);
            this.db
              .prepare(`INSERT OR REPLACE INTO ${t} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`)
              .run(...keys.map((k) => row[k]));
          }
      })(),
    );
    this.conversations.clear();
    this.config.clear();
    return [];
  }

  /** The problems of a snapshot for an organization (none: importOrganization would take it); writes nothing. */
  async checkOrganizationSnapshot(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]> {
    return checkSnapshot(orgId, snapshot, MIGRATIONS.length, (table) =>
      (this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number }[]).map((c) => ({
        name: c.name,
        integer: c.type === 'INTEGER',
        notNull: c.notnull === 1,
      })),
    );
  }

  async seed(data: SeedData): Promise<SeedOutcome> {
    this.config.clear();
    const stored = this.sql('SELECT digest FROM seed_state WHERE id = 1').pluck().get() as string | undefined;
    if (data.digest !== undefined && stored === data.digest) {
      this.seedTx(data);
      return { applied: [], conflicts: [] };
    }
    const hasOrg = this.sql('SELECT 1 FROM organizations WHERE id = ?');
    const fresh = data.organizations.every((o) => hasOrg.get(o.id) === undefined);
    let outcome: SeedOutcome = { applied: [], conflicts: [] };
    const refused = Symbol('conflicts');
    try {
      this.db.transaction(() => {
        if (!fresh && data.digest !== undefined) outcome = this.compareSeed(data);
        // Thrown to roll back what compareSeed changed before it found the conflict.
        if (outcome.conflicts.length > 0) throw refused;
        this.seedTx(data);
        if (data.digest !== undefined) this.sql('INSERT OR REPLACE INTO seed_state (id, digest) VALUES (1, ?)').run(data.digest);
      })();
    } catch (e) {
      if (e !== refused) throw e;
    }
    return outcome;
  }

  /**
   * Brings the records a changed seed names back to what it says (inside seed's transaction), and says what changed;
   * an id that belongs to another organization, or a login another user has, is a conflict (seed-plan.ts decides).
   */
  private compareSeed(data: SeedData): SeedOutcome {
    const rows = <T>(sql: string, ids: readonly string[]) => ids.flatMap((id) => this.sql(sql).all(id) as T[]);
    const byKey = <T, K extends keyof T>(list: T[], key: K) => new Map(list.map((r) => [r[key] as string, r]));
    const plan = planSeed(data, {
      organizations: new Map(
        rows<{ id: string; name: string }>(
          'SELECT id, name FROM organizations WHERE id = ?',
          data.organizations.map((o) => o.id),
        ).map((r) => [r.id, r.name]),
      ),
      clients: byKey(
        rows<{ client_id: string; org_id: string; name: string; secret_hash: string }>(
          'SELECT * FROM clients WHERE client_id = ?',
          data.clients.map((c) => c.clientId),
        ),
        'client_id',
      ),
      users: byKey(
        rows<{ id: string; org_id: string; name: string; email: string; username: string; password_hash: string }>(
          'SELECT * FROM users WHERE id = ?',
          data.users.map((u) => u.id),
        ),
        'id',
      ),
      logins: new Map(
        data.users.flatMap((u) => {
          const holder = this.sql('SELECT id FROM users WHERE org_id = ? AND username = ?').pluck().get(u.orgId, u.username) as
            string | undefined;
          return holder === undefined ? [] : [[`${u.orgId}\n${u.username}`, holder] as const];
        }),
      ),
      codes: byKey(
        rows<{ id: string; org_id: string; name: string }>(
          'SELECT id, org_id, name FROM wrapup_codes WHERE id = ?',
          data.wrapupCodes.map((w) => w.id),
        ),
        'id',
      ),
      queues: byKey(
        rows<{ id: string; org_id: string; body: string }>(
          'SELECT id, org_id, body FROM queues WHERE id = ?',
          data.queues.map((q) => q.id),
        ),
        'id',
      ),
    });
    if (plan.conflicts.length > 0) return plan;
    for (const o of plan.organizations) this.sql('UPDATE organizations SET name = ? WHERE id = ?').run(o.name, o.id);
    for (const c of plan.clients)
      this.sql('UPDATE clients SET name = ?, secret_hash = ? WHERE client_id = ?').run(c.name, c.secretHash, c.clientId);
    for (const u of plan.users)
      this.sql('UPDATE users SET name = ?, email = ?, username = ?, password_hash = ? WHERE id = ?').run(
        u.name,
        u.email,
        u.username,
        u.passwordHash,
        u.id,
      );
    for (const w of plan.codes) this.sql('UPDATE wrapup_codes SET name = ? WHERE id = ?').run(w.name, w.id);
    for (const q of plan.queues) this.sql('UPDATE queues SET name = ?, body = ? WHERE id = ?').run(q.name, q.body, q.id);
    return { applied: plan.applied, conflicts: [] };
  }

  /** Inserts what is missing (the body of seed, also run by a reset inside its transaction). */
  private seedTx(data: SeedData): void {
    const db = this.db;
    db.transaction(() => {
      const org = this.sql('INSERT OR IGNORE INTO organizations (id, name) VALUES (?, ?)');
      for (const o of data.organizations) org.run(o.id, o.name);
      // Hashing a secret costs tens of ms (scrypt): only for records not already there, so a restart costs nothing.
      const hash = (h: LazyHash) => (typeof h === 'function' ? h() : h);
      const hasClient = this.sql('SELECT 1 FROM clients WHERE client_id = ?').pluck();
      const client = this.sql('INSERT OR IGNORE INTO clients (client_id, org_id, name, secret_hash) VALUES (?, ?, ?, ?)');
      for (const c of data.clients)
        if (hasClient.get(c.clientId) === undefined) client.run(c.clientId, c.orgId, c.name, hash(c.secretHash));
      const hasUser = this.sql('SELECT 1 FROM users WHERE id = ? OR (org_id = ? AND username = ?)').pluck();
      const user = this.sql(
        'INSERT OR IGNORE INTO users (id, org_id, name, email, username, password_hash, state) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const u of data.users)
        if (hasUser.get(u.id, u.orgId, u.username) === undefined)
          user.run(u.id, u.orgId, u.name, u.email, u.username, hash(u.passwordHash), u.state);
      const code = this.sql('INSERT OR IGNORE INTO wrapup_codes (id, org_id, name, date_created) VALUES (?, ?, ?, ?)');
      for (const w of data.wrapupCodes) code.run(w.id, w.orgId, w.name, w.dateCreated.toISOString());
      const queue = this.sql('INSERT OR IGNORE INTO queues (id, org_id, name, body) VALUES (?, ?, ?, ?)');
      for (const q of data.queues) queue.run(q.id, q.orgId, q.name, queueBody(q));
    })();
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const r = this.sql('SELECT client_id, org_id, name, secret_hash FROM clients WHERE client_id = ?').get(clientId) as
      { client_id: string; org_id: string; name: string; secret_hash: string } | undefined;
    return r && { clientId: r.client_id, orgId: r.org_id, name: r.name, secretHash: r.secret_hash };
  }

  async findUserByUsername(orgId: string, username: string): Promise<UserRecord | undefined> {
    const r = this.sql('SELECT * FROM users WHERE org_id = ? AND username = ?').get(orgId, username) as Record<string, string> | undefined;
    return r && userFromRow(r);
  }

  async getUser(orgId: string, id: string): Promise<UserRecord | undefined> {
    const r = this.sql('SELECT * FROM users WHERE org_id = ? AND id = ?').get(orgId, id) as Record<string, string> | undefined;
    return r && userFromRow(r);
  }

  async listUsers(orgId: string): Promise<UserRecord[]> {
    return (this.sql('SELECT * FROM users WHERE org_id = ? ORDER BY name, id').all(orgId) as Record<string, string>[]).map(userFromRow);
  }

  private static queue(r: { body: string }): QueueRecord {
    return queueFromBody(r.body);
  }

  private orgConfig(orgId: string) {
    let c = this.config.get(orgId);
    if (c === undefined) this.config.set(orgId, (c = {}));
    return c;
  }

  async getQueue(orgId: string, id: string): Promise<QueueRecord | undefined> {
    return (await this.listQueues(orgId)).find((q) => q.id === id);
  }

  async listQueues(orgId: string): Promise<QueueRecord[]> {
    const c = this.orgConfig(orgId);
    c.queues ??= (this.sql('SELECT body FROM queues WHERE org_id = ? ORDER BY name, id').all(orgId) as { body: string }[]).map(
      SqliteStore.queue,
    );
    return c.queues;
  }

  async listWrapupCodes(orgId: string): Promise<WrapupCodeRecord[]> {
    const c = this.orgConfig(orgId);
    c.codes ??= (
      this.sql('SELECT id, org_id, name, date_created FROM wrapup_codes WHERE org_id = ? ORDER BY name, id').all(orgId) as Record<
        string,
        string
      >[]
    ).map((r) => ({
      id: r.id as string,
      orgId: r.org_id as string,
      name: r.name as string,
      dateCreated: new Date(r.date_created as string),
    }));
    return c.codes;
  }

  async putToken(t: TokenRecord): Promise<void> {
    return this.write(() => {
      this.sql('INSERT INTO tokens (token, org_id, client_id, user_id, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        t.token,
        t.orgId,
        t.clientId,
        t.userId ?? null,
        t.expiresAt.getTime(),
      );
    });
  }

  cachedToken(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  async getToken(token: string): Promise<TokenRecord | undefined> {
    const cached = this.tokens.get(token);
    if (cached !== undefined) return cached;
    const r = this.sql('SELECT * FROM tokens WHERE token = ?').get(token) as
      { token: string; org_id: string; client_id: string; user_id: string | null; expires_at: number } | undefined;
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

  onCommitted: ((change: CommittedChange) => void) | undefined;
  /** One process owns an SQLite file: no deadline, and no clock, comes from elsewhere. */
  onDeadline: ((at: Date) => void) | undefined;
  onClock: ((at: Date) => void) | undefined;
  async routeExclusively<T>(_orgId: string, fn: () => Promise<T>): Promise<T | undefined> {
    return fn();
  }
  async readClock(): Promise<Date | undefined> {
    return undefined;
  }
  async writeClock(): Promise<void> {}

  /**
   * Appends events to the log (inside the caller's transaction), numbered after the organization's last; a
   * conversation's events chain back to its previous last event (`prev`).
   */
  private log(
    orgId: string,
    first: number,
    events: readonly LogEvent[],
    conversationId?: string,
    version?: number,
    prev?: number | null,
  ): LoggedEvent[] {
    const insert = this.sql(
      'INSERT INTO events (org_id, seq, at, conversation_id, version, user_id, type, data, prev_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    return events.map((event, i) => {
      const row = eventRow(orgId, first + i, event, i === 0 ? (prev ?? null) : first + i - 1, conversationId, version);
      insert.run(...row.values);
      return row.logged;
    });
  }

  async readEvents(orgId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    const rows = this.sql('SELECT * FROM events WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(
      orgId,
      afterSeq,
      limit,
    ) as EventRow[];
    return rows.map(loggedEvent);
  }

  async conversationEvents(orgId: string, conversationId: string): Promise<LoggedEvent[]> {
    const byId = this.sql('SELECT * FROM events WHERE org_id = ? AND seq = ?');
    const out: LoggedEvent[] = [];
    let seq = this.sql('SELECT last_event FROM conversations WHERE org_id = ? AND id = ?').pluck().get(orgId, conversationId) as
      number | null | undefined;
    // Back along the chain to its first event (or to where compaction cut it).
    while (typeof seq === 'number') {
      const r = byId.get(orgId, seq) as EventRow | undefined;
      if (r === undefined || r.conversation_id !== conversationId) break;
      out.push(loggedEvent(r));
      seq = r.prev_seq;
    }
    return out.reverse();
  }

  /**
   * Per organization: the last event older than `before` is found by bisecting the numbers (times rise with them),
   * then the events up to it are dropped in slices (each its own transaction), except those of conversations not
   * ended and the organization's last event.
   */
  async compactEvents(before: Date): Promise<number> {
    let dropped = 0;
    const orgs = this.sql('SELECT id FROM organizations').pluck().all() as string[];
    const atOrAfter = this.sql('SELECT seq, at FROM events WHERE org_id = ? AND seq >= ? ORDER BY seq LIMIT 1');
    for (const org of orgs) {
      const [lo0, hi0] = this.sql('SELECT MIN(seq), MAX(seq) FROM events WHERE org_id = ?').raw().get(org) as [
        number | null,
        number | null,
      ];
      if (lo0 === null || hi0 === null) continue;
      // The largest number whose event is older than the cut.
      let lo = lo0 - 1;
      let hi = hi0 - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi + 1) / 2);
        const r = atOrAfter.get(org, mid) as { seq: number; at: number } | undefined;
        if (r !== undefined && r.seq <= hi && r.at < before.getTime()) lo = r.seq;
        else hi = mid - 1;
      }
      for (let from = lo0; from <= lo; from += 10_000) {
        const to = Math.min(lo, from + 9_999);
        dropped += await this.write(
          () =>
            this.sql(
              `DELETE FROM events WHERE org_id = ? AND seq BETWEEN ? AND ? AND at < ? AND (conversation_id IS NULL OR NOT EXISTS
                 (SELECT 1 FROM conversations c WHERE c.id = events.conversation_id AND c.phase != 'ended'))`,
            ).run(org, from, to, before.getTime()).changes,
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return dropped;
  }

  /** The decoded row, from the cache when the version and recording state match. */
  private conversation(id: string, r: ConversationRow): StoredConversation {
    const cached = cachedIfCurrent(this.conversations.get(id), r);
    if (cached !== undefined) return cached;
    const value: StoredConversation = { orgId: r.org_id, state: decodeState(r.body), recordingState: r.recording_state as RecordingState };
    if (this.admit(id)) this.conversations.set(id, value, r.body.length);
    return value;
  }

  /** Ids read once lately and not cached: a read is cached only on its second miss (see admit). */
  private readonly seenOnce = new Doorkeeper(DOORKEEPER_READS);

  /**
   * Whether a conversation read from the file is worth caching: only when it was read once before (lately), the
   * way TinyLFU's doorkeeper does it. Clients that poll a conversation get it from memory from the second read; a
   * scan or random reads over a large store do not push the working set out, nor keep objects alive for nothing.
   * Written conversations are always cached (they are being worked on).
   */
  private admit(id: string): boolean {
    if (this.seenOnce.has(id)) return true;
    this.seenOnce.note(id);
    return false;
  }

  /** SQLite's data_version: it changes when another connection commits, so our caches are current while it holds. */
  private dataVersion = -1;

  /** Drops every cached conversation when another connection has written to the file since we last looked. */
  private syncDataVersion(): void {
    const dv = this.sql('PRAGMA data_version').pluck().get() as number;
    if (dv !== this.dataVersion) {
      this.conversations.clear();
      this.dataVersion = dv;
    }
  }

  async getConversation(orgId: string, id: string): Promise<StoredConversation | undefined> {
    // Asked only when there is a cached value to trust: a miss reads the file anyway (~5% of a random read at 1M).
    if (this.conversations.has(id)) this.syncDataVersion();
    const cached = this.conversations.get(id);
    if (cached !== undefined) return cached.orgId === orgId ? cached : undefined;
    const r = this.sql('SELECT org_id, version, body, recording_state FROM conversations WHERE org_id = ? AND id = ?').get(orgId, id) as
      ConversationRow | undefined;
    return r && this.conversation(id, r);
  }

  /** The two columns a peek needs, as an array (no object with named properties per read). */
  private peekRow: Database.Statement | undefined;

  async peekConversation(orgId: string, id: string): Promise<StoredConversation | StoredText | undefined> {
    if (this.conversations.has(id)) {
      this.syncDataVersion();
      const cached = this.conversations.get(id);
      if (cached !== undefined) return cached.orgId === orgId ? cached : undefined;
    }
    this.peekRow ??= this.db.prepare('SELECT body, next_deadline FROM conversations WHERE org_id = ? AND id = ?').raw();
    const r = this.peekRow.get(orgId, id) as [body: string, nextDeadline: number | null] | undefined;
    if (r === undefined) return undefined;
    // Read once before lately: decoded and cached, as getConversation would (a polling client gets it from memory).
    if (this.seenOnce.has(id)) return this.getConversation(orgId, id);
    this.seenOnce.note(id);
    return { orgId, text: r[0], nextDeadline: r[1] };
  }

  /** One change, in one immediate transaction (built once): the row, its index, its agents, its routing statuses. */
  private readonly commitTx: Database.Transaction<(w: ConversationWrite) => Committed>;
  private readonly commitManyTx: Database.Transaction<(ws: readonly ConversationWrite[]) => (Committed | Failed)[]>;

  /** Writes one change and logs its events; returns the length of the stored text (the cache's weight) and the log entries. */
  private commitOne(w: ConversationWrite): Committed {
    const s = w.state;
    const ix = w.index;
    if (w.expectedVersion !== undefined && s.version <= w.expectedVersion)
      throw new Error(`conversation ${s.id}: a change must advance the version (from ${w.expectedVersion}, got ${s.version})`);
    const updatedAt = Date.now();
    const events: LogEvent[] =
      w.events !== undefined && w.events.length > 0 ? [...w.events] : [{ type: 'updated', at: new Date(updatedAt) }];
    for (const r of w.routing ?? [])
      events.push({ type: 'routingStatus', at: r.to.startTime, userId: r.to.userId, status: r.to.status, from: r.from });
    // The events' numbers are known before the row is written, so the row names its last event in the same statement.
    const first = this.nextSeq(w.orgId);
    const row = { ...conversationColumns(w, updatedAt), orgId: w.orgId, lastEvent: first + events.length - 1 };
    let prev: number | null = null;
    if (w.expectedVersion === undefined) {
      this.sql(
        `INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority, queued_at, owner_id, last_event, started_at)
         VALUES (@id, @orgId, @version, @phase, @body, @recordingState, @nextDeadline, @updatedAt, @queueId, @priority, @queuedAt, @ownerId, @lastEvent, @startedAt)`,
      ).run({ ...row, startedAt: s.createdAt.getTime() });
    } else {
      prev = this.sql('SELECT last_event FROM conversations WHERE id = ?').pluck().get(s.id) as number | null;
      const r = this.sql(
        `UPDATE conversations SET version = @version, phase = @phase, body = @body, recording_state = @recordingState, next_deadline = @nextDeadline,
           updated_at = @updatedAt, queue_id = @queueId, priority = @priority, queued_at = @queuedAt, owner_id = @ownerId, last_event = @lastEvent
         WHERE id = @id AND org_id = @orgId AND version = @expectedVersion`,
      ).run({ ...row, expectedVersion: w.expectedVersion });
      if (r.changes !== 1)
        throw new VersionConflictError(`conversation ${s.id} changed since it was read (expected version ${w.expectedVersion})`);
    }
    // A new conversation has no agents yet (its id is new: the insert above failed otherwise).
    if (w.expectedVersion !== undefined) this.sql('DELETE FROM conversation_agents WHERE conversation_id = ?').run(s.id);
    const add = this.sql('INSERT INTO conversation_agents (conversation_id, org_id, user_id) VALUES (?, ?, ?)');
    for (const u of ix.busyAgentIds) add.run(s.id, w.orgId, u);
    const move = this.sql('UPDATE routing_status SET status = ?, since = ? WHERE org_id = ? AND user_id = ? AND status = ?');
    for (const r of w.routing ?? []) {
      if (move.run(r.to.status, r.to.startTime.getTime(), r.to.orgId, r.to.userId, r.from).changes !== 1)
        throw new VersionConflictError(`the routing status of ${r.to.userId} is no longer ${r.from}`);
    }
    return { ok: true, bytes: row.body.length, logged: this.log(w.orgId, first, events, s.id, s.version, prev) };
  }

  /** The organization's next event number (inside a write transaction, so no other writer takes it meanwhile). */
  private nextSeq(orgId: string): number {
    return ((this.sql('SELECT MAX(seq) FROM events WHERE org_id = ?').pluck().get(orgId) as number | null) ?? 0) + 1;
  }

  /** After a commit: the change is cached and told to the listener, in commit order. */
  private committed(w: ConversationWrite, c: Committed): void {
    const conversation = { orgId: w.orgId, state: w.state, recordingState: w.recordingState };
    this.conversations.set(w.state.id, conversation, c.bytes);
    this.onCommitted?.({ orgId: w.orgId, events: c.logged, conversation });
  }

  /**
   * A change of a conversation commits at once, so the next request that reads it sees it. New conversations are
   * group-committed: those asked for in one turn of the event loop (concurrent creates) go in one transaction, each in
   * its own savepoint, so a failure is that write's alone; each caller's promise settles once the group is committed,
   * so nothing is answered before it is durable. A commit costs ~125 µs whatever its size. (Changes are not grouped:
   * a read in the same turn would see the state before a pending change and lose the race to it.)
   */
  async commitConversation(w: ConversationWrite): Promise<void> {
    if (w.expectedVersion !== undefined) return this.committed(w, await this.write(() => this.commitTx.immediate(w)));
    return new Promise<void>((resolve, reject) => {
      this.group.push({ w, resolve, reject });
      if (this.group.length === 1) setImmediate(() => void this.flushGroup());
    });
  }

  private group: { w: ConversationWrite; resolve: () => void; reject: (e: unknown) => void }[] = [];

  private async flushGroup(): Promise<void> {
    const batch = this.group;
    this.group = [];
    let results: (Committed | Failed)[];
    try {
      results = await this.write(() => this.commitManyTx.immediate(batch.map((b) => b.w)));
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    batch.forEach((b, i) => {
      const r = results[i] as Committed | Failed;
      if (!r.ok) return b.reject(r.error);
      this.committed(b.w, r);
      b.resolve();
    });
  }

  async commitConversations(writes: readonly ConversationWrite[]): Promise<CommitResult[]> {
    const results = await this.write(() => this.commitManyTx.immediate(writes));
    return writes.map((w, i) => {
      const r = results[i] as Committed | Failed;
      if (!r.ok) return r;
      this.committed(w, r);
      return { ok: true, bytes: r.bytes };
    });
  }

  /** Each write in its own savepoint (a nested better-sqlite3 transaction), all in one immediate transaction. */
  private commitMany(writes: readonly ConversationWrite[]): (Committed | Failed)[] {
    return writes.map((w) => {
      try {
        return this.commitTx(w);
      } catch (error) {
        // The whole batch waits and retries when the file is locked; anything else concerns this write alone.
        if ((error as { code?: string }).code === 'SQLITE_BUSY') throw error;
        return { ok: false, conflict: error instanceof VersionConflictError, error };
      }
    });
  }

  async listActiveConversationsForUser(orgId: string, userId: string): Promise<StoredConversation[]> {
    const rows = this.sql(
      `SELECT c.id, c.org_id, c.version, c.body, c.recording_state FROM conversation_agents a JOIN conversations c ON c.id = a.conversation_id
       WHERE a.org_id = ? AND a.user_id = ? ORDER BY c.id`,
    ).all(orgId, userId) as (ConversationRow & { id: string })[];
    return rows.map((r) => this.conversation(r.id, r));
  }

  async listOrganizations(): Promise<Organization[]> {
    return this.sql('SELECT id, name FROM organizations ORDER BY id').all() as Organization[];
  }

  async putQueue(q: QueueRecord): Promise<void> {
    return this.write(() => {
      this.sql(
        'INSERT INTO queues (id, org_id, name, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body WHERE queues.org_id = excluded.org_id',
      ).run(q.id, q.orgId, q.name, queueBody(q));
      this.config.delete(q.orgId);
    });
  }

  async deleteQueue(orgId: string, id: string): Promise<boolean> {
    return this.write(() => {
      const r = this.sql('DELETE FROM queues WHERE org_id = ? AND id = ?').run(orgId, id);
      this.config.delete(orgId);
      return r.changes === 1;
    });
  }

  async putUser(u: UserRecord): Promise<void> {
    return this.write(() => {
      this.sql('INSERT INTO users (id, org_id, name, email, username, password_hash, state) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        u.id,
        u.orgId,
        u.name,
        u.email,
        u.username,
        u.passwordHash,
        u.state,
      );
    });
  }

  async putWrapupCode(w: WrapupCodeRecord): Promise<void> {
    return this.write(() => {
      this.sql('INSERT INTO wrapup_codes (id, org_id, name, date_created) VALUES (?, ?, ?, ?)').run(
        w.id,
        w.orgId,
        w.name,
        w.dateCreated.toISOString(),
      );
      this.config.delete(w.orgId);
    });
  }

  async getRoutingStatus(orgId: string, userId: string): Promise<RoutingStatusRecord | undefined> {
    const r = this.sql('SELECT org_id, user_id, status, since FROM routing_status WHERE org_id = ? AND user_id = ?').get(orgId, userId) as
      { org_id: string; user_id: string; status: RoutingStatus; since: number } | undefined;
    return r && { orgId: r.org_id, userId: r.user_id, status: r.status, startTime: new Date(r.since) };
  }

  async setRoutingStatus(r: RoutingStatusRecord): Promise<void> {
    const logged = await this.write(() => this.setStatusTx.immediate(r));
    this.onCommitted?.({ orgId: r.orgId, events: logged });
  }

  private readonly setStatusTx: Database.Transaction<(r: RoutingStatusRecord) => LoggedEvent[]>;

  private setStatus(r: RoutingStatusRecord): LoggedEvent[] {
    const from = this.sql('SELECT status FROM routing_status WHERE user_id = ? AND org_id = ?').pluck().get(r.userId, r.orgId) as
      RoutingStatus | undefined;
    this.sql(
      'INSERT INTO routing_status (user_id, org_id, status, since) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, since = excluded.since',
    ).run(r.userId, r.orgId, r.status, r.startTime.getTime());
    return this.log(r.orgId, this.nextSeq(r.orgId), [
      { type: 'routingStatus', at: r.startTime, userId: r.userId, status: r.status, ...(from !== undefined ? { from } : {}) },
    ]);
  }

  async listRoutingStatuses(orgId: string): Promise<RoutingStatusRecord[]> {
    const rows = this.sql('SELECT org_id, user_id, status, since FROM routing_status WHERE org_id = ? ORDER BY since, user_id').all(
      orgId,
    ) as { org_id: string; user_id: string; status: RoutingStatus; since: number }[];
    return rows.map((r) => ({ orgId: r.org_id, userId: r.user_id, status: r.status, startTime: new Date(r.since) }));
  }

  async listQueued(orgId: string, queueId: string, limit: number, eligible?: QueuedFilter): Promise<QueuedCallback[]> {
    const columns = 'SELECT id, org_id, queue_id, priority, queued_at, owner_id FROM conversations';
    const order = 'ORDER BY priority DESC, queued_at, id LIMIT ?';
    const rows = (
      eligible === undefined
        ? this.sql(`${columns} WHERE org_id = ? AND queue_id = ? AND phase = 'queued' ${order}`).all(orgId, queueId, limit)
        : this.sql(
            `${columns} WHERE org_id = ? AND queue_id = ? AND phase = 'queued'
               AND (owner_id IS NULL OR queued_at <= ? OR owner_id IN (SELECT value FROM json_each(?))) ${order}`,
          ).all(orgId, queueId, eligible.ownedUntil.getTime(), JSON.stringify(eligible.owners), limit)
    ) as {
      id: string;
      org_id: string;
      queue_id: string;
      priority: number;
      queued_at: number | null;
      owner_id: string | null;
    }[];
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
    const rows = this.sql(
      `SELECT user_id, since FROM routing_status s WHERE org_id = ? AND status = 'IDLE'
         AND NOT EXISTS (SELECT 1 FROM conversation_agents a WHERE a.org_id = s.org_id AND a.user_id = s.user_id)
       ORDER BY since, user_id`,
    ).all(orgId) as { user_id: string; since: number }[];
    return rows.map((r) => ({ orgId, userId: r.user_id, status: 'IDLE', startTime: new Date(r.since) }));
  }

  async earliestOwnedQueuedAfter(orgId: string, queueId: string, after: Date): Promise<Date | undefined> {
    const t = this.sql(
      `SELECT MIN(queued_at) FROM conversations WHERE org_id = ? AND queue_id = ? AND phase = 'queued' AND owner_id IS NOT NULL AND queued_at > ?`,
    )
      .pluck()
      .get(orgId, queueId, after.getTime()) as number | null;
    return t === null ? undefined : new Date(t);
  }

  async busyAgents(orgId: string): Promise<Set<string>> {
    return new Set(this.sql('SELECT DISTINCT user_id FROM conversation_agents WHERE org_id = ?').pluck().all(orgId) as string[]);
  }

  async dueConversations(now: Date, limit: number): Promise<DueConversation[]> {
    const rows = this.sql(
      'SELECT org_id, id, next_deadline FROM conversations WHERE next_deadline IS NOT NULL AND next_deadline <= ? ORDER BY next_deadline, id LIMIT ?',
    ).all(now.getTime(), limit) as { org_id: string; id: string; next_deadline: number }[];
    return rows.map((r) => ({ orgId: r.org_id, id: r.id, at: new Date(r.next_deadline) }));
  }

  /** One process owns an SQLite file's scheduler: claiming is reading what is due, then committing the batch. */
  async fireDue(
    now: Date,
    limit: number,
    skip: ReadonlySet<string>,
    compute: (due: DueConversation[]) => Promise<ConversationWrite[]>,
  ): Promise<{ due: DueConversation[]; results: CommitResult[] }> {
    const due = (await this.dueConversations(now, limit + skip.size)).filter((d) => !skip.has(d.id)).slice(0, limit);
    if (due.length === 0) return { due, results: [] };
    return { due, results: await this.commitConversations(await compute(due)) };
  }

  async nextDeadlineAt(): Promise<Date | undefined> {
    const t = this.sql('SELECT MIN(next_deadline) FROM conversations WHERE next_deadline IS NOT NULL').pluck().get() as number | null;
    return t === null ? undefined : new Date(t);
  }

  async conversationsStartedBetween(
    orgId: string,
    from: Date,
    to: Date,
    page?: { offset: number; limit: number; desc: boolean },
  ): Promise<string[]> {
    const range = 'FROM conversations WHERE org_id = ? AND started_at >= ? AND started_at < ?';
    if (page === undefined)
      return this.sql(`SELECT id ${range} ORDER BY started_at, id`).pluck().all(orgId, from.getTime(), to.getTime()) as string[];
    const order = page.desc ? 'DESC' : 'ASC';
    return this.sql(`SELECT id ${range} ORDER BY started_at ${order}, id ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(orgId, from.getTime(), to.getTime(), page.limit, page.offset) as string[];
  }

  async startedBetweenWithEvents(
    orgId: string,
    from: Date,
    to: Date,
  ): Promise<{ conversation: StoredConversation; events: LoggedEvent[] }[]> {
    this.syncDataVersion();
    const rows = this.sql(
      `SELECT id, org_id, version, body, recording_state, last_event FROM conversations
       WHERE org_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at, id`,
    ).all(orgId, from.getTime(), to.getTime()) as (ConversationRow & { id: string; last_event: number | null })[];
    const step = this.sql('SELECT * FROM events WHERE org_id = ? AND seq IN (SELECT value FROM json_each(?))');
    const chains = await eventChains(rows, (seqs) => step.all(orgId, JSON.stringify(seqs)) as EventRow[]);
    return rows.map((r) => ({ conversation: this.conversation(r.id, r), events: chains.get(r.id) ?? [] }));
  }

  async countByPhase(orgId: string, queueId: string): Promise<{ queued: number; offered: number; active: number }> {
    const rows = this.sql(
      `SELECT phase, COUNT(*) AS n FROM conversations WHERE org_id = ? AND phase IN ('queued', 'offered', 'active') AND queue_id = ? GROUP BY phase`,
    ).all(orgId, queueId) as { phase: string; n: number }[];
    const n = (phase: string) => rows.find((r) => r.phase === phase)?.n ?? 0;
    return { queued: n('queued'), offered: n('offered'), active: n('active') };
  }

  async countStartedBetween(orgId: string, from: Date, to: Date): Promise<number> {
    return this.sql('SELECT COUNT(*) FROM conversations WHERE org_id = ? AND started_at >= ? AND started_at < ?')
      .pluck()
      .get(orgId, from.getTime(), to.getTime()) as number;
  }

  /** A page of an organization's conversations, newest first, filtered (the console's lists), and how many match. */
  async listConversations(
    orgId: string,
    filter: ConversationFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: StoredConversation[]; total: number }> {
    this.syncDataVersion();
    const where = `FROM conversations WHERE org_id = @org AND started_at >= @from AND started_at < @to
      AND (@queue IS NULL OR queue_id = @queue) AND (@phase IS NULL OR phase = @phase)`;
    const params = {
      org: orgId,
      from: filter.startedFrom?.getTime() ?? 0,
      to: filter.startedTo?.getTime() ?? Number.MAX_SAFE_INTEGER,
      queue: filter.queueId ?? null,
      phase: filter.phase ?? null,
    };
    const rows = this.sql(
      `SELECT id, org_id, version, body, recording_state ${where} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: page.limit, offset: page.offset }) as (ConversationRow & { id: string })[];
    const total = this.sql(`SELECT COUNT(*) ${where}`).pluck().get(params) as number;
    return { items: rows.map((r) => this.conversation(r.id, r)), total };
  }

  /** The organization's next deadline (what "advance to the next deadline" moves a manual clock to). */
  async nextDeadlineOf(orgId: string): Promise<Date | undefined> {
    const t = this.sql('SELECT MIN(next_deadline) FROM conversations WHERE org_id = ? AND next_deadline IS NOT NULL').pluck().get(orgId) as
      number | null;
    return t === null ? undefined : new Date(t);
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    this.db.close();
  }
}
