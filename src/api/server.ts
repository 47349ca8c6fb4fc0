// Starting and stopping a whole callbackd server: store, seed, backend, HTTP. Used by `callbackd serve` and tests.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { CallbackBackend } from '../service/backend.js';
import { loadSeed } from '../service/seed.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import { buildApp } from './app.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** SQLite file, or ':memory:'. */
  db: string;
  /** Seed configuration file; the default organization when absent. */
  seedFile?: string;
  logger?: FastifyServerOptions['logger'];
  clock?: () => Date;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  backend: CallbackBackend;
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
  const backend = new CallbackBackend({ store, ...(options.clock !== undefined ? { clock: options.clock } : {}) });
  const app = await buildApp({ backend, ...(options.logger !== undefined ? { logger: options.logger } : {}) });
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
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await store.close();
    },
  };
}
