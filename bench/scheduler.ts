// npm run bench:scheduler [-- --json] [-- --backlog | --lateness]: both modes by default, each in its own process
// (so that one's heap and timers do not weigh on the other). Backlog: 20k deadlines due at once, three scenarios
// (scheduler-backlog.ts). Lateness: 100k callbacks due within a minute on the system clock (scheduler-lateness.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const modes = [
  ['--backlog', 'scheduler-backlog.js'],
  ['--lateness', 'scheduler-lateness.js'],
] as const;
const chosen = modes.filter(([flag]) => args.includes(flag));
let failed = 0;
for (const [, file] of chosen.length > 0 ? chosen : modes) {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(`./${file}`, import.meta.url)), ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
