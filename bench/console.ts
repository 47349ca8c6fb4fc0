// npm run bench:console [-- --json]: the console's first render in Debian's Chromium over a store of 10,000
// conversations (built once by store-1m.ts): from the Sign in click to the Queues view drawn (its members listed), and
// from the Conversations button to the first page listed (with its total). Beside a floor measured in the same page
// and run: the same API reads done by fetch() alone, without drawing anything. Medians of several rounds.
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startServer } from '../src/server.js';
import { largeStore } from './store-1m.js';

const json = process.argv.includes('--json');
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const size = Number(process.env.BENCH_CONVERSATIONS ?? 10_000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

const file = largeStore(size, (l) => process.stderr.write(`${l}\n`));
const server = await startServer({ db: file, port: 0, logger: false, routing: false });
const browser = await chromium.launch({ executablePath: process.env.CALLBACKD_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const signIn: number[] = [];
const list: number[] = [];
const floor: number[] = [];
try {
  for (let r = -1; r < rounds; r++) {
    const page = await browser.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Client id').fill('callbackd-dev');
    await page.getByLabel('Client secret').fill('callbackd-dev-secret');
    let t0 = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Members of Callbacks' }).locator('tbody tr').first().waitFor();
    const a = performance.now() - t0;
    t0 = performance.now();
    await page.getByRole('button', { name: 'Conversations' }).click();
    await page.getByText(`(${size} conversations)`).waitFor();
    const b = performance.now() - t0;
    // The floor: the reads the two views make, by fetch alone, in the same page.
    const f = await page.evaluate(async () => {
      const start = performance.now();
      const body = new URLSearchParams({ grant_type: 'client_credentials' }).toString();
      const auth = `Basic ${btoa('callbackd-dev:callbackd-dev-secret')}`;
      const tok = (await (
        await fetch('/oauth/token', {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
      ).json()) as { access_token: string };
      const get = (p: string) => fetch(p, { headers: { authorization: `Bearer ${tok.access_token}` } }).then((x) => x.json());
      const queues = (await get('/api/v2/routing/queues?pageSize=100')) as { entities: { id: string }[] };
      await get('/api/v2/users?pageSize=100');
      await Promise.all(
        queues.entities.flatMap((q) => [
          get(`/emulator/conversations?queueId=${q.id}&phase=queued&pageSize=100`),
          get(`/emulator/conversations?queueId=${q.id}&phase=offered&pageSize=100`),
          get(`/emulator/conversations?queueId=${q.id}&phase=scheduled&pageSize=100`),
          get(`/api/v2/routing/queues/${q.id}/members?pageSize=100`),
        ]),
      );
      await get('/emulator/conversations?pageSize=25&pageNumber=1');
      return performance.now() - start;
    });
    await page.close();
    if (r < 0) continue; // the first round warms the server's caches and the browser
    signIn.push(a);
    list.push(b);
    floor.push(f);
  }
} finally {
  await browser.close();
  await server.close();
}
const figures = [
  { name: 'console: sign in to the Queues view drawn', ms: median(signIn) },
  { name: 'console: Conversations view, first page drawn', ms: median(list) },
];
const floorMs = median(floor);
for (const f of figures) {
  const ratio = floorMs / f.ms;
  const row = {
    name: f.name,
    conversations: size,
    medianMs: Math.round(f.ms),
    floorMs: Math.round(floorMs),
    floor: 'the same API reads by fetch() alone, same page',
    ratio: Number(ratio.toFixed(2)),
    rounds,
  };
  if (json) console.log(JSON.stringify(row));
  else console.log(`${f.name} (${size} stored): median ${row.medianMs} ms; floor ${row.floorMs} ms (${row.floor}); ratio ${row.ratio}`);
}
