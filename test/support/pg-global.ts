// vitest globalSetup for the suites that run on PostgreSQL: one throwaway cluster for the run (test/support/
// postgres.ts), its URL given to the tests; each server of a test gets a new database on it.
import type { TestProject } from 'vitest/node';
import { startCluster } from './postgres.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
