// Two writers that read the same version of a conversation and both try to commit, over HTTP: a barrier in front of
// the store holds the first commit until the second request has read the same version and computed its change too.
// Exactly one commit wins; the other is recomputed from the winner's version (nothing is lost), or, with no retries
// left, answered 409 `conflict` with nothing of it stored.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { QUEUE, client, server, snapshot, tempDb } from './helpers.js';

/** Holds the first `parties` commits of conversation `id` until all have arrived, then lets them go in order. */
function barrier(id: () => string | undefined, parties = 2) {
  let waiting: (() => void)[] = [];
  let armed = false;
  const commits: number[] = [];
  return {
    arm: () => {
      armed = true;
      waiting = [];
    },
    commits,
    wrap: (inner: Store): Store =>
      new Proxy(inner, {
        get(target, key) {
          if (key === 'commitConversation') {
            return async (w: Parameters<Store['commitConversation']>[0]) => {
              if (armed && w.state.id === id()) {
                await new Promise<void>((release) => {
                  waiting.push(release);
                  if (waiting.length === parties) {
                    armed = false;
                    for (const r of waiting) r();
                  }
                });
              }
              commits.push(w.expectedVersion ?? 0);
              return target.commitConversation(w);
            };
          }
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
  };
}

async function race(conflictRetries: number) {
  let target: string | undefined;
  const gate = barrier(() => target);
  const db = tempDb();
  // Changes made to race, as they do between processes (in one process they are serialized).
  const srv = await server({ db, wrapStore: gate.wrap, conflictRetries, serializeChanges: false });
  const c = client(srv.url);
  const app = await c.app();
  const created = await c.call('POST', '/api/v2/conversations/callbacks', {
    token: app,
    body: { queueId: QUEUE, callbackNumbers: ['+13175550100'] },
  });
  target = created.json.conversation.id as string;
  const customer = (await c.call('GET', `/api/v2/conversations/callbacks/${target}`, { token: app })).json.participants[0].id;
  gate.arm();
  const patch = (key: string) =>
    c.call('PATCH', `/api/v2/conversations/callbacks/${target}/participants/${customer}/attributes`, {
      token: app,
      body: { attributes: { [key]: 'yes' } },
    });
  const [a, b] = await Promise.all([patch('first'), patch('second')]);
  const stored = (await c.call('GET', `/api/v2/conversations/callbacks/${target}`, { token: app })).json;
  return { a, b, stored, commits: gate.commits, srv, db };
}

describe('two writers of one conversation, over HTTP', () => {
  it('both read version 1; one commits, the other is recomputed on version 2: both changes are kept', async () => {
    const { a, b, stored, commits, srv } = await race(5);
    try {
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(stored.participants[0].attributes).toMatchObject({ first: 'yes', second: 'yes' });
      // The create (no expected version), then both from version 1, then the loser again from version 2.
      expect(commits).toEqual([0, 1, 1, 2]);
      expect(b.json.attributes).toMatchObject({ first: 'yes', second: 'yes' });
    } finally {
      await srv.close();
    }
  });

  it('with no retries left the loser gets 409 conflict and nothing of it is stored', async () => {
    const { a, b, stored, commits, srv, db } = await race(0);
    try {
      expect(a.status).toBe(202);
      expect(b.json).toMatchObject({ status: 409, code: 'conflict' });
      expect(b.json.message).toMatch(/changed concurrently/);
      expect(commits).toEqual([0, 1, 1]);
      expect(stored.participants[0].attributes).toMatchObject({ first: 'yes' });
      expect(stored.participants[0].attributes).not.toHaveProperty('second');
      // Version 2: the winner's change only.
      expect(snapshot(db)).toMatch(/"version":2,/);
    } finally {
      await srv.close();
    }
  });
});
