// The composition root: which store, which clock, which services, the router and the scheduler, and the HTTP
// server, wired once. Used by `callbackd serve`, the tests and the benchmarks.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './api/app.js';
import { originAllowed, type CorsOrigins } from './api/cors.js';
import { attachSockets } from './api/socket.js';
import type { Services } from './api/route.js';
import { AnalyticsService } from './service/analytics.js';
import { RequestJournal } from './service/journal.js';
import { AuthService, type AuthOptions } from './service/auth.js';
import { CallbackService } from './service/callbacks.js';
import { ManualClock, SystemClock, type Clock } from './service/clock.js';
import { Configuration } from './service/configuration.js';
import { EmulatorService } from './service/emulator.js';
import { NotificationService } from './service/notifications.js';
import { Router } from './service/router.js';
import { Scheduler } from './service/scheduler.js';
import { DEFAULT_SEED_FILE, loadSeed, SeedError, type LoadedSeed } from './service/seed.js';
import { FaultInjector } from './service/faults.js';
import { GENESYS_DEFAULTS, RateLimiter, type RateLimits } from './service/ratelimits.js';
import { SqliteStore, StoreOpenError } from './store/sqlite.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './service/paths.js';

/** callbackd's version, from its package.json. */
const VERSION = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
import type { SeedData, Store } from './store/types.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** SQLite file, or ':memory:', or a PostgreSQL connection URL (postgres://...). */
  db: string;
  /** Seed configuration file; the default organization when absent. */
  seedFile?: string;
  logger?: FastifyServerOptions['logger'];
  /** The system clock by default; a ManualClock for tests and `--clock manual`. */
  clock?: Clock;
  /** Run the scheduler and the router (default true). */
  routing?: boolean;
  /** Wraps the store the services use (tests put fault injection or barriers here). */
  wrapStore?: (store: Store) => Store;
  /** How often a change that lost a race is recomputed before the caller gets a 409 (default 5). */
  conflictRetries?: number;
  /** Run one conversation's changes in this process one after another (default true; see CallbackService). */
  serializeChanges?: boolean;
  /** Token lifetime and the limit on failed token requests. */
  auth?: AuthOptions;
  /** How long a request may take to arrive, in ms, before a 408 (default 30 s). */
  requestTimeoutMs?: number;
  /** On close, how long requests in flight may take before their connections are cut, in ms (default 5 s). */
  shutdownMs?: number;
  /** How much stored text the conversation cache may hold, in bytes (default 8 MB; see the README on memory). */
  cacheBytes?: number;
  /** Web origins allowed to call the API and open sockets from a browser (default: localhost pages; see api/cors.ts). */
  corsOrigins?: CorsOrigins;
  /** Notification heartbeat interval in ms (default 30 s, or CALLBACKD_HEARTBEAT_SECONDS). */
  heartbeatMs?: number;
  /** Bytes a notification socket may have unsent before it is closed as too slow (default 4 MiB). */
  socketBufferBytes?: number;
  /** Rate limits of every organization the seed does not set (default: Genesys' budgets, counted, not enforced). */
  rateLimits?: Partial<RateLimits>;
  /**
   * A state file to load at start: one organization's state (GET /emulator/state) or an array of them (what
   * exportOnClose writes). Checked whole before anything is written; a problem refuses the start (SnapshotFileError).
   */
  importFile?: string;
  /** On close, write every organization's state to this file (an array of GET /emulator/state bodies). */
  exportOnClose?: string;
  /** How long events are kept once their conversation has ended, in ms (default 7 days). */
  eventRetentionMs?: number;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** The store as opened (not wrapped). */
  store: Store;
  services: Services;
  clock: Clock;
  scheduler: Scheduler;
  router: Router;
  notifications: NotificationService;
  /** What the seed changed in the store because the seed file changed since the store last saw it (one line each). */
  seedApplied: string[];
  /** Fires what is due and lets routing settle (what POST /emulator/clock does after moving a manual clock). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The services over a store and a clock, with the router and the scheduler listening to them. */
function compose(store: Store, clock: Clock, options: ServerOptions, seed: LoadedSeed) {
  const now = () => clock.now();
  const configuration = new Configuration(store, now);
  const callbacks = new CallbackService({
    store,
    configuration,
    clock: now,
    ...(options.conflictRetries !== undefined ? { conflictRetries: options.conflictRetries } : {}),
    ...(options.serializeChanges !== undefined ? { serializeChanges: options.serializeChanges } : {}),
  });
  const scheduler = new Scheduler(store, callbacks, clock);
  const router = new Router(store, callbacks, clock);
  // Fault injection for the crash tests: die at once after committing a change that caused this event, before the
  // scheduler and the router react (what SIGKILL at the worst moment does).
  const killAfter = process.env.CALLBACKD_KILL_AFTER_EVENT;
  if (options.routing !== false) {
    callbacks.onChange = (orgId, state, events) => {
      if (killAfter !== undefined && events.some((e) => e.type === killAfter)) process.kill(process.pid, 'SIGKILL');
      scheduler.notice(state);
      router.onEvents(orgId, events);
    };
    configuration.onRoutingChange = (orgId) => router.kick(orgId);
  }
  const notifications = new NotificationService({ store, clock: now });
  const faults = new FaultInjector(now);
  const rateLimits = new RateLimiter(now, { ...GENESYS_DEFAULTS, ...options.rateLimits }, seed.rateLimits);
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      const fired = await scheduler.runDue();
      await router.settle();
      if (fired === 0) break;
    }
    // Channels whose day ended on the moved clock end now, not at the next sweep.
    notifications.sweep();
  };
  const services: Services = {
    callbacks,
    configuration,
    auth: new AuthService(store, now, options.auth),
    emulator: new EmulatorService(now, callbacks, clock instanceof ManualClock ? { clock, settle } : undefined, {
      version: VERSION,
      storeKind: isPostgresUrl(options.db) ? 'postgres' : 'sqlite',
      exportState: (orgId) => store.exportOrganization(orgId),
      nextDeadline: (orgId) => store.nextDeadlineOf(orgId),
      clockMoved: (at) => store.writeClock(at),
      importState: async (orgId, snapshot) => {
        const problems = await store.importOrganization(orgId, snapshot);
        if (problems.length === 0) {
          await scheduler.runDue();
          router.kick(orgId);
        }
        return problems;
      },
      reset: async (orgIds) => {
        const ids = orgIds === 'all' ? seed.organizations.map((o) => o.id) : orgIds;
        await store.resetOrganizations(ids, seed);
        for (const id of ids) {
          rateLimits.reset(id);
          faults.clear(id);
        }
        // Nothing is due or queued any more; the router looks again (agents are back to their seeded state).
        await scheduler.runDue();
        for (const id of ids) router.kick(id);
        return [...ids];
      },
    }),
    notifications,
    analytics: new AnalyticsService(store, now),
    journal: new RequestJournal(),
    rateLimits,
    faults,
  };
  return { services, scheduler, router, settle };
}

/** A connection URL with its password hidden, for messages. */
export const redactedUrl = (url: string): string => url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, '$1***@');

/** Connects and migrates; what goes wrong is one line naming the database (password hidden) and what to do. */
async function openPostgres(url: string): Promise<Store> {
  const { PgStore } = await import('./store/pg/store.js');
  try {
    return await PgStore.open(url);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StoreOpenError(
      `cannot use the PostgreSQL database ${redactedUrl(url)}: ${why}; check --db (or CALLBACKD_DB) and that the server runs.`,
      {
        cause: e,
      },
    );
  }
}

/** Opens the store and applies the seed; a seed that conflicts with what the store holds is refused, nothing written. */
/** Whether a --db value names a PostgreSQL database (a connection URL) rather than an SQLite file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

async function openStore(options: ServerOptions, seed: SeedData): Promise<{ opened: Store; seedApplied: string[] }> {
  // Loaded only when asked for: the SQLite default does not load the PostgreSQL driver.
  const opened: Store = isPostgresUrl(options.db)
    ? await openPostgres(options.db)
    : new SqliteStore(options.db, undefined, options.cacheBytes);
  try {
    const outcome = await opened.seed(seed);
    if (outcome.conflicts.length > 0)
      throw new SeedError(
        `the seed ${options.seedFile ?? DEFAULT_SEED_FILE} does not fit what ${redactedUrl(options.db)} holds:` +
          outcome.conflicts.map((c) => `\n  ${c}`).join('') +
          '\nStart with another --db file, or change the seed.',
      );
    return { opened, seedApplied: outcome.applied };
  } catch (e) {
    await opened.close();
    throw e;
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // Read once: a reset brings back exactly what was seeded at start (the same dates of creation too).
  const seed = loadSeed(options.seedFile);
  const { opened, seedApplied } = await openStore(options, seed);
  if (options.importFile !== undefined) {
    try {
      await importStates(opened, options.importFile);
    } catch (e) {
      await opened.close();
      throw e;
    }
  }
  const clock = options.clock ?? new SystemClock();
  const { services, scheduler, router, settle } = compose(options.wrapStore?.(opened) ?? killInBatch(opened), clock, options, seed);
  // Every committed change reaches the notifier in commit order, from the store itself (the event log's listener).
  opened.onCommitted = (change) => {
    services.notifications.publish(change);
    // What another process committed may give this one's router something to do (an agent free, a callback queued).
    if (change.remote === true && options.routing !== false)
      router.onCommittedElsewhere(
        change.orgId,
        change.events.map((e) => e.event.type),
      );
  };
  // A manual clock shared through the store: start where the others are (or tell them where this one starts), and
  // move when another process moves it.
  if (clock instanceof ManualClock) {
    const shared = await opened.readClock();
    if (shared !== undefined && shared.getTime() > clock.now().getTime()) clock.set(shared);
    else await opened.writeClock(clock.now());
    opened.onClock = (at) => {
      if (at.getTime() <= clock.now().getTime()) return;
      clock.set(at);
      void settle().catch((err: unknown) => app.log.error({ err }, 'clock: cannot settle after a move by another process'));
    };
  }
  // Deadlines written by other processes sharing the store wake this scheduler too.
  if (options.routing !== false) opened.onDeadline = (at) => scheduler.wake(at);
  const app = await buildApp({
    services,
    ...(options.corsOrigins !== undefined ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  scheduler.onError = (err, conversationId) => app.log.error({ err, conversationId }, 'scheduler: cannot advance conversation; skipped');
  router.onError = (err, orgId) => app.log.error({ err, orgId }, 'router: routing pass failed');
  const heartbeatSeconds = Number(process.env.CALLBACKD_HEARTBEAT_SECONDS);
  const sockets = attachSockets(app.server, services.notifications, {
    heartbeatMs: options.heartbeatMs ?? (heartbeatSeconds > 0 ? heartbeatSeconds * 1000 : 30_000),
    maxBufferedBytes: options.socketBufferBytes ?? 4 * 1024 * 1024,
    allowOrigin: originAllowed(options.corsOrigins),
  });
  services.notifications.onError = (err) => app.log.error({ err }, 'notifications: cannot deliver');
  // Events are kept while their conversation goes on, and for the retention period after (compaction runs hourly).
  const retention = options.eventRetentionMs ?? 7 * 24 * 3600_000;
  const compact = () =>
    opened
      .compactEvents(new Date(clock.now().getTime() - retention))
      .catch((err: unknown) => app.log.error({ err }, 'events: compaction failed'));
  // The first compaction once the server is up (it runs in slices beside requests), then hourly.
  const firstCompaction = setTimeout(() => void compact(), 1000);
  const compaction = setInterval(() => void compact(), 3600_000);
  firstCompaction.unref();
  compaction.unref();
  if (options.routing !== false) {
    await scheduler.start();
    await router.kickAll();
  }
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 8080 });
  } catch (e) {
    // Nothing keeps running when the server cannot listen (a port in use): the caller gets the error and a clean exit.
    clearTimeout(firstCompaction);
    clearInterval(compaction);
    scheduler.stop();
    router.stop();
    await sockets.close();
    await app.close();
    await opened.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    store: opened,
    services,
    clock,
    scheduler,
    router,
    notifications: services.notifications,
    seedApplied,
    settle,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(firstCompaction);
      clearInterval(compaction);
      scheduler.stop();
      router.stop();
      await sockets.close();
      // Stop accepting; idle connections close at once; requests in flight (a slow body too) get until the deadline.
      const deadline = setTimeout(() => app.server.closeAllConnections(), options.shutdownMs ?? 5000);
      try {
        await app.close();
      } finally {
        clearTimeout(deadline);
      }
      await router.settle();
      try {
        if (options.exportOnClose !== undefined) await exportStates(opened, options.exportOnClose);
      } finally {
        await opened.close();
      }
    },
  };
}

/** A state file that cannot be read or does not fit: what `serve --import` answers with (exit 2). */
export class SnapshotFileError extends Error {
  override name = 'SnapshotFileError';
}

/** Loads a state file: every snapshot in it is checked before any is written. */
async function importStates(store: Store, file: string): Promise<void> {
  let parsed: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnapshotFileError(
      `cannot import ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`,
    );
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const states = list.map((s, i) => ({ at: Array.isArray(parsed) ? `/${i}` : '', s: s as { organization?: unknown } }));
  const problems: string[] = [];
  for (const { at, s } of states) {
    if (typeof s?.organization !== 'string') {
      problems.push(`${at}/organization: expected the organization the state is of (a string)`);
      continue;
    }
    for (const p of await store.checkOrganizationSnapshot(s.organization, s)) problems.push(`${at}${p.field}: ${p.message}`);
  }
  if (problems.length > 0)
    throw new SnapshotFileError(
      `cannot import ${file}:${problems
        .slice(0, 10)
        .map((p) => `\n  ${p}`)
        .join('')}${problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : ''}`,
    );
  for (const { s } of states) await store.importOrganization(s.organization as string, s);
}

/** Writes every organization's state, to a temporary file renamed into place (a crash never leaves half a file). */
async function exportStates(store: Store, file: string): Promise<void> {
  const states = [];
  for (const org of await store.listOrganizations()) states.push(await store.exportOrganization(org.id));
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(states));
  renameSync(temp, file);
}

/**
 * Fault injection for the crash tests of several processes: with CALLBACKD_KILL_IN_BATCH set, the process dies with
 * SIGKILL in the middle of its first scheduler batch, after claiming and computing it and before committing it.
 */
function killInBatch(store: Store): Store {
  if (process.env.CALLBACKD_KILL_IN_BATCH === undefined) return store;
  const fireDue: Store['fireDue'] = (now, limit, skip, compute) =>
    store.fireDue(now, limit, skip, async (due) => {
      const writes = await compute(due);
      if (due.length > 0) process.kill(process.pid, 'SIGKILL');
      return writes;
    });
  return new Proxy(store, { get: (target, key) => (key === 'fireDue' ? fireDue : Reflect.get(target, key)) });
}
