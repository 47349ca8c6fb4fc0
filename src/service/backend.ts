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
  CreateCallbackCommand,
  CreateCallbackResponse,
  MediaParticipantRequest,
  PatchCallbackRequest,
  PatchCallbackResponse,
  TransferRequest,
  WrapupCode,
  WrapupInput,
} from '../model/index.js';
import { type RecordingState, type Store, type StoredConversation } from '../store/types.js';
import { requireUser, ServiceError, type BackendHooks, type Principal } from './common.js';
import { Configuration } from './configuration.js';
import * as project from './project.js';

export { ServiceError, type BackendHooks, type Principal } from './common.js';

const PHONE_LIKE = /^\+?[0-9][0-9 ()./-]{2,24}$/;

/** Applies one lifecycle command inside a change, recording its events. */
type Step = (state: CallbackConversationState, cmd: Command) => CallbackConversationState;

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
  /** Queues, users, wrap-up codes and routing statuses of each organization. */
  readonly configuration: Configuration;

  constructor(options: BackendOptions) {
    this.store = options.store;
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.configuration = new Configuration(this.store, this.clock, this.newId, () => this.hooks);
  }

  now(): Date {
    return this.clock();
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
    const queue = await this.configuration.queueFor(p.orgId, queueId);
    const rd = body.routingData;
    if (rd?.routingFlags?.includes('AGENT_OWNED_CALLBACK') === true && body.callbackScheduledTime !== undefined) {
      // Agent-owned callbacks may only be scheduled as far ahead as the queue allows (R-CRT-1).
      const owned = (await this.store.getQueue(p.orgId, queueId))?.agentOwnedRouting;
      if (
        owned?.enableAgentOwnedCallbacks === true &&
        body.callbackScheduledTime.getTime() - this.clock().getTime() > owned.maxOwnedCallbackDelayHours * 3600_000
      ) {
        throw new ServiceError(
          'invalid',
          'callback.error.scheduled.time.too.far.in.future',
          `An agent-owned callback may be scheduled at most ${owned.maxOwnedCallbackDelayHours} hours ahead on this queue.`,
        );
      }
    }
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
    const queue = body.queueId !== undefined ? await this.configuration.queueFor(p.orgId, body.queueId) : undefined;
    if (body.agentId !== undefined) await this.configuration.agent(p.orgId, body.agentId);
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
    const user = requireUser(p, 'bad.request');
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
    const agent = await this.configuration.agent(orgId, userId);
    await this.change({ orgId, clientId: 'router' }, id, (c, _now, step) => ({
      state: step(c.state, { type: 'offer', agent }),
      result: undefined,
    }));
  }

  async assign(p: Principal, id: string, userId: string): Promise<void> {
    const agent = await this.configuration.agent(p.orgId, userId);
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
    if (body.userId !== undefined) to = { kind: 'agent', agent: await this.configuration.agent(p.orgId, body.userId) };
    else if (body.queueId !== undefined) to = { kind: 'queue', queue: await this.configuration.queueFor(p.orgId, body.queueId) };
    else if (address !== undefined) {
      const u = await this.store.getUser(p.orgId, address);
      if (u !== undefined) to = { kind: 'agent', agent: { id: u.id, name: u.name } };
      else if ((await this.store.getQueue(p.orgId, address)) !== undefined)
        to = { kind: 'queue', queue: await this.configuration.queueFor(p.orgId, address) };
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
    const user = requireUser(p, 'not.a.user');
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
}
