// Starting and stopping a whole callbackd server: store, seed, backend, HTTP. Used by `callbackd serve` and tests.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { CallbackBackend } from '../service/backend.js';
import { loadSeed } from '../service/seed.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { ManualClock, SystemClock, type Clock } from '../service/clock.js';
import { Router } from '../service/router.js';
import { Scheduler } from '../service/scheduler.js';
import { buildApp } from './app.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** SQLite file, or ':memory:'. */
  db: string;
  /** Seed configuration file; the default organization when absent. */
  seedFile?: string;
  logger?: FastifyServerOptions['logger'];
  /** The system clock by default; a ManualClock for tests and `--clock manual`. */
  clock?: Clock;
  /** Run the scheduler and the router (default true). */
  routing?: boolean;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  backend: CallbackBackend;
  clock: Clock;
  scheduler: Scheduler;
  router: Router;
  /** Fires what is due and lets routing settle (what POST /emulator/clock does after moving a manual clock). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = new SqliteStore(options.db);
  try {
    await store.seed(loadSeed(options.seedFile));
  } catch (e) {
    await store.close();
    throw e;
  }
  const clock = options.clock ?? new SystemClock();
  const backend = new CallbackBackend({ store, clock: () => clock.now() });
  const scheduler = new Scheduler(store, backend, clock);
  const router = new Router(store, backend, clock);
  if (options.routing !== false) {
    backend.hooks = {
      afterChange: async (orgId, state, events) => {
        scheduler.notice(state);
        await router.onEvents(orgId, state, events);
      },
      afterCreate: (orgId, state) => {
        scheduler.notice(state);
        if (state.phase === 'queued') router.kick(orgId);
      },
      afterRoutingChange: (orgId) => router.kick(orgId),
    };
  }
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      const fired = await scheduler.runDue();
      await router.settle();
      if (fired === 0) return;
    }
  };
  const app = await buildApp({
    backend,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(clock instanceof ManualClock ? { manualClock: { clock, settle } } : {}),
  });
  scheduler.onError = (err, conversationId) => app.log.error({ err, conversationId }, 'scheduler: cannot advance conversation; skipped');
  router.onError = (err, orgId) => app.log.error({ err, orgId }, 'router: routing pass failed');
  if (options.routing !== false) {
    await scheduler.start();
    await router.kickAll();
  }
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8080 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    app,
    store,
    backend,
    clock,
    scheduler,
    router,
    settle,
    async close() {
      if (closed) return;
      closed = true;
      scheduler.stop();
      router.stop();
      await app.close();
      await router.settle();
      await store.close();
    },
  };
}
