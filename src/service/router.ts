// The ACD: offers queued callbacks to idle, on-queue members of their queue — highest priority first, then the
// longest waiting; among agents the longest idle. Agents' routing statuses move with the lifecycle's events in the
// same transaction as the change (callbacks.ts, routing-status table); the router only decides who gets what.
import { CallbackdError } from '../errors.js';
import type { LifecycleEvent } from '../lifecycle/index.js';
import type { Store } from '../store/types.js';
import type { CallbackService } from './callbacks.js';
import type { Clock } from './clock.js';

/** Callbacks looked at per queue and pass (the head of each queue, in priority-then-age order). */
const BATCH = 1000;
const ROUTING_EVENTS: ReadonlySet<string> = new Set(['queued', 'agentReleased', 'notResponding', 'declined', 'ended']);

export class Router {
  private readonly passes = new Map<string, Promise<void>>();
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

  /** Routes the organization again after events that free an agent or queue a callback. */
  onEvents(orgId: string, events: readonly LifecycleEvent[]): void {
    if (events.some((e) => ROUTING_EVENTS.has(e.type))) this.kick(orgId);
  }

  /** Asks for a routing pass of the organization; passes of one organization never overlap. */
  kick(orgId: string): void {
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

  private async route(orgId: string): Promise<void> {
    const now = this.clock.now();
    // Cheapest first: with no free agent there is nothing to do, however many callbacks wait.
    const statuses = (await this.store.listRoutingStatuses(orgId)).filter((s) => s.status === 'IDLE');
    if (statuses.length === 0) return;
    const busy = await this.store.busyAgents(orgId);
    let idle = statuses.filter((s) => !busy.has(s.userId));
    if (idle.length === 0) return;
    // Per queue, and only queues an idle agent can take from: how many wait elsewhere never hides a callback here.
    const queues = new Map((await this.store.listQueues(orgId)).map((q) => [q.id, q]));
    const open = [...queues.values()].filter((q) => idle.some((s) => q.memberIds.includes(s.userId)));
    const queued = (await Promise.all(open.map((q) => this.store.listQueued(orgId, q.id, BATCH))))
      .flat()
      .sort((a, b) => b.priority - a.priority || a.queuedAt.getTime() - b.queuedAt.getTime() || (a.id < b.id ? -1 : 1));
    let nextOwnershipEnd: number | undefined;
    if (queued.length === 0) return;
    for (const cb of queued) {
      if (idle.length === 0) break;
      const q = queues.get(cb.queueId);
      if (q === undefined) continue;
      let candidates = idle.filter((s) => q.memberIds.includes(s.userId));
      if (cb.ownerId !== undefined && q.agentOwnedRouting.enableAgentOwnedCallbacks) {
        const ends = cb.queuedAt.getTime() + q.agentOwnedRouting.maxOwnedCallbackHours * 3600_000;
        if (now.getTime() < ends) {
          // Agent-owned: it waits for its owner until the ownership window ends, then any member may take it.
          candidates = candidates.filter((s) => s.userId === cb.ownerId);
          nextOwnershipEnd = Math.min(nextOwnershipEnd ?? Infinity, ends);
        }
      }
      const pick = candidates[0];
      if (pick === undefined) continue;
      try {
        await this.callbacks.offer(orgId, cb.id, pick.userId);
        idle = idle.filter((s) => s !== pick);
      } catch (e) {
        // The callback moved on (answered elsewhere, cancelled) between the listing and the offer.
        if (!(e instanceof CallbackdError)) throw e;
      }
    }
    if (nextOwnershipEnd !== undefined && (this.ownershipAt === undefined || nextOwnershipEnd < this.ownershipAt)) {
      this.ownershipTimer?.();
      this.ownershipAt = nextOwnershipEnd;
      this.ownershipTimer = this.clock.setTimer(new Date(nextOwnershipEnd), () => {
        this.ownershipAt = undefined;
        this.kick(orgId);
      });
    }
  }

  stop(): void {
    this.ownershipTimer?.();
  }
}
