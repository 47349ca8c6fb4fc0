// The storage interface. Async throughout, so that a PostgreSQL adapter can stand behind it without any change
// above; the SQLite adapter (sqlite.ts) is the default. Every read and write is scoped to an organization. The store
// holds no rules: what it keeps beside a conversation (its index) and which routing statuses a change moves are
// computed by the lifecycle and written as given. Enum types come from the schema (src/model).
import {
  TIMED_PROMPTS,
  type CallbackConversationState,
  type ConversationIndex,
  type Deadline,
  type QueueSettings,
} from '../lifecycle/index.js';
import type { LifecycleEvent, Phase } from '../lifecycle/index.js';
import type { AcwWrapupPrompt, CallbackMode, RecordingState, RoutingStatusValue, UserState } from '../model/core.js';

export type { RecordingState };
export type RoutingStatus = RoutingStatusValue;

export interface Organization {
  id: string;
  name: string;
}

export interface ClientRecord {
  clientId: string;
  orgId: string;
  name: string;
  /** scrypt hash, see service/secrets.ts. */
  secretHash: string;
}

export interface UserRecord {
  id: string;
  orgId: string;
  name: string;
  email: string;
  username: string;
  passwordHash: string;
  state: Exclude<UserState, 'deleted'>;
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
    mode: CallbackMode;
  };
  acw: {
    wrapupPrompt: AcwWrapupPrompt;
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

/** An agent's routing status (`PUT /api/v2/users/{userId}/routingstatus`). */
export interface RoutingStatusRecord {
  orgId: string;
  userId: string;
  status: RoutingStatus;
  /** Since when; for IDLE, how long the agent has been waiting (longest idle is offered first). */
  startTime: Date;
}

/** Which waiting callbacks an agent-owned queue may offer now: unowned ones, those of these owners, expired ones. */
export interface QueuedFilter {
  owners: readonly string[];
  /** Ownership ended for callbacks queued at or before this. */
  ownedUntil: Date;
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
  /** The conversation as stored, when the store read it with the claim (so that firing need not read it again). */
  conversation?: StoredConversation;
}

/** What became of one write of a batch: committed (with the size of its stored text), lost to another writer, or failed. */
export type CommitResult = { ok: true; bytes: number } | { ok: false; conflict: boolean; error: unknown };

export interface StoredConversation {
  orgId: string;
  state: CallbackConversationState;
  recordingState: RecordingState;
}

/** A conversation as its stored text, not decoded (see Store.peekConversation). */
export interface StoredText {
  orgId: string;
  /** The stored form (state-codec.ts). */
  text: string;
  /** When its next time-driven transition is due (epoch ms), if it has one: a read after it must apply it first. */
  nextDeadline: number | null;
}

/** A routing status a change moves: written only if the agent still has `from` (else the change conflicts). */
export interface RoutingStatusWrite {
  from: RoutingStatus;
  to: RoutingStatusRecord;
}

/** An agent's routing status set (PUT routingstatus) or moved by a change (the routing-status table). */
export interface RoutingStatusEvent {
  type: 'routingStatus';
  at: Date;
  userId: string;
  status: RoutingStatus;
  /** What it was, when known. */
  from?: RoutingStatus;
}

/** A conversation's recording state changed (PATCH recordingstate): no lifecycle transition, but a change. */
export interface RecordingStateEvent {
  type: 'recordingState';
  at: Date;
  recordingState: RecordingState;
}

/** What the event log records (docs/events.md): the lifecycle's events, and the two changes outside it. */
export type LogEvent = LifecycleEvent | RoutingStatusEvent | RecordingStateEvent;

/** One entry of the event log, as committed. */
export interface LoggedEvent {
  orgId: string;
  /** Per organization, from 1, without gaps at commit (compaction removes old ones). */
  seq: number;
  /** On the service's clock. */
  at: Date;
  /** The conversation it belongs to (absent for a routing status set outside any conversation). */
  conversationId?: string;
  /** The conversation's version this event's change committed. */
  version?: number;
  /** The user it concerns, when one (an agent of an offer, answer, ACW, a routing status). */
  userId?: string;
  event: LogEvent;
}

/** What one transaction committed: its events in order, and the conversation as it now is (when one changed). */
export interface CommittedChange {
  orgId: string;
  /** Committed by another process sharing the store (read from the shared log). */
  remote?: boolean;
  events: readonly LoggedEvent[];
  /** As committed; for another process's change, as stored when the log was read (decoded when first asked for). */
  conversation?: StoredConversation;
}

/** One change to a conversation, committed whole or not at all. */
export interface ConversationWrite extends StoredConversation {
  /** Its events, logged in the same transaction (an `updated` event when none are given). */
  events?: readonly LogEvent[];
  /** What the store keeps beside it, as the lifecycle computed it (`conversationIndex`). */
  index: ConversationIndex;
  /** The version the change was computed from; absent for a new conversation. */
  expectedVersion?: number;
  /** Routing statuses the change moves, in the same transaction. */
  routing?: readonly RoutingStatusWrite[];
}

/** A write lost a race: the conversation (or a routing status) changed since it was read. Nothing was written. */
export class VersionConflictError extends Error {
  override name = 'VersionConflictError';
}

/** A secret's hash, or how to compute it: a seed computes only the hashes of the records it really inserts. */
export type LazyHash = string | (() => string);

export interface SeedData {
  organizations: Organization[];
  /** `secretMatches` tells whether a stored hash is of the seeded secret (checked only when the seed changed). */
  clients: (Omit<ClientRecord, 'secretHash'> & { secretHash: LazyHash; secretMatches?: (hash: string) => boolean })[];
  users: (Omit<UserRecord, 'passwordHash'> & { passwordHash: LazyHash; passwordMatches?: (hash: string) => boolean })[];
  wrapupCodes: WrapupCodeRecord[];
  queues: QueueRecord[];
  /**
   * A digest of the seed's content. When the store last applied a seed of another digest (or none), the seed is
   * compared with what the store holds and applied (see SeedOutcome); when it is the same, only what is missing goes in.
   */
  digest?: string;
}

/** Which conversations a list shows. */
export interface ConversationFilter {
  queueId?: string;
  phase?: Phase;
  startedFrom?: Date;
  startedTo?: Date;
}

/** What seeding did beyond inserting what was missing: what it changed to match the seed, or why it could not. */
export interface SeedOutcome {
  /** One line per record changed to match the seed (a queue's settings, a user's password, ...). */
  applied: string[];
  /** Why the seed cannot apply (an id of another organization, a username taken); nothing was written when any. */
  conflicts: string[];
}

/** An organization's whole state as rows of the store's tables (GET/PUT /emulator/state). */
export interface StateSnapshot {
  format: 'callbackd-state';
  version: 1;
  /** The store schema the rows are in. */
  schema: number;
  organization: string;
  tables: Record<string, Record<string, unknown>[]>;
}

export interface Store {
  /**
   * Inserts what is missing (hashing only the secrets of what it inserts). When the seed's digest differs from the one
   * last applied, also brings the records the seed names back to what it says, and reports each change; records the
   * seed does not name are left as they are. On a conflict nothing is written.
   */
  seed(data: SeedData): Promise<SeedOutcome>;
  /** Brings organizations back to the seeded state (conversations, events and what was created at run time go). */
  resetOrganizations(orgIds: readonly string[], data: SeedData): Promise<void>;
  exportOrganization(orgId: string): Promise<StateSnapshot>;
  /** The problems of a snapshot for an organization (none: importOrganization would take it); writes nothing. */
  checkOrganizationSnapshot(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]>;
  /** Replaces the organization's state with the snapshot if it is valid; else returns the problems, writing nothing. */
  importOrganization(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  /** A user of the organization by login (logins are unique per organization). */
  findUserByUsername(orgId: string, username: string): Promise<UserRecord | undefined>;
  getUser(orgId: string, id: string): Promise<UserRecord | undefined>;
  listUsers(orgId: string): Promise<UserRecord[]>;
  getQueue(orgId: string, id: string): Promise<QueueRecord | undefined>;
  listQueues(orgId: string): Promise<QueueRecord[]>;
  listWrapupCodes(orgId: string): Promise<WrapupCodeRecord[]>;

  putToken(token: TokenRecord): Promise<void>;
  getToken(token: string): Promise<TokenRecord | undefined>;
  /** getToken for a token held in memory, without a promise (a GET's authentication); undefined: ask getToken. */
  cachedToken(token: string): TokenRecord | undefined;

  /** The last committed version (a write by another connection included). */
  getConversation(orgId: string, id: string): Promise<StoredConversation | undefined>;
  /**
   * The same, for a reader that may only serve it: decoded when this process has it decoded already, else its stored
   * text as read (not decoded, not cached: a random read of an old conversation need not pay for either).
   */
  peekConversation(orgId: string, id: string): Promise<StoredConversation | StoredText | undefined>;
  /**
   * Commits one change in one transaction: the conversation (inserted, or updated only if its version is still
   * `expectedVersion`), its index, and the routing statuses it moves. Throws VersionConflictError, writing nothing,
   * when another writer got there first; any other failure also writes nothing.
   */
  commitConversation(write: ConversationWrite): Promise<void>;
  /**
   * Commits many changes in one transaction, each as if alone: a change that conflicts (or fails) is rolled back by
   * itself (a savepoint) and reported, the others commit. One result per write, in order.
   */
  commitConversations(writes: readonly ConversationWrite[]): Promise<CommitResult[]>;
  /** Conversations in which the user has an agent leg that is not over (alerting to after-call work). */
  listActiveConversationsForUser(orgId: string, userId: string): Promise<StoredConversation[]>;

  // ---- routing and time ----
  listOrganizations(): Promise<Organization[]>;
  putQueue(queue: QueueRecord): Promise<void>;
  deleteQueue(orgId: string, id: string): Promise<boolean>;
  putUser(user: UserRecord): Promise<void>;
  putWrapupCode(code: WrapupCodeRecord): Promise<void>;
  getRoutingStatus(orgId: string, userId: string): Promise<RoutingStatusRecord | undefined>;
  /** Sets a routing status and logs it (a routingStatus event) in one transaction. */
  setRoutingStatus(record: RoutingStatusRecord): Promise<void>;
  listRoutingStatuses(orgId: string): Promise<RoutingStatusRecord[]>;
  /** Callbacks waiting in a queue, highest priority first, then longest waiting (the first `limit`). */
  listQueued(orgId: string, queueId: string, limit: number, eligible?: QueuedFilter): Promise<QueuedCallback[]>;
  /** Agents whose status is IDLE and who have no agent leg that is not over, longest idle first. */
  idleAgents(orgId: string): Promise<RoutingStatusRecord[]>;
  /** The earliest time an agent-owned callback still waiting in the queue was queued after `after`. */
  earliestOwnedQueuedAfter(orgId: string, queueId: string, after: Date): Promise<Date | undefined>;
  /** Users with an agent leg not yet over (alerting, connected, held, parked or in after-call work). */
  busyAgents(orgId: string): Promise<Set<string>>;
  /** Conversations whose next deadline is at or before `now`, earliest first. */
  dueConversations(now: Date, limit: number): Promise<DueConversation[]>;
  /** The earliest deadline of any conversation. */
  nextDeadlineAt(): Promise<Date | undefined>;
  /**
   * Told of each deadline another process writes (a store shared by several processes: PostgreSQL, by LISTEN/NOTIFY),
   * so that this process's scheduler wakes for it too. A store only one process uses never calls it.
   */
  onDeadline: ((at: Date) => void) | undefined;
  /**
   * The manual clock of a store several processes share (PostgreSQL): where it stands, moving it (every process is
   * told, by onClock), and being told. A store only one process uses keeps none (readClock answers undefined).
   */
  /**
   * Runs `fn` as the only router of the organization among the processes sharing the store (PostgreSQL: an advisory
   * lock), or answers undefined at once when another process is routing it.
   */
  routeExclusively<T>(orgId: string, fn: () => Promise<T>): Promise<T | undefined>;
  readClock(): Promise<Date | undefined>;
  writeClock(at: Date): Promise<void>;
  onClock: ((at: Date) => void) | undefined;
  /**
   * Claims up to `limit` conversations due at `now` (earliest first, none in `skip`), lets `compute` make their writes,
   * and commits them as commitConversations does: one result per write. While it runs, no other process can claim
   * them (on PostgreSQL: `FOR UPDATE SKIP LOCKED` in the transaction that commits them, so a process killed meanwhile
   * leaves them to the others); the due list is given to `compute` in order.
   */
  fireDue(
    now: Date,
    limit: number,
    skip: ReadonlySet<string>,
    compute: (due: DueConversation[]) => Promise<ConversationWrite[]>,
  ): Promise<{ due: DueConversation[]; results: CommitResult[] }>;

  // ---- the event log (docs/events.md) ----
  /** Told of every committed change, synchronously and in commit order, right after the commit. */
  onCommitted: ((change: CommittedChange) => void) | undefined;
  /** Events of an organization after `afterSeq`, in order (the first `limit`). */
  readEvents(orgId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]>;
  /** Events of one conversation, in order. */
  conversationEvents(orgId: string, conversationId: string): Promise<LoggedEvent[]>;
  /**
   * Drops events older than `before`, except those of conversations not yet ended (and of none that still exist
   * unended); returns how many were dropped.
   */
  compactEvents(before: Date): Promise<number>;

  // ---- analytics ----
  /** Ids of the conversations that started in [from, to), by start then id (a page of them when given). */
  conversationsStartedBetween(
    orgId: string,
    from: Date,
    to: Date,
    page?: { offset: number; limit: number; desc: boolean },
  ): Promise<string[]>;
  countStartedBetween(orgId: string, from: Date, to: Date): Promise<number>;
  /** A page of an organization's conversations, newest first, filtered, and how many match in all. */
  listConversations(
    orgId: string,
    filter: ConversationFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: StoredConversation[]; total: number }>;
  /** The organization's earliest next deadline. */
  nextDeadlineOf(orgId: string): Promise<Date | undefined>;
  /** How many conversations of a queue wait (queued), alert (offered) and go on with an agent (active). */
  countByPhase(orgId: string, queueId: string): Promise<{ queued: number; offered: number; active: number }>;
  /** The conversations that started in [from, to), by start then id, each with its events in order (read in bulk). */
  startedBetweenWithEvents(orgId: string, from: Date, to: Date): Promise<{ conversation: StoredConversation; events: LoggedEvent[] }[]>;
  close(): Promise<void>;
}

export type { Deadline };
