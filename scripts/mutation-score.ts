// Prints the mutation score per folder from Stryker's JSON report (`npm run mutation` runs it after Stryker), and the
// surviving mutants, so that the README's table and the review of survivors come from the same run.
import { readFileSync } from 'node:fs';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number } };
}
const file = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(file, 'utf8')) as {
  files: Record<string, { mutants: Mutant[] }>;
};
const folders = new Map<string, Record<string, number>>();
const survivors: string[] = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  const folder = file.includes('src/service/') ? 'src/service' : file.split('/').slice(0, 2).join('/');
  const counts = folders.get(folder) ?? {};
  for (const m of mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    if (m.status === 'Survived' || m.status === 'NoCoverage')
      survivors.push(
        `${file}:${m.location.start.line} ${m.mutatorName} ${m.status} ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}`,
      );
  }
  folders.set(folder, counts);
}
console.log('| folder | killed | timeout | survived | no coverage | ignored | score |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [folder, c] of [...folders].sort()) {
  const detected = (c.Killed ?? 0) + (c.Timeout ?? 0);
  const valid = detected + (c.Survived ?? 0) + (c.NoCoverage ?? 0);
  const score = valid === 0 ? 0 : (100 * detected) / valid;
  console.log(
    `| ${folder} | ${c.Killed ?? 0} | ${c.Timeout ?? 0} | ${c.Survived ?? 0} | ${c.NoCoverage ?? 0} | ${c.Ignored ?? 0} | ${score.toFixed(1)}% |`,
  );
}
if (process.argv.includes('--survivors')) for (const s of survivors) console.log(s);
