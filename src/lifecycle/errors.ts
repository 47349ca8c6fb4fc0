// Typed lifecycle errors. `code` is the Platform API error code where the API reference documents one; codes marked
// [INF] in docs/lifecycle.md are ours where it documents none. `kind` says what sort of refusal it is; the API layer
// maps kinds to HTTP statuses, nothing here knows about HTTP.

export type ErrorKind = 'invalid' | 'conflict' | 'notFound' | 'forbidden';

export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** The state the conversation or leg was in, e.g. `phase=active` or `leg=alerting`. */
    readonly state: string,
  ) {
    super(message);
  }
}

export const CODES = {
  holdAlerting: 'conversation.error.hold.alerting',
  wrapupCodeRequired: 'conversation.error.wrapup.code.required',
  transferNotConnected: 'conversations.error.transfer.not.connected',
  callCannotBePlaced: 'conversation.error.callback.call.cannot.be.placed',
  noActiveConversations: 'conversation.error.participant.no.active.conversations',
  notParticipant: 'conversation.error.not.conversation.participant',
  missingNumbers: 'callback.error.missing.callback.numbers',
  missingQueue: 'callback.error.missing.queue.id',
  tooFarInFuture: 'callback.error.scheduled.time.too.far.in.future',
  invalidDate: 'invalid.date',
  // [INF] the API documents no code for these:
  skipNotEnabled: 'callback.error.skip.not.enabled',
  notUpdatable: 'callback.error.already.delivered',
  notOfferable: 'callback.error.not.queued',
  wrapupNotPending: 'conversation.error.wrapup.not.pending',
  wrapupCannotSkip: 'conversation.error.wrapup.skip.not.allowed',
  wrapupCodeUnknown: 'conversation.error.wrapup.code.invalid',
  invalidTransition: 'conversation.error.invalid.state',
  invalidValue: 'invalid.value',
} as const;
