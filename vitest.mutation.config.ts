// The suite Stryker runs for each mutant (`npm run mutation`): the tests that exercise lifecycle, store and service
// in this process. Left out: the crash tests and the CLI (they run the built dist/ in child processes, which mutants
// never reach), the SDK (a process-wide client), the model's codec tests (the model is not mutated), and the slow
// HTTP corpora (robustness, hardening: seconds per run, and they check the absence of 500s rather than rules).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/lifecycle/**/*.test.ts',
      'test/store/**/*.test.ts',
      'test/service/**/*.test.ts',
      'test/api/{service,routing,scenario,access,concurrency,auth,listing,errors,router}.test.ts',
    ],
    testTimeout: 60000,
  },
});
