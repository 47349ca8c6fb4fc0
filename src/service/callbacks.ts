// The callbacks service: the state and rules of callback conversations, in model types. It resolves ids against the
// organization's configuration, runs every change through the lifecycle engine, and commits the result with the
// routing statuses it moves in one store transaction, optimistically: a change computed from a version another writer
// has since replaced is recomputed from the new one. It throws catalogue errors and knows nothing about HTTP.
import { randomUUID } from 'node:crypto';
import { CallbackdError, ERRORS, ServiceError } from '../errors.js';
import {
  activeLegOf,
  advance,
  apply,
  conversationIndex,
  createCallback,
  legStatus,
  nextDeadline,
  participant as findParticipant,
  routingStatusChanges,
  routingSubjects,
  wrapupCodesOf,
  type CallbackConversationState,
  type Command,
  type CreateCommand,
  type LifecycleEvent,
  type TransferTarget,
} from '../lifecycle/index.js';
import { isOneOf, WireText } from '../model/core.js';
import { callbackConversationText } from '../store/state-codec.js';
import { RECORDING_STATES } from '../model/values.js';
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
  EmulatorConversation,
  MediaParticipantRequest,
  PatchCallbackRequest,
  PatchCallbackResponse,
  TransferRequest,
  WrapupCode,
  WrapupInput,
} from '../model/core.js';
import {
  VersionConflictError,
  type ConversationFilter,
  type ConversationWrite,
  type DueConversation,
  type RecordingState,
  type RoutingStatusWrite,
  type Store,
  type StoredConversation,
} from '../store/types.js';
import type { Configuration } from './configuration.js';
import { requireUser, systemPrincipal, type Principal } from './principal.js';
import { checkAccess, participantAction } from './access.js';
import { commandsFor } from './participant-request.js';
import * as views from './views.js';

const TRANSFER_TYPES = ['Attended', 'Unattended'] as const;
const PHONE_LIKE = /^\+?[0-9][0-9 ()./-]{2,24}$/;

/** Told of every committed change with the events it caused (the router and the scheduler listen here). */
export interface ChangeListener {
  (orgId: string, state: CallbackConversationState, events: readonly LifecycleEvent[]): Promise<void> | void;
}

export interface CallbackServiceOptions {
  store: Store;
  configuration: Configuration;
  /** The service's clock. */
  clock: () => Date;
  newId?: () => string;
  /** How often a change that lost a race is recomputed before the caller gets a 409 conflict (default 5). */
  conflictRetries?: number;
  /**
   * Run one conversation's changes in this process one after another (default true). Off, they race and the version
   * check settles it, as it does between processes: the tests of that path turn it off.
   */
  serializeChanges?: boolean;
}

/** What a change computes from the current conversation: the next state and recording state, and its result. */
interface Outcome<T> {
  state?: CallbackConversationState;
  recordingState?: RecordingState;
  result: T;
}
interface Computed<T> {
  write?: ConversationWrite;
  events: LifecycleEvent[];
  result: T;
}
type Step = (state: CallbackConversationState, cmd: Command) => CallbackConversationState;
/** `due` is how many time-driven transitions were applied before it (the scheduler's firings). */
type ChangeFn<T> = (current: StoredConversation, step: Step, now: Date, due: number) => Outcome<T>;

const BulkCheck = {
  owns(state: CallbackConversationState, item: { conversationId: string; callbackId: string }): void {
    if (!Object.values(state.legs).some((l) => l.communicationId === item.callbackId))
      throw new ServiceError(ERRORS.notFound, `Callback ${item.callbackId} is not in conversation ${item.conversationId}.`);
  },
};

/** A firing's change: only the deadlines; its result says whether any was due. */
const firing: ChangeFn<boolean> = (_c, _step, _now, due) => ({ result: due > 0 });

const notFound = (id: string) => new ServiceError(ERRORS.conversationNotFound, `Conversation ${id} was not found.`);

export class CallbackService {
  private readonly store: Store;
  private readonly configuration: Configuration;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly retries: number;
  /** Set once the router and the scheduler exist (they need this service first). */
  onChange: ChangeListener | undefined;

  constructor(options: CallbackServiceOptions) {
    this.store = options.store;
    this.configuration = options.configuration;
    this.clock = options.clock;
    this.newId = options.newId ?? randomUUID;
    this.retries = options.conflictRetries ?? 5;
    this.serialize = options.serializeChanges ?? true;
  }

  // ---- reading and changing conversations ----

  /** Reads a conversation, first applying the transitions its deadlines call for (lazy time). */
  private async read(p: Principal, id: string): Promise<StoredConversation> {
    const stored = await this.store.getConversation(p.orgId, id);
    if (stored === undefined) throw notFound(id);
    return this.current(p, stored);
  }

  /** The conversation as it is now: its due deadlines applied (and committed) first, if any. */
  private async current(p: Principal, stored: StoredConversation): Promise<StoredConversation> {
    const due = nextDeadline(stored.state);
    if (due === undefined || due.at.getTime() > this.clock().getTime()) return stored;
    return this.change(p.orgId, stored.state.id, (c) => ({ result: c }));
  }

  /**
   * One change to one conversation: its due deadlines (up to `upTo`, default now) are applied first, then `fn`; the
   * result and the routing statuses its events move are committed together. What `fn` throws commits nothing.
   */
  /** The change of each conversation under way in this process: the next one waits for it (see change). */
  private readonly changing = new Map<string, Promise<unknown>>();
  private readonly serialize: boolean;

  /**
   * Changes of one conversation made in this process run one after another, so they never race each other: with a
   * store whose commits take a round trip (PostgreSQL), racing changes would mostly lose to one another and run out
   * of retries. Races with other processes are still settled by the version check and a retry.
   */
  private async change<T>(orgId: string, id: string, fn: ChangeFn<T>, upTo?: Date): Promise<T> {
    if (!this.serialize) return this.changeNow(orgId, id, fn, upTo);
    const before = this.changing.get(id);
    const run = before === undefined ? this.changeNow(orgId, id, fn, upTo) : before.then(() => this.changeNow(orgId, id, fn, upTo));
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.changing.set(id, done);
    void done.then(() => {
      if (this.changing.get(id) === done) this.changing.delete(id);
    });
    return run;
  }

  private async changeNow<T>(orgId: string, id: string, fn: ChangeFn<T>, upTo?: Date): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const stored = await this.store.getConversation(orgId, id);
      if (stored === undefined) throw notFound(id);
      const c = await this.compute(orgId, stored, fn, upTo);
      if (c.write === undefined) return c.result;
      try {
        await this.store.commitConversation(c.write);
      } catch (e) {
        if (!(e instanceof VersionConflictError)) throw e;
        if (attempt < this.retries) continue;
        throw new ServiceError(ERRORS.conflict, `Conversation ${id} was changed concurrently; try again.`);
      }
      if (c.events.length > 0) await this.onChange?.(orgId, c.write.state, c.events);
      return c.result;
    }
  }

  /** What a change makes of the stored conversation: the write to commit (none when nothing changed), its events. */
  private async compute<T>(orgId: string, stored: StoredConversation, fn: ChangeFn<T>, upTo?: Date): Promise<Computed<T>> {
    const now = this.clock();
    const advanced = advance(stored.state, upTo ?? now);
    const events = [...advanced.events];
    const step: Step = (state, cmd) => {
      const t = apply(state, cmd, now);
      events.push(...t.events);
      return t.state;
    };
    const current = { ...stored, state: advanced.state };
    const out = fn(current, step, now, advanced.rows.length);
    let state = out.state ?? current.state;
    const recordingState = out.recordingState ?? current.recordingState;
    if (state === stored.state && recordingState === stored.recordingState) return { result: out.result, events: [] };
    // Every committed change advances the version, a recording-state change too.
    if (state.version === stored.state.version) state = { ...state, version: state.version + 1 };
    const write: ConversationWrite = {
      orgId,
      state,
      recordingState,
      events: recordingState === stored.recordingState ? events : [...events, { type: 'recordingState', at: now, recordingState }],
      index: conversationIndex(state),
      expectedVersion: stored.state.version,
      routing: await this.routingWrites(orgId, events, now),
    };
    return { write, events, result: out.result };
  }

  /** The routing statuses a change's events move (routing-status table), as writes checked against what was read. */
  private async routingWrites(orgId: string, events: readonly LifecycleEvent[], now: Date): Promise<RoutingStatusWrite[]> {
    const users = routingSubjects(events);
    if (users.length === 0) return [];
    const current = new Map(
      (await Promise.all(users.map((u) => this.store.getRoutingStatus(orgId, u)))).flatMap((r) =>
        r ? [[r.userId, r.status] as const] : [],
      ),
    );
    return [...routingStatusChanges(current, events)].map(([userId, status]) => ({
      from: current.get(userId) as RoutingStatusWrite['from'],
      to: { orgId, userId, status, startTime: now },
    }));
  }

  /** Who may act on a participant: by the access table (access.ts), after the participant is known (else 404). */
  private authorize(p: Principal, state: CallbackConversationState, participantId: string, read = false): void {
    findParticipant(state, participantId);
    checkAccess(p, state, participantAction(p, state, participantId, read));
  }

  private static communicationOf(state: CallbackConversationState, participantId: string, communicationId: string | undefined): void {
    if (communicationId !== undefined && state.legs[participantId]?.communicationId !== communicationId) {
      throw new ServiceError(ERRORS.notFound, `Communication ${communicationId} is not participant ${participantId}'s.`);
    }
  }

  // ---- creating ----

  async createCallback(p: Principal, body: CreateCallbackCommand): Promise<CreateCallbackResponse> {
    return this.identifiers(await this.newCallback(p, body));
  }

  private async newCallback(p: Principal, body: CreateCallbackCommand, fallbackQueue?: string): Promise<CallbackConversationState> {
    const numbers = body.callbackNumbers ?? [];
    if (numbers.length === 0) throw new ServiceError(ERRORS.missingNumbers, 'Callback numbers missing.');
    if (body.validateCallbackNumbers === true) {
      const bad = numbers.findIndex((n) => !PHONE_LIKE.test(n));
      if (bad >= 0)
        throw new ServiceError(
          ERRORS.invalidValue,
          `Value [${numbers[bad]}] is not valid for field type [phone number]: callbackNumbers/${bad}.`,
          [{ field: `/callbackNumbers/${bad}`, code: ERRORS.invalidValue.code, message: 'not a phone number' }],
        );
    }
    const queueId = body.queueId ?? body.routingData?.queueId ?? fallbackQueue;
    if (queueId === undefined) throw new ServiceError(ERRORS.missingQueue, 'Callback missing queue ID.');
    const queue = await this.configuration.queueFor(p.orgId, queueId);
    const rd = body.routingData;
    if (rd?.routingFlags?.includes('AGENT_OWNED_CALLBACK') === true && body.callbackScheduledTime !== undefined) {
      await this.configuration.checkOwnedSchedule(p.orgId, queueId, body.callbackScheduledTime);
    }
    const preferred = [
      ...(rd?.preferredAgentIds ?? []),
      ...(rd?.scoredAgents ?? []).flatMap((s) => (s.agent?.id !== undefined ? [s.agent.id] : [])),
    ];
    const cmd: CreateCommand = {
      type: 'create',
      conversationId: this.newId(),
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
    const { state, events } = createCallback(cmd, this.clock());
    await this.store.commitConversation({ orgId: p.orgId, state, recordingState: 'NONE', index: conversationIndex(state), events });
    await this.onChange?.(p.orgId, state, events);
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

  /** POST /conversations/{id}/participants/{pid}/callbacks: a new callback for that participant. */
  async callbackFromParticipant(p: Principal, id: string, participantId: string, body: CreateCallbackCommand | undefined): Promise<void> {
    const c = await this.read(p, id);
    this.authorize(p, c.state, participantId);
    const source = findParticipant(c.state, participantId);
    if (source.purpose === 'acd') throw new ServiceError(ERRORS.cannotCallbackAcd, 'Cannot create a callback for an ACD participant.');
    const numbers = body?.callbackNumbers ?? source.callbackNumbers;
    const userName = body?.callbackUserName ?? source.callbackUserName;
    await this.newCallback(
      p,
      {
        ...(body ?? {}),
        ...(numbers !== undefined ? { callbackNumbers: numbers } : {}),
        ...(userName !== undefined ? { callbackUserName: userName } : {}),
      },
      c.state.queue.id,
    );
  }

  // ---- scheduled callbacks ----

  async patchCallback(p: Principal, body: PatchCallbackRequest): Promise<PatchCallbackResponse> {
    const queue = body.queueId !== undefined ? await this.configuration.queueFor(p.orgId, body.queueId) : undefined;
    if (body.agentId !== undefined) await this.configuration.agent(p.orgId, body.agentId);
    return this.change(p.orgId, body.conversationId, (c, step) => {
      checkAccess(p, c.state, 'update');
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
        if (!(e instanceof CallbackdError)) throw e;
        results.push({ error: { code: e.code, message: e.message } });
        errorIndexes.push(i);
      }
    }
    return { results, errorCount: errorIndexes.length, errorIndexes };
  }

  /**
   * Bulk disconnect is all or nothing as far as it can be checked: every pair must name a callback of a
   * conversation of the organization before any is disconnected (404 naming the first that does not, and nothing
   * changed). The response has no body (202), so there are no per-item results to report failures in.
   */
  async bulkDisconnect(p: Principal, body: BulkCallbackDisconnectRequest): Promise<void> {
    const items = body.callbackDisconnectIdentifiers;
    for (const item of items) {
      const stored = await this.store.getConversation(p.orgId, item.conversationId);
      if (stored === undefined) throw notFound(item.conversationId);
      BulkCheck.owns(stored.state, item);
      checkAccess(p, stored.state, 'end');
    }
    for (const item of items) {
      await this.change(p.orgId, item.conversationId, (c, step) => {
        BulkCheck.owns(c.state, item);
        checkAccess(p, c.state, 'end');
        if (c.state.phase === 'ended') return { result: undefined };
        return { state: step(c.state, { type: 'disconnectAll' }), result: undefined };
      });
    }
  }

  // ---- reading ----

  async getCallback(p: Principal, id: string): Promise<CallbackConversation> {
    return views.callbackConversation((await this.read(p, id)).state);
  }

  /** getCallback for a reader that only sends it on: possibly its wire text, made without decoding what is stored. */
  async getCallbackText(p: Principal, id: string): Promise<CallbackConversation | WireText<'CallbackConversation'>> {
    const peeked = await this.store.peekConversation(p.orgId, id);
    if (peeked === undefined) throw notFound(id);
    if ('state' in peeked) return views.callbackConversation((await this.current(p, peeked)).state);
    // Not decoded in this process (an old conversation, read at random): served from its stored text when nothing
    // is due, the participants as they were written. Due deadlines are applied first, on the decoded state.
    const text =
      peeked.nextDeadline === null || peeked.nextDeadline > this.clock().getTime() ? callbackConversationText(id, peeked.text) : undefined;
    return text !== undefined ? new WireText('CallbackConversation', text) : views.callbackConversation((await this.read(p, id)).state);
  }

  async getConversation(p: Principal, id: string): Promise<Conversation> {
    const c = await this.read(p, id);
    return views.toConversation(c.state, c.recordingState);
  }

  async listMyCallbacks(p: Principal): Promise<CallbackConversation[]> {
    const user = requireUser(p);
    const now = this.clock();
    const rows = await this.store.listActiveConversationsForUser(p.orgId, user);
    return rows.map((c) => views.callbackConversation(advance(c.state, now).state));
  }

  /** GET /emulator/conversations: a page of the organization's conversations in brief, newest first. */
  async listSummaries(
    p: Principal,
    filter: ConversationFilter,
    page: { pageSize: number; pageNumber: number },
  ): Promise<{ entities: EmulatorConversation[]; pageSize: number; pageNumber: number; total: number }> {
    const now = this.clock();
    const { items, total } = await this.store.listConversations(p.orgId, filter, {
      offset: (page.pageNumber - 1) * page.pageSize,
      limit: page.pageSize,
    });
    return { entities: items.map((c) => views.conversationSummary(advance(c.state, now).state)), ...page, total };
  }

  // ---- whole conversations ----

  /** PATCH /callbacks/{id}, DELETE /conversations/{id}, POST /conversations/{id}/disconnect (teardown). */
  async disconnectConversation(p: Principal, id: string, teardown = false): Promise<Conversation> {
    return this.change(p.orgId, id, (c, step) => {
      checkAccess(p, c.state, 'end');
      const state = step(c.state, { type: 'disconnectAll', teardown });
      return { state, result: views.toConversation(state, c.recordingState) };
    });
  }

  /** PATCH /callbacks/{id}: only `state: disconnected` can be set on a conversation (docs/reference/api.md §1.2 row 7). */
  async patchConversation(p: Principal, id: string, body: Conversation): Promise<Conversation> {
    if (body.state !== 'disconnected')
      throw new ServiceError(
        ERRORS.invalidValue,
        `Value [${body.state ?? 'null'}] is not valid for field type [state]: only disconnected can be set on a conversation.`,
        [{ field: '/state', code: ERRORS.invalidValue.code, message: 'only disconnected' }],
      );
    return this.disconnectConversation(p, id);
  }

  async setRecordingState(p: Principal, id: string, requested: string | undefined): Promise<RecordingState> {
    if (requested === undefined || !isOneOf(RECORDING_STATES, requested))
      throw new ServiceError(ERRORS.invalidValue, 'recordingState is required.', [
        { field: '/recordingState', code: ERRORS.invalidValue.code, message: `one of ${RECORDING_STATES.join(', ')}` },
      ]);
    const recordingState = requested;
    return this.change(p.orgId, id, (c) => {
      checkAccess(p, c.state, 'recording');
      if (c.state.phase === 'ended') throw new ServiceError(ERRORS.noActiveConversations, 'The conversation has ended.');
      return { recordingState, result: recordingState };
    });
  }

  /** The scheduler's entry: applies the conversation's deadlines up to `upTo`; false when none was due. */
  async fire(orgId: string, id: string, upTo: Date): Promise<boolean> {
    return this.change(orgId, id, firing, upTo);
  }

  /**
   * The scheduler's batch: the conversations due at `now` (up to `limit`, none in `skip`) claimed by the store, each
   * advanced to its own deadline, all committed in one transaction (each change alone in a savepoint). A change that
   * lost a race stays due for the next batch; one that cannot be computed or written is reported in `failed` and the
   * others go on.
   */
  async fireDue(
    now: Date,
    limit: number,
    skip: ReadonlySet<string>,
  ): Promise<{ due: DueConversation[]; fired: number; failed: { id: string; error: unknown }[] }> {
    const failed: { id: string; error: unknown }[] = [];
    const computed: { d: DueConversation; c: Computed<boolean> & { write: ConversationWrite } }[] = [];
    const { due, results } = await this.store.fireDue(now, limit, skip, async (claimed) => {
      for (const d of claimed) {
        try {
          const stored = d.conversation ?? (await this.store.getConversation(d.orgId, d.id));
          if (stored === undefined) continue;
          const c = await this.compute(d.orgId, stored, firing, d.at);
          if (c.write !== undefined) computed.push({ d, c: { ...c, write: c.write } });
        } catch (error) {
          failed.push({ id: d.id, error });
        }
      }
      return computed.map((x) => x.c.write);
    });
    let fired = 0;
    for (const [i, { d, c }] of computed.entries()) {
      const r = results[i];
      if (r?.ok === true) {
        if (c.result) fired++;
        if (c.events.length > 0) await this.onChange?.(d.orgId, c.write.state, c.events);
      } else if (r?.conflict !== true) failed.push({ id: d.id, error: r?.error });
      // A change that lost a race is not committed: its deadline is still due, and the next batch fires it.
    }
    return { due, fired, failed };
  }

  /** The router's entry: offers a queued callback to an agent. */
  async offer(orgId: string, id: string, userId: string): Promise<void> {
    await this.assign(systemPrincipal(orgId), id, userId);
  }

  async assign(p: Principal, id: string, userId: string): Promise<void> {
    const agent = await this.configuration.agent(p.orgId, userId);
    await this.change(p.orgId, id, (c, step) => {
      checkAccess(p, c.state, 'assign');
      return { state: step(c.state, { type: 'offer', agent }), result: undefined };
    });
  }

  // ---- participants ----

  /** PATCH .../participants/{pid} (and .../communications/{cid}): answer, resume, disconnect, park, hold, wrap-up as one change. */
  async patchParticipant(
    p: Principal,
    id: string,
    participantId: string,
    body: MediaParticipantRequest,
    communicationId?: string,
  ): Promise<void> {
    if (communicationId !== undefined && body.state !== 'disconnected') {
      throw new ServiceError(ERRORS.communicationStateRequired, "Can only update a communication's state to disconnected.");
    }
    await this.change(p.orgId, id, (c, step) => {
      this.authorize(p, c.state, participantId);
      CallbackService.communicationOf(c.state, participantId, communicationId);
      const commands = commandsFor(body, participantId, legStatus(c.state, participantId));
      return { state: commands.reduce((acc, cmd) => step(acc, cmd), c.state), result: undefined };
    });
  }

  async patchAttributes(
    p: Principal,
    id: string,
    participantId: string,
    attributes: Record<string, string> | undefined,
  ): Promise<Record<string, string>> {
    if (attributes === undefined) throw new ServiceError(ERRORS.attributeNull, 'Participant attributes cannot be null.');
    return this.change(p.orgId, id, (c, step) => {
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
    this.authorize(p, c.state, participantId, true);
    CallbackService.communicationOf(c.state, participantId, communicationId);
    return views.assignedWrapup(c.state, participantId, provisional);
  }

  async postCommunicationWrapup(
    p: Principal,
    id: string,
    participantId: string,
    communicationId: string,
    wrapup: WrapupInput | undefined,
  ): Promise<void> {
    await this.change(p.orgId, id, (c, step) => {
      this.authorize(p, c.state, participantId);
      CallbackService.communicationOf(c.state, participantId, communicationId);
      return { state: step(c.state, { type: 'wrapup', participantId, wrapup: wrapup ?? {} }), result: undefined };
    });
  }

  async wrapupCodes(p: Principal, id: string, participantId: string): Promise<WrapupCode[]> {
    const c = await this.read(p, id);
    this.authorize(p, c.state, participantId, true);
    const ids = new Set(wrapupCodesOf(c.state, participantId).map((w) => w.id));
    return (await this.configuration.wrapupCodeRecords(p.orgId)).filter((w) => ids.has(w.id)).map(views.wrapupCode);
  }

  async replace(p: Principal, id: string, participantId: string, body: TransferRequest): Promise<void> {
    const to = await this.transferTarget(p.orgId, body);
    await this.change(p.orgId, id, (c, step) => {
      this.authorize(p, c.state, participantId);
      const cmd: Command = {
        type: 'transfer',
        participantId,
        to,
        ...(p.userId !== undefined ? { initiatorUserId: p.userId } : {}),
        ...(body.transferType !== undefined && isOneOf(TRANSFER_TYPES, body.transferType) ? { transferType: body.transferType } : {}),
      };
      return { state: step(c.state, cmd), result: undefined };
    });
  }

  /** The current transfer routes (.../replace/agent, .../replace/queue, .../transfer): a replace with the one field each needs. */
  async transferTo(
    p: Principal,
    id: string,
    participantId: string,
    field: 'userId' | 'queueId' | 'address',
    value: string | undefined,
    transferType: string | undefined,
  ): Promise<void> {
    if (value === undefined || value === '')
      throw new ServiceError(ERRORS.invalidValue, `${field} is required.`, [
        {
          field: `/${field}`,
          code: ERRORS.invalidValue.code,
          message: `expected a ${field === 'address' ? 'user or queue id' : 'id'}, got nothing`,
        },
      ]);
    await this.replace(p, id, participantId, { [field]: value, ...(transferType !== undefined ? { transferType } : {}) });
  }

  /**
   * Transfers a callback cannot make (to an external address or contact): refused, naming the field, once the
   * conversation and the caller's right to act on the participant are checked (404 and 403 come first).
   */
  async refuseExternalTransfer(p: Principal, id: string, participantId: string, field: string, what: string): Promise<never> {
    const stored = await this.read(p, id);
    this.authorize(p, stored.state, participantId);
    throw new ServiceError(ERRORS.badRequest, `A callback cannot be transferred to ${what}; transfer it to a user or a queue.`, [
      { field, code: ERRORS.badRequest.code, message: `a callback goes to a user or a queue, not to ${what}` },
    ]);
  }

  /** GET /api/v2/conversations: the calling user's conversations going on (callbacks only, here). */
  async listActive(p: Principal, communicationType: string | undefined): Promise<Conversation[]> {
    const user = requireUser(p);
    if (communicationType !== undefined && communicationType.toLowerCase() !== 'callback') return [];
    const active = await this.store.listActiveConversationsForUser(p.orgId, user);
    return active.map((c) => views.toConversation(c.state, c.recordingState));
  }

  private async transferTarget(orgId: string, body: TransferRequest): Promise<TransferTarget> {
    if (body.userId !== undefined) return { kind: 'agent', agent: await this.configuration.agent(orgId, body.userId) };
    if (body.queueId !== undefined) return { kind: 'queue', queue: await this.configuration.queueFor(orgId, body.queueId) };
    const address = body.address;
    if (address === undefined) throw new ServiceError(ERRORS.badRequest, 'A replace needs userId, queueId or address.');
    const target = await this.configuration.userOrQueue(orgId, address);
    if (target !== undefined) return target;
    if (PHONE_LIKE.test(address))
      throw new ServiceError(
        ERRORS.badRequest,
        'Phone numbers cannot be used to replace a callback participant; give a user id or a queue id.',
      );
    throw new ServiceError(ERRORS.queueNotFound, `No user or queue ${address} was found.`);
  }

  /** POST /conversations/calls/{id}: the calling agent dials one of the callback's numbers. */
  async placeCall(p: Principal, id: string, body: CallCommand): Promise<Conversation> {
    const user = requireUser(p, ERRORS.notAUser);
    return this.change(p.orgId, id, (c, step) => {
      const leg = activeLegOf(c.state, user);
      if (leg === undefined) {
        throw new ServiceError(ERRORS.notActiveParticipant, 'You are not an active participant of this callback.');
      }
      const state = step(c.state, { type: 'placeCall', participantId: leg.id as string, number: body.callNumber });
      return { state, result: views.toConversation(state, c.recordingState) };
    });
  }

  /** Emulator control: the customer's side of the placed voice call hangs up (the call is not modelled otherwise). */
  async endPlacedCall(p: Principal, id: string): Promise<void> {
    await this.change(p.orgId, id, (c, step) => {
      const call = c.state.calls.find((x) => x.endedAt === undefined);
      if (call === undefined) throw new ServiceError(ERRORS.noActiveConversations, 'No call placed from this callback is in progress.');
      return { state: step(c.state, { type: 'endCall', participantId: call.placedBy }), result: undefined };
    });
  }
}
