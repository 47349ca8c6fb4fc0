// Rows as both stores read them (SQLite, PostgreSQL): the same columns, the same records.
import type { LogEvent, LoggedEvent, UserRecord } from './types.js';

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
