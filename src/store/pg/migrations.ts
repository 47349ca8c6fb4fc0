// The PostgreSQL schema (issue 15: the same service on PostgreSQL, several servers on one database), as versions
// applied in order at start by migrate.ts. The tables are the SQLite store's (src/store/migrations.ts) at its schema
// 8, in PostgreSQL's types: times as bigint milliseconds like there (the stored bodies carry ISO text), so both
// stores read and write the same values; plus what several processes share: the manual clock, and the
// notification channel name the event log's writers wake readers with.

/** Schema versions, applied in order; `schema_migrations` records each, with when. */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE organizations (id text PRIMARY KEY, name text NOT NULL);
   CREATE TABLE clients (client_id text PRIMARY KEY, org_id text NOT NULL REFERENCES organizations(id), name text NOT NULL,
     secret_hash text NOT NULL);
   CREATE TABLE users (id text PRIMARY KEY, org_id text NOT NULL REFERENCES organizations(id), name text NOT NULL,
     email text NOT NULL, username text NOT NULL, password_hash text NOT NULL, state text NOT NULL, UNIQUE (org_id, username));
   CREATE TABLE wrapup_codes (id text PRIMARY KEY, org_id text NOT NULL REFERENCES organizations(id), name text NOT NULL,
     date_created text NOT NULL);
   CREATE INDEX wrapup_codes_org ON wrapup_codes(org_id);
   CREATE TABLE queues (id text PRIMARY KEY, org_id text NOT NULL REFERENCES organizations(id), name text NOT NULL, body text NOT NULL);
   CREATE INDEX queues_org ON queues(org_id);
   CREATE TABLE tokens (token text PRIMARY KEY, org_id text NOT NULL, client_id text NOT NULL, user_id text, expires_at bigint NOT NULL);
   CREATE TABLE conversations (id text PRIMARY KEY, org_id text NOT NULL, version integer NOT NULL, phase text NOT NULL,
     body text NOT NULL, recording_state text NOT NULL, next_deadline bigint, updated_at bigint NOT NULL, queue_id text,
     priority integer, queued_at bigint, owner_id text, last_event bigint, started_at bigint);
   CREATE INDEX conversations_org ON conversations(org_id, phase);
   CREATE INDEX conversations_deadline ON conversations(next_deadline) WHERE next_deadline IS NOT NULL;
   CREATE INDEX conversations_queue_head ON conversations(org_id, queue_id, priority DESC, queued_at, id, owner_id) WHERE phase = 'queued';
   CREATE INDEX conversations_queue_owned ON conversations(org_id, queue_id, queued_at) WHERE phase = 'queued' AND owner_id IS NOT NULL;
   CREATE INDEX conversations_started ON conversations(org_id, started_at, id);
   CREATE TABLE conversation_agents (conversation_id text NOT NULL, org_id text NOT NULL, user_id text NOT NULL,
     PRIMARY KEY (conversation_id, user_id));
   CREATE INDEX conversation_agents_user ON conversation_agents(org_id, user_id);
   CREATE TABLE routing_status (user_id text PRIMARY KEY, org_id text NOT NULL, status text NOT NULL, since bigint NOT NULL);
   CREATE INDEX routing_status_org ON routing_status(org_id, status, since);
   CREATE TABLE events (org_id text NOT NULL, seq bigint NOT NULL, at bigint NOT NULL, conversation_id text, version integer,
     user_id text, type text NOT NULL, data text NOT NULL, prev_seq bigint, PRIMARY KEY (org_id, seq));
   CREATE TABLE seed_state (id integer PRIMARY KEY CHECK (id = 1), digest text NOT NULL);
   CREATE TABLE emulator_clock (id integer PRIMARY KEY CHECK (id = 1), mode text NOT NULL, now bigint);`,
  // The part of a commit under the organization's lock in one call (one round trip instead of four): the lock, the
  // next number (read after the lock is granted: each statement of a function has its own snapshot), the events, the
  // conversation's last event, and the notifications every process listens to.
  `CREATE FUNCTION callbackd_log(p_org text, p_conv text, p_version integer, p_prev bigint, p_events jsonb, p_deadline bigint)
   RETURNS bigint LANGUAGE plpgsql AS $$
   DECLARE first_seq bigint; last_seq bigint;
   BEGIN
     PERFORM 1 FROM organizations WHERE id = p_org FOR UPDATE;
     SELECT coalesce(max(seq), 0) + 1 INTO first_seq FROM events WHERE org_id = p_org;
     INSERT INTO events (org_id, seq, at, conversation_id, version, user_id, type, data, prev_seq)
       SELECT p_org, first_seq + e.ord - 1, (e.v->>'at')::bigint, p_conv, p_version, e.v->>'userId', e.v->>'type', e.v->>'data',
              CASE WHEN e.ord = 1 THEN p_prev ELSE first_seq + e.ord - 2 END
       FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(v, ord);
     last_seq := first_seq + jsonb_array_length(p_events) - 1;
     IF p_conv IS NOT NULL THEN UPDATE conversations SET last_event = last_seq WHERE id = p_conv; END IF;
     PERFORM pg_notify('callbackd_events', p_org || chr(10) || last_seq);
     IF p_deadline IS NOT NULL THEN PERFORM pg_notify('callbackd_deadlines', p_deadline::text); END IF;
     RETURN first_seq;
   END $$;`,
  // New conversations group-committed (PgStore.commitConversation): those asked for while the last group was being
  // written, of one organization, in one call: the rows, their events numbered in the order given (each row's `base`
  // is its first event's offset), each row's last event, the notifications. One round trip for the whole group.
  `CREATE FUNCTION callbackd_create(p_org text, p_rows jsonb, p_count integer, p_deadline bigint)
   RETURNS bigint LANGUAGE plpgsql AS $$
   DECLARE first_seq bigint;
   BEGIN
     PERFORM 1 FROM organizations WHERE id = p_org FOR UPDATE;
     SELECT coalesce(max(seq), 0) + 1 INTO first_seq FROM events WHERE org_id = p_org;
     INSERT INTO conversations (id, org_id, version, phase, body, recording_state, next_deadline, updated_at, queue_id, priority,
         queued_at, owner_id, started_at, last_event)
       SELECT r->>'id', p_org, (r->>'version')::integer, r->>'phase', r->>'body', r->>'recordingState', (r->>'nextDeadline')::bigint,
              (r->>'updatedAt')::bigint, r->>'queueId', (r->>'priority')::integer, (r->>'queuedAt')::bigint, r->>'ownerId',
              (r->>'startedAt')::bigint, first_seq + (r->>'base')::bigint + jsonb_array_length(r->'events') - 1
       FROM jsonb_array_elements(p_rows) AS r;
     INSERT INTO events (org_id, seq, at, conversation_id, version, user_id, type, data, prev_seq)
       SELECT p_org, first_seq + (r->>'base')::bigint + e.ord - 1, (e.v->>'at')::bigint, r->>'id', (r->>'version')::integer,
              e.v->>'userId', e.v->>'type', e.v->>'data',
              CASE WHEN e.ord = 1 THEN NULL ELSE first_seq + (r->>'base')::bigint + e.ord - 2 END
       FROM jsonb_array_elements(p_rows) AS r, jsonb_array_elements(r->'events') WITH ORDINALITY AS e(v, ord);
     PERFORM pg_notify('callbackd_events', p_org || chr(10) || (first_seq + p_count - 1));
     IF p_deadline IS NOT NULL THEN PERFORM pg_notify('callbackd_deadlines', p_deadline::text); END IF;
     RETURN first_seq;
   END $$;`,
  // Changes of existing conversations in one call (the scheduler's batches: PgStore.commitInto): first each row's
  // change in a subtransaction of its own (the versioned UPDATE, its agents, its routing moves; a lost race is
  // SQLSTATE CB409, a conflict, and anything else that row's failure), then for each organization in id order, under
  // its lock, the events of the rows that were written, numbered in the order given. Row locks are all taken before
  // any organization's, as commitOne takes them. Returns one object per row: {prev, first} written (first absent
  // when the row has no events), {conflict} or {error} with the message.
  `CREATE FUNCTION callbackd_change(p_rows jsonb, p_deadline bigint)
   RETURNS jsonb LANGUAGE plpgsql AS $$
   DECLARE
     r jsonb; m jsonb; i integer; prev bigint; org text; next_seq bigint; first_seq bigint; cnt integer;
     outcome jsonb[] := ARRAY[]::jsonb[];
   BEGIN
     FOR r IN SELECT value FROM jsonb_array_elements(p_rows) LOOP
       BEGIN
         UPDATE conversations SET version = (r->>'version')::integer, phase = r->>'phase', body = r->>'body',
             recording_state = r->>'recordingState', next_deadline = (r->>'nextDeadline')::bigint, updated_at = (r->>'updatedAt')::bigint,
             queue_id = r->>'queueId', priority = (r->>'priority')::integer, queued_at = (r->>'queuedAt')::bigint, owner_id = r->>'ownerId'
           WHERE id = r->>'id' AND org_id = r->>'org' AND version = (r->>'expected')::integer
           RETURNING last_event INTO prev;
         IF NOT FOUND THEN
           RAISE EXCEPTION 'conversation % changed since it was read (expected version %)', r->>'id', r->>'expected' USING ERRCODE = 'CB409';
         END IF;
         DELETE FROM conversation_agents WHERE conversation_id = r->>'id'
           AND NOT (user_id = ANY (ARRAY(SELECT jsonb_array_elements_text(r->'agents'))));
         INSERT INTO conversation_agents (conversation_id, org_id, user_id)
           SELECT r->>'id', r->>'org', a FROM jsonb_array_elements_text(r->'agents') AS a ON CONFLICT DO NOTHING;
         FOR m IN SELECT value FROM jsonb_array_elements(r->'routing') LOOP
           UPDATE routing_status SET status = m->>'to', since = (m->>'since')::bigint
             WHERE org_id = r->>'org' AND user_id = m->>'userId' AND status = m->>'from';
           IF NOT FOUND THEN
             RAISE EXCEPTION 'the routing status of % is no longer %', m->>'userId', m->>'from' USING ERRCODE = 'CB409';
           END IF;
         END LOOP;
         outcome := outcome || jsonb_build_object('prev', prev);
       EXCEPTION
         WHEN SQLSTATE 'CB409' THEN outcome := outcome || jsonb_build_object('conflict', SQLERRM);
         WHEN OTHERS THEN outcome := outcome || jsonb_build_object('error', SQLERRM);
       END;
     END LOOP;
     FOR org IN SELECT DISTINCT v->>'org' FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS x(v, k)
                WHERE jsonb_array_length(v->'events') > 0 AND outcome[k::integer] ? 'prev' ORDER BY 1 LOOP
       PERFORM 1 FROM organizations WHERE id = org FOR UPDATE;
       SELECT coalesce(max(seq), 0) + 1 INTO first_seq FROM events WHERE org_id = org;
       next_seq := first_seq;
       i := 0;
       FOR r IN SELECT value FROM jsonb_array_elements(p_rows) LOOP
         i := i + 1;
         cnt := jsonb_array_length(r->'events');
         CONTINUE WHEN r->>'org' <> org OR cnt = 0 OR NOT (outcome[i] ? 'prev');
         INSERT INTO events (org_id, seq, at, conversation_id, version, user_id, type, data, prev_seq)
           SELECT org, next_seq + e.ord - 1, (e.v->>'at')::bigint, r->>'id', (r->>'version')::integer, e.v->>'userId', e.v->>'type',
                  e.v->>'data', CASE WHEN e.ord = 1 THEN (outcome[i]->>'prev')::bigint ELSE next_seq + e.ord - 2 END
           FROM jsonb_array_elements(r->'events') WITH ORDINALITY AS e(v, ord);
         UPDATE conversations SET last_event = next_seq + cnt - 1 WHERE id = r->>'id';
         outcome[i] := outcome[i] || jsonb_build_object('first', next_seq);
         next_seq := next_seq + cnt;
       END LOOP;
       PERFORM pg_notify('callbackd_events', org || chr(10) || (next_seq - 1));
     END LOOP;
     IF p_deadline IS NOT NULL THEN PERFORM pg_notify('callbackd_deadlines', p_deadline::text); END IF;
     RETURN to_jsonb(outcome);
   END $$;`,
  // A conversation's stored text (2-4 KB) stays in its row, uncompressed: past PostgreSQL's default mark (~2 KB) each
  // write compressed it with pglz, ~20% of the time of a group of five creates (0.37 -> 0.29 ms a call, measured
  // alone), and each read decompressed it. Rows of ~8 KB and more are still compressed and moved out, as before.
  `ALTER TABLE conversations SET (toast_tuple_target = 8160);`,
];
