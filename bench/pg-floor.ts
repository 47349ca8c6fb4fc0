// The floors of `npm run bench:pg`: what a create writes on PostgreSQL (its conversation row and its events, the same
// columns and sizes), written by the pg driver alone, each create one statement of its own transaction. Run as a child
// process with `serve DATABASE_URL BODY_FILE` it is the same statement behind a bare Fastify route that answers with
// a create's response bytes: the HTTP floor.
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { conversationIndex, createCallback } from '../src/lifecycle/index.js';
import { encodeState } from '../src/store/state-codec.js';

export const QUEUE = '0e0e0e0e-0000-4000-8000-000000000001';
export const ORG = '4e0b4c1a-5f2e-4c39-9a11-0c0dbac0d001';

/** The conversation and its events in one statement (the events numbered from $8, chained as callbackd chains them). */
const INSERT = `WITH c AS (
    INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority,
      queued_at, started_at, last_event)
    VALUES ($1, $2, 1, $3, $4, 'NONE', NULL, $5, $6, $7, $5, $5, $8 + cardinality($9::text[]) - 1))
  INSERT INTO events (org_id, seq, at, conversation_id, version, user_id, type, data, prev_seq)
  SELECT $2, $8 + e.ord - 1, $5, $1, 1, NULL, e.type, e.data, CASE WHEN e.ord = 1 THEN NULL ELSE $8 + e.ord - 2 END
  FROM unnest($9::text[], $10::text[]) WITH ORDINALITY AS e(type, data, ord)`;

/** Writes one create's rows per call; numbers its events from its own counter (one writer of its organization). */
export function createWriter(pool: pg.Pool, firstSeq = 1): () => Promise<void> {
  const sample = createCallback(
    {
      type: 'create',
      conversationId: randomUUID(),
      queue: { id: QUEUE, alertingTimeoutMs: 30_000, autoAnswer: false, wrapupPrompt: 'optional', wrapupCodes: [] },
      callbackNumbers: ['+13175550100'],
    },
    new Date(),
  );
  const body = encodeState(sample.state);
  const ix = conversationIndex(sample.state);
  const types = sample.events.map((e) => e.type);
  const data = sample.events.map(({ type: _t, at: _a, ...rest }) => JSON.stringify(rest));
  let seq = firstSeq;
  return async () => {
    const first = seq;
    seq += types.length;
    await pool.query(INSERT, [randomUUID(), ORG, ix.phase, body, Date.now(), QUEUE, ix.priority, first, types, data]);
  };
}

if (process.argv[2] === 'serve') {
  const [, , , url, bodyFile] = process.argv;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const write = createWriter(pool, 1_000_000_000);
  const bytes = readFileSync(bodyFile as string, 'utf8');
  const app = Fastify({ logger: false });
  app.post('/api/v2/conversations/callbacks', async (_req, reply) => {
    await write();
    return reply.type('application/json; charset=utf-8').send(bytes);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0} OpenAPI:\n`);
  process.on('SIGTERM', () => void Promise.all([app.close(), pool.end()]).then(() => process.exit(0)));
}
