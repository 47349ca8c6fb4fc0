// Rows as both stores read them (SQLite, PostgreSQL): the same columns, the same records.
import { encodeState } from './state-codec.js';
import type { ConversationWrite, LogEvent, LoggedEvent, StoredConversation, UserRecord } from './types.js';

export interface EventRow {
  org_id: string;
  seq: number;
  at: number;
  conversation_id: string | null;
  version: number | null;
  user_id: string | null;
  type: string;
  data: string;
  prev_seq: number | null;
}

/** The fields of logged events that hold dates. */
const DATE_FIELDS = new Set(['resumeTime', 'startTime']);

export function loggedEvent(r: EventRow): LoggedEvent {
  // Dates in event data are ISO strings (JSON); the fields that hold them are known by name.
  const data = JSON.parse(r.data, (k, v: unknown) => (typeof v === 'string' && DATE_FIELDS.has(k) ? new Date(v) : v)) as object;
  return {
    orgId: r.org_id,
    seq: r.seq,
    at: new Date(r.at),
    ...(r.conversation_id !== null ? { conversationId: r.conversation_id } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.user_id !== null ? { userId: r.user_id } : {}),
    event: { type: r.type, at: new Date(r.at), ...data } as LogEvent,
  };
}

/** An event as a row's values (its data as JSON without type and time), and the log entry it becomes. */
export function eventRow(
  orgId: string,
  seq: number,
  event: LogEvent,
  prev: number | null,
  conversationId?: string,
  version?: number,
): { values: unknown[]; logged: LoggedEvent } {
  const userId = 'userId' in event ? event.userId : undefined;
  const { type, at, ...data } = event;
  return {
    values: [orgId, seq, at.getTime(), conversationId ?? null, version ?? null, userId ?? null, type, JSON.stringify(data), prev],
    logged: {
      orgId,
      seq,
      at,
      ...(conversationId !== undefined ? { conversationId } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(userId !== undefined ? { userId } : {}),
      event,
    },
  };
}

export function userFromRow(r: Record<string, string>): UserRecord {
  return {
    id: r.id as string,
    orgId: r.org_id as string,
    name: r.name as string,
    email: r.email as string,
    username: r.username as string,
    passwordHash: r.password_hash as string,
    state: r.state as UserRecord['state'],
  };
}

/**
 * Each conversation's events, found by walking every chain back one step at a time for all of them at once (one read
 * per step, not per event): from each row's last event along `prev_seq`. In order, as log entries.
 */
export async function eventChains(
  rows: readonly { id: string; last_event: number | null }[],
  read: (seqs: number[]) => Promise<EventRow[]> | EventRow[],
): Promise<Map<string, LoggedEvent[]>> {
  const chains = new Map<string, EventRow[]>();
  let frontier = rows.flatMap((r) => (r.last_event !== null ? [r.last_event] : []));
  while (frontier.length > 0) {
    const found = await read(frontier);
    frontier = [];
    for (const e of found) {
      if (e.conversation_id === null) continue;
      let chain = chains.get(e.conversation_id);
      if (chain === undefined) chains.set(e.conversation_id, (chain = []));
      chain.push(e);
      if (e.prev_seq !== null) frontier.push(e.prev_seq);
    }
  }
  return new Map([...chains].map(([id, chain]) => [id, chain.sort((a, b) => a.seq - b.seq).map(loggedEvent)]));
}

/** A conversation's columns as both stores write them (the state as stored text, its index), by name. */
export function conversationColumns(w: ConversationWrite, updatedAt: number) {
  const s = w.state;
  const ix = w.index;
  return {
    id: s.id,
    version: s.version,
    phase: ix.phase,
    body: encodeState(s),
    recordingState: w.recordingState,
    nextDeadline: ix.nextDeadline?.getTime() ?? null,
    updatedAt,
    queueId: ix.queueId,
    priority: ix.priority,
    queuedAt: ix.queuedAt?.getTime() ?? null,
    ownerId: ix.ownerId ?? null,
  };
}

/** A conversation's row as both stores read it for its state. */
export interface ConversationRow {
  org_id: string;
  version: number;
  body: string;
  recording_state: string;
}

/** The cached decoded conversation, when it is still what the row holds. */
export function cachedIfCurrent(cached: StoredConversation | undefined, r: ConversationRow): StoredConversation | undefined {
  return cached !== undefined &&
    cached.state.version === r.version &&
    cached.recordingState === r.recording_state &&
    cached.orgId === r.org_id
    ? cached
    : undefined;
}
