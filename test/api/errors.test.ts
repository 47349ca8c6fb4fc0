// The error catalogue is the one place for codes: docs/errors.md is generated from it, every kind has a status, and
// no throw site in src/ spells a code or a status of its own.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderErrorCatalogue, STATUS } from '../../src/api/errors.js';
import { ERRORS } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));

const INTERNAL = new Set([
  'Error',
  'RangeError',
  'VersionConflictError',
  'SeedError',
  'UsageError',
  'InvalidArgumentError',
  'StoreOpenError',
  'SnapshotFileError',
  'OutputClosed',
  'PgSchemaError',
  'SeedConflict',
]);

describe('the error catalogue', () => {
  it('docs/errors.md is current (npm run gen)', () => {
    expect(readFileSync(join(root, 'docs/errors.md'), 'utf8')).toBe(renderErrorCatalogue());
  });

  it('has each code once, and a status for each kind', () => {
    const codes = Object.values(ERRORS).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of Object.values(ERRORS)) expect(STATUS[e.kind]).toBeGreaterThanOrEqual(400);
  });

  it('every throw site names a catalogue entry (no code or status spelled at a throw)', () => {
    const offenders: string[] = [];
    for (const file of files(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new (\w*Error)\(\s*(['"`\d])/g)) {
        // Internal faults, the store's conflict, a store file it cannot open and the CLI's usage errors carry no API code.
        if (INTERNAL.has(m[1] as string)) continue;
        offenders.push(`${file.slice(root.length)}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
