// The storage interface. Async throughout, so that a PostgreSQL adapter can stand behind it without any change
// above; the SQLite adapter (sqlite.ts) is the default. Every read and write is scoped to an organization.
import type { CallbackConversationState, Deadline, QueueSettings } from '../lifecycle/index.js';

export interface Organization {
  id: string;
  name: string;
}

export interface ClientRecord {
  clientId: string;
  orgId: string;
  name: string;
  /** scrypt hash, see auth.ts. */
  secretHash: string;
}

export interface UserRecord {
  id: string;
  orgId: string;
  name: string;
  email: string;
  username: string;
  passwordHash: string;
  state: 'active' | 'inactive';
}

export interface WrapupCodeRecord {
  id: string;
  orgId: string;
  name: string;
  dateCreated: Date;
}

/** A queue's configuration, in the Platform API's own terms (see QueueMediaSettings, AcwSettings). */
export interface QueueRecord {
  id: string;
  orgId: string;
  name: string;
  description?: string;
  dateCreated: Date;
  callback: {
    alertingTimeoutSeconds: number;
    enableAutoAnswer: boolean;
    enableAutoDialAndEnd: boolean;
    autoDialDelaySeconds: number;
    autoEndDelaySeconds: number;
    mode: 'AgentFirst' | 'CustomerFirst';
  };
  acw: {
    wrapupPrompt: 'MANDATORY' | 'OPTIONAL' | 'MANDATORY_TIMEOUT' | 'MANDATORY_FORCED_TIMEOUT' | 'AGENT_REQUESTED';
    timeoutMs?: number;
  };
  agentOwnedRouting: { enableAgentOwnedCallbacks: boolean; maxOwnedCallbackHours: number; maxOwnedCallbackDelayHours: number };
  memberIds: string[];
  wrapupCodeIds: string[];
}

export interface TokenRecord {
  token: string;
  orgId: string;
  clientId: string;
  userId?: string;
  expiresAt: Date;
}

export type RecordingState = 'ACTIVE' | 'PAUSED' | 'NONE';

/** An agent's routing status (`PUT /api/v2/users/{userId}/routingstatus`). */
export type RoutingStatus = 'OFF_QUEUE' | 'IDLE' | 'INTERACTING' | 'NOT_RESPONDING' | 'COMMUNICATING';
export const ROUTING_STATUSES: readonly RoutingStatus[] = ['OFF_QUEUE', 'IDLE', 'INTERACTING', 'NOT_RESPONDING', 'COMMUNICATING'];

export interface RoutingStatusRecord {
  orgId: string;
  userId: string;
  status: RoutingStatus;
  /** Since when; for IDLE, how long the agent has been waiting (longest idle is offered first). */
  startTime: Date;
}

/** A callback waiting in a queue, as the router needs it (kept in indexed columns, not decoded). */
export interface QueuedCallback {
  orgId: string;
  id: string;
  queueId: string;
  priority: number;
  queuedAt: Date;
  /** The owning agent of an agent-owned callback. */
  ownerId?: string;
}

export interface DueConversation {
  orgId: string;
  id: string;
  at: Date;
}

export interface StoredConversation {
  orgId: string;
  state: CallbackConversationState;
  recordingState: RecordingState;
}

/** What a change to a stored conversation produces: the next record, and a result for the caller. */
export interface Change<T> {
  next: StoredConversation;
  result: T;
}

export interface SeedData {
  organizations: Organization[];
  clients: ClientRecord[];
  users: UserRecord[];
  wrapupCodes: WrapupCodeRecord[];
  queues: QueueRecord[];
}

export interface Store {
  /** Inserts what is missing; never changes or deletes what is there. */
  seed(data: SeedData): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  getUser(orgId: string, id: string): Promise<UserRecord | undefined>;
  listUsers(orgId: string): Promise<UserRecord[]>;
  getQueue(orgId: string, id: string): Promise<QueueRecord | undefined>;
  listQueues(orgId: string): Promise<QueueRecord[]>;
  listWrapupCodes(orgId: string): Promise<WrapupCodeRecord[]>;

  putToken(token: TokenRecord): Promise<void>;
  getToken(token: string): Promise<TokenRecord | undefined>;

  getConversation(orgId: string, id: string): Promise<StoredConversation | undefined>;
  createConversation(conversation: StoredConversation): Promise<void>;
  /**
   * Runs `change` on the current record and commits its result in one transaction, or throws what `change` threw
   * and commits nothing. Changes to one conversation are serialized; the version is checked on write.
   */
  updateConversation<T>(orgId: string, id: string, change: (current: StoredConversation) => Change<T>): Promise<T | undefined>;
  /** Conversations in which the user has an agent leg that is not over (alerting to after-call work). */
  listActiveConversationsForUser(orgId: string, userId: string): Promise<StoredConversation[]>;

  // ---- routing and time ----
  listOrganizations(): Promise<Organization[]>;
  putQueue(queue: QueueRecord): Promise<void>;
  deleteQueue(orgId: string, id: string): Promise<boolean>;
  putUser(user: UserRecord): Promise<void>;
  putWrapupCode(code: WrapupCodeRecord): Promise<void>;
  getRoutingStatus(orgId: string, userId: string): Promise<RoutingStatusRecord | undefined>;
  setRoutingStatus(record: RoutingStatusRecord): Promise<void>;
  listRoutingStatuses(orgId: string): Promise<RoutingStatusRecord[]>;
  /** Callbacks waiting in queues, highest priority first, then longest waiting. */
  listQueued(orgId: string, limit: number): Promise<QueuedCallback[]>;
  /** Users with an agent leg not yet over (alerting, connected, held, parked or in after-call work). */
  busyAgents(orgId: string): Promise<Set<string>>;
  /** Conversations whose next deadline is at or before `now`, earliest first. */
  dueConversations(now: Date, limit: number): Promise<DueConversation[]>;
  /** The earliest deadline of any conversation. */
  nextDeadlineAt(): Promise<Date | undefined>;
  close(): Promise<void>;
}

/** The lifecycle's view of a stored queue. */
export function queueSettings(q: QueueRecord, codes: readonly WrapupCodeRecord[]): QueueSettings {
  const prompt = (
    {
      MANDATORY: 'mandatory',
      OPTIONAL: 'optional',
      MANDATORY_TIMEOUT: 'timeout',
      MANDATORY_FORCED_TIMEOUT: 'forcedTimeout',
      AGENT_REQUESTED: 'agentRequested',
    } as const
  )[q.acw.wrapupPrompt];
  const timed = prompt === 'timeout' || prompt === 'forcedTimeout' || prompt === 'agentRequested';
  return {
    id: q.id,
    name: q.name,
    alertingTimeoutMs: q.callback.alertingTimeoutSeconds * 1000,
    autoAnswer: q.callback.enableAutoAnswer,
    ...(q.callback.enableAutoDialAndEnd
      ? { autoDialAndEnd: { dialDelaySeconds: q.callback.autoDialDelaySeconds, endDelaySeconds: q.callback.autoEndDelaySeconds } }
      : {}),
    wrapupPrompt: prompt,
    ...(timed && q.acw.timeoutMs !== undefined ? { wrapupTimeoutMs: q.acw.timeoutMs } : {}),
    wrapupCodes: codes.filter((c) => q.wrapupCodeIds.includes(c.id)).map((c) => ({ id: c.id, name: c.name })),
  };
}

export type { Deadline };
