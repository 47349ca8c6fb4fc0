// PostgreSQL migrations (issue 15): run at start, once, however many servers start together; a database of a newer
// schema is refused. Against a real PostgreSQL cluster started for the test.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres, PgSchemaError } from '../../src/store/pg/migrate.js';
import { PG_MIGRATIONS } from '../../src/store/pg/migrations.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { useCluster } from '../support/postgres.js';

const postgres = useCluster({ beforeAll, afterAll });
const available = postgres.available;

describe.runIf(available)('PostgreSQL migrations', () => {
  it('three servers starting together: each migration applied once, all see the same schema', async () => {
    const url = await postgres.cluster().database('migrate_together');
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: url, max: 2 }));
    try {
      const outcomes = await Promise.all(pools.map((p) => migratePostgres(p)));
      // One of them did the work; the others waited for its lock and found nothing to do.
      expect(outcomes.map((o) => o.to)).toEqual([PG_MIGRATIONS.length, PG_MIGRATIONS.length, PG_MIGRATIONS.length]);
      expect(outcomes.filter((o) => o.from === 0)).toHaveLength(1);
      const applied = await pools[0]!.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(applied.rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
      // The tables the SQLite store has (bar SQLite's own), and the shared clock.
      const tables = await pools[0]!.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
      expect(tables.rows.map((r) => r.tablename)).toEqual([
        'clients',
        'conversation_agents',
        'conversations',
        'emulator_clock',
        'events',
        'organizations',
        'queues',
        'routing_status',
        'schema_migrations',
        'seed_state',
        'tokens',
        'users',
        'wrapup_codes',
      ]);
      // Started again: nothing to do.
      expect(await migratePostgres(pools[1]!)).toEqual({ from: PG_MIGRATIONS.length, to: PG_MIGRATIONS.length });
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  }, 60_000);

  it('has the columns of the SQLite store for every table both have', async () => {
    const url = await postgres.cluster().database('migrate_columns');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migratePostgres(pool);
      const Database = (await import('better-sqlite3')).default;
      const lite = new Database(':memory:');
      for (const m of MIGRATIONS) lite.exec(m);
      const liteTables = (lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).sort();
      for (const t of liteTables) {
        const liteColumns = (lite.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name).sort();
        const pgColumns = (
          await pool.query('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name', [t])
        ).rows.map((r) => r.column_name as string);
        expect([t, pgColumns]).toEqual([t, liteColumns]);
      }
      lite.close();
    } finally {
      await pool.end();
    }
  });

  it('refuses a database of a newer schema, and a failed migration leaves nothing half done', async () => {
    const url = await postgres.cluster().database('migrate_newer');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migratePostgres(pool);
      await pool.query('INSERT INTO schema_migrations (version) VALUES ($1)', [PG_MIGRATIONS.length + 1]);
      await expect(migratePostgres(pool)).rejects.toThrow(PgSchemaError);
      await expect(migratePostgres(pool)).rejects.toThrow(/newer than this callbackd knows/);
      // A migration that fails halfway: its first statement is rolled back with it, and its version is not recorded.
      const fresh = await postgres.cluster().database('migrate_failing');
      const other = new pg.Pool({ connectionString: fresh, max: 1 });
      await expect(migratePostgres(other, ['CREATE TABLE a (x int); CREATE TABLE a (x int);'])).rejects.toThrow(/already exists/);
      expect((await other.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('a', 'schema_migrations')")).rows[0].n).toBe(
        0,
      );
      await other.end();
    } finally {
      await pool.end();
    }
  });
});
