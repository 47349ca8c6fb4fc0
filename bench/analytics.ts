// npm run bench:analytics [-- --json]: the conversation detail query over a large store (1,000,000 conversations,
// 10,000 a day, two queues; built once by store-1m.ts), one day's interval with a queue filter and a page of 100,
// over HTTP to a callbackd server in this process, beside a floor measured in the same run: the same rows selected by
// a plain indexed SQL query (started in the day, on the queue, the first 100 by start, and their count). Then the same
// query on a store of 100,000 with the same days, to show the time does not grow with conversations outside the
// interval.
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { startServer } from '../src/server.js';
import { DEFAULT_ORG, FIRST_START, largeStore, queueOf } from './store-1m.js';

const json = process.argv.includes('--json');
const queries = Number(process.env.BENCH_QUERIES ?? 40);
const DAY = 24 * 3600_000;
const QUEUE = queueOf(0);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] as number;
};

async function measure(size: number): Promise<Record<string, number | string>> {
  const file = largeStore(size, (l) => process.stderr.write(`${l}\n`));
  const days = Math.floor(size / 10_000);
  const server = await startServer({ db: file, port: 0, logger: false, routing: false });
  const token = (
    (await (
      await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('callbackd-dev:callbackd-dev-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      })
    ).json()) as { access_token: string }
  ).access_token;
  const floorDb = new Database(file, { readonly: true });
  const floorPage = floorDb.prepare(
    'SELECT id, body FROM conversations WHERE org_id = ? AND started_at >= ? AND started_at < ? AND queue_id = ? ORDER BY started_at, id LIMIT 100',
  );
  const floorCount = floorDb.prepare(
    'SELECT COUNT(*) FROM conversations WHERE org_id = ? AND started_at >= ? AND started_at < ? AND queue_id = ?',
  );
  const subject: number[] = [];
  const floor: number[] = [];
  let hits = 0;
  // The same days for both stores: the first ten; each is read once before measuring (a cold file would measure the disk).
  for (let q = -Math.min(days, 10); q < queries; q++) {
    const day = (q + 10) % Math.min(days, 10);
    const from = new Date(FIRST_START.getTime() + day * DAY);
    const to = new Date(from.getTime() + DAY - 1);
    const body = JSON.stringify({
      interval: `${from.toISOString()}/${to.toISOString()}`,
      segmentFilters: [{ type: 'and', predicates: [{ dimension: 'queueId', value: QUEUE }] }],
      paging: { pageSize: 100, pageNumber: 1 },
    });
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/v2/analytics/conversations/details/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    const page = (await res.json()) as { conversations: unknown[]; totalHits: number };
    if (q >= 0) subject.push(performance.now() - t0);
    if (page.conversations.length !== 100) throw new Error(`expected a full page, got ${page.conversations.length}`);
    hits = page.totalHits;
    const f0 = performance.now();
    const rows = floorPage.all(DEFAULT_ORG, from.getTime(), from.getTime() + DAY, QUEUE) as { body: string }[];
    for (const r of rows) JSON.parse(r.body);
    floorCount.pluck().get(DEFAULT_ORG, from.getTime(), from.getTime() + DAY, QUEUE);
    if (q >= 0) floor.push(performance.now() - f0);
  }
  floorDb.close();
  await server.close();
  return {
    name: `analytics/details-query-day-queue-page-100/${size}`,
    stored: size,
    inInterval: 10_000,
    totalHits: hits,
    p50Ms: Number(pct(subject, 50).toFixed(1)),
    p99Ms: Number(pct(subject, 99).toFixed(1)),
    floorP50Ms: Number(pct(floor, 50).toFixed(2)),
    floorP99Ms: Number(pct(floor, 99).toFixed(2)),
    ratio: Number((pct(floor, 50) / pct(subject, 50)).toFixed(3)),
    floor: 'plain indexed SQL: the page of rows on the queue started in the day (bodies parsed) and their count',
  };
}

for (const size of [1_000_000, 100_000]) {
  const f = await measure(size);
  if (json) console.log(JSON.stringify(f));
  else
    console.log(
      `${String(f.name).padEnd(52)} p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  (${f.totalHits} hits of ${f.inInterval} in the day, ${f.stored} stored)   floor p50 ${f.floorP50Ms} ms  p99 ${f.floorP99Ms} ms   ratio ${f.ratio}`,
    );
}
