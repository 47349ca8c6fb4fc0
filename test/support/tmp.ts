// vitest setup file: each test file's temporary files (tmpdir(): SQLite files, seed and state files, PostgreSQL
// clusters of its own, and whatever the processes it starts write there, since they inherit TMPDIR) go under one
// folder made for the file and removed after it. Runs of the suite used to leave ~700 folders each in /tmp.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const outer = process.env.TMPDIR;
const dir = mkdtempSync(join(tmpdir(), 'callbackd-test-'));
// A cluster's folder in it belongs to the postgres user, who must be able to reach it.
chmodSync(dir, 0o755);
process.env.TMPDIR = dir;

afterAll(() => {
  if (outer === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = outer;
  rmSync(dir, { recursive: true, force: true });
});
