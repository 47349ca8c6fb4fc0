// The error catalogue: every error code callbackd answers with, once, with its kind. Every throw site names an entry
// here; the HTTP layer maps kinds to statuses (src/api/errors.ts) and docs/errors.md is generated from both. Codes are
// the Platform API's where it documents one (docs/reference/api.md §1.2, §3.1); the ones marked [INF] are ours where it documents none.

/** What sort of failure it is; each kind has one HTTP status. */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'timeout'
  | 'tooLarge'
  | 'unsupportedMediaType'
  | 'headersTooLarge'
  | 'tooManyRequests'
  | 'internal'
  | 'badGateway'
  | 'unavailable';

export interface ErrorEntry {
  readonly code: string;
  readonly kind: ErrorKind;
  /** Where the code comes from: the API reference, RFC 6749, or [INF] (ours). */
  readonly source: string;
}

const e = (code: string, kind: ErrorKind, source = 'reference/api.md'): ErrorEntry => ({ code, kind, source });

export const ERRORS = {
  // ---- generic (docs/reference/api.md §3.1) ----
  badRequest: e('bad.request', 'invalid'),
  invalidValue: e('invalid.value', 'invalid'),
  invalidDate: e('invalid.date', 'invalid'),
  authenticationRequired: e('authentication.required', 'unauthenticated'),
  badCredentials: e('bad.credentials', 'unauthenticated'),
  notAuthorized: e('not.authorized', 'forbidden'),
  notFound: e('not.found', 'notFound'),
  conflict: e('conflict', 'conflict', 'reference/api.md §3.1 (409 concurrent modification; code [INF])'),
  generalConflict: e('general.conflict', 'conflict', '[INF]'),
  tooLarge: e('request.entity.too.large', 'tooLarge'),
  requestTimeout: e('request.timeout', 'timeout', 'reference/api.md §3.1 (408; the code is the one §3.1 gives for 504)'),
  headersTooLarge: e('request.header.fields.too.large', 'headersTooLarge', '[INF]'),
  unsupportedMediaType: e('unsupported.media.type', 'unsupportedMediaType'),
  internal: e('internal.server.error', 'internal'),
  unavailable: e('service.unavailable', 'unavailable'),
  tooManyRequests: e('too.many.requests', 'tooManyRequests'),
  rateLimited: e('too.many.requests.retry.after', 'tooManyRequests', 'reference/analytics-notifications-limits.md §5.3'),
  notAUser: e('not.a.user', 'invalid'),

  // ---- conversations and callbacks (docs/reference/api.md §1.2) ----
  conversationNotFound: e('conversation.error.conversation.not.found', 'notFound'),
  notParticipant: e('conversation.error.not.conversation.participant', 'notFound'),
  noActiveConversations: e('conversation.error.participant.no.active.conversations', 'invalid'),
  holdAlerting: e('conversation.error.hold.alerting', 'invalid'),
  wrapupCodeRequired: e('conversation.error.wrapup.code.required', 'invalid'),
  attributeNull: e('conversation.error.participant.attribute.null', 'invalid'),
  communicationStateRequired: e('communication.state.required', 'invalid'),
  cannotCallbackAcd: e('conversation.error.cannot.callback.acd', 'invalid'),
  transferNotConnected: e('conversations.error.transfer.not.connected', 'invalid'),
  queueNotFound: e('conversations.error.queue.not.found', 'invalid'),
  callCannotBePlaced: e('conversation.error.callback.call.cannot.be.placed', 'invalid'),
  notActiveParticipant: e('conversation.error.forbidden.not.active.participant', 'forbidden'),
  missingNumbers: e('callback.error.missing.callback.numbers', 'invalid'),
  missingQueue: e('callback.error.missing.queue.id', 'invalid'),
  tooFarInFuture: e('callback.error.scheduled.time.too.far.in.future', 'invalid'),
  // [INF] the API documents no code for these:
  skipNotEnabled: e('callback.error.skip.not.enabled', 'invalid', '[INF]'),
  notUpdatable: e('callback.error.already.delivered', 'conflict', '[INF]'),
  notOfferable: e('callback.error.not.queued', 'conflict', '[INF]'),
  wrapupNotPending: e('conversation.error.wrapup.not.pending', 'invalid', '[INF]'),
  wrapupCannotSkip: e('conversation.error.wrapup.skip.not.allowed', 'invalid', '[INF]'),
  wrapupCodeUnknown: e('conversation.error.wrapup.code.invalid', 'invalid', '[INF]'),
  invalidTransition: e('conversation.error.invalid.state', 'conflict', '[INF]'),

  // ---- emulator controls ----
  clockNotManual: e('emulator.clock.not.manual', 'conflict', '[INF]'),
  faultNotFound: e('emulator.fault.not.found', 'notFound', '[INF]'),
  // Only ever answered by an injected fault (POST /emulator/faults with status 502).
  badGateway: e('bad.gateway', 'badGateway', '[INF]'),

  // ---- OAuth (RFC 6749 §5.2; answered in the OAuth error shape, not ErrorBody) ----
  oauthInvalidRequest: e('invalid_request', 'invalid', 'RFC 6749'),
  oauthInvalidClient: e('invalid_client', 'unauthenticated', 'RFC 6749'),
  oauthInvalidGrant: e('invalid_grant', 'invalid', 'RFC 6749'),
  oauthUnsupportedGrantType: e('unsupported_grant_type', 'invalid', 'RFC 6749'),
} as const satisfies Record<string, ErrorEntry>;

export type ErrorName = keyof typeof ERRORS;

/** One bad field of a request: its JSON pointer (or parameter name) and what was wrong. */
export interface FieldProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** An error from the catalogue with a message for this occurrence. */
export class CallbackdError extends Error {
  override name = 'CallbackdError';
  readonly code: string;
  readonly kind: ErrorKind;
  /** For refusals that pass (rate limits, a busy store): when to try again, in seconds (the Retry-After header). */
  retryAfterSeconds: number | undefined;
  constructor(
    readonly entry: ErrorEntry,
    message: string,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.code = entry.code;
    this.kind = entry.kind;
  }
}

/** A refusal that passes: answered with Retry-After. */
export function retryLater(entry: ErrorEntry, message: string, seconds: number): CallbackdError {
  const e = new CallbackdError(entry, message);
  e.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
  return e;
}

/** An error of the service layer (ids, configuration, ownership). */
export class ServiceError extends CallbackdError {
  override name = 'ServiceError';
}

/** An OAuth token request refused, answered as RFC 6749 §5.2 says. */
export class OAuthError extends CallbackdError {
  override name = 'OAuthError';
  constructor(
    entry: ErrorEntry,
    message: string,
    /** Answer with `WWW-Authenticate: Basic` (the client tried, or should try, HTTP Basic). */
    readonly basic = false,
  ) {
    super(entry, message);
  }
}
