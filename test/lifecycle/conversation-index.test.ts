// What a store keeps beside a conversation, in each phase.
import { describe, expect, it } from 'vitest';
import { apply, conversationIndex, LifecycleError } from '../../src/lifecycle/index.js';
import { VersionConflictError } from '../../src/store/types.js';
import { AGENT, at, create, T0 } from './helpers.js';

describe('the index of a conversation', () => {
  it('queued: its queue, priority, since when it waits; no agents busy', () => {
    expect(conversationIndex(create({ priority: 3 }).state)).toEqual({
      phase: 'queued',
      queueId: 'q-callbacks',
      priority: 3,
      queuedAt: T0,
      busyAgentIds: [],
    });
  });

  it('scheduled: its deadline, not waiting in the queue', () => {
    expect(conversationIndex(create({ callbackScheduledTime: at(60) }).state)).toEqual({
      phase: 'scheduled',
      nextDeadline: at(60),
      queueId: 'q-callbacks',
      priority: 0,
      busyAgentIds: [],
    });
  });

  it('offered: the alerting timeout, the agent busy, no longer waiting; agent-owned: its owner', () => {
    const owned = create({ preferredAgentIds: ['agent-9'], routingFlags: ['AGENT_OWNED_CALLBACK'] }).state;
    expect(conversationIndex(owned)).toMatchObject({ ownerId: 'agent-9', queuedAt: T0 });
    expect(conversationIndex(create({ preferredAgentIds: ['agent-9'] }).state).ownerId).toBeUndefined();
    const offered = apply(owned, { type: 'offer', agent: AGENT }, at(5)).state;
    expect(conversationIndex(offered)).toEqual({
      phase: 'offered',
      nextDeadline: at(35),
      queueId: 'q-callbacks',
      priority: 0,
      ownerId: 'agent-9',
      busyAgentIds: ['agent-1'],
    });
  });
});

describe('error names', () => {
  it('say what they are', () => {
    expect(new LifecycleError({ code: 'c', kind: 'invalid', source: 's' }, 'm', 'phase=queued').name).toBe('LifecycleError');
    expect(new VersionConflictError('x').name).toBe('VersionConflictError');
  });
});
