// The SQLite schema, as versions applied in order at open (sqlite.ts); PRAGMA user_version records how far a file has got.

/** Schema versions, applied in order; PRAGMA user_version records how far a file has got. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE organizations (id TEXT PRIMARY KEY, name TEXT NOT NULL);
   CREATE TABLE clients (client_id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id), name TEXT NOT NULL, secret_hash TEXT NOT NULL);
   CREATE TABLE users (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id), name TEXT NOT NULL, email TEXT NOT NULL,
     username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, state TEXT NOT NULL);
   CREATE INDEX users_org ON users(org_id);
   CREATE TABLE wrapup_codes (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id), name TEXT NOT NULL, date_created TEXT NOT NULL);
   CREATE INDEX wrapup_codes_org ON wrapup_codes(org_id);
   CREATE TABLE queues (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id), name TEXT NOT NULL, body TEXT NOT NULL);
   CREATE INDEX queues_org ON queues(org_id);
   CREATE TABLE tokens (token TEXT PRIMARY KEY, org_id TEXT NOT NULL, client_id TEXT NOT NULL, user_id TEXT, expires_at INTEGER NOT NULL);
   CREATE TABLE conversations (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, version INTEGER NOT NULL, phase TEXT NOT NULL,
     body TEXT NOT NULL, recording_state TEXT NOT NULL, next_deadline INTEGER, updated_at INTEGER NOT NULL);
   CREATE INDEX conversations_org ON conversations(org_id, phase);
   CREATE INDEX conversations_deadline ON conversations(next_deadline) WHERE next_deadline IS NOT NULL;
   CREATE TABLE conversation_agents (conversation_id TEXT NOT NULL, org_id TEXT NOT NULL, user_id TEXT NOT NULL,
     PRIMARY KEY (conversation_id, user_id));
   CREATE INDEX conversation_agents_user ON conversation_agents(org_id, user_id);`,
  `ALTER TABLE conversations ADD COLUMN queue_id TEXT;
   ALTER TABLE conversations ADD COLUMN priority INTEGER;
   ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
   ALTER TABLE conversations ADD COLUMN owner_id TEXT;
   CREATE INDEX conversations_queued ON conversations(org_id, priority DESC, queued_at) WHERE phase = 'queued';
   CREATE TABLE routing_status (user_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, status TEXT NOT NULL, since INTEGER NOT NULL);
   CREATE INDEX routing_status_org ON routing_status(org_id, status, since);`,
  // Logins are unique per organization, not across them (one organization learns nothing of another's users).
  `CREATE TABLE users_v3 (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id), name TEXT NOT NULL,
     email TEXT NOT NULL, username TEXT NOT NULL, password_hash TEXT NOT NULL, state TEXT NOT NULL, UNIQUE (org_id, username));
   INSERT INTO users_v3 (id, org_id, name, email, username, password_hash, state)
     SELECT id, org_id, name, email, username, password_hash, state FROM users;
   DROP TABLE users;
   ALTER TABLE users_v3 RENAME TO users;
   CREATE INDEX users_org ON users(org_id);`,
  // The router reads each queue's head: waiting callbacks by queue, priority, then age.
  `CREATE INDEX conversations_queue_waiting ON conversations(org_id, queue_id, priority DESC, queued_at, id) WHERE phase = 'queued';`,
  // The router reads each queue's head from a covering index (owner included, no row lookups), and the oldest
  // agent-owned callback of a queue (when the next ownership window ends) from another; the organization-wide
  // queued index of version 2 is read by nothing since version 4 and only cost writes.
  `DROP INDEX conversations_queue_waiting;
   CREATE INDEX conversations_queue_head ON conversations(org_id, queue_id, priority DESC, queued_at, id, owner_id) WHERE phase = 'queued';
   DROP INDEX conversations_queued;
   CREATE INDEX conversations_queue_owned ON conversations(org_id, queue_id, queued_at) WHERE phase = 'queued' AND owner_id IS NOT NULL;`,
  // The event log (docs/events.md): every committed change's events, numbered per organization in commit order, in
  // the change's own transaction. Each event costs one row in one b-tree and nothing more (an index entry at a random
  // place would cost as much again): the next number is the largest (compaction keeps each organization's last
  // event); a conversation's events are a chain (each names the one before; the conversation its last); compaction
  // finds its cut by number, not by time.
  `CREATE TABLE events (org_id TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, conversation_id TEXT, version INTEGER,
     user_id TEXT, type TEXT NOT NULL, data TEXT NOT NULL, prev_seq INTEGER, PRIMARY KEY (org_id, seq)) WITHOUT ROWID;
   ALTER TABLE conversations ADD COLUMN last_event INTEGER;`,
  // Analytics reads the conversations that started in an interval (docs/analytics.md): when each started, indexed.
  // Written once, at insert (updates do not touch it, so they do not touch the index either); filled for rows there.
  `ALTER TABLE conversations ADD COLUMN started_at INTEGER;
   UPDATE conversations SET started_at = CAST(ROUND((julianday(json_extract(body, '$.createdAt')) - 2440587.5) * 86400000.0) AS INTEGER);
   CREATE INDEX conversations_started ON conversations(org_id, started_at, id);`,
  // The digest of the seed last applied, so that a changed seed file is noticed and applied at the next start.
  `CREATE TABLE seed_state (id INTEGER PRIMARY KEY CHECK (id = 1), digest TEXT NOT NULL);`,
];

/** The first schema whose snapshot tables are those of today: snapshots from it on import as they are. */
export const SNAPSHOT_SCHEMA_SINCE = 7;
