import {
  advance,
  apply,
  createCallback,
  legStatus,
  LifecycleError,
  type CallbackConversationState,
  type Command,
  type CreateCommand,
  type QueueSettings,
  type Transition,
  type WrapupPrompt,
} from '../../src/index.js';

export const T0 = new Date('2026-03-02T09:00:00.000Z');
/** T0 + seconds. */
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const queue = (over: Partial<QueueSettings> = {}): QueueSettings => ({
  id: 'q-callbacks',
  name: 'Callbacks',
  alertingTimeoutMs: 30000,
  autoAnswer: false,
  wrapupPrompt: 'mandatory',
  wrapupCodes: [
    { id: 'wc-resolved', name: 'Resolved' },
    { id: 'wc-no-answer', name: 'No answer' },
  ],
  ...over,
});

export const timed = (prompt: WrapupPrompt, timeoutMs = 60000): QueueSettings =>
  queue({ wrapupPrompt: prompt, wrapupTimeoutMs: timeoutMs });

export const create = (over: Partial<CreateCommand> = {}, now = T0): Transition =>
  createCallback(
    {
      type: 'create',
      conversationId: 'conv-1',
      queue: queue(),
      callbackNumbers: ['+13175550100', '+13175550101'],
      callbackUserName: 'Pat Doe',
      data: { orderId: 'A-17' },
      ...over,
    },
    now,
  );

export const AGENT = { id: 'agent-1', name: 'Agent One' };
export const AGENT2 = { id: 'agent-2', name: 'Agent Two' };

/** Runs commands at successive instants; returns the last state and all events. */
export function drive(start: CallbackConversationState, steps: [number, Command][]): Transition {
  let state = start;
  const events: Transition['events'] = [];
  const rows: string[] = [];
  for (const [s, cmd] of steps) {
    const t = apply(state, cmd, at(s));
    state = t.state;
    events.push(...t.events);
    rows.push(...t.rows);
  }
  return { state, events, rows };
}

export const agentLeg = (state: CallbackConversationState, n = 0) => {
  const legs = state.participants.filter((p) => p.purpose === 'agent');
  const p = legs[n];
  if (p === undefined) throw new Error(`no agent leg ${n}`);
  return p;
};
export const byPurpose = (state: CallbackConversationState, purpose: string) => state.participants.filter((p) => p.purpose === purpose);

/** An agent connected to the callback at T0+10s (offered at +5s). */
export function connected(q: QueueSettings = queue(), over: Partial<CreateCommand> = {}): CallbackConversationState {
  const s0 = create({ queue: q, ...over }).state;
  const s1 = apply(s0, { type: 'offer', agent: AGENT }, at(5)).state;
  if (legStatus(s1, agentLeg(s1).id as string) === 'connected') return s1;
  return apply(s1, { type: 'answer', participantId: agentLeg(s1).id as string }, at(10)).state;
}

export function refused(f: () => unknown): LifecycleError {
  try {
    f();
  } catch (e) {
    if (e instanceof LifecycleError) return e;
    throw e;
  }
  throw new Error('expected a LifecycleError');
}

export { advance, apply };
