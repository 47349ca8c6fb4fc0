// The notifications service (docs/reference/api.md §4, analytics-notifications-limits.md §3): channels, their
// subscriptions and the frames delivered on their sockets, fed by the event log as each change commits. It keeps
// channels in memory (as the platform's are: they live a day at most) and knows nothing of HTTP or WebSocket
// framing: a socket is a Connection that sends text and closes.
import { randomUUID } from 'node:crypto';
import { ERRORS, ServiceError } from '../errors.js';
import { stringifyModel, type Channel, type ChannelTopic, type ModelName, type SystemMessageSystemMessage } from '../model/core.js';
import type { CommittedChange, LoggedEvent, RoutingStatusEvent, Store } from '../store/types.js';
import type { Principal } from './principal.js';
import { callbackEventBody, conversationSummary, queuesOf, routingStatusBody, usersOf } from './topic-bodies.js';
import {
  parseTopic,
  QUEUE_CALLBACKS,
  QUEUE_CONVERSATIONS,
  topicName,
  TOPICS,
  USER_CALLBACKS,
  USER_CONVERSATIONS,
  USER_ROUTING_STATUS,
  USER_SUMMARY,
} from './topics.js';
import { toConversation } from './views.js';

/** A socket, as the service sees it. */
export interface Connection {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Who opened a channel: their organization, client, user, and the token (channels stop delivering when it expires). */
export interface ChannelOwner extends Principal {
  token: string;
  tokenExpiresAt: Date;
}

/** The channel owner a bearer principal is. */
export function ownerOf(p: Principal): ChannelOwner {
  if (p.token === undefined || p.tokenExpiresAt === undefined) throw new Error('notification channels need a bearer token');
  return { ...p, token: p.token, tokenExpiresAt: p.tokenExpiresAt };
}

export interface NotificationOptions {
  store: Store;
  clock: () => Date;
  /** How long a channel lives without a subscription call (24 h). */
  channelTtlMs?: number;
  /** Channels per user and client (20). */
  maxChannels?: number;
  /** Topics per channel (1,000). */
  maxTopics?: number;
  newId?: () => string;
}

interface ChannelRecord {
  id: string;
  owner: ChannelOwner;
  connectUri: string;
  expires: Date;
  /** When it was last used (created, subscribed, connected): the least recently used is evicted first. */
  used: number;
  topics: Map<string, ChannelTopic>;
  connection?: Connection;
}

export const HEARTBEAT = '{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}';
export const PONG = '{"topicName":"channel.metadata","eventBody":{"message":"pong"}}';
/** Close codes: going away (shutdown, expiry), policy (a client too slow), and a second socket replacing the first. */
export const CLOSE = { normal: 1000, goingAway: 1001, policy: 1008 } as const;

const frame = (topic: string, body: string, correlationId: string) =>
  `{"topicName":${JSON.stringify(topic)},"version":"2","eventBody":${body},"metadata":{"CorrelationId":"${correlationId}"}}`;

export class NotificationService {
  private readonly store: Store;
  private readonly clock: () => Date;
  private readonly ttlMs: number;
  private readonly maxChannels: number;
  private readonly maxTopics: number;
  private readonly newId: () => string;
  private readonly channels = new Map<string, ChannelRecord>();
  /** Permitted subscriptions: `orgId \n topic` → channels. An event is looked up in its own organization only. */
  private readonly subscribers = new Map<string, Set<ChannelRecord>>();
  private uses = 0;
  /** Told of what could not be delivered (a summary whose read failed). */
  onError: ((err: unknown) => void) | undefined;

  constructor(options: NotificationOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.ttlMs = options.channelTtlMs ?? 24 * 3600_000;
    this.maxChannels = options.maxChannels ?? 20;
    this.maxTopics = options.maxTopics ?? 1000;
    this.newId = options.newId ?? randomUUID;
  }

  // ---- the channel API ----

  createChannel(p: Principal, socketBase: string): Channel {
    const owner = ownerOf(p);
    this.evictOver(owner);
    const id = this.newId();
    const c: ChannelRecord = {
      id,
      owner,
      connectUri: `${socketBase}/channels/${id}`,
      expires: this.expiry(),
      used: ++this.uses,
      topics: new Map(),
    };
    this.channels.set(id, c);
    return this.view(c);
  }

  /** `token`: the channels of this token; `oauthclient`: those of the same client (and user). */
  listChannels(p: Principal, include: string | undefined): Channel[] {
    const owner = ownerOf(p);
    const by = include ?? 'token';
    if (by !== 'token' && by !== 'oauthclient')
      throw new ServiceError(ERRORS.invalidValue, `includechannels must be token or oauthclient, got ${JSON.stringify(by)}.`, [
        { field: 'includechannels', code: ERRORS.invalidValue.code, message: `expected token or oauthclient, got ${JSON.stringify(by)}` },
      ]);
    return [...this.channels.values()]
      .filter((c) => (by === 'token' ? c.owner.token === owner.token : this.sameOwner(c.owner, owner)))
      .map((c) => this.view(c));
  }

  /** A channel of the caller's organization (404 otherwise: another organization's channels do not exist for it). */
  private channel(p: Principal, id: string): ChannelRecord {
    const c = this.channels.get(id);
    if (c === undefined || c.owner.orgId !== p.orgId || this.expired(c))
      throw new ServiceError(ERRORS.notFound, `Channel ${id} was not found.`);
    return c;
  }

  exists(p: Principal, id: string): void {
    this.channel(p, id);
  }

  subscriptions(p: Principal, id: string): ChannelTopic[] {
    return [...this.channel(p, id).topics.values()];
  }

  /** POST adds (`add`), PUT replaces (`replace`); a subscription call extends the channel's life. */
  async subscribe(
    p: Principal,
    id: string,
    topics: readonly ChannelTopic[],
    mode: 'add' | 'replace',
    ignoreErrors: boolean,
  ): Promise<ChannelTopic[]> {
    const c = this.channel(p, id);
    const wanted: string[] = [];
    for (const [i, t] of topics.entries()) {
      if (t.id === undefined || parseTopic(t.id) === undefined) {
        if (ignoreErrors) continue;
        throw new ServiceError(ERRORS.badRequest, `Topic ${JSON.stringify(t.id ?? null)} is not a topic that can be subscribed to.`, [
          { field: `/${i}/id`, code: ERRORS.badRequest.code, message: `expected one of ${TOPICS.map((x) => x.id).join(', ')}` },
        ]);
      }
      wanted.push(t.id);
    }
    const next = new Set(mode === 'replace' ? wanted : [...c.topics.keys(), ...wanted]);
    if (next.size > this.maxTopics)
      throw new ServiceError(ERRORS.badRequest, `A channel may have at most ${this.maxTopics} topics; this would make ${next.size}.`, [
        { field: '', code: ERRORS.badRequest.code, message: `at most ${this.maxTopics} topics per channel, got ${next.size}` },
      ]);
    const checked = new Map<string, ChannelTopic>();
    for (const topic of next) checked.set(topic, c.topics.get(topic) ?? (await this.check(c.owner, topic)));
    // The channel may have gone while permissions were read.
    if (this.channels.get(id) !== c) throw new ServiceError(ERRORS.notFound, `Channel ${id} was not found.`);
    this.unindex(c);
    c.topics = checked;
    this.index(c);
    c.expires = this.expiry();
    c.used = ++this.uses;
    return [...c.topics.values()];
  }

  unsubscribeAll(p: Principal, id: string): void {
    const c = this.channel(p, id);
    this.unindex(c);
    c.topics.clear();
  }

  /** Whether the caller may follow a topic: entities of another organization (or none) are rejected alike. */
  private async check(owner: Principal, topic: string): Promise<ChannelTopic> {
    const parsed = parseTopic(topic);
    if (parsed === undefined) throw new Error(`not a topic: ${topic}`);
    const { template, entityId } = parsed;
    const queue = template.entity === 'queue' ? await this.store.getQueue(owner.orgId, entityId) : undefined;
    const found = template.entity === 'user' ? (await this.store.getUser(owner.orgId, entityId)) !== undefined : queue !== undefined;
    if (!found)
      return { id: topic, state: 'Rejected', rejectionReason: `There is no ${template.entity} ${entityId} in this organization.` };
    // A client-credentials token acts for its organization; a user token for its user and the queues it belongs to.
    const permitted =
      owner.userId === undefined ||
      (template.entity === 'user' ? entityId === owner.userId : (queue?.memberIds.includes(owner.userId) ?? false));
    return permitted
      ? { id: topic, state: 'Permitted' }
      : {
          id: topic,
          state: 'Rejected',
          rejectionReason: `The user lacks permission to subscribe to ${template.id} for another ${template.entity}.`,
          missingPermissions: [...template.permissions],
        };
  }

  // ---- sockets ----

  /** Whether a socket may open on this channel. */
  isOpen(id: string): boolean {
    const c = this.channels.get(id);
    return c !== undefined && !this.expired(c);
  }

  /** A socket opened on a channel; a second one closes the first. False when there is no such channel. */
  connect(id: string, connection: Connection): boolean {
    const c = this.channels.get(id);
    if (c === undefined || this.expired(c)) return false;
    const before = c.connection;
    c.connection = connection;
    c.used = ++this.uses;
    before?.close(CLOSE.normal, 'Another connection to this channel was opened.');
    return true;
  }

  /** The socket went away (closed by either side). */
  disconnect(id: string, connection: Connection): void {
    const c = this.channels.get(id);
    if (c?.connection === connection) delete c.connection;
  }

  /** `{"message":"subscribe","topics":[...]}` sent on the socket: adds the topics, answered the way Genesys does. */
  async socketSubscribe(id: string, topics: unknown, correlationId: unknown): Promise<string> {
    const c = this.channels.get(id);
    const corr = typeof correlationId === 'string' ? correlationId : undefined;
    const answer = (result: string, status: string, message?: string, list: readonly string[] = []) =>
      JSON.stringify({
        ...(corr !== undefined ? { correlationId: corr } : {}),
        topics: list,
        result,
        status,
        ...(message ? { message } : {}),
      });
    if (c === undefined) return answer('404', 'error', `Channel ${id} was not found.`);
    if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string'))
      return answer('400', 'error', 'Required data missing from subscribe request.');
    try {
      const result = await this.subscribe(
        c.owner,
        id,
        (topics as string[]).map((t) => ({ id: t })),
        'add',
        false,
      );
      return answer(
        '200',
        'subscribed',
        undefined,
        result.filter((t) => (topics as string[]).includes(t.id as string)).map((t) => t.id as string),
      );
    } catch (e) {
      return answer('400', 'error', (e as Error).message, []);
    }
  }

  /** The heartbeat on every socket. */
  heartbeat(): void {
    for (const c of this.channels.values()) c.connection?.send(HEARTBEAT);
  }

  /**
   * Channels past their time end (their socket told `v2.system.no_longer_subscribed.{id}`, then closed); sockets whose
   * token expired are told and closed. Run on a timer and whenever the manual clock moves.
   */
  sweep(): void {
    const now = this.clock().getTime();
    for (const c of [...this.channels.values()]) {
      if (c.expires.getTime() <= now) {
        this.system(c, `v2.system.no_longer_subscribed.${c.id}`, {
          systemTopicType: 'no_longer_subscribed',
          message: `Channel ${c.id} was idle for 24 hours and was closed.`,
        });
        this.drop(c, CLOSE.goingAway, 'The channel expired.');
      } else if (c.connection !== undefined && c.owner.tokenExpiresAt.getTime() <= now) {
        c.connection.send(
          JSON.stringify({ result: '404', message: `Channel ${c.id} stopped delivering: the authorization token expired.` }),
        );
        c.connection.close(CLOSE.goingAway, 'The authorization token expired.');
        delete c.connection;
      }
    }
  }

  /** Before the server stops: every socket is told (`v2.system.socket_closing`) and closed cleanly. */
  shutdown(): void {
    for (const c of this.channels.values()) {
      if (c.connection === undefined) continue;
      this.system(c, 'v2.system.socket_closing', { message: 'The server is shutting down; the socket will close.' });
      c.connection.close(CLOSE.goingAway, 'The server is shutting down.');
      delete c.connection;
    }
  }

  // ---- delivery ----

  /** A committed change, told by the store in commit order: every permitted subscriber gets its frames now. */
  publish(change: CommittedChange): void {
    if (this.subscribers.size === 0) return;
    const { orgId } = change;
    const correlationId = randomUUID();
    const conv = change.conversation;
    if (conv !== undefined) {
      let callbackBody: string | undefined;
      let conversationBody: string | undefined;
      const callbacks = () =>
        (callbackBody ??= stringifyModel('ConversationCallbackEventTopicCallbackConversation', callbackEventBody(conv.state)));
      const generic = () => (conversationBody ??= stringifyModel('Conversation', toConversation(conv.state, conv.recordingState)));
      for (const u of usersOf(conv.state)) {
        this.deliver(orgId, topicName(USER_CALLBACKS, u), callbacks, correlationId);
        this.deliver(orgId, topicName(USER_CONVERSATIONS, u), generic, correlationId);
      }
      for (const q of queuesOf(conv.state)) {
        this.deliver(orgId, topicName(QUEUE_CALLBACKS, q), callbacks, correlationId);
        this.deliver(orgId, topicName(QUEUE_CONVERSATIONS, q), generic, correlationId);
      }
    }
    // Routing statuses: the last of each user in this change.
    const statuses = new Map<string, RoutingStatusEvent>();
    for (const e of change.events) if (e.event.type === 'routingStatus') statuses.set(e.event.userId, e.event);
    for (const [u, s] of statuses)
      this.deliver(
        orgId,
        topicName(USER_ROUTING_STATUS, u),
        () => this.encode('UserRoutingStatusUserRoutingStatus', routingStatusBody({ status: s.status, startTime: s.at })),
        correlationId,
      );
    if (conv !== undefined) for (const u of this.summaryUsers(change.events)) void this.summary(orgId, u, correlationId);
  }

  private encode(model: ModelName, value: unknown): string {
    return stringifyModel(model, value);
  }

  /** Users whose count of callbacks going on or in ACW may have moved. */
  private summaryUsers(events: readonly LoggedEvent[]): Set<string> {
    const users = new Set<string>();
    for (const e of events) {
      const t = e.event.type;
      if (
        e.userId !== undefined &&
        (t === 'offered' || t === 'acwStarted' || t === 'agentReleased' || t === 'notResponding' || t === 'declined')
      )
        users.add(e.userId);
    }
    return users;
  }

  private async summary(orgId: string, userId: string, correlationId: string): Promise<void> {
    const topic = topicName(USER_SUMMARY, userId);
    if (!this.subscribers.has(`${orgId}\n${topic}`)) return;
    try {
      const body = this.encode(
        'UserConversationSummary',
        conversationSummary(userId, await this.store.listActiveConversationsForUser(orgId, userId)),
      );
      this.deliver(orgId, topic, () => body, correlationId);
    } catch (e) {
      this.onError?.(e);
    }
  }

  private deliver(orgId: string, topic: string, body: () => string, correlationId: string): void {
    const subs = this.subscribers.get(`${orgId}\n${topic}`);
    if (subs === undefined) return;
    const now = this.clock().getTime();
    let text: string | undefined;
    for (const c of subs) {
      // Delivery stops when the channel's token expires (docs/reference/api.md §4.3).
      if (c.connection === undefined || c.owner.tokenExpiresAt.getTime() <= now) continue;
      c.connection.send((text ??= frame(topic, body(), correlationId)));
    }
  }

  private system(c: ChannelRecord, topic: string, body: Partial<SystemMessageSystemMessage>): void {
    const message: SystemMessageSystemMessage = {
      channelId: c.id,
      organizationId: c.owner.orgId,
      oauthClientId: c.owner.clientId,
      ...(c.owner.userId !== undefined ? { userId: c.owner.userId } : {}),
      ...body,
    };
    c.connection?.send(frame(topic, this.encode('SystemMessageSystemMessage', message), randomUUID()));
  }

  // ---- bookkeeping ----

  private view(c: ChannelRecord): Channel {
    return { connectUri: c.connectUri, id: c.id, expires: c.expires };
  }

  private expiry(): Date {
    return new Date(this.clock().getTime() + this.ttlMs);
  }

  private expired(c: ChannelRecord): boolean {
    return c.expires.getTime() <= this.clock().getTime();
  }

  private sameOwner(a: Principal, b: Principal): boolean {
    return a.orgId === b.orgId && a.clientId === b.clientId && a.userId === b.userId;
  }

  /** Before a new channel: at most `maxChannels` per user and client; the least recently used goes, unconnected ones first. */
  private evictOver(owner: ChannelOwner): void {
    const mine = [...this.channels.values()].filter((c) => this.sameOwner(c.owner, owner));
    if (mine.length < this.maxChannels) return;
    mine.sort((a, b) => Number(a.connection !== undefined) - Number(b.connection !== undefined) || a.used - b.used);
    for (const c of mine.slice(0, mine.length - this.maxChannels + 1)) {
      this.system(c, `v2.system.no_longer_subscribed.${c.id}`, {
        systemTopicType: 'no_longer_subscribed',
        message: `Channel ${c.id} was replaced by an over-the-quota, new channel.`,
      });
      this.drop(c, CLOSE.normal, 'The channel was replaced by a new channel over the quota.');
    }
  }

  private drop(c: ChannelRecord, code: number, reason: string): void {
    this.unindex(c);
    this.channels.delete(c.id);
    c.connection?.close(code, reason);
    delete c.connection;
  }

  private index(c: ChannelRecord): void {
    for (const t of c.topics.values()) {
      if (t.state !== 'Permitted') continue;
      const key = `${c.owner.orgId}\n${t.id}`;
      let set = this.subscribers.get(key);
      if (set === undefined) this.subscribers.set(key, (set = new Set()));
      set.add(c);
    }
  }

  private unindex(c: ChannelRecord): void {
    for (const t of c.topics.keys()) {
      const key = `${c.owner.orgId}\n${t}`;
      const set = this.subscribers.get(key);
      set?.delete(c);
      if (set?.size === 0) this.subscribers.delete(key);
    }
  }

  /** How many channels exist and how many have a socket (for the health of the emulator and the bench). */
  stats(): { channels: number; connected: number } {
    let connected = 0;
    for (const c of this.channels.values()) if (c.connection !== undefined) connected++;
    return { channels: this.channels.size, connected };
  }
}
