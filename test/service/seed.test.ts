// The seed file is checked like a request body (the codec, strictly, against EmulatorSeed), then for what a schema
// cannot say; and a seed that changed since a store last saw it is applied with a report, or refused on a conflict.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifySecret } from '../../src/service/secrets.js';
import { DEFAULT_SEED_FILE, loadSeed, seedFromValue, SeedError } from '../../src/service/seed.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'callbackd-seed-'));
const base = () => JSON.parse(readFileSync(DEFAULT_SEED_FILE, 'utf8'));
const refused = (value: unknown): string => {
  try {
    seedFromValue(value, 'seed.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SeedError);
    return (e as Error).message;
  }
  throw new Error('the seed was accepted');
};

describe('a seed file is validated with the schema', () => {
  it('a wrong type is refused at its pointer, with what was expected and what came', () => {
    const seed = base();
    seed.organizations[0].queues[0].callback.alertingTimeoutSeconds = 'soon';
    expect(refused(seed)).toMatch(
      /\/organizations\/0\/queues\/0\/callback\/alertingTimeoutSeconds: expected an integer from 1 to 86400, got a string \("soon"\)/,
    );
  });

  it('a missing client secret is refused, not a crash', () => {
    const seed = base();
    delete seed.organizations[0].clients[0].clientSecret;
    expect(refused(seed)).toMatch(/\/organizations\/0\/clients\/0.*clientSecret/);
  });

  it('unknown properties (a typo), unknown enum values and values out of range are refused', () => {
    const seed = base();
    seed.organizations[0].queues[0].callbak = {};
    seed.organizations[0].queues[0].callback.mode = 'Whenever';
    seed.organizations[0].queues[0].acw.timeoutMs = 5;
    const message = refused(seed);
    expect(message).toContain('/organizations/0/queues/0/callbak');
    expect(message).toContain('/organizations/0/queues/0/callback/mode');
    expect(message).toContain('/organizations/0/queues/0/acw/timeoutMs');
  });

  it('ids are unique, members and wrap-up codes exist in the organization', () => {
    const seed = base();
    const org = seed.organizations[0];
    org.users.push({ ...org.users[0], email: 'other@example.com' });
    org.queues[0].members.push('nobody@example.com');
    org.queues[0].wrapupCodes.push('Lunch');
    const message = refused(seed);
    expect(message).toMatch(
      /\/organizations\/0\/users\/2\/id: user "a1a1a1a1-0000-4000-8000-000000000001" is already at \/organizations\/0\/users\/0\/id/,
    );
    expect(message).toMatch(
      /\/organizations\/0\/queues\/0\/members\/2: expected a user id, email or username of this organization, got "nobody@example.com"/,
    );
    expect(message).toMatch(/\/organizations\/0\/queues\/0\/wrapupCodes\/3: expected a wrap-up code id or name/);
  });

  it('reads a file with a UTF-8 byte order mark; says "no such file" and "a folder" plainly', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${readFileSync(DEFAULT_SEED_FILE, 'utf8')}`);
    expect(loadSeed(file).organizations).toHaveLength(1);
    expect(() => loadSeed(join(dir, 'missing.json'))).toThrow(/missing\.json: no such file/);
    mkdirSync(join(dir, 'folder'));
    expect(() => loadSeed(join(dir, 'folder'))).toThrow(/folder: it is a folder/);
  });

  it('serve with a bad seed: one message naming the field, exit code 2, no stack trace, no store written', () => {
    const seed = base();
    seed.organizations[0].queues[0].callback.alertingTimeoutSeconds = 'soon';
    const file = join(dir, 'bad-seed.json');
    writeFileSync(file, JSON.stringify(seed));
    const bin = fileURLToPath(new URL('../../bin/callbackd.js', import.meta.url));
    const db = join(dir, 'never.db');
    const r = spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'silent', '--db', db, '--seed', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^callbackd: seed file .*bad-seed\.json is not valid:\n {2}\/organizations\/0\/queues\/0\/callback\/alertingTimeoutSeconds: /,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(db)).toThrow();
  });
});

describe('a seed that differs from what the store holds', () => {
  const T = new Date('2026-01-01T00:00:00Z');
  const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';
  const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';
  const USER = 'a1a1a1a1-0000-4000-8000-000000000001';

  it('is applied to the records it names, and each change is reported; the same seed again changes nothing', async () => {
    const file = join(dir, 'apply.db');
    const first = new SqliteStore(file);
    expect(await first.seed(seedFromValue(base(), 's', T))).toEqual({ applied: [], conflicts: [] });
    await first.close();

    const changed = base();
    changed.organizations[0].name = 'Renamed';
    changed.organizations[0].queues[0].callback.alertingTimeoutSeconds = 45;
    changed.organizations[0].users[0].password = 'new password';
    changed.organizations[0].wrapupCodes.push({ id: 'c0de0000-0000-4000-8000-00000000000a', name: 'Added' });
    const store = new SqliteStore(file);
    const outcome = await store.seed(seedFromValue(changed, 's', T));
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.applied).toEqual([
      `organization ${ORG}: name "callbackd" → "Renamed"`,
      `user ${USER}: password`,
      `queue ${QUEUE} (Callbacks): callback`,
    ]);
    expect((await store.getQueue(ORG, QUEUE))?.callback.alertingTimeoutSeconds).toBe(45);
    expect(await verifySecret('new password', (await store.getUser(ORG, USER))?.passwordHash)).toBe(true);
    expect((await store.listWrapupCodes(ORG)).map((w) => w.name)).toContain('Added');
    // Started again with the same seed: nothing to apply (and no secret checked).
    expect(await store.seed(seedFromValue(changed, 's', T))).toEqual({ applied: [], conflicts: [] });
    await store.close();
  });

  it('that conflicts with it (a client of another organization) is refused, and nothing is written', async () => {
    const file = join(dir, 'conflict.db');
    const two = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/seed-two-orgs.json', import.meta.url)), 'utf8'));
    const first = new SqliteStore(file);
    await first.seed(seedFromValue(two, 's', T));
    await first.close();
    const moved = structuredClone(two);
    moved.organizations[0].name = 'Renamed';
    moved.organizations[1].clients.push(moved.organizations[0].clients.shift());
    const store = new SqliteStore(file);
    const outcome = await store.seed(seedFromValue(moved, 's', T));
    expect(outcome.conflicts).toEqual([
      `client callbackd-dev belongs to organization ${ORG} in the store, not to ${two.organizations[1].id} as the seed says`,
    ]);
    expect((await store.getClient('callbackd-dev'))?.orgId).toBe(ORG);
    // Nothing of the seed was applied, not even the part without a conflict.
    const db = (store as unknown as { db: { prepare(s: string): { pluck(): { get(...a: unknown[]): unknown } } } }).db;
    expect(db.prepare('SELECT name FROM organizations WHERE id = ?').pluck().get(ORG)).toBe('callbackd');
    await store.close();
  });
});
