// Emulator controls: what a real org cannot do, for users' tests. Time travel on a manual clock (move it, then fire
// what came due and let routing settle), and the customer's side of a placed call hanging up.
import { ERRORS, ServiceError } from '../errors.js';
import type { CallbackService } from './callbacks.js';
import type { ManualClock } from './clock.js';
import type { Principal } from './principal.js';
import type { ConversationFilter, StateSnapshot } from '../store/types.js';
import type { Phase } from '../lifecycle/index.js';
import { isOneOf, parseDateTime, type EmulatorConversation } from '../model/core.js';

const PHASES: readonly Phase[] = ['scheduled', 'queued', 'offered', 'active', 'ended'];

export interface ClockView {
  now: Date;
  mode: 'system' | 'manual';
  nextDeadline?: Date;
}

export interface ClockMove {
  /** An ISO-8601 duration (PnDTnHnMnS) or a number of milliseconds. */
  advance?: unknown;
  instant?: Date;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO-8601 duration (PnDTnHnMnS) or of a number of milliseconds; undefined if neither. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string' || v === 'P' || v.endsWith('T')) return undefined;
  const m = DURATION.exec(v);
  if (m === null) return undefined;
  const [, d, h, mi, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60000 + Number(sec ?? 0) * 1000;
}

const field = (name: string, code: string, message: string) => [{ field: `/${name}`, code, message }];

/** The last instant the wire format can write (four-digit years): the manual clock never goes past it. */
export const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** What the emulator controls reach beyond the services: its version, and how to reset organizations. */
export interface EmulatorEnvironment {
  version: string;
  storeKind: 'sqlite' | 'postgres';
  exportState(orgId: string): Promise<StateSnapshot>;
  /** Problems found (nothing written), or none (imported). */
  importState(orgId: string, snapshot: unknown): Promise<{ field: string; message: string }[]>;
  /** The organization's earliest deadline. */
  nextDeadline(orgId: string): Promise<Date | undefined>;
  /** The manual clock moved here: processes sharing the store are told. */
  clockMoved(at: Date): Promise<void>;
  /** Brings these organizations (or every seeded one) back to the seed. */
  reset(orgIds: readonly string[] | 'all'): Promise<string[]>;
}

export class EmulatorService {
  constructor(
    private readonly now: () => Date,
    private readonly callbacks: CallbackService,
    /** With `--clock manual`: the clock to move, and what to run after moving it. */
    private readonly manual?: { clock: ManualClock; settle: () => Promise<void> },
    private readonly environment?: EmulatorEnvironment,
  ) {}

  health(): { status: 'ready'; version: string; store: 'sqlite' | 'postgres'; clock: ClockView } {
    return {
      status: 'ready',
      version: this.environment?.version ?? 'unknown',
      store: this.environment?.storeKind ?? 'sqlite',
      clock: this.clock(),
    };
  }

  /** GET /emulator/state: the caller's organization, whole. */
  async exportState(p: Principal): Promise<StateSnapshot> {
    return this.env().exportState(p.orgId);
  }

  /** PUT /emulator/state: replaces the caller's organization with a snapshot it exported (checked whole first). */
  async importState(p: Principal, snapshot: unknown): Promise<void> {
    const problems = await this.env().importState(p.orgId, snapshot);
    if (problems.length > 0)
      throw new ServiceError(
        ERRORS.invalidValue,
        `The snapshot cannot be imported: ${problems.length} problem(s), the first at ${problems[0]?.field || '/'}: ${problems[0]?.message}.`,
        problems.map((x) => ({ field: x.field, code: ERRORS.invalidValue.code, message: x.message })),
      );
  }

  private env(): EmulatorEnvironment {
    if (this.environment === undefined) throw new ServiceError(ERRORS.internal, 'Emulator state is not available in this server.');
    return this.environment;
  }

  /** POST /emulator/reset: the caller's organization, or every one with `all`. */
  async reset(p: Principal, all: boolean): Promise<{ organizations: string[] }> {
    if (this.environment === undefined) throw new ServiceError(ERRORS.internal, 'Reset is not available in this server.');
    return { organizations: await this.environment.reset(all ? 'all' : [p.orgId]) };
  }

  clock(): ClockView {
    return { now: this.now(), mode: this.manual !== undefined ? 'manual' : 'system' };
  }

  /** The clock as an organization sees it: with its next deadline (where "advance to the next deadline" goes). */
  async clockOf(p: Principal): Promise<ClockView> {
    const next = await this.environment?.nextDeadline(p.orgId);
    return { ...this.clock(), ...(next !== undefined ? { nextDeadline: next } : {}) };
  }

  /** GET /emulator/conversations: the query checked (each bad value named), then a page of summaries. */
  async listConversations(
    p: Principal,
    query: {
      queueId?: string | undefined;
      phase?: string | undefined;
      startedAfter?: string | undefined;
      startedBefore?: string | undefined;
    },
    page: { pageSize: number; pageNumber: number },
  ): Promise<{ entities: EmulatorConversation[]; pageSize: number; pageNumber: number; total: number }> {
    const date = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const d = parseDateTime(v);
      if (d === undefined)
        throw new ServiceError(ERRORS.invalidDate, `${name} is not an ISO-8601 date-time: ${v}.`, field(name, ERRORS.invalidDate.code, v));
      return d;
    };
    if (query.phase !== undefined && !isOneOf(PHASES, query.phase))
      throw new ServiceError(
        ERRORS.invalidValue,
        `phase is one of ${PHASES.join(', ')}, not ${query.phase}.`,
        field('phase', ERRORS.invalidValue.code, query.phase),
      );
    const from = date('startedAfter', query.startedAfter);
    const to = date('startedBefore', query.startedBefore);
    const filter: ConversationFilter = {
      ...(query.queueId !== undefined ? { queueId: query.queueId } : {}),
      ...(query.phase !== undefined ? { phase: query.phase as Phase } : {}),
      ...(from !== undefined ? { startedFrom: from } : {}),
      ...(to !== undefined ? { startedTo: to } : {}),
    };
    return this.callbacks.listSummaries(p, filter, page);
  }

  async moveClock(move: ClockMove, p?: Principal): Promise<ClockView> {
    const manual = this.manual;
    if (manual === undefined)
      throw new ServiceError(ERRORS.clockNotManual, 'The clock can only be moved when the server runs with --clock manual.');
    let target: Date;
    if (move.advance !== undefined && move.instant === undefined) {
      const ms = durationMs(move.advance);
      if (ms === undefined)
        throw new ServiceError(
          ERRORS.invalidValue,
          'advance is an ISO-8601 duration such as PT1H30M, or a number of milliseconds.',
          field('advance', ERRORS.invalidValue.code, 'a duration'),
        );
      target = new Date(manual.clock.now().getTime() + ms);
      if (!(target.getTime() <= MAX_INSTANT))
        throw new ServiceError(
          ERRORS.invalidValue,
          `advance would move the clock past ${new Date(MAX_INSTANT).toISOString()}.`,
          field('advance', ERRORS.invalidValue.code, 'too far'),
        );
    } else if (move.instant !== undefined && move.advance === undefined) {
      if (move.instant.getTime() < manual.clock.now().getTime())
        throw new ServiceError(ERRORS.invalidValue, 'The clock never goes back.', field('instant', ERRORS.invalidValue.code, 'before now'));
      target = move.instant;
    } else {
      throw new ServiceError(ERRORS.badRequest, 'Give either advance (a duration) or instant (a date-time).');
    }
    manual.clock.set(target);
    // Processes sharing the store move with it (a store of one process keeps no clock).
    await this.environment?.clockMoved(target);
    await manual.settle();
    return p !== undefined ? this.clockOf(p) : this.clock();
  }

  async endPlacedCall(p: Principal, conversationId: string): Promise<void> {
    await this.callbacks.endPlacedCall(p, conversationId);
    await this.manual?.settle();
  }
}
