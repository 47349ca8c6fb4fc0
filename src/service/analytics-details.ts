// A conversation's detail record (analytics), computed from the conversation as it now is and its events in the log:
// segments are the intervals between events of one leg, metrics are sums over segments. Nothing is stored twice.
// The decisions the documentation leaves open are in docs/analytics.md.
import type { CallbackConversationState } from '../lifecycle/index.js';
import type {
  AnalyticsConversationSegment as Segment,
  AnalyticsConversationWithoutAttributes as Details,
  AnalyticsParticipantWithoutAttributes as Participant,
  AnalyticsSession as Session,
  AnalyticsSessionMetric as Metric,
} from '../model/core.js';
import type { LoggedEvent } from '../store/types.js';

type SegmentType = 'alert' | 'hold' | 'interact' | 'parked' | 'scheduled' | 'wrapup';
type Leg = CallbackConversationState['participants'][number];

/** The platform's disconnect types, in the analytics spelling (conference and consult transfers have their own). */
const DISCONNECT: Record<string, Segment['disconnectType']> = {
  endpoint: 'endpoint',
  client: 'client',
  system: 'system',
  timeout: 'timeout',
  transfer: 'transfer',
  'transfer.noanswer': 'noAnswerTransfer',
  'transport.failure': 'transportFailure',
  error: 'error',
  peer: 'peer',
  other: 'other',
  uncallable: 'uncallable',
};

const ms = (from: Date, to: Date) => Math.max(0, to.getTime() - from.getTime());

/** Builds a session's segments as a sequence of states: each `enter` closes the one before. */
class Timeline {
  readonly segments: Segment[] = [];
  private open: Segment | undefined;
  constructor(private readonly queueId: string | undefined) {}
  enter(type: SegmentType, at: Date): void {
    this.close(at);
    this.open = { segmentStart: at, segmentType: type, ...(this.queueId !== undefined ? { queueId: this.queueId } : {}) };
    this.segments.push(this.open);
  }
  close(at: Date, extra: Partial<Segment> = {}): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    const before = this.segments.at(-2);
    // A segment that ends the instant it began (unhold and hang up at once) is no segment: what it ended with goes to the one before.
    if ((open.segmentStart as Date).getTime() === at.getTime() && before !== undefined && before.segmentEnd !== undefined) {
      this.segments.pop();
      Object.assign(before, extra);
      return;
    }
    Object.assign(open, { segmentEnd: at, ...extra });
  }
  get current(): SegmentType | undefined {
    return this.open?.segmentType as SegmentType | undefined;
  }
  /** Milliseconds in segments of a type (closed ones; an open one counts to `now`). */
  total(type: SegmentType, now: Date): number {
    return this.segments.filter((s) => s.segmentType === type).reduce((a, s) => a + ms(s.segmentStart as Date, s.segmentEnd ?? now), 0);
  }
  lastEnd(type: SegmentType): Date | undefined {
    return this.segments.filter((s) => s.segmentType === type && s.segmentEnd !== undefined).at(-1)?.segmentEnd;
  }
}

function metric(name: string, value: number, emitDate: Date | undefined): Metric[] {
  return emitDate === undefined ? [] : [{ name, value, emitDate }];
}

function callbackFields(p: Leg, state: CallbackConversationState): Partial<Session> {
  return {
    ...(p.callbackNumbers !== undefined ? { callbackNumbers: p.callbackNumbers } : {}),
    ...(p.callbackScheduledTime !== undefined ? { callbackScheduledTime: p.callbackScheduledTime } : {}),
    ...(p.callbackUserName !== undefined ? { callbackUserName: p.callbackUserName } : {}),
    agentOwned: state.routing.routingFlags.includes('AGENT_OWNED_CALLBACK'),
    ...(p.skipEnabled !== undefined ? { skipEnabled: p.skipEnabled } : {}),
    ...(p.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}),
  };
}

/** The customer's and the ACD's legs: scheduled until queued, then interact until the leg ends. */
function waitingSession(state: CallbackConversationState, p: Leg, events: readonly LoggedEvent[], now: Date): Session {
  const t = new Timeline(p.queue?.id);
  const created = events.find((e) => e.event.type === 'created');
  const scheduled = created?.event.type === 'created' && created.event.scheduled;
  const start = p.startTime ?? state.createdAt;
  if (scheduled && p.connectedTime !== undefined && p.connectedTime.getTime() > start.getTime()) t.enter('scheduled', start);
  else if (scheduled && p.connectedTime === undefined) t.enter('scheduled', start);
  if (p.connectedTime !== undefined) t.enter('interact', p.connectedTime);
  if (p.endTime !== undefined) {
    const type = p.disconnectType !== undefined ? DISCONNECT[p.disconnectType] : undefined;
    t.close(p.endTime, type !== undefined ? { disconnectType: type } : {});
  }
  const role = state.legs[p.id as string]?.role;
  const metrics: Metric[] =
    role === 'acd'
      ? [
          ...metric('nOffered', 1, p.connectedTime),
          ...metric('tAcd', ms(p.connectedTime ?? now, p.endTime ?? now), p.connectedTime !== undefined ? p.endTime : undefined),
          ...(scheduled ? metric('nCallbackScheduled', 1, start) : []),
          ...(isFirstAcd(state, p) ? callbackOutcome(state, events) : []),
        ]
      : [];
  return {
    sessionId: state.legs[p.id as string]?.communicationId as string,
    mediaType: 'callback',
    direction: (p.direction as Session['direction']) ?? 'outbound',
    ...callbackFields(p, state),
    ...(p.peer !== undefined ? { peerId: p.peer } : {}),
    metrics,
    segments: t.segments,
  };
}

const isFirstAcd = (state: CallbackConversationState, p: Leg) =>
  state.participants.find((x) => state.legs[x.id as string]?.role === 'acd') === p;

/**
 * How the callback went, once per conversation (on its first ACD leg), from when it first entered the queue:
 * `tCallbackConnect` until the first call to the customer was placed; if it ended without one, `tCallbackNotReached`
 * when an agent had answered it, `tCallbackAbandon` when none had.
 */
function callbackOutcome(state: CallbackConversationState, events: readonly LoggedEvent[]): Metric[] {
  const queued = events.find((e) => e.event.type === 'queued')?.at;
  if (queued === undefined) return [];
  const first = state.calls[0];
  if (first !== undefined) return metric('tCallbackConnect', ms(queued, first.placedAt), first.placedAt);
  if (state.endedAt === undefined) return [];
  const answered = events.some((e) => e.event.type === 'answered');
  return metric(answered ? 'tCallbackNotReached' : 'tCallbackAbandon', ms(queued, state.endedAt), state.endedAt);
}

/** An agent's leg: alert, then interact / hold / parked, then wrap-up; its metrics from those segments. */
function agentSession(state: CallbackConversationState, p: Leg, events: readonly LoggedEvent[], now: Date): Session {
  const pid = p.id as string;
  const t = new Timeline(p.queue?.id);
  const mine = events.filter((e) => 'participantId' in e.event && e.event.participantId === pid);
  t.enter('alert', p.startTime ?? mine[0]?.at ?? now);
  let answeredAt: Date | undefined;
  let missedAt: Date | undefined;
  for (const { event: e } of mine) {
    switch (e.type) {
      case 'answered':
        answeredAt = e.at;
        t.enter('interact', e.at);
        break;
      case 'held':
        t.enter('hold', e.at);
        break;
      case 'parked':
        t.enter('parked', e.at);
        break;
      case 'unheld':
      case 'resumed':
        t.enter('interact', e.at);
        break;
      case 'notResponding':
      case 'declined':
        missedAt = e.at;
        break;
      case 'disconnected': {
        const type = DISCONNECT[e.disconnectType];
        t.close(e.at, type !== undefined ? { disconnectType: type } : {});
        break;
      }
      case 'acwStarted':
        t.enter('wrapup', e.at);
        break;
      case 'wrapupApplied':
        if (!e.provisional && t.current === 'wrapup') t.close(e.at);
        break;
      case 'wrapupSkipped':
      case 'wrapupTimedOut':
        if (t.current === 'wrapup') t.close(e.at);
        break;
    }
  }
  // A leg that ended without a disconnect event of its own (a teardown) ends with the participant.
  if (p.endTime !== undefined && t.current !== undefined && t.current !== 'wrapup') t.close(p.endTime);
  const wrap = t.segments.filter((s) => s.segmentType === 'wrapup').at(-1);
  if (wrap !== undefined && p.wrapup?.provisional !== true && p.wrapup !== undefined) {
    Object.assign(wrap, {
      ...(p.wrapup.code !== undefined ? { wrapUpCode: p.wrapup.code } : {}),
      ...(p.wrapup.notes !== undefined ? { wrapUpNote: p.wrapup.notes } : {}),
      ...(p.wrapup.tags !== undefined ? { wrapUpTags: p.wrapup.tags } : {}),
    });
  }
  const alert = t.segments[0] as Segment;
  const alertMs = ms(alert.segmentStart as Date, alert.segmentEnd ?? now);
  const queuedAt = events.filter((e) => e.event.type === 'queued' && e.at.getTime() <= (alert.segmentStart as Date).getTime()).at(-1)?.at;
  const talk = t.total('interact', now);
  const held = t.total('hold', now);
  const acw = t.total('wrapup', now);
  const handled = answeredAt !== undefined && t.segments.every((s) => s.segmentEnd !== undefined);
  const calls = state.calls.filter((c) => c.placedBy === pid);
  const metrics: Metric[] = [
    ...metric('tAlert', alertMs, answeredAt),
    ...metric('tNotResponding', alertMs, missedAt !== undefined && answeredAt === undefined ? alert.segmentEnd : undefined),
    ...(answeredAt !== undefined && queuedAt !== undefined ? metric('tAnswered', ms(queuedAt, answeredAt), answeredAt) : []),
    ...metric('tTalk', talk, answeredAt !== undefined ? t.lastEnd('interact') : undefined),
    ...(held > 0 ? metric('tHeld', held, t.lastEnd('hold')) : []),
    ...(t.total('parked', now) > 0 ? metric('tPark', t.total('parked', now), t.lastEnd('parked')) : []),
    ...(acw > 0 || wrap?.segmentEnd !== undefined ? metric('tAcw', acw, wrap?.segmentEnd) : []),
    ...(handled ? metric('tHandle', talk + held + acw, t.segments.at(-1)?.segmentEnd) : []),
    ...(calls.length > 0 ? metric('nCallbackAttempts', calls.length, calls.at(-1)?.placedAt) : []),
  ];
  return {
    sessionId: state.legs[pid]?.communicationId as string,
    mediaType: 'callback',
    direction: (p.direction as Session['direction']) ?? 'inbound',
    ...callbackFields(p, state),
    ...(p.peer !== undefined ? { peerId: p.peer } : {}),
    metrics,
    segments: t.segments,
  };
}

/** A call placed to the customer: a voice session of the customer (callbackd does not model the phone ringing). */
function voiceSessions(state: CallbackConversationState, customer: Leg): Session[] {
  return state.calls.map((c) => ({
    sessionId: c.id,
    mediaType: 'voice' as const,
    direction: 'outbound' as const,
    addressTo: c.number,
    metrics: [],
    segments: [
      {
        segmentStart: c.placedAt,
        segmentType: 'interact' as const,
        ...(customer.queue?.id !== undefined ? { queueId: customer.queue.id } : {}),
        ...((c.endedAt ?? customer.endTime) !== undefined ? { segmentEnd: (c.endedAt ?? customer.endTime) as Date } : {}),
      },
    ],
  }));
}

/** The detail record of a callback conversation, as of `now` (open segments have no end yet). */
export function conversationDetails(state: CallbackConversationState, events: readonly LoggedEvent[], now: Date): Details {
  const participants: Participant[] = state.participants.map((p) => {
    const role = state.legs[p.id as string]?.role;
    const sessions =
      role === 'agent'
        ? [agentSession(state, p, events, now)]
        : role === 'customer'
          ? [waitingSession(state, p, events, now), ...voiceSessions(state, p)]
          : [waitingSession(state, p, events, now)];
    return {
      participantId: p.id as string,
      ...(p.name !== undefined ? { participantName: p.name } : {}),
      purpose: (p.purpose as Participant['purpose']) ?? 'customer',
      ...(p.user?.id !== undefined ? { userId: p.user.id } : {}),
      sessions,
    };
  });
  return {
    conversationId: state.id,
    conversationStart: state.createdAt,
    ...(state.endedAt !== undefined ? { conversationEnd: state.endedAt } : {}),
    originatingDirection: 'outbound',
    divisionIds: ['home'],
    participants,
  };
}
