// The callback backend: state and business rules of the service, in model types. It resolves ids against the
// organization's configuration, runs every change through the lifecycle engine inside one store transaction, and
// throws typed errors; it knows nothing about HTTP (src/api maps its errors to statuses).
import { randomUUID } from 'node:crypto';
import {
  LifecycleError,
  advance,
  apply,
  createCallback,
  legStatus,
  nextDeadline,
  wrapupCodesOf,
  participant as findParticipant,
  type AgentRef,
  type CallbackConversationState,
  type Command,
  type CreateCommand,
  type ErrorKind,
  type LifecycleEvent,
  type QueueSettings,
} from '../lifecycle/index.js';
import type {
  AssignedWrapupCode,
  BulkCallbackDisconnectRequest,
  BulkCallbackPatchRequest,
  BulkCallbackPatchResponse,
  CallbackConversation,
  CallCommand,
  Conversation,
  CreateQueueRequest,
  CreateUser,
  QueueMember,
  QueueRequest,
  WrapupCodeRequest,
  CreateCallbackCommand,
  CreateCallbackResponse,
  MediaParticipantRequest,
  PatchCallbackRequest,
  PatchCallbackResponse,
  Queue,
  TransferRequest,
  User,
  WrapupCode,
  WrapupInput,
} from '../model/index.js';
import { isOneOf } from '../model/index.js';
import { ACW_PROMPT_VALUES } from '../model/schema-api.js';
import { hashSecret } from './secrets.js';
import {
  queueSettings,
  type QueueRecord,
  type RecordingState,
  type RoutingStatus,
  type RoutingStatusRecord,
  type Store,
  type StoredConversation,
  type UserRecord,
} from '../store/types.js';
import * as project from './project.js';

/** Who is calling: the organization, the OAuth client, and the user for user tokens. */
export interface Principal {
  orgId: string;
  clientId: string;
  userId?: string;
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_QUEUE_CALLBACK: QueueRecord['callback'] = {
  alertingTimeoutSeconds: 30,
  enableAutoAnswer: false,
  enableAutoDialAndEnd: false,
  autoDialDelaySeconds: 300,
  autoEndDelaySeconds: 300,
  mode: 'AgentFirst',
};
const notFound = (what: string, id: string) => new ServiceError('notFound', 'not.found', `${what} ${id} was not found.`);
const PHONE_LIKE = /^\+?[0-9][0-9 ()./-]{2,24}$/;

/** Applies one lifecycle command inside a change, recording its events. */
type Step = (state: CallbackConversationState, cmd: Command) => CallbackConversationState;

/** Told of every committed change, with the events it caused (the router and scheduler listen here). */
export interface BackendHooks {
  afterChange?: (orgId: string, state: CallbackConversationState, events: readonly LifecycleEvent[]) => Promise<void> | void;
  afterCreate?: (orgId: string, state: CallbackConversationState) => Promise<void> | void;
  afterRoutingStatus?: (orgId: string, record: RoutingStatusRecord) => Promise<void> | void;
}

export interface BackendOptions {
  store: Store;
  /** The service's clock; the default is the real one. */
  clock?: () => Date;
  newId?: () => string;
}

export class CallbackBackend {
  readonly store: Store;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  /** Set by the router/scheduler once they exist (they need the backend first). */
  hooks: BackendHooks = {};

  constructor(options: BackendOptions) {
    this.store = options.store;
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  now(): Date {
    return this.clock();
  }

  // ---- configuration ----

  private async queueFor(orgId: string, queueId: string): Promise<QueueSettings> {
    const q = await this.store.getQueue(orgId, queueId);
    if (q === undefined) throw new ServiceError('invalid', 'conversations.error.queue.not.found', `Queue ${queueId} was not found.`);
    return queueSettings(q, await this.store.listWrapupCodes(orgId));
  }

  private async agent(orgId: string, userId: string): Promise<AgentRef> {
    const u = await this.store.getUser(orgId, userId);
    if (u === undefined) throw new ServiceError('invalid', 'invalid.value', `User ${userId} was not found in this organization.`);
    return { id: u.id, name: u.name };
  }

  async listQueues(p: Principal): Promise<Queue[]> {
    return (await this.store.listQueues(p.orgId)).map(project.queue);
  }

  /** A queue of the caller's organization, or a 404. */
  private async existingQueue(orgId: string, id: string): Promise<QueueRecord> {
    const q = await this.store.getQueue(orgId, id);
    if (q === undefined) throw notFound('Queue', id);
    return q;
  }

  async getQueue(p: Principal, id: string): Promise<Queue> {
    return project.queue(await this.existingQueue(p.orgId, id));
  }

  async listUsers(p: Principal): Promise<User[]> {
    return (await this.store.listUsers(p.orgId)).map(project.user);
  }

  async getUser(p: Principal, id: string): Promise<User> {
    const u = await this.store.getUser(p.orgId, id);
    if (u === undefined) throw notFound('User', id);
    return project.user(u);
  }

  async me(p: Principal): Promise<User> {
    return this.getUser(p, this.requireUser(p, 'bad.request').id);
  }

  // ---- configuration over the API ----

  private queueRecord(orgId: string, id: string, body: CreateQueueRequest, existing?: QueueRecord): QueueRecord {
    const cb = body.mediaSettings?.callback ?? {};
    const base = existing?.callback ?? DEFAULT_QUEUE_CALLBACK;
    for (const [name, v] of [
      ['autoDialDelaySeconds', cb.autoDialDelaySeconds],
      ['autoEndDelaySeconds', cb.autoEndDelaySeconds],
    ] as const) {
      if (v !== undefined && (v < 0 || v > 1200))
        throw new ServiceError('invalid', 'invalid.value', `mediaSettings.callback.${name} must be from 0 to 1200, got ${v}.`);
    }
    if (cb.alertingTimeoutSeconds !== undefined && cb.alertingTimeoutSeconds < 1)
      throw new ServiceError('invalid', 'invalid.value', 'mediaSettings.callback.alertingTimeoutSeconds must be at least 1.');
    // Request bodies are decoded strictly, so an enum here is one of its known values.
    const mode: QueueRecord['callback']['mode'] =
      cb.mode === undefined ? base.mode : cb.mode === 'CustomerFirst' ? 'CustomerFirst' : 'AgentFirst';
    const prompt = body.acwSettings?.wrapupPrompt ?? existing?.acw.wrapupPrompt ?? 'OPTIONAL';
    if (!isOneOf(ACW_PROMPT_VALUES, prompt))
      throw new ServiceError('invalid', 'invalid.value', `Unknown acwSettings.wrapupPrompt ${prompt}.`);
    const timeoutMs = body.acwSettings?.timeoutMs ?? existing?.acw.timeoutMs;
    return {
      id,
      orgId,
      name: body.name,
      ...(body.description !== undefined
        ? { description: body.description }
        : existing?.description !== undefined
          ? { description: existing.description }
          : {}),
      dateCreated: existing?.dateCreated ?? this.clock(),
      callback: {
        alertingTimeoutSeconds: cb.alertingTimeoutSeconds ?? base.alertingTimeoutSeconds,
        enableAutoAnswer: cb.enableAutoAnswer ?? base.enableAutoAnswer,
        enableAutoDialAndEnd: cb.enableAutoDialAndEnd ?? base.enableAutoDialAndEnd,
        autoDialDelaySeconds: cb.autoDialDelaySeconds ?? base.autoDialDelaySeconds,
        autoEndDelaySeconds: cb.autoEndDelaySeconds ?? base.autoEndDelaySeconds,
        mode,
      },
      acw: { wrapupPrompt: prompt, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
      agentOwnedRouting: {
        enableAgentOwnedCallbacks:
          body.agentOwnedRouting?.enableAgentOwnedCallbacks ?? existing?.agentOwnedRouting.enableAgentOwnedCallbacks ?? false,
        maxOwnedCallbackHours: body.agentOwnedRouting?.maxOwnedCallbackHours ?? existing?.agentOwnedRouting.maxOwnedCallbackHours ?? 24,
        maxOwnedCallbackDelayHours:
          body.agentOwnedRouting?.maxOwnedCallbackDelayHours ?? existing?.agentOwnedRouting.maxOwnedCallbackDelayHours ?? 168,
      },
      memberIds: existing?.memberIds ?? [],
      wrapupCodeIds: existing?.wrapupCodeIds ?? [],
    };
  }

  async createQueue(p: Principal, body: CreateQueueRequest): Promise<Queue> {
    const q = this.queueRecord(p.orgId, this.newId(), body);
    await this.store.putQueue(q);
    return project.queue(q);
  }

  async putQueue(p: Principal, id: string, body: QueueRequest): Promise<Queue> {
    const q = this.queueRecord(p.orgId, id, body, await this.existingQueue(p.orgId, id));
    await this.store.putQueue(q);
    return project.queue(q);
  }

  async deleteQueue(p: Principal, id: string): Promise<void> {
    if (!(await this.store.deleteQueue(p.orgId, id))) throw notFound('Queue', id);
  }

  async listMembers(p: Principal, queueId: string): Promise<QueueMember[]> {
    const q = await this.existingQueue(p.orgId, queueId);
    const out: QueueMember[] = [];
    for (const userId of q.memberIds) {
      const u = await this.store.getUser(p.orgId, userId);
      if (u === undefined) continue;
      const rs = await this.getRoutingStatus(p, userId);
      out.push({
        id: u.id,
        name: u.name,
        user: { id: u.id, selfUri: `/api/v2/users/${u.id}` },
        ringNumber: 1,
        joined: true,
        memberBy: 'user',
        routingStatus: { userId, status: rs.status, startTime: rs.startTime },
        selfUri: `/api/v2/routing/queues/${queueId}/members/${u.id}`,
      });
    }
    return out;
  }

  /** POST members: add these users, or remove them with `delete`. */
  async postMembers(p: Principal, queueId: string, ids: readonly string[], remove: boolean): Promise<void> {
    const q = await this.existingQueue(p.orgId, queueId);
    for (const id of ids) await this.agent(p.orgId, id);
    const memberIds = remove ? q.memberIds.filter((m) => !ids.includes(m)) : [...new Set([...q.memberIds, ...ids])];
    await this.store.putQueue({ ...q, memberIds });
    await this.hooks.afterRoutingStatus?.(p.orgId, { orgId: p.orgId, userId: ids[0] ?? '', status: 'IDLE', startTime: this.clock() });
  }

  async createUser(p: Principal, body: CreateUser): Promise<User> {
    if ((await this.store.findUserByUsername(body.email)) !== undefined) {
      throw new ServiceError('conflict', 'general.conflict', `A user with email ${body.email} already exists.`);
    }
    const u: UserRecord = {
      id: this.newId(),
      orgId: p.orgId,
      name: body.name,
      email: body.email,
      username: body.email,
      passwordHash: hashSecret(body.password ?? randomUUID()),
      state: body.state === 'inactive' ? 'inactive' : 'active',
    };
    await this.store.putUser(u);
    return project.user(u);
  }

  async listWrapupCodes(p: Principal): Promise<WrapupCode[]> {
    return (await this.store.listWrapupCodes(p.orgId)).map(project.wrapupCode);
  }

  async createWrapupCode(p: Principal, body: WrapupCodeRequest): Promise<WrapupCode> {
    const codes = await this.store.listWrapupCodes(p.orgId);
    if (codes.some((c) => c.name === body.name))
      throw new ServiceError('conflict', 'general.conflict', `A wrap-up code named ${body.name} already exists.`);
    const code = { id: this.newId(), orgId: p.orgId, name: body.name, dateCreated: this.clock() };
    await this.store.putWrapupCode(code);
    return project.wrapupCode(code);
  }

  async queueWrapupCodes(p: Principal, queueId: string): Promise<WrapupCode[]> {
    const q = await this.existingQueue(p.orgId, queueId);
    return (await this.store.listWrapupCodes(p.orgId)).filter((c) => q.wrapupCodeIds.includes(c.id)).map(project.wrapupCode);
  }

  async addQueueWrapupCodes(p: Principal, queueId: string, ids: readonly string[]): Promise<WrapupCode[]> {
    const q = await this.existingQueue(p.orgId, queueId);
    const codes = await this.store.listWrapupCodes(p.orgId);
    for (const id of ids)
      if (!codes.some((c) => c.id === id)) throw new ServiceError('invalid', 'invalid.value', `Wrap-up code ${id} does not exist.`);
    await this.store.putQueue({ ...q, wrapupCodeIds: [...new Set([...q.wrapupCodeIds, ...ids])] });
    return codes.filter((c) => ids.includes(c.id)).map(project.wrapupCode);
  }

  private requireUser(p: Principal, code: string): { id: string } {
    if (p.userId === undefined) {
      throw new ServiceError(
        'invalid',
        code,
        'This request requires a user context. Client credentials cannot be used for requests to this resource.',
      );
    }
    return { id: p.userId };
  }

  // ---- reading and changing conversations ----

  /** Reads a conversation, first applying the transitions its deadlines call for (lazy time). */
  private async read(p: Principal, id: string): Promise<StoredConversation> {
    const stored = await this.store.getConversation(p.orgId, id);
    if (stored === undefined)
      throw new ServiceError('notFound', 'conversation.error.conversation.not.found', `Conversation ${id} was not found.`);
    const due = nextDeadline(stored.state);
    if (due === undefined || due.at.getTime() > this.clock().getTime()) return stored;
    return this.change(p, id, (c) => ({ result: c }));
  }

  /**
   * One change to one conversation in one transaction: due deadlines are applied first, then `fn`. What `fn`
   * throws rolls the whole change back.
   */
  private async change<T>(
    p: Principal,
    id: string,
    fn: (
      current: StoredConversation,
      now: Date,
      step: Step,
    ) => { state?: CallbackConversationState; recordingState?: RecordingState; result: T },
  ): Promise<T> {
    const now = this.clock();
    const events: LifecycleEvent[] = [];
    const step: Step = (state, cmd) => {
      const t = apply(state, cmd, now);
      events.push(...t.events);
      return t.state;
    };
    let written: CallbackConversationState | undefined;
    const out = await this.store.updateConversation(p.orgId, id, (stored) => {
      events.length = 0;
      const advanced = advance(stored.state, now);
      events.push(...advanced.events);
      const current = { ...stored, state: advanced.state };
      const r = fn(current, now, step);
      written = r.state ?? current.state;
      // Wrapped, so that a change whose result is undefined is told apart from a conversation that is not there.
      return {
        next: { ...current, state: r.state ?? current.state, recordingState: r.recordingState ?? current.recordingState },
        result: { value: r.result },
      };
    });
    if (out === undefined)
      throw new ServiceError('notFound', 'conversation.error.conversation.not.found', `Conversation ${id} was not found.`);
    if (events.length > 0 && written !== undefined) await this.hooks.afterChange?.(p.orgId, written, events);
    return out.value;
  }

  /** A user token may act on its own agent leg and on the non-agent legs of a conversation it takes part in. */
  private authorize(p: Principal, state: CallbackConversationState, participantId: string): void {
    const target = findParticipant(state, participantId);
    if (p.userId === undefined) return;
    const mine = state.participants.some((x) => x.purpose === 'agent' && x.user?.id === p.userId);
    if (!mine)
      throw new ServiceError(
        'notFound',
        'conversation.error.not.conversation.participant',
        'User is not a participant in the conversation.',
      );
    if (target.purpose === 'agent' && target.user?.id !== p.userId) {
      throw new ServiceError('forbidden', 'not.authorized', "A user may only act on their own participant; this one is another agent's.");
    }
  }

  async createCallback(p: Principal, body: CreateCallbackCommand): Promise<CreateCallbackResponse> {
    const state = await this.newCallback(p, body, this.newId());
    return this.identifiers(state);
  }

  private async newCallback(
    p: Principal,
    body: CreateCallbackCommand,
    conversationId: string,
    fallbackQueue?: string,
  ): Promise<CallbackConversationState> {
    const numbers = body.callbackNumbers ?? [];
    if (numbers.length === 0) throw new ServiceError('invalid', 'callback.error.missing.callback.numbers', 'Callback numbers missing.');
    if (body.validateCallbackNumbers === true) {
      const bad = numbers.findIndex((n) => !PHONE_LIKE.test(n));
      if (bad >= 0)
        throw new ServiceError(
          'invalid',
          'invalid.value',
          `Value [${numbers[bad]}] is not valid for field type [phone number]: callbackNumbers/${bad}.`,
        );
    }
    const queueId = body.queueId ?? body.routingData?.queueId ?? fallbackQueue;
    if (queueId === undefined) throw new ServiceError('invalid', 'callback.error.missing.queue.id', 'Callback missing queue ID.');
    const queue = await this.queueFor(p.orgId, queueId);
    const rd = body.routingData;
    const preferred = [
      ...(rd?.preferredAgentIds ?? []),
      ...(rd?.scoredAgents ?? []).map((s) => s.agent?.id).filter((x): x is string => x !== undefined),
    ];
    const cmd: CreateCommand = {
      type: 'create',
      conversationId,
      queue,
      callbackNumbers: numbers,
      ...(body.callbackUserName !== undefined ? { callbackUserName: body.callbackUserName } : {}),
      ...(body.callbackScheduledTime !== undefined ? { callbackScheduledTime: body.callbackScheduledTime } : {}),
      ...(body.data !== undefined ? { data: body.data } : {}),
      ...(body.scriptId !== undefined ? { scriptId: body.scriptId } : {}),
      ...(rd?.priority !== undefined ? { priority: rd.priority } : {}),
      ...(rd?.skillIds !== undefined ? { skillIds: rd.skillIds } : {}),
      ...(rd?.languageId !== undefined ? { languageId: rd.languageId } : {}),
      ...(rd?.label !== undefined ? { label: rd.label } : {}),
      ...(preferred.length > 0 ? { preferredAgentIds: [...new Set(preferred)] } : {}),
      ...(rd?.routingFlags !== undefined ? { routingFlags: rd.routingFlags } : {}),
      ...(body.countryCode !== undefined ? { countryCode: body.countryCode } : {}),
      ...(body.callerId !== undefined ? { callerId: body.callerId } : {}),
      ...(body.callerIdName !== undefined ? { callerIdName: body.callerIdName } : {}),
    };
    const { state } = createCallback(cmd, this.clock());
    await this.store.createConversation({ orgId: p.orgId, state, recordingState: 'NONE' });
    await this.hooks.afterCreate?.(p.orgId, state);
    return state;
  }

  private identifiers(state: CallbackConversationState): CreateCallbackResponse {
    const ids = state.participants.flatMap((x) => {
      const info = state.legs[x.id as string];
      if (info === undefined || info.role === 'agent') return [];
      return [{ type: info.role === 'customer' ? 'EXTERNAL' : 'ACD', id: info.communicationId }];
    });
    return { conversation: { id: state.id, selfUri: `/api/v2/conversations/${state.id}` }, callbackIdentifiers: ids };
  }

  async patchCallback(p: Principal, body: PatchCallbackRequest): Promise<PatchCallbackResponse> {
    const queue = body.queueId !== undefined ? await this.queueFor(p.orgId, body.queueId) : undefined;
    if (body.agentId !== undefined) await this.agent(p.orgId, body.agentId);
    return this.change(p, body.conversationId, (c, now, step) => {
      const state = step(c.state, {
        type: 'update',
        ...(body.callbackScheduledTime !== undefined ? { callbackScheduledTime: body.callbackScheduledTime } : {}),
        ...(body.callbackNumbers !== undefined ? { callbackNumbers: body.callbackNumbers } : {}),
        ...(queue !== undefined ? { queue } : {}),
        ...(body.agentId !== undefined ? { preferredAgentId: body.agentId } : {}),
        ...(body.countryCode !== undefined ? { countryCode: body.countryCode } : {}),
      });
      return { state, result: this.identifiers(state) };
    });
  }

  async bulkUpdate(p: Principal, body: BulkCallbackPatchRequest): Promise<BulkCallbackPatchResponse> {
    const results: BulkCallbackPatchResponse['results'] = [];
    const errorIndexes: number[] = [];
    for (const [i, req] of body.patchCallbackRequests.entries()) {
      try {
        const r = await this.patchCallback(p, req);
        results.push({
          entity: {
            conversation: { id: r.conversation.id as string, selfUri: r.conversation.selfUri as string },
            callbackIdentifiers: r.callbackIdentifiers.map((x) => ({ type: x.type, id: x.id })),
          },
        });
      } catch (e) {
        if (!(e instanceof ServiceError || e instanceof LifecycleError)) throw e;
        results.push({ error: { code: e.code, message: e.message } });
        errorIndexes.push(i);
      }
    }
    return { results, errorCount: errorIndexes.length, errorIndexes };
  }

  async bulkDisconnect(p: Principal, body: BulkCallbackDisconnectRequest): Promise<void> {
    for (const item of body.callbackDisconnectIdentifiers) {
      await this.change(p, item.conversationId, (c, now, step) => {
        if (!Object.values(c.state.legs).some((l) => l.communicationId === item.callbackId)) {
          throw new ServiceError('notFound', 'not.found', `Callback ${item.callbackId} is not in conversation ${item.conversationId}.`);
        }
        if (c.state.phase === 'ended') return { result: undefined };
        return { state: step(c.state, { type: 'disconnectAll' }), result: undefined };
      });
    }
  }

  async getCallback(p: Principal, id: string): Promise<CallbackConversation> {
    return project.callbackConversation((await this.read(p, id)).state);
  }

  async getConversation(p: Principal, id: string): Promise<Conversation> {
    const c = await this.read(p, id);
    return project.toConversation(c.state, c.recordingState);
  }

  async listMyCallbacks(p: Principal): Promise<CallbackConversation[]> {
    const user = this.requireUser(p, 'bad.request');
    const now = this.clock();
    const rows = await this.store.listActiveConversationsForUser(p.orgId, user.id);
    return rows.map((c) => project.callbackConversation(advance(c.state, now).state));
  }

  /** PATCH /callbacks/{id}, DELETE /conversations/{id}, POST /conversations/{id}/disconnect. */
  async disconnectConversation(p: Principal, id: string, teardown = false): Promise<Conversation> {
    return this.change(p, id, (c, now, step) => {
      const state = step(c.state, { type: 'disconnectAll', teardown });
      return { state, result: project.toConversation(state, c.recordingState) };
    });
  }

  /** The scheduler's entry: applies the conversation's deadlines up to `upTo` (one firing); false if nothing was due. */
  async fire(orgId: string, id: string, upTo: Date): Promise<boolean> {
    let events: readonly LifecycleEvent[] = [];
    let written: CallbackConversationState | undefined;
    await this.store.updateConversation(orgId, id, (stored) => {
      const t = advance(stored.state, upTo);
      events = t.events;
      written = t.state;
      return { next: { ...stored, state: t.state }, result: true };
    });
    if (events.length === 0 || written === undefined) return false;
    await this.hooks.afterChange?.(orgId, written, events);
    return true;
  }

  /** The router's entry: offers a queued callback to an agent. */
  async offer(orgId: string, id: string, userId: string): Promise<void> {
    const agent = await this.agent(orgId, userId);
    await this.change({ orgId, clientId: 'router' }, id, (c, _now, step) => ({
      state: step(c.state, { type: 'offer', agent }),
      result: undefined,
    }));
  }

  async getRoutingStatus(p: Principal, userId: string): Promise<RoutingStatusRecord> {
    await this.getUser(p, userId);
    return (await this.store.getRoutingStatus(p.orgId, userId)) ?? { orgId: p.orgId, userId, status: 'OFF_QUEUE', startTime: new Date(0) };
  }

  /** PUT routingstatus: agents go on queue (IDLE), off queue, or clear NOT_RESPONDING. */
  async setRoutingStatus(p: Principal, userId: string, status: RoutingStatus): Promise<RoutingStatusRecord> {
    await this.getUser(p, userId);
    if (p.userId !== undefined && p.userId !== userId)
      throw new ServiceError('forbidden', 'not.authorized', 'A user may only set their own routing status.');
    const record: RoutingStatusRecord = { orgId: p.orgId, userId, status, startTime: this.clock() };
    await this.store.setRoutingStatus(record);
    await this.hooks.afterRoutingStatus?.(p.orgId, record);
    return record;
  }

  async assign(p: Principal, id: string, userId: string): Promise<void> {
    const agent = await this.agent(p.orgId, userId);
    await this.change(p, id, (c, now, step) => ({ state: step(c.state, { type: 'offer', agent }), result: undefined }));
  }

  /** PATCH .../participants/{pid}: answer, resume, disconnect, park, hold, wrap-up, skip wrap-up, as one change. */
  async patchParticipant(
    p: Principal,
    id: string,
    participantId: string,
    body: MediaParticipantRequest,
    communicationId?: string,
  ): Promise<void> {
    if (communicationId !== undefined && body.state !== 'disconnected') {
      throw new ServiceError('invalid', 'communication.state.required', "Can only update a communication's state to disconnected.");
    }
    await this.change(p, id, (c, now, step) => {
      const state = c.state;
      this.authorize(p, state, participantId);
      if (communicationId !== undefined && state.legs[participantId]?.communicationId !== communicationId) {
        throw new ServiceError('notFound', 'not.found', `Communication ${communicationId} is not participant ${participantId}'s.`);
      }
      const commands: Command[] = [];
      const status = legStatus(state, participantId);
      switch (body.state) {
        case undefined:
          break;
        case 'connected':
          if (status === 'alerting') commands.push({ type: 'answer', participantId });
          else if (status === 'parked') commands.push({ type: 'resume', participantId });
          else if (status !== 'connected') commands.push({ type: 'answer', participantId });
          break;
        case 'disconnected':
          if (status !== 'acw' && status !== 'done') commands.push({ type: 'disconnect', participantId });
          else if (body.wrapup === undefined && body.wrapupSkipped === undefined) commands.push({ type: 'disconnect', participantId });
          break;
        case 'parked':
          if (body.resumeTime === undefined) throw new ServiceError('invalid', 'invalid.value', 'Parking needs a resumeTime.');
          commands.push({ type: 'park', participantId, resumeTime: body.resumeTime });
          break;
        default:
          throw new ServiceError(
            'invalid',
            'invalid.value',
            `Value [${body.state}] is not valid for field type [state]. Allowable values are: connected, disconnected, parked.`,
          );
      }
      if (body.held === true && status !== 'held') commands.push({ type: 'hold', participantId });
      if (body.held === false && status === 'held') commands.push({ type: 'unhold', participantId });
      if (body.wrapup !== undefined) commands.push({ type: 'wrapup', participantId, wrapup: body.wrapup });
      if (body.wrapupSkipped === true) commands.push({ type: 'skipWrapup', participantId });
      return { state: commands.reduce((acc, cmd) => step(acc, cmd), state), result: undefined };
    });
  }

  async patchAttributes(
    p: Principal,
    id: string,
    participantId: string,
    attributes: Record<string, string> | undefined,
  ): Promise<Record<string, string>> {
    if (attributes === undefined)
      throw new ServiceError('invalid', 'conversation.error.participant.attribute.null', 'Participant attributes cannot be null.');
    return this.change(p, id, (c, now, step) => {
      this.authorize(p, c.state, participantId);
      const state = step(c.state, { type: 'setAttributes', participantId, attributes });
      return { state, result: findParticipant(state, participantId).attributes ?? {} };
    });
  }

  async getWrapup(
    p: Principal,
    id: string,
    participantId: string,
    provisional: boolean,
    communicationId?: string,
  ): Promise<AssignedWrapupCode> {
    const c = await this.read(p, id);
    this.authorize(p, c.state, participantId);
    if (communicationId !== undefined && c.state.legs[participantId]?.communicationId !== communicationId) {
      throw new ServiceError('notFound', 'not.found', `Communication ${communicationId} is not participant ${participantId}'s.`);
    }
    return project.assignedWrapup(c.state, participantId, provisional);
  }

  async postCommunicationWrapup(
    p: Principal,
    id: string,
    participantId: string,
    communicationId: string,
    wrapup: WrapupInput | undefined,
  ): Promise<void> {
    await this.change(p, id, (c, now, step) => {
      this.authorize(p, c.state, participantId);
      if (c.state.legs[participantId]?.communicationId !== communicationId) {
        throw new ServiceError('notFound', 'not.found', `Communication ${communicationId} is not participant ${participantId}'s.`);
      }
      return { state: step(c.state, { type: 'wrapup', participantId, wrapup: wrapup ?? {} }), result: undefined };
    });
  }

  async wrapupCodes(p: Principal, id: string, participantId: string): Promise<WrapupCode[]> {
    const c = await this.read(p, id);
    this.authorize(p, c.state, participantId);
    const ids = new Set(wrapupCodesOf(c.state, participantId).map((w) => w.id));
    return (await this.store.listWrapupCodes(p.orgId)).filter((w) => ids.has(w.id)).map(project.wrapupCode);
  }

  async replace(p: Principal, id: string, participantId: string, body: TransferRequest): Promise<void> {
    let to: { kind: 'agent'; agent: AgentRef } | { kind: 'queue'; queue: QueueSettings };
    const address = body.address;
    if (body.userId !== undefined) to = { kind: 'agent', agent: await this.agent(p.orgId, body.userId) };
    else if (body.queueId !== undefined) to = { kind: 'queue', queue: await this.queueFor(p.orgId, body.queueId) };
    else if (address !== undefined) {
      const u = await this.store.getUser(p.orgId, address);
      if (u !== undefined) to = { kind: 'agent', agent: { id: u.id, name: u.name } };
      else if ((await this.store.getQueue(p.orgId, address)) !== undefined)
        to = { kind: 'queue', queue: await this.queueFor(p.orgId, address) };
      else if (PHONE_LIKE.test(address))
        throw new ServiceError(
          'invalid',
          'bad.request',
          'Phone numbers cannot be used to replace a callback participant; give a user id or a queue id.',
        );
      else throw new ServiceError('invalid', 'conversations.error.queue.not.found', `No user or queue ${address} was found.`);
    } else throw new ServiceError('invalid', 'bad.request', 'A replace needs userId, queueId or address.');
    await this.change(p, id, (c, now, step) => {
      this.authorize(p, c.state, participantId);
      return {
        state: step(c.state, { type: 'transfer', participantId, to, ...(p.userId !== undefined ? { initiatorUserId: p.userId } : {}) }),
        result: undefined,
      };
    });
  }

  async setRecordingState(p: Principal, id: string, recordingState: RecordingState): Promise<RecordingState> {
    return this.change(p, id, (c) => {
      if (c.state.phase === 'ended')
        throw new ServiceError('invalid', 'conversation.error.participant.no.active.conversations', 'The conversation has ended.');
      return { recordingState, result: recordingState };
    });
  }

  /** POST /conversations/calls/{id}: the calling agent dials one of the callback's numbers. */
  async placeCall(p: Principal, id: string, body: CallCommand): Promise<Conversation> {
    const user = this.requireUser(p, 'not.a.user');
    return this.change(p, id, (c, now, step) => {
      const leg = c.state.participants.find((x) => x.purpose === 'agent' && x.user?.id === user.id && x.state !== 'disconnected');
      if (leg === undefined) {
        throw new ServiceError(
          'forbidden',
          'conversation.error.forbidden.not.active.participant',
          'You are not an active participant of this callback.',
        );
      }
      const state = step(c.state, { type: 'placeCall', participantId: leg.id as string, number: body.callNumber });
      return { state, result: project.toConversation(state, c.recordingState) };
    });
  }

  /** Emulator control: the customer's side of the placed voice call hangs up (the call is not modelled otherwise). */
  async endPlacedCall(p: Principal, id: string): Promise<void> {
    await this.change(p, id, (c, _now, step) => {
      const call = c.state.calls.find((x) => x.endedAt === undefined);
      if (call === undefined)
        throw new ServiceError(
          'invalid',
          'conversation.error.participant.no.active.conversations',
          'No call placed from this callback is in progress.',
        );
      return { state: step(c.state, { type: 'endCall', participantId: call.placedBy }), result: undefined };
    });
  }

  /** POST /conversations/{id}/participants/{pid}/callbacks: a new callback for that participant. */
  async callbackFromParticipant(p: Principal, id: string, participantId: string, body: CreateCallbackCommand | undefined): Promise<void> {
    const c = await this.read(p, id);
    const source = findParticipant(c.state, participantId);
    if (source.purpose === 'acd')
      throw new ServiceError('invalid', 'conversation.error.cannot.callback.acd', 'Cannot create a callback for an ACD participant.');
    const numbers = body?.callbackNumbers ?? source.callbackNumbers;
    await this.newCallback(
      p,
      {
        ...(body ?? {}),
        ...(numbers !== undefined ? { callbackNumbers: numbers } : {}),
        ...(body?.callbackUserName === undefined && source.callbackUserName !== undefined
          ? { callbackUserName: source.callbackUserName }
          : {}),
      },
      this.newId(),
      c.state.queue.id,
    );
  }

  /** The user record behind a user token (for /users/me). */
  async principalUser(p: Principal): Promise<UserRecord | undefined> {
    return p.userId === undefined ? undefined : this.store.getUser(p.orgId, p.userId);
  }
}
