// The agents' routing-status machine as data: how a callback's lifecycle events move an agent's status (the ACD's
// side of R-RT-1..3). The service applies it to the events of each change and commits the result in the same
// transaction as the change; the tests walk it and docs/lifecycle.md draws it.
import type { RoutingStatusValue } from '../model/core.js';
import type { LifecycleEvent } from './types.js';

type RoutingStatus = RoutingStatusValue;

export interface RoutingRow {
  readonly id: string;
  /** The lifecycle event that moves the agent. */
  readonly on: 'offered' | 'notResponding' | 'agentReleased';
  readonly from: readonly RoutingStatus[];
  readonly to: RoutingStatus;
  readonly rule: string;
  readonly summary: string;
}

export const ROUTING_TABLE: readonly RoutingRow[] = [
  {
    id: 'offered',
    on: 'offered',
    from: ['IDLE'],
    to: 'INTERACTING',
    rule: 'R-RT-1',
    summary: 'an on-queue agent is offered a callback (an assign to an off-queue agent leaves them off queue)',
  },
  {
    id: 'missed',
    on: 'notResponding',
    from: ['IDLE', 'INTERACTING'],
    to: 'NOT_RESPONDING',
    rule: 'R-RT-2',
    summary: 'an offer was not answered in time: no new offers until the agent is IDLE again',
  },
  {
    id: 'released',
    on: 'agentReleased',
    from: ['INTERACTING'],
    to: 'IDLE',
    rule: 'R-RT-1',
    summary: 'the agent is free of the callback (no after-call work left): back to IDLE',
  },
];

/** The status an agent has until they first set one. */
export const INITIAL_ROUTING_STATUS: RoutingStatus = 'OFF_QUEUE';

/**
 * The routing statuses a change's events lead to, for the agents whose status moves: each event in order, through
 * the table, from the statuses given (`current`, by user id; absent users are OFF_QUEUE).
 */
export function routingStatusChanges(
  current: ReadonlyMap<string, RoutingStatus>,
  events: readonly LifecycleEvent[],
): Map<string, RoutingStatus> {
  const now = new Map(current);
  const changed = new Map<string, RoutingStatus>();
  for (const e of events) {
    if (e.type !== 'offered' && e.type !== 'notResponding' && e.type !== 'agentReleased') continue;
    const from = now.get(e.userId) ?? INITIAL_ROUTING_STATUS;
    const row = ROUTING_TABLE.find((r) => r.on === e.type && r.from.includes(from));
    if (row === undefined) continue;
    now.set(e.userId, row.to);
    changed.set(e.userId, row.to);
  }
  for (const [user, status] of changed) if (current.get(user) === status) changed.delete(user);
  return changed;
}

/** The users whose status a change's events may move (whose current status the service must read). */
export const routingSubjects = (events: readonly LifecycleEvent[]): string[] => [
  ...new Set(events.flatMap((e) => (e.type === 'offered' || e.type === 'notResponding' || e.type === 'agentReleased' ? [e.userId] : []))),
];
