// The console's side of the public API: one fetch wrapper that turns an ErrorBody into an error naming its code, the
// sign-in (the same OAuth grants as any client), and the notification channel the live views follow.
import type * as M from '../../dist/src/model/models.js';

/** A model as it travels in JSON: dates are ISO-8601 strings. */
export type Wire<T> = T extends Date
  ? string
  : T extends string | number | boolean
    ? T
    : T extends readonly (infer U)[]
      ? Wire<U>[]
      : T extends object
        ? { [K in keyof T as K extends string ? K : never]: Wire<T[K]> }
        : T;

export type Queue = Wire<M.Queue>;
export type QueueMember = Wire<M.QueueMember>;
export type User = Wire<M.User>;
export type Summary = Wire<M.EmulatorConversation>;
export type SummaryListing = Wire<M.EmulatorConversationListing>;
export type Conversation = Wire<M.CallbackConversation>;
export type Participant = Wire<M.CallbackMediaParticipant>;
export type Clock = Wire<M.EmulatorClock>;
export type Analytics = Wire<M.AnalyticsConversationWithoutAttributes>;
export type Journal = Wire<M.EmulatorRequestListing>;
export type WrapupCode = Wire<M.WrapupCode>;
export type RoutingStatus = Wire<M.RoutingStatus>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  clientId: string;
  /** The organization's token (client credentials): what the views read with, and the controls use. */
  orgToken: string;
  /** The agent's token (password grant), when an agent signed in: what the desk acts with. */
  agentToken?: string;
  me?: User;
}

export async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json: unknown = text === '' ? undefined : JSON.parse(text);
  if (!res.ok) {
    const e = json as { code?: string; message?: string } | undefined;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText);
  }
  return json as T;
}

async function token(clientId: string, secret: string, form: Record<string, string>): Promise<string> {
  const res = await fetch('/oauth/token', {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${clientId}:${secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const json = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || json.access_token === undefined)
    throw new ApiError(res.status, json.error ?? String(res.status), json.error_description ?? 'Sign-in failed.');
  return json.access_token;
}

/** Signs in with the organization's client, and as an agent when a username is given. Nothing is stored but in memory. */
export async function signIn(clientId: string, secret: string, username: string, password: string): Promise<Session> {
  const orgToken = await token(clientId, secret, { grant_type: 'client_credentials' });
  if (username === '') return { clientId, orgToken };
  const agentToken = await token(clientId, secret, { grant_type: 'password', username, password });
  const me = await call<User>(agentToken, 'GET', '/api/v2/users/me');
  return { clientId, orgToken, agentToken, me };
}

/** A notification channel following `topics`; calls `onEvent` for each event; returns how to close it. */
export async function follow(session: Session, topics: string[], onEvent: (topic: string, body: unknown) => void): Promise<() => void> {
  const channel = await call<{ id: string; connectUri: string }>(session.orgToken, 'POST', '/api/v2/notifications/channels');
  await call(
    session.orgToken,
    'PUT',
    `/api/v2/notifications/channels/${channel.id}/subscriptions`,
    topics.map((id) => ({ id })),
  );
  const socket = new WebSocket(channel.connectUri);
  socket.addEventListener('message', (m: MessageEvent<string>) => {
    const frame = JSON.parse(m.data) as { topicName?: string; eventBody?: unknown };
    if (frame.topicName !== undefined && frame.topicName !== 'channel.metadata') onEvent(frame.topicName, frame.eventBody);
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new ApiError(0, 'socket', 'The notification socket did not open.')), { once: true });
  });
  return () => socket.close();
}

export const fmtTime = (iso: string | undefined): string => (iso === undefined ? '' : iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'));

/** "3 min 20 s" from milliseconds. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}
