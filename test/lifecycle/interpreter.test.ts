// The interpreter given broken tables: it refuses what no row allows, and fails loudly (an internal error, never a
// silent wrong state) on ambiguous or missing guards, on an effect whose outcome is not its row's, and on timers that
// never settle.
import { describe, expect, it } from 'vitest';
import { interpreter, LifecycleError, TABLE, TIMERS, type AnyRow, type Row, type Timer } from '../../src/lifecycle/index.js';
import { AGENT, at, connected, create } from './helpers.js';

const row = (id: string) => TABLE.find((r) => r.id === id) as Row;
const without = (...ids: string[]) => TABLE.filter((r) => !ids.includes(r.id));
const agentOf = (s: ReturnType<typeof connected>) => s.participants.find((p) => p.purpose === 'agent')?.id as string;

describe('the interpreter, given broken tables', () => {
  it('no row for a trigger in that state: the generic refusal, naming what was asked and the state', () => {
    const engine = interpreter(without('hold'), TIMERS);
    const s = connected();
    const pid = agentOf(s);
    let error: unknown;
    try {
      engine.apply(s, { type: 'hold', participantId: pid }, at(20));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LifecycleError);
    expect(error).toMatchObject({
      code: 'conversation.error.invalid.state',
      kind: 'conflict',
      state: 'leg=connected',
      message: `Cannot hold: participant ${pid} (agent) is connected.`,
    });
    const conv = interpreter(without('offer', 'offerAutoAnswer'), TIMERS);
    expect(() => conv.apply(create().state, { type: 'offer', agent: AGENT }, at(5))).toThrow(
      expect.objectContaining({ message: 'Cannot offer: the callback is queued.', state: 'phase=queued' }),
    );
  });

  it('two rows whose guards both hold, or none: an internal error naming them', () => {
    const twice = interpreter([...TABLE, { ...row('hold'), id: 'holdAgain' }], TIMERS);
    const s = connected();
    expect(() => twice.apply(s, { type: 'hold', participantId: agentOf(s) }, at(20))).toThrow(
      'lifecycle table: 2 rows (hold, holdAgain) apply to hold from connected',
    );
    const never = interpreter(
      TABLE.map((r) => (r.id === 'hold' ? { ...r, guard: { text: 'never', holds: () => false } } : r)),
      TIMERS,
    );
    expect(() => never.apply(s, { type: 'hold', participantId: agentOf(s) }, at(20))).toThrow(
      'lifecycle table: 0 rows () apply to hold from connected',
    );
  });

  it('an effect whose outcome is not its row: the leg status, the phase move, the phase', () => {
    const s = connected();
    const pid = agentOf(s);
    const swap = (id: string, patch: Partial<Row>): AnyRow[] => TABLE.map((r) => (r.id === id ? ({ ...r, ...patch } as AnyRow) : r));
    expect(() =>
      interpreter(swap('hold', { to: 'parked' } as Partial<Row>), TIMERS).apply(s, { type: 'hold', participantId: pid }, at(20)),
    ).toThrow('lifecycle table violated: row hold left the leg held, not parked');
    // A leg row that lists no move must not move the callback; one that lists moves must make one of them.
    const disconnectRow = row('disconnect.acw') as Row & { moves: unknown };
    expect(() =>
      interpreter(swap('disconnect.acw', { moves: undefined } as Partial<Row>), TIMERS).apply(
        s,
        { type: 'disconnect', participantId: pid },
        at(20),
      ),
    ).toThrow('lifecycle table violated: row disconnect.acw moved the callback from active to queued');
    expect(disconnectRow.moves).toEqual([['active', 'queued']]);
    expect(() =>
      interpreter(swap('disconnect.acw', { moves: [['active', 'ended']] } as Partial<Row>), TIMERS).apply(
        s,
        { type: 'disconnect', participantId: pid },
        at(20),
      ),
    ).toThrow('lifecycle table violated: row disconnect.acw moved the callback from active to queued');
    expect(() =>
      interpreter(swap('hold', { moves: [['active', 'active']] } as Partial<Row>), TIMERS).apply(
        s,
        { type: 'hold', participantId: pid },
        at(20),
      ),
    ).not.toThrow();
    expect(() =>
      interpreter(swap('offer', { to: 'active' } as Partial<Row>), TIMERS).apply(create().state, { type: 'offer', agent: AGENT }, at(5)),
    ).toThrow('lifecycle table violated: row offer ended in phase offered, not active');
  });

  it('timers: a deadline that is not a number is no deadline; ties keep the timers order; a timer that never settles is an error', () => {
    const due = TIMERS.find((t) => t.kind === 'due') as Timer;
    const scheduled = create({ callbackScheduledTime: at(60) }).state;
    expect(interpreter(TABLE, [{ ...due, at: () => Number.NaN }]).deadlines(scheduled)).toEqual([]);
    expect(interpreter(TABLE, [{ ...due, at: () => undefined }]).nextDeadline(scheduled)).toBeUndefined();
    const other: Timer = { ...due, kind: 'autoEnd' };
    expect(
      interpreter(TABLE, [other, due])
        .deadlines(scheduled)
        .map((d) => d.kind),
    ).toEqual(['autoEnd', 'due']);
    expect(
      interpreter(TABLE, [due, other])
        .deadlines(scheduled)
        .map((d) => d.kind),
    ).toEqual(['due', 'autoEnd']);
    // A timer whose row leaves it due forever.
    const stuck = interpreter(
      TABLE.map((r) => (r.id === 'due' ? ({ ...r, to: 'scheduled', effect: () => undefined } as AnyRow) : r)),
      TIMERS,
    );
    expect(() => stuck.advance(scheduled, at(120))).toThrow('advance: conversation conv-1 did not settle');
  });
});
