// Regenerates src/model/models.ts from the schema (`npm run gen`); `--check` exits 1 when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateModelsSource } from '../src/model/typegen.js';

const target = fileURLToPath(new URL('../src/model/models.ts', import.meta.url));
const fresh = generateModelsSource();
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== fresh) {
    console.error('src/model/models.ts is stale: run npm run gen');
    process.exit(1);
  }
} else {
  writeFileSync(target, fresh);
  console.log(`wrote ${target}`);
}
