// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, started on a free port on 127.0.0.1
// (and a socket in that folder), removed after. As root, initdb and pg_ctl run as the postgres user (they refuse
// root). CALLBACKD_TEST_PG_URL points the tests at a server of your own instead.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  /** A connection string to the cluster's `postgres` database, as the superuser `callbackd`. */
  url: string;
  /** A new, empty database on the cluster. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where a PostgreSQL program is: on the PATH, or in Debian's /usr/lib/postgresql/<version>/bin. */
export function pgBin(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  for (const v of readdirSync(root).sort().reverse()) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  return undefined;
}

/** Whether tests can have a PostgreSQL server (their own, or a throwaway one). */
export const postgresAvailable = (): boolean => process.env.CALLBACKD_TEST_PG_URL !== undefined || pgBin('initdb') !== undefined;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export async function startCluster(): Promise<PgCluster> {
  const { default: pg } = await import('pg');
  const given = process.env.CALLBACKD_TEST_PG_URL;
  const database = async (base: string, name: string) => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    return url.toString();
  };
  if (given !== undefined) return { url: given, database: (n) => database(given, n), stop: async () => undefined };
  const initdb = pgBin('initdb');
  const pgCtl = pgBin('pg_ctl');
  if (initdb === undefined || pgCtl === undefined)
    throw new Error('PostgreSQL is not installed (initdb, pg_ctl): apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'callbackd-pg-'));
  const root = process.getuid?.() === 0;
  // initdb and pg_ctl refuse to run as root: as root, they run as the postgres user, who owns the folder.
  const run = (program: string, args: string[]) =>
    execFileSync(root ? 'runuser' : program, root ? ['-u', 'postgres', '--', program, ...args] : args, { stdio: 'pipe' });
  if (root) {
    const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const data = join(dir, 'data');
  run(initdb, ['-D', data, '-A', 'trust', '-U', 'callbackd', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const url = `postgres://callbackd@127.0.0.1:${port}/postgres`;
  return {
    url,
    database: (n) => database(url, n),
    async stop() {
      try {
        run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * For a test file that needs a cluster of its own: whether there is one (a missing PostgreSQL fails when CI says it is
 * required), and the cluster, started before the file's tests and stopped after.
 */
export function useCluster(hooks: {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>): void;
}): {
  available: boolean;
  cluster: () => PgCluster;
} {
  const available = postgresAvailable();
  if (!available && process.env.CALLBACKD_POSTGRES_TESTS === 'required') throw new Error('PostgreSQL is not installed');
  let cluster: PgCluster | undefined;
  hooks.beforeAll(async () => {
    if (available) cluster = await startCluster();
  }, 60_000);
  hooks.afterAll(async () => {
    await cluster?.stop();
  });
  return { available, cluster: () => cluster as PgCluster };
}
