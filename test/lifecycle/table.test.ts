// Walks the transition table through real outcomes: many conversations are built (every queue mode, leg status,
// call history), every command and due timer is tried on each, and the row the engine picks is recorded. Every row
// must be reached from each state it lists and make each phase move it lists (the engine checks the outcome itself),
// every check of a row must be seen refusing with its code, every refusal row must refuse with its own code, and no
// command may ever hit an ambiguous or missing guard.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  LifecycleError,
  ROWS,
  fireTimer,
  TABLE,
  ROUTING_TABLE,
  isRefusal,
  legStatus,
  nextDeadline,
  renderDiagrams,
  routingStatusChanges,
  selectRow,
  type CallbackConversationState,
  type Command,
  type LifecycleEvent,
  type QueueSettings,
} from '../../src/index.js';
import { withDiagrams } from '../../src/lifecycle/diagram.js';
import type { Check, Context, TimerCommand } from '../../src/lifecycle/table.js';
import { AGENT, AGENT2, apply, at, create, queue, timed } from './helpers.js';

type Cmd = Command | TimerCommand;
interface Scenario {
  name: string;
  state: CallbackConversationState;
  /** The participant the leg commands are about ('' for the callback as a whole). */
  pid: string;
  now: Date;
}

const QUEUES: [string, QueueSettings][] = [
  ['mandatory', queue()],
  ['optional', queue({ wrapupPrompt: 'optional' })],
  ['timeout', timed('timeout')],
  ['forcedTimeout', timed('forcedTimeout')],
  ['agentRequested', timed('agentRequested')],
  ['autoAnswer', queue({ autoAnswer: true })],
  ['autoAnswerAgentRequested', queue({ autoAnswer: true, wrapupPrompt: 'agentRequested', wrapupTimeoutMs: 60000 })],
  ['autoDialAndEnd', queue({ wrapupPrompt: 'optional', autoDialAndEnd: { dialDelaySeconds: 600, endDelaySeconds: 5 } })],
  [
    'autoDialAndEndAgentRequested',
    queue({ wrapupPrompt: 'agentRequested', wrapupTimeoutMs: 60000, autoDialAndEnd: { dialDelaySeconds: 600, endDelaySeconds: 5 } }),
  ],
];
const CREATES = [{}, { timeoutSeconds: 30 }, { skipEnabled: false }, { externalCampaign: true }];

/** Steps after the offer (at T0+5s) that bring the last agent leg into some state; any refused step drops the scenario. */
const HISTORIES: [string, (pid: string) => Command[]][] = [
  ['offered', () => []],
  ['connected', (p) => [{ type: 'answer', participantId: p }]],
  [
    'held',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'hold', participantId: p },
    ],
  ],
  [
    'parked',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'park', participantId: p, resumeTime: at(5000) },
    ],
  ],
  [
    'dialing',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'placeCall', participantId: p, number: '+13175550100' },
    ],
  ],
  [
    'dialingHeld',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'placeCall', participantId: p, number: '+13175550100' },
      { type: 'hold', participantId: p },
    ],
  ],
  [
    'called',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'placeCall', participantId: p, number: '+13175550100' },
      { type: 'endCall', participantId: p },
    ],
  ],
  [
    'calledHeld',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'placeCall', participantId: p, number: '+13175550100' },
      { type: 'endCall', participantId: p },
      { type: 'hold', participantId: p },
    ],
  ],
  [
    'requested',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'requestAcw', participantId: p },
    ],
  ],
  [
    'acw',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'disconnect', participantId: p },
    ],
  ],
  [
    'acwRequested',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'requestAcw', participantId: p },
      { type: 'disconnect', participantId: p },
    ],
  ],
  [
    'wrappedUp',
    (p) => [
      { type: 'answer', participantId: p },
      { type: 'disconnect', participantId: p },
      { type: 'wrapup', participantId: p, wrapup: { code: 'wc-resolved' } },
    ],
  ],
  ['declined', (p) => [{ type: 'decline', participantId: p }]],
];

/** Before the offer: nothing, or a first agent who dialed (or not) and then transferred the callback to AGENT. */
const BEFORE: [string, (s: CallbackConversationState, t: number) => CallbackConversationState][] = [
  ['fresh', (s) => apply(s, { type: 'offer', agent: AGENT }, at(5)).state],
  [
    'afterCallTransfer',
    (s) => {
      let x = apply(s, { type: 'offer', agent: AGENT2 }, at(1)).state;
      const first = lastAgent(x);
      if (legStatus(x, first) === 'alerting') x = apply(x, { type: 'answer', participantId: first }, at(2)).state;
      x = apply(x, { type: 'placeCall', participantId: first, number: '+13175550100' }, at(3)).state;
      x = apply(x, { type: 'endCall', participantId: first }, at(4)).state;
      return apply(x, { type: 'transfer', participantId: first, to: { kind: 'agent', agent: AGENT } }, at(5)).state;
    },
  ],
];

const lastAgent = (s: CallbackConversationState) => s.participants.filter((p) => p.purpose === 'agent').at(-1)?.id as string;

function* agentScenarios(): Generator<Scenario> {
  for (const [qn, q] of QUEUES)
    for (const over of CREATES)
      for (const [bn, before] of BEFORE)
        for (const [hn, history] of HISTORIES) {
          try {
            let s = before(create({ queue: q, ...over }).state, 5);
            const pid = lastAgent(s);
            history(pid).forEach((cmd, i) => {
              // On auto-answer queues the offer is already answered.
              if (cmd.type === 'answer' && legStatus(s, pid) === 'connected') return;
              s = apply(s, cmd, at(10 + i * 10)).state;
            });
            yield { name: `${qn}/${JSON.stringify(over)}/${bn}/${hn}`, state: s, pid, now: at(200) };
          } catch (e) {
            if (!(e instanceof LifecycleError)) throw e;
          }
        }
}

function* conversationScenarios(): Generator<Scenario> {
  for (const [qn, q] of QUEUES) {
    const scheduled = create({ queue: q, callbackScheduledTime: at(400) }).state;
    const queued = create({ queue: q }).state;
    const offered = apply(queued, { type: 'offer', agent: AGENT }, at(5)).state;
    const ended = apply(queued, { type: 'disconnectAll' }, at(5)).state;
    for (const [n, state] of Object.entries({ scheduled, queued, offered, ended }))
      yield { name: `${qn}/${n}`, state, pid: '', now: at(200) };
  }
}

/** Every other participant (customer, ACD) of the conversation scenarios and of a few agent ones. */
function* partyScenarios(): Generator<Scenario> {
  for (const s of [...conversationScenarios(), ...[...agentScenarios()].filter((_, i) => i % 7 === 0)]) {
    for (const p of s.state.participants) if (p.purpose !== 'agent') yield { ...s, pid: p.id as string };
  }
}

function legCommands(s: Scenario): Cmd[] {
  const participantId = s.pid;
  const numbers = s.state.participants.find((p) => p.id === s.pid)?.callbackNumbers ?? [];
  const other = queue({ id: 'q-billing', name: 'Billing' });
  const cmds: Cmd[] = [
    ...(['answer', 'decline', 'hold', 'unhold', 'resume', 'skip', 'requestAcw', 'skipWrapup', 'disconnect', 'endCall'] as const).map(
      (type) => ({ type, participantId }) as Command,
    ),
    { type: 'park', participantId, resumeTime: at(900) },
    { type: 'park', participantId, resumeTime: at(100) },
    { type: 'park', participantId, resumeTime: at(8 * 86400) },
    { type: 'placeCall', participantId, number: numbers[0] ?? '+13175550100' },
    { type: 'placeCall', participantId, number: '+19999999999' },
    { type: 'transfer', participantId, to: { kind: 'agent', agent: AGENT2 } },
    { type: 'transfer', participantId, to: { kind: 'queue', queue: other } },
    { type: 'transfer', participantId, to: { kind: 'queue', queue: other }, transferType: 'Attended' },
    { type: 'wrapup', participantId, wrapup: { notes: 'n', provisional: true } },
    { type: 'wrapup', participantId, wrapup: { code: 'wc-resolved' } },
    { type: 'wrapup', participantId, wrapup: { notes: 'no code' } },
    { type: 'wrapup', participantId, wrapup: { code: 'nope' } },
    { type: 'setAttributes', participantId, attributes: { k: 'v' } },
  ];
  const due = nextDeadline(s.state);
  if (due?.participantId === s.pid) cmds.push({ type: `timer:${due.kind}`, participantId: s.pid });
  return cmds;
}

function conversationCommands(s: Scenario): Cmd[] {
  const cmds: Cmd[] = [
    { type: 'offer', agent: AGENT2 },
    { type: 'disconnectAll' },
    { type: 'update', callbackScheduledTime: at(900) },
    { type: 'update', callbackScheduledTime: at(100) },
    { type: 'update', callbackNumbers: ['+15555550123'] },
    { type: 'update', queue: queue({ id: 'q-billing' }) },
    { type: 'update', callbackNumbers: [] },
    { type: 'update', callbackScheduledTime: at(40 * 86400) },
    { type: 'update', callbackScheduledTime: new Date(Number.NaN) },
  ];
  const due = nextDeadline(s.state);
  if (due !== undefined && due.participantId === undefined) cmds.push({ type: `timer:${due.kind}` });
  return cmds;
}

interface Walk {
  /** `row|from|phaseBefore→phaseAfter` for rows applied. */
  applied: Set<string>;
  /** Checks seen refusing (rows of one trigger share them). */
  refusedBy: Set<Check>;
  /** `row|from` for refusal rows seen refusing. */
  refusals: Set<string>;
  tried: number;
}

function walk(): Walk {
  const w: Walk = { applied: new Set(), refusedBy: new Set(), refusals: new Set(), tried: 0 };
  const tryOne = (s: Scenario, cmd: Cmd) => {
    w.tried++;
    const now = cmd.type.startsWith('timer:') ? (nextDeadline(s.state)?.at as Date) : s.now;
    const from = s.pid === '' ? s.state.phase : legStatus(s.state, s.pid);
    let row;
    try {
      row = selectRow(s.state, cmd, now);
    } catch (e) {
      if (e instanceof LifecycleError && e.code === 'conversation.error.invalid.state') return;
      throw new Error(`${s.name}: ${cmd.type} from ${from}: ${(e as Error).message}`);
    }
    const run = () => (cmd.type.startsWith('timer:') ? advanceOne(s.state, cmd as TimerCommand) : apply(s.state, cmd as Command, now));
    if (isRefusal(row)) {
      const e = refusal(run);
      expect(e.code, `${s.name} ${cmd.type}`).toBe(row.refuse.code);
      expect(e.message, `${row.id}: a sentence a person can read`).toMatch(/^[A-Z].{15,}\.$/);
      expect(e.state).toBe(s.pid === '' ? `phase=${from}` : `leg=${from}`);
      w.refusals.add(`${row.id}|${from}`);
      return;
    }
    try {
      const t = run();
      const next = t.state;
      w.applied.add(`${row.id}|${from}|${s.state.phase}→${next.phase}`);
      eventsAgree(`${s.name} ${row.id}`, next, t.events, now);
      expect(t.rows).toEqual([row.id]);
      expect(next.version).toBe(s.state.version + 1);
    } catch (e) {
      if (!(e instanceof LifecycleError)) throw new Error(`${s.name}: ${cmd.type} from ${from}: ${(e as Error).message}`);
      const leg = s.state.participants.find((p) => p.id === s.pid) ?? {};
      const ctx = { state: s.state, cmd, now, pid: s.pid, leg } as unknown as Context;
      const failing = (row.checks ?? []).find((c) => !c.holds(ctx));
      expect(failing, `${s.name} ${cmd.type}: refused (${e.code}) by no check of row ${row.id}`).toBeDefined();
      expect(e.code).toBe(failing?.refuse.code);
      expect(e.message, `${row.id}: ${failing?.text}`).toMatch(/^\S.{15,}\.$/);
      w.refusedBy.add(failing as Check);
    }
  };
  for (const s of agentScenarios()) for (const cmd of legCommands(s)) tryOne(s, cmd);
  for (const s of partyScenarios()) for (const cmd of legCommands(s)) tryOne(s, cmd);
  for (const s of conversationScenarios()) for (const cmd of conversationCommands(s)) tryOne(s, cmd);
  return w;
}

/** Every event of a transition happened then, and names what the new state holds. */
function eventsAgree(what: string, next: CallbackConversationState, events: readonly LifecycleEvent[], now: Date): void {
  const byId = new Map(next.participants.map((p) => [p.id, p]));
  for (const e of events) {
    expect(e.at, `${what}: ${e.type}.at`).toEqual(now);
    if ('participantId' in e) expect(byId.has(e.participantId), `${what}: ${e.type} names a participant`).toBe(true);
    const p = 'participantId' in e ? byId.get(e.participantId) : undefined;
    if ('userId' in e) expect(e.userId, `${what}: ${e.type}.userId`).toBe(p?.user?.id);
    switch (e.type) {
      case 'disconnected':
        expect(p?.disconnectType).toBe(e.disconnectType);
        expect(p?.state).toBe('disconnected');
        break;
      case 'queued':
        expect(e.queueId).toBe(next.queue.id);
        break;
      case 'callPlaced':
        expect(next.calls.find((c) => c.id === e.callId)).toMatchObject({
          number: e.number,
          placedBy: e.participantId,
          automatic: e.automatic,
        });
        break;
      case 'callEnded':
        expect(next.calls.find((c) => c.id === e.callId)?.endedAt).toEqual(now);
        break;
      case 'parked':
        expect(p).toMatchObject({ state: 'parked', resumeTime: e.resumeTime });
        break;
      case 'acwStarted':
        expect(p?.startAcwTime).toEqual(now);
        break;
      case 'wrapupApplied':
        if (e.code !== undefined) expect(p?.wrapup?.code).toBe(e.code);
        expect(p?.wrapup?.provisional).toBe(e.provisional);
        break;
      case 'ended':
        expect(next.phase).toBe('ended');
        break;
      case 'transferred':
        expect(e.to.userId ?? e.to.queueId).toBeDefined();
        break;
      default:
        break;
    }
  }
}

/** One timer, at its deadline (which must be the next one). */
function advanceOne(state: CallbackConversationState, cmd: TimerCommand) {
  const d = nextDeadline(state) as NonNullable<ReturnType<typeof nextDeadline>>;
  expect(`timer:${d.kind}`).toBe(cmd.type);
  return fireTimer(state, d);
}

function refusal(f: () => unknown): LifecycleError {
  try {
    f();
  } catch (e) {
    if (e instanceof LifecycleError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Every row, state and move the table lists, every check and refusal: what a walk must reach. */
function expectations() {
  const applied = ROWS.flatMap((row) =>
    (row.from as readonly string[]).flatMap((from): string[] => {
      if (row.scope === 'conversation') return from === 'new' ? [] : [`${row.id}|${from}|${from}→${row.to}`];
      return (row.moves ?? []).length === 0 ? [`${row.id}|${from}|`] : (row.moves ?? []).map(([a, b]) => `${row.id}|${from}|${a}→${b}`);
    }),
  );
  const checks = [...new Set(ROWS.filter((r) => r.trigger !== 'create').flatMap((row) => row.checks ?? []))];
  const refusals = TABLE.filter(isRefusal).flatMap((row) => row.from.map((from) => `${row.id}|${from}`));
  return { applied, checks, refusals };
}

describe('the transition table, walked', () => {
  // One test, so that everything the walk runs counts as covered by it (mutation testing runs it for each mutant).
  it('reaches every row from every state and move it lists, every check and refusal, and never an ambiguous guard', () => {
    const result = walk();
    expect(result.tried).toBeGreaterThan(5000);
    const want = expectations();
    const seen = [...result.applied];
    const missing = want.applied.filter((k) => (k.endsWith('|') ? !seen.some((s) => s.startsWith(k)) : !seen.includes(k)));
    expect(missing, 'rows never applied from these states / moves').toEqual([]);
    // Rows without moves never move the callback.
    const unmoving = new Set(ROWS.filter((r) => r.scope === 'leg' && r.moves === undefined).map((r) => r.id));
    const moved = seen.filter(
      (k) => unmoving.has(k.split('|')[0] as string) && k.split('|')[2]?.split('→')[0] !== k.split('|')[2]?.split('→')[1],
    );
    expect(moved).toEqual([]);
    expect(
      want.checks.filter((c) => !result.refusedBy.has(c)).map((c) => c.text),
      'checks never seen refusing',
    ).toEqual([]);
    expect(
      want.refusals.filter((k) => !result.refusals.has(k)),
      'refusal rows never reached',
    ).toEqual([]);
    expect(want.applied.length).toBeGreaterThan(70);
  });

  it('create: the two rows, and their checks', () => {
    expect(create().rows).toEqual(['createQueued']);
    expect(create({ callbackScheduledTime: at(60) }).rows).toEqual(['create']);
    expect(refusal(() => create({ callbackNumbers: [] })).code).toBe('callback.error.missing.callback.numbers');
    expect(refusal(() => create({ callbackScheduledTime: at(31 * 86400) })).code).toBe('callback.error.scheduled.time.too.far.in.future');
    expect(refusal(() => create({ callbackScheduledTime: new Date(Number.NaN) })).code).toBe('invalid.date');
  });
});

describe('the routing-status table', () => {
  it.each(ROUTING_TABLE.flatMap((r) => r.from.map((from) => [r.id, from, r.on, r.to] as const)))(
    'row %s: %s on %s becomes %s',
    (_id, from, on, to) => {
      const event = { type: on, at: at(0), participantId: 'p', userId: 'u' } as const;
      expect(routingStatusChanges(new Map([['u', from]]), [event]).get('u')).toBe(to);
    },
  );

  it('no row: the status stays (an assign to an agent off queue, a release of an agent not interacting)', () => {
    const offered = { type: 'offered', at: at(0), participantId: 'p', userId: 'u' } as const;
    const released = { type: 'agentReleased', at: at(0), participantId: 'p', userId: 'u' } as const;
    expect(routingStatusChanges(new Map([['u', 'OFF_QUEUE']]), [offered]).size).toBe(0);
    expect(routingStatusChanges(new Map(), [offered]).size).toBe(0);
    expect(routingStatusChanges(new Map([['u', 'NOT_RESPONDING']]), [released]).size).toBe(0);
    // Events in order: offered then missed is NOT_RESPONDING; offered then released is back to IDLE (no change).
    const missed = { type: 'notResponding', at: at(1), participantId: 'p', userId: 'u' } as const;
    expect(routingStatusChanges(new Map([['u', 'IDLE']]), [offered, missed]).get('u')).toBe('NOT_RESPONDING');
    expect(routingStatusChanges(new Map([['u', 'IDLE']]), [offered, released]).size).toBe(0);
  });
});

describe('docs/lifecycle.md', () => {
  it('shows the current table (npm run gen), and only moves that happen', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/lifecycle.md', import.meta.url)), 'utf8');
    expect(doc).toBe(withDiagrams(doc));
    const diagrams = renderDiagrams();
    expect(diagrams).toContain('alerting --> connected: answer');
    // The edges the old cartesian rows drew, which cannot happen:
    expect(diagrams).not.toContain('connected --> parked: requestAcw');
    expect(diagrams).not.toContain('alerting --> acw: disconnect');
  });
});
