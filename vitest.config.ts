import { defineConfig } from 'vitest/config';

/** The suites that run a second time on PostgreSQL (the same files: their servers get a PostgreSQL database). */
const ON_POSTGRES = ['test/api/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20000,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ON_POSTGRES,
          globalSetup: ['test/support/pg-global.ts'],
          env: { CALLBACKD_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
});
