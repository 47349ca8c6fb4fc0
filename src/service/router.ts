// The ACD: offers queued callbacks to idle, on-queue members of their queue — highest priority first, then the
// longest waiting; among agents the longest idle. Agents' routing statuses move with the lifecycle's events in the
// same transaction as the change (callbacks.ts, routing-status table); the router only decides who gets what.
import { CallbackdError } from '../errors.js';
import type { LifecycleEvent } from '../lifecycle/index.js';
import type { QueuedCallback, Store } from '../store/types.js';
import type { CallbackService } from './callbacks.js';
import type { Clock } from './clock.js';

const ROUTING_EVENTS: ReadonlySet<string> = new Set(['queued', 'agentReleased', 'notResponding', 'declined', 'ended']);

export class Router {
  private readonly passes = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly dirty = new Set<string>();
  private ownershipTimer: (() => void) | undefined;
  private ownershipAt: number | undefined;
  /** Told of an unexpected failure of a routing pass (the pass is dropped; the next kick tries again). */
  onError: (error: unknown, orgId: string) => void = () => undefined;

  constructor(
    private readonly store: Store,
    private readonly callbacks: CallbackService,
    private readonly clock: Clock,
  ) {}

  /**
   * Organizations whose last pass found no free agent, with nothing since that could free one: a callback queued
   * there waits without a pass (a create would otherwise cost a read of the agents). Any other kick forgets it.
   */
  private readonly noneIdle = new Set<string>();

  /** Routes the organization again after events that free an agent or queue a callback. */
  onEvents(orgId: string, events: readonly Pick<LifecycleEvent, 'type'>[]): void {
    if (!events.some((e) => ROUTING_EVENTS.has(e.type))) return;
    if (this.noneIdle.has(orgId) && events.every((e) => e.type === 'queued' || !ROUTING_EVENTS.has(e.type))) return;
    this.kick(orgId);
  }

  /**
   * Another process's change (a shared store): routes again as for this process's own, and on any routing status it
   * set (an agent it made idle is routed by it too; this one may hold callbacks it does not know of yet).
   */
  onCommittedElsewhere(orgId: string, types: readonly string[]): void {
    if (types.includes('routingStatus')) this.kick(orgId);
    else
      this.onEvents(
        orgId,
        types.map((type) => ({ type }) as Pick<LifecycleEvent, 'type'>),
      );
  }

  /** Asks for a routing pass of the organization; passes of one organization never overlap. */
  kick(orgId: string): void {
    this.noneIdle.delete(orgId);
    if (this.passes.has(orgId)) {
      this.dirty.add(orgId);
      return;
    }
    const run = (async () => {
      do {
        this.dirty.delete(orgId);
        await this.route(orgId);
      } while (this.dirty.has(orgId));
    })()
      .catch((e: unknown) => this.onError(e, orgId))
      .finally(() => {
        this.passes.delete(orgId);
        // A kick that came after the last check of `dirty` but before this point found the pass still there: run it.
        if (this.dirty.has(orgId)) this.kick(orgId);
      });
    this.passes.set(orgId, run);
  }

  /** Resolves once no routing pass is running or asked for. */
  async settle(): Promise<void> {
    while (this.passes.size > 0) await Promise.all([...this.passes.values()]);
  }

  async kickAll(): Promise<void> {
    for (const org of await this.store.listOrganizations()) this.kick(org.id);
    await this.settle();
  }

  /** Routes until nothing more can be offered now (each round offers at least one callback, or it is the last). */
  private async route(orgId: string): Promise<void> {
    // Nothing to decide without a free agent: asked without the organization's routing lock (on a shared store that
    // lock costs a connection and two round trips; the round asks again under it).
    if ((await this.store.idleAgents(orgId)).length === 0) {
      // Unless a kick came meanwhile (it forgot what this read; its pass reads again).
      if (!this.dirty.has(orgId)) this.noneIdle.add(orgId);
      return;
    }
    const routed = await this.store.routeExclusively(orgId, async () => {
      while (await this.round(orgId));
      return true;
    });
    // Another process routes the organization now (a shared store): look again shortly, for what it may not know of.
    if (routed === undefined && !this.stopped) setTimeout(() => this.kick(orgId), 50).unref();
  }

  /**
   * One round: each queue with an idle member gives its head, as many callbacks as it has idle members (those an
   * owner-only window would hold back not counted), and they are offered in priority-then-age order, each to its
   * queue's longest-idle member. Cost: the idle agents and those heads, from indexes; nothing in how many callbacks
   * wait in a queue or elsewhere. Says whether another round may offer more.
   */
  private async round(orgId: string): Promise<boolean> {
    const now = this.clock.now();
    // Cheapest first: with no free agent there is nothing to do, however many callbacks wait.
    let idle = await this.store.idleAgents(orgId);
    if (idle.length === 0) return false;
    const idleIds = new Set(idle.map((s) => s.userId));
    const queues = new Map((await this.store.listQueues(orgId)).map((q) => [q.id, q]));
    const heads: QueuedCallback[] = [];
    let fullPage = false;
    let nextOwnershipEnd: number | undefined;
    /** Each open queue's members, as a set (the offer loop asks it once per idle agent and callback). */
    const memberSets = new Map<string, Set<string>>();
    for (const q of queues.values()) {
      const members = q.memberIds.filter((id) => idleIds.has(id));
      if (members.length === 0) continue;
      memberSets.set(q.id, new Set(q.memberIds));
      const owned = q.agentOwnedRouting.enableAgentOwnedCallbacks;
      const windowMs = q.agentOwnedRouting.maxOwnedCallbackHours * 3600_000;
      const ownedUntil = new Date(now.getTime() - windowMs);
      const page = await this.store.listQueued(orgId, q.id, members.length, owned ? { owners: members, ownedUntil } : undefined);
      if (page.length === members.length) fullPage = true;
      heads.push(...page);
      if (owned) {
        const oldest = await this.store.earliestOwnedQueuedAfter(orgId, q.id, ownedUntil);
        if (oldest !== undefined) nextOwnershipEnd = Math.min(nextOwnershipEnd ?? Infinity, oldest.getTime() + windowMs);
      }
    }
    if (nextOwnershipEnd !== undefined) this.wakeAt(orgId, nextOwnershipEnd);
    heads.sort((a, b) => b.priority - a.priority || a.queuedAt.getTime() - b.queuedAt.getTime() || (a.id < b.id ? -1 : 1));
    let offered = 0;
    for (const cb of heads) {
      if (idle.length === 0) break;
      const q = queues.get(cb.queueId);
      const members = memberSets.get(cb.queueId);
      if (q === undefined || members === undefined) continue;
      // Agent-owned: it waits for its owner until the ownership window ends, then any member may take it.
      const ownerOnly =
        cb.ownerId !== undefined &&
        q.agentOwnedRouting.enableAgentOwnedCallbacks &&
        now.getTime() < cb.queuedAt.getTime() + q.agentOwnedRouting.maxOwnedCallbackHours * 3600_000;
      const pick = idle.find((s) => members.has(s.userId) && (!ownerOnly || s.userId === cb.ownerId));
      if (pick === undefined) continue;
      try {
        await this.callbacks.offer(orgId, cb.id, pick.userId);
        idle = idle.filter((s) => s !== pick);
        offered++;
      } catch (e) {
        // The callback moved on (answered elsewhere, cancelled) between the listing and the offer.
        if (!(e instanceof CallbackdError)) throw e;
      }
    }
    // A page as long as the idle members may hide more behind callbacks the round could not give (their owner was
    // taken by an earlier one): look again while agents are left and the round made progress.
    return offered > 0 && idle.length > 0 && fullPage;
  }

  /** Routes the organization again when an ownership window ends (one timer, for the earliest). */
  private wakeAt(orgId: string, at: number): void {
    if (this.ownershipAt !== undefined && this.ownershipAt <= at) return;
    this.ownershipTimer?.();
    this.ownershipAt = at;
    this.ownershipTimer = this.clock.setTimer(new Date(at), () => {
      this.ownershipAt = undefined;
      this.kick(orgId);
    });
  }

  stop(): void {
    this.stopped = true;
    this.ownershipTimer?.();
  }
}
