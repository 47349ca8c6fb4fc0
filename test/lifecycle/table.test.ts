// Walks every row of the transition table from every state it starts in, and checks that every command refused by
// the table is refused with a LifecycleError (never an internal error).
import { describe, expect, it } from 'vitest';
import {
  LifecycleError,
  REJECTIONS,
  TABLE,
  legStatus,
  nextDeadline,
  renderDiagrams,
  type CallbackConversationState,
  type Command,
  type LegStatus,
  type Row,
} from '../../src/index.js';
import { withDiagrams } from '../../src/lifecycle/diagram.js';
import { AGENT, AGENT2, advance, agentLeg, apply, at, connected, create, queue, timed } from './helpers.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NOW = at(500);
type Setup = { state: CallbackConversationState; pid?: string };

/** An agent leg in the given status, on a queue and callback that suit the trigger about to run. */
function agentIn(status: LegStatus, trigger: string): Setup {
  const q =
    trigger === 'timer:wrapupTimeout'
      ? timed('timeout')
      : trigger === 'skipWrapup'
        ? queue({ wrapupPrompt: 'optional' })
        : trigger === 'timer:autoEnd'
          ? queue({ autoDialAndEnd: { dialDelaySeconds: 600, endDelaySeconds: 5 } })
          : queue();
  const over = trigger === 'timer:autoDial' ? { timeoutSeconds: 30 } : {};
  if (status === 'alerting') {
    const s = apply(create({ queue: q, ...over }).state, { type: 'offer', agent: AGENT }, at(5)).state;
    return { state: s, pid: agentLeg(s).id as string };
  }
  let s = connected(q, over);
  const pid = agentLeg(s).id as string;
  const step = (cmd: Command, t: number) => (s = apply(s, cmd, at(t)).state);
  if (trigger === 'endCall' || trigger === 'timer:autoEnd') {
    step({ type: 'placeCall', participantId: pid, number: '+13175550100' }, 20);
    if (trigger === 'timer:autoEnd') step({ type: 'endCall', participantId: pid }, 30);
  }
  if (status === 'held') step({ type: 'hold', participantId: pid }, 40);
  if (status === 'parked') step({ type: 'park', participantId: pid, resumeTime: at(450) }, 40);
  if (status === 'acw' || status === 'done') step({ type: 'disconnect', participantId: pid }, 60);
  if (status === 'done') step({ type: 'wrapup', participantId: pid, wrapup: { code: 'wc-resolved' } }, 70);
  return { state: s, pid };
}

function phaseIn(phase: string): Setup {
  switch (phase) {
    case 'scheduled':
      return { state: create({ callbackScheduledTime: at(400) }).state };
    case 'queued':
      return { state: create().state };
    case 'offered':
      return { state: apply(create().state, { type: 'offer', agent: AGENT }, at(5)).state };
    case 'active':
      return { state: connected() };
    default:
      throw new Error(phase);
  }
}

function command(trigger: string, pid: string | undefined, from: string): Command {
  const participantId = pid as string;
  switch (trigger) {
    case 'update':
      return { type: 'update', callbackScheduledTime: at(900) };
    case 'offer':
      return { type: 'offer', agent: AGENT2 };
    case 'disconnectAll':
      return { type: 'disconnectAll' };
    case 'park':
      return { type: 'park', participantId, resumeTime: at(2000) };
    case 'placeCall':
      return { type: 'placeCall', participantId, number: '+13175550101' };
    case 'transfer':
      return { type: 'transfer', participantId, to: { kind: 'agent', agent: AGENT2 } };
    case 'wrapup':
      return { type: 'wrapup', participantId, wrapup: from === 'acw' ? { code: 'wc-resolved' } : { notes: 'n', provisional: true } };
    case 'setAttributes':
      return { type: 'setAttributes', participantId, attributes: { k: 'v' } };
    default:
      return { type: trigger, participantId } as Command;
  }
}

/** Runs a row's trigger from a setup: a command at NOW, or the timer at its deadline. */
function fire(row: Row, setup: Setup, from: string): CallbackConversationState {
  if (row.trigger.startsWith('timer:')) {
    const d = nextDeadline(setup.state);
    expect(d?.kind).toBe(row.trigger.slice(6));
    return advance(setup.state, d?.at as Date).state;
  }
  return apply(setup.state, command(row.trigger, setup.pid, from), NOW).state;
}

const cases = TABLE.flatMap((row) => row.from.map((from) => [`${row.id} from ${from}`, row, from] as const));

describe('every row of the transition table', () => {
  it.each(cases)('%s', (_, row, from) => {
    if (row.scope === 'conversation') {
      if (from === 'new') {
        expect(row.to).toContain(create().state.phase);
        expect(row.to).toContain(create({ callbackScheduledTime: at(60) }).state.phase);
        return;
      }
      const next = fire(row, phaseIn(from), from);
      expect(row.to).toContain(next.phase);
      return;
    }
    const roles = row.roles;
    if (roles.includes('agent')) {
      const setup = agentIn(from as LegStatus, row.trigger);
      expect(legStatus(setup.state, setup.pid as string)).toBe(from);
      const next = fire(row, setup, from);
      expect(row.to).toContain(legStatus(next, setup.pid as string));
    }
    for (const role of roles.filter((r) => r !== 'agent')) {
      if (from !== 'connected') continue;
      const state = create().state;
      const pid = state.participants.find((p) => p.purpose === role)?.id as string;
      const next = apply(state, command(row.trigger, pid, from), NOW).state;
      expect(row.to).toContain(legStatus(next, pid));
    }
  });
});

describe('commands the table has no row for', () => {
  const statuses: LegStatus[] = ['alerting', 'connected', 'held', 'parked', 'acw', 'done'];
  const triggers = [
    ...new Set(
      TABLE.filter((r) => r.scope === 'leg' && r.roles.includes('agent') && !r.trigger.startsWith('timer:')).map((r) => r.trigger),
    ),
  ];
  const refusals = triggers.flatMap((t) =>
    statuses
      .filter((s) => !TABLE.some((r) => r.scope === 'leg' && r.trigger === t && r.roles.includes('agent') && r.from.includes(s)))
      .map((s) => [t, s] as const),
  );

  it.each(refusals)('%s from %s is refused with a LifecycleError', (trigger, status) => {
    const setup = agentIn(status, trigger);
    let error: unknown;
    try {
      apply(setup.state, command(trigger, setup.pid, status), NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LifecycleError);
    const e = error as LifecycleError;
    const documented = REJECTIONS.find((r) => r.trigger === trigger && r.when.includes(status));
    expect(e.code).toBe(documented?.code ?? 'conversation.error.invalid.state');
    expect(e.state).toBe(`leg=${status}`);
    expect(e.message.length).toBeGreaterThan(10);
  });
});

describe('docs/lifecycle.md', () => {
  it('shows the current table (npm run gen)', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/lifecycle.md', import.meta.url)), 'utf8');
    expect(doc).toBe(withDiagrams(doc));
    expect(renderDiagrams()).toContain('alerting --> connected: answer');
  });
});
