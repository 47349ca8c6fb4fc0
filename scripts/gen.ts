// Regenerates what is derived from code: src/model/descriptors-data.ts and models.ts (from the schema), the transition-table section of
// docs/lifecycle.md (from the table), docs/errors.md (from the error catalogue) and docs/access.md (the access table). `npm run gen -- --check` exits 1
// when any is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateModelsSource } from '../src/model/typegen.js';
import { generateDescriptorsSource } from '../src/model/describe.js';
import { withDiagrams } from '../src/lifecycle/diagram.js';
import { renderErrorCatalogue } from '../src/api/errors.js';
import { renderAccess } from '../src/service/access.js';

const path = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const targets: [string, (current: string) => string][] = [
  ['src/model/descriptors-data.ts', () => generateDescriptorsSource()],
  ['src/model/models.ts', () => generateModelsSource()],
  ['docs/lifecycle.md', (current) => withDiagrams(current)],
  ['docs/errors.md', () => renderErrorCatalogue()],
  ['docs/access.md', () => renderAccess()],
];
let stale = false;
for (const [file, make] of targets) {
  const current = existsSync(path(file)) ? readFileSync(path(file), 'utf8') : '';
  const fresh = make(current);
  if (current === fresh) continue;
  if (process.argv.includes('--check')) {
    console.error(`${file} is stale: run npm run gen`);
    stale = true;
  } else {
    writeFileSync(path(file), fresh);
    console.log(`wrote ${file}`);
  }
}
process.exitCode = stale ? 1 : 0;
