import { defineConfig } from 'vitest/config';
import { postgresAvailable } from './test/support/postgres.js';

/** The suites that run a second time on PostgreSQL (the same files: their servers get a PostgreSQL database). */
const ON_POSTGRES = ['test/api/*.test.ts'];
/** Without PostgreSQL installed the second run is left out, unless CI requires it (then it fails, saying why). */
const withPostgres = postgresAvailable() || process.env.CALLBACKD_POSTGRES_TESTS === 'required';

export default defineConfig({
  test: {
    testTimeout: 20000,
    setupFiles: ['test/support/tmp.ts'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      ...(withPostgres
        ? [
            {
              extends: true,
              test: {
                name: 'postgres',
                include: ON_POSTGRES,
                globalSetup: ['test/support/pg-global.ts'],
                env: { CALLBACKD_TEST_STORE: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
