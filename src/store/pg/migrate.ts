// Runs the PostgreSQL migrations at start, safely when several servers start together: one transaction holds an
// advisory lock while it reads how far the database has got and applies what is missing, so the second server to
// start waits and then finds nothing to do. A database of a newer schema than this callbackd knows is refused.
import type { Pool, PoolClient } from 'pg';
import { PG_MIGRATIONS } from './migrations.js';

/** The advisory lock key of migrations ('callbackd' in ASCII, folded into a bigint). */
const MIGRATION_LOCK = 0x63616c6c6261636bn;

/** The database is of a schema this callbackd does not know (a newer callbackd wrote it). */
export class PgSchemaError extends Error {
  override name = 'PgSchemaError';
}

export interface MigrationOutcome {
  /** The schema version before and after. */
  from: number;
  to: number;
}

export async function migratePostgres(pool: Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<MigrationOutcome> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const from = rows[0]?.v ?? 0;
    if (from > migrations.length)
      throw new PgSchemaError(
        `the database is at schema ${from}, newer than this callbackd knows (${migrations.length}); use a callbackd as new as the one that wrote it.`,
      );
    for (let v = from; v < migrations.length; v++) {
      await client.query(migrations[v] as string);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
    return { from, to: migrations.length };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
