// Configuration of an organization over the API: queues and their members and wrap-up codes, users and their
// routing status. The callbacks service resolves ids through it.
import { randomUUID } from 'node:crypto';
import { ERRORS, ServiceError } from '../errors.js';
import { TIMED_PROMPTS, type AgentRef, type QueueSettings, type TransferTarget } from '../lifecycle/index.js';
import {
  isOneOf,
  type CreateQueueRequest,
  type CreateUser,
  type Queue,
  type QueueMember,
  type QueueRequest,
  type User,
  type UserQueue,
  type WrapupCode,
  type WrapupCodeRequest,
} from '../model/core.js';
import { ACW_PROMPT_VALUES, ROUTING_STATUS_VALUES } from '../model/values.js';
import type { QueueRecord, RoutingStatusRecord, Store, UserRecord, WrapupCodeRecord } from '../store/types.js';
import { requireUser, type Principal } from './principal.js';
import * as project from './views.js';
import { hashSecret } from './secrets.js';

const notFound = (what: string, id: string): ServiceError => new ServiceError(ERRORS.notFound, `${what} ${id} was not found.`);

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
  return {
    id: q.id,
    name: q.name,
    alertingTimeoutMs: q.callback.alertingTimeoutSeconds * 1000,
    autoAnswer: q.callback.enableAutoAnswer,
    ...(q.callback.enableAutoDialAndEnd
      ? { autoDialAndEnd: { dialDelaySeconds: q.callback.autoDialDelaySeconds, endDelaySeconds: q.callback.autoEndDelaySeconds } }
      : {}),
    wrapupPrompt: prompt,
    ...(TIMED_PROMPTS.has(prompt) && q.acw.timeoutMs !== undefined ? { wrapupTimeoutMs: q.acw.timeoutMs } : {}),
    wrapupCodes: codes.filter((c) => q.wrapupCodeIds.includes(c.id)).map((c) => ({ id: c.id, name: c.name })),
  };
}

/** The settings of a queue that a seed file or an API request leaves out. */
export const QUEUE_DEFAULTS: Pick<QueueRecord, 'callback' | 'acw' | 'agentOwnedRouting'> = {
  callback: {
    alertingTimeoutSeconds: 30,
    enableAutoAnswer: false,
    enableAutoDialAndEnd: false,
    autoDialDelaySeconds: 300,
    autoEndDelaySeconds: 300,
    mode: 'AgentFirst',
  },
  acw: { wrapupPrompt: 'OPTIONAL' },
  agentOwnedRouting: { enableAgentOwnedCallbacks: false, maxOwnedCallbackHours: 24, maxOwnedCallbackDelayHours: 168 },
};

export class Configuration {
  /** Told when who may take which callbacks changed (a routing status, queue membership): time to route again. */
  onRoutingChange: ((orgId: string) => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
    private readonly newId: () => string = randomUUID,
  ) {}

  async queueFor(orgId: string, queueId: string): Promise<QueueSettings> {
    const q = await this.store.getQueue(orgId, queueId);
    if (q === undefined) throw new ServiceError(ERRORS.queueNotFound, `Queue ${queueId} was not found.`);
    return queueSettings(q, await this.store.listWrapupCodes(orgId));
  }

  async agent(orgId: string, userId: string): Promise<AgentRef> {
    const u = await this.store.getUser(orgId, userId);
    if (u === undefined) throw new ServiceError(ERRORS.invalidValue, `User ${userId} was not found in this organization.`);
    return { id: u.id, name: u.name };
  }

  /** A transfer address: a user id or a queue id of the organization. */
  async userOrQueue(orgId: string, address: string): Promise<TransferTarget | undefined> {
    const u = await this.store.getUser(orgId, address);
    if (u !== undefined) return { kind: 'agent', agent: { id: u.id, name: u.name } };
    if ((await this.store.getQueue(orgId, address)) !== undefined) return { kind: 'queue', queue: await this.queueFor(orgId, address) };
    return undefined;
  }

  async wrapupCodeRecords(orgId: string): Promise<WrapupCodeRecord[]> {
    return this.store.listWrapupCodes(orgId);
  }

  /** Agent-owned callbacks may only be scheduled as far ahead as their queue allows (R-CRT-1). */
  async checkOwnedSchedule(orgId: string, queueId: string, when: Date): Promise<void> {
    const owned = (await this.store.getQueue(orgId, queueId))?.agentOwnedRouting;
    if (
      owned?.enableAgentOwnedCallbacks === true &&
      when.getTime() - this.clock().getTime() > owned.maxOwnedCallbackDelayHours * 3600_000
    ) {
      throw new ServiceError(
        ERRORS.tooFarInFuture,
        `An agent-owned callback may be scheduled at most ${owned.maxOwnedCallbackDelayHours} hours ahead on this queue.`,
      );
    }
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
    return this.getUser(p, requireUser(p));
  }

  /** The queues a user is a member of (callbackd members have always joined: `joined=false` finds none). */
  async userQueues(p: Principal, userId: string, joined?: boolean): Promise<UserQueue[]> {
    await this.getUser(p, userId);
    if (joined === false) return [];
    return (await this.store.listQueues(p.orgId)).filter((q) => q.memberIds.includes(userId)).map(project.userQueue);
  }

  private queueRecord(orgId: string, id: string, body: CreateQueueRequest, existing?: QueueRecord): QueueRecord {
    const cb = body.mediaSettings?.callback ?? {};
    const base = existing?.callback ?? QUEUE_DEFAULTS.callback;
    // Ranges (0-1200 s delays, the alerting timeout, ACW timeout, ownership hours) are the schema's: decoding refused them.
    // Request bodies are decoded strictly, so an enum here is one of its known values.
    const mode: QueueRecord['callback']['mode'] =
      cb.mode === undefined ? base.mode : cb.mode === 'CustomerFirst' ? 'CustomerFirst' : 'AgentFirst';
    const prompt = body.acwSettings?.wrapupPrompt ?? existing?.acw.wrapupPrompt ?? QUEUE_DEFAULTS.acw.wrapupPrompt;
    if (!isOneOf(ACW_PROMPT_VALUES, prompt)) throw new ServiceError(ERRORS.invalidValue, `Unknown acwSettings.wrapupPrompt ${prompt}.`);
    const timeoutMs = body.acwSettings?.timeoutMs ?? existing?.acw.timeoutMs;
    const owned = existing?.agentOwnedRouting ?? QUEUE_DEFAULTS.agentOwnedRouting;
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
        enableAgentOwnedCallbacks: body.agentOwnedRouting?.enableAgentOwnedCallbacks ?? owned.enableAgentOwnedCallbacks,
        maxOwnedCallbackHours: body.agentOwnedRouting?.maxOwnedCallbackHours ?? owned.maxOwnedCallbackHours,
        maxOwnedCallbackDelayHours: body.agentOwnedRouting?.maxOwnedCallbackDelayHours ?? owned.maxOwnedCallbackDelayHours,
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
    this.onRoutingChange?.(p.orgId);
  }

  async createUser(p: Principal, body: CreateUser): Promise<User> {
    if ((await this.store.findUserByUsername(p.orgId, body.email)) !== undefined) {
      throw new ServiceError(ERRORS.generalConflict, `A user with email ${body.email} already exists.`);
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
      throw new ServiceError(ERRORS.generalConflict, `A wrap-up code named ${body.name} already exists.`);
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
      if (!codes.some((c) => c.id === id)) throw new ServiceError(ERRORS.invalidValue, `Wrap-up code ${id} does not exist.`);
    await this.store.putQueue({ ...q, wrapupCodeIds: [...new Set([...q.wrapupCodeIds, ...ids])] });
    return codes.filter((c) => ids.includes(c.id)).map(project.wrapupCode);
  }

  async getRoutingStatus(p: Principal, userId: string): Promise<RoutingStatusRecord> {
    await this.getUser(p, userId);
    return (await this.store.getRoutingStatus(p.orgId, userId)) ?? { orgId: p.orgId, userId, status: 'OFF_QUEUE', startTime: new Date(0) };
  }

  /** PUT routingstatus: agents go on queue (IDLE), off queue, or clear NOT_RESPONDING. */
  async setRoutingStatus(p: Principal, userId: string, status: string | undefined): Promise<RoutingStatusRecord> {
    if (status === undefined || !isOneOf(ROUTING_STATUS_VALUES, status))
      throw new ServiceError(ERRORS.invalidValue, 'status is required.', [
        { field: '/status', code: ERRORS.invalidValue.code, message: `one of ${ROUTING_STATUS_VALUES.join(', ')}` },
      ]);
    await this.getUser(p, userId);
    if (p.userId !== undefined && p.userId !== userId)
      throw new ServiceError(ERRORS.notAuthorized, 'A user may only set their own routing status.');
    const record: RoutingStatusRecord = { orgId: p.orgId, userId, status, startTime: this.clock() };
    await this.store.setRoutingStatus(record);
    this.onRoutingChange?.(p.orgId);
    return record;
  }
}
