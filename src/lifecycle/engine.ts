// The lifecycle engine: a small interpreter of the transition table (table.ts). Pure functions of (conversation,
// command, now): no clock, no I/O, no randomness (new ids are derived from the conversation id and a counter), so the
// same inputs always give the same conversation and events.
import { ERRORS } from '../errors.js';
import type { CallbackConversation, CallbackMediaParticipant } from '../model/core.js';
import { shell, type Mutable } from './effects.js';
import { LifecycleError } from './errors.js';
import { byRole, legStatus, participant, roleOf } from './state.js';
import { TABLE, TIMERS, isRefusal, type AnyRow, type Context, type Row, type Timer, type TimerCommand, type Trigger } from './table.js';
import type { CallbackConversationState, Command, CreateCommand, Deadline, LegRole, LifecycleEvent, Transition } from './types.js';

const NO_LEG: CallbackMediaParticipant = {};

/** Which participant a command is about, if any. */
const subject = (cmd: Command | TimerCommand | CreateCommand): string =>
  'participantId' in cmd && cmd.participantId !== undefined ? cmd.participantId : '';

interface Situation {
  ctx: Context;
  scope: 'conversation' | 'leg';
  role?: LegRole;
  /** The phase (or `new`) for conversation rows, the leg status for leg rows. */
  status: string;
  /** How refusals name it: `phase=queued`, `leg=alerting`. */
  label: string;
}

function situation(state: CallbackConversationState, trigger: Trigger, cmd: Command | TimerCommand | CreateCommand, now: Date): Situation {
  const pid = subject(cmd);
  if (pid === '') {
    const status = trigger === 'create' ? 'new' : state.phase;
    return { ctx: { state, cmd, now, pid, leg: NO_LEG } as Context, scope: 'conversation', status, label: `phase=${status}` };
  }
  const leg = participant(state, pid);
  const status = legStatus(state, pid);
  return { ctx: { state, cmd, now, pid, leg } as Context, scope: 'leg', role: roleOf(state, pid), status, label: `leg=${status}` };
}

function select(table: readonly AnyRow[], s: Situation, trigger: Trigger): AnyRow {
  const candidates = table.filter(
    (r) =>
      r.trigger === trigger &&
      r.scope === s.scope &&
      (s.role === undefined || ('roles' in r && r.roles?.includes(s.role) === true)) &&
      (r.from as readonly string[]).includes(s.status),
  );
  if (candidates.length === 0) {
    const what = s.ctx.pid !== '' ? `participant ${s.ctx.pid} (${s.role}) is ${s.status}` : `the callback is ${s.status}`;
    throw new LifecycleError(ERRORS.invalidTransition, `Cannot ${trigger.replace('timer:', '')}: ${what}.`, s.label);
  }
  const chosen = candidates.filter((r) => r.guard?.holds(s.ctx) ?? true);
  if (chosen.length !== 1) {
    throw new Error(`lifecycle table: ${chosen.length} rows (${chosen.map((r) => r.id).join(', ')}) apply to ${trigger} from ${s.status}`);
  }
  return chosen[0] as AnyRow;
}

function run(
  table: readonly AnyRow[],
  state: CallbackConversationState,
  trigger: Trigger,
  cmd: Command | TimerCommand | CreateCommand,
  now: Date,
): Transition {
  const s = situation(state, trigger, cmd, now);
  const row = select(table, s, trigger);
  if (isRefusal(row)) throw new LifecycleError(row.refuse, row.message(s.ctx), s.label);
  for (const check of row.checks ?? []) {
    if (!check.holds(s.ctx)) throw new LifecycleError(check.refuse, check.message(s.ctx), s.label);
  }
  const m: Mutable = { state, events: [], now, seq: state.seq };
  row.effect(m, s.ctx);
  verify(row, s, state, m.state);
  return { state: { ...m.state, seq: m.seq, version: state.version + 1 }, events: m.events, rows: [row.id] };
}

/** The outcome must be the row's: its leg status and phase move exactly (a broken effect fails loudly here). */
function verify(row: Row, s: Situation, before: CallbackConversationState, after: CallbackConversationState): void {
  const fail = (what: string) => {
    throw new Error(`lifecycle table violated: row ${row.id} ${what}`);
  };
  if (row.scope === 'conversation') {
    if (after.phase !== row.to) fail(`ended in phase ${after.phase}, not ${row.to}`);
    return;
  }
  const status = legStatus(after, s.ctx.pid);
  const expected = row.to === 'same' ? s.status : row.to;
  if (status !== expected) fail(`left the leg ${status}, not ${expected}`);
  const moved = row.moves?.some(([a, b]) => a === before.phase && b === after.phase);
  if (row.moves !== undefined ? moved !== true : before.phase !== after.phase)
    fail(`moved the callback from ${before.phase} to ${after.phase}`);
}

// ---- the engine: the interpreter bound to a table ----

export interface Engine {
  /** Creates a callback: the `create` rows run on an empty conversation. */
  createCallback(cmd: CreateCommand, now: Date): Transition;
  /** Applies one command at `now`: the next state and the events it caused, or a LifecycleError. */
  apply(state: CallbackConversationState, cmd: Command, now: Date): Transition;
  /** The one row that applies to a command (an acting row or a refusal); the generic refusal when none does. */
  selectRow(state: CallbackConversationState, cmd: Command | TimerCommand, now: Date): AnyRow;
  /** Every deadline the conversation has now, earliest first (ties in the order of the timers). */
  deadlines(state: CallbackConversationState): Deadline[];
  /** The next time-driven transition, if any: what the scheduler stores. */
  nextDeadline(state: CallbackConversationState): Deadline | undefined;
  /** Applies one time-driven transition at its deadline (which must be the conversation's own). */
  fireTimer(state: CallbackConversationState, deadline: Deadline): Transition;
  /** Applies every transition due by `now`, in deadline order, each at its own deadline. */
  advance(state: CallbackConversationState, now: Date): Transition;
}

/** An interpreter of a transition table and its timers (callbackd's own is `TABLE`; tests give it broken ones). */
export function interpreter(table: readonly AnyRow[], timers: readonly Timer[]): Engine {
  const deadlines = (state: CallbackConversationState): Deadline[] => {
    const out: (Deadline & { order: number })[] = [];
    timers.forEach((timer, order) => {
      const add = (at: number | undefined, participantId?: string) => {
        if (at !== undefined && Number.isFinite(at))
          out.push({ at: new Date(at), kind: timer.kind, ...(participantId !== undefined ? { participantId } : {}), order });
      };
      if (timer.scope === 'conversation') {
        if (timer.from.includes(state.phase)) add(timer.at(state, NO_LEG));
        return;
      }
      for (const p of byRole(state, 'agent')) {
        if (timer.from.includes(legStatus(state, p.id as string))) add(timer.at(state, p), p.id as string);
      }
    });
    return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order).map(({ order: _, ...d }) => d);
  };
  const nextDeadline = (state: CallbackConversationState) => deadlines(state)[0];
  const fireTimer = (state: CallbackConversationState, deadline: Deadline): Transition => {
    const cmd: TimerCommand = {
      type: `timer:${deadline.kind}`,
      ...(deadline.participantId !== undefined ? { participantId: deadline.participantId } : {}),
    };
    return run(table, state, cmd.type, cmd, deadline.at);
  };
  return {
    createCallback(cmd, now) {
      const t = run(table, shell(cmd, now), 'create', cmd, now);
      return { ...t, state: { ...t.state, version: 1 } };
    },
    apply: (state, cmd, now) => run(table, state, cmd.type, cmd, now),
    selectRow: (state, cmd, now) => select(table, situation(state, cmd.type, cmd, now), cmd.type),
    deadlines,
    nextDeadline,
    fireTimer,
    advance(state, now) {
      let current = state;
      const events: LifecycleEvent[] = [];
      const rows: string[] = [];
      for (let guard = 0; guard < 10000; guard++) {
        const d = nextDeadline(current);
        if (d === undefined || d.at.getTime() > now.getTime()) return { state: current, events, rows };
        const t = fireTimer(current, d);
        current = t.state;
        events.push(...t.events);
        rows.push(...t.rows);
      }
      throw new Error(`advance: conversation ${state.id} did not settle`);
    },
  };
}

const ENGINE = interpreter(TABLE, TIMERS);
export const { createCallback, apply, selectRow, deadlines, nextDeadline, fireTimer, advance } = ENGINE;

/** The conversation as `GET /api/v2/conversations/callbacks/{id}` shows it. */
export function toCallbackConversation(state: CallbackConversationState): CallbackConversation {
  return {
    id: state.id,
    participants: state.participants,
    otherMediaUris: state.calls.length > 0 ? [`/api/v2/conversations/calls/${state.id}`] : [],
    recentTransfers: state.recentTransfers,
    divisions: [],
    selfUri: `/api/v2/conversations/callbacks/${state.id}`,
  };
}
