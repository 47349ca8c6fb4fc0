// Errors on the wire. Every error the server writes is a catalogue error (src/errors.ts) whose kind gives its HTTP
// status; it is answered as the Platform ErrorBody (the status repeated, the code, the request's correlation id as
// contextId, a detail per bad field), or in RFC 6749's shape on the token endpoint.
import { CallbackdError, ERRORS, type ErrorKind, type FieldProblem } from '../errors.js';
import { stringifyErrorBody, stringifyOAuthError, type ErrorBody, type Issue } from '../model/core.js';

export const STATUS: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  timeout: 408,
  tooLarge: 413,
  unsupportedMediaType: 415,
  headersTooLarge: 431,
  tooManyRequests: 429,
  internal: 500,
  badGateway: 502,
  unavailable: 503,
};

const internal = () => new CallbackdError(ERRORS.internal, 'The server encountered an unexpected error.');

/** The catalogue error behind anything thrown: itself, or a 500 for what is not one. */
export const asCallbackdError = (error: unknown): CallbackdError => (error instanceof CallbackdError ? error : internal());

export function errorBody(e: CallbackdError, contextId: string): ErrorBody {
  return {
    message: e.message,
    code: e.code,
    status: STATUS[e.kind],
    messageParams: {},
    contextId,
    details: e.fields.map((f) => ({ errorCode: f.code, fieldName: f.field, entityName: f.message })),
    errors: [],
  };
}

/** The response text of an error: the Platform ErrorBody, or `{error, error_description}` on the token endpoint. */
export function errorText(e: CallbackdError, contextId: string, shape: 'platform' | 'oauth'): string {
  if (shape === 'oauth' && e.entry.source === 'RFC 6749') return stringifyOAuthError({ error: e.code, error_description: e.message });
  return stringifyErrorBody(errorBody(e, contextId));
}

/** At most this many bad fields are listed in an error (the message says how many more there were). */
export const MAX_DETAILS = 100;

/** A 400 for a body the model layer refused, naming each bad field by its JSON pointer (the first MAX_DETAILS). */
export function badBody(all: readonly Issue[], omitted = 0): CallbackdError {
  const issues = all.slice(0, MAX_DETAILS);
  const isDate = (i: Issue) => i.message.startsWith('expected an ISO-8601');
  const entry = issues.every(isDate) && omitted === 0 ? ERRORS.invalidDate : ERRORS.badRequest;
  const first = issues[0] as Issue;
  const others = all.length - 1 + omitted;
  const more =
    others > 0 ? ` (and ${others} more${all.length + omitted > MAX_DETAILS ? `; the first ${issues.length} are listed` : ''})` : '';
  const fields: FieldProblem[] = issues.map((i) => ({
    field: i.path === '' ? '/' : i.path,
    code: isDate(i) ? ERRORS.invalidDate.code : ERRORS.invalidValue.code,
    message: i.message,
  }));
  return new CallbackdError(
    entry,
    `The request body is invalid: ${first.path === '' ? '(body)' : first.path}: ${first.message}${more}`,
    fields,
  );
}

/** docs/errors.md: every code of the catalogue with its kind, HTTP status and source (`npm run gen`). */
export function renderErrorCatalogue(): string {
  const rows = Object.entries(ERRORS).map(([name, e]) => `| \`${e.code}\` | ${STATUS[e.kind]} | ${e.kind} | ${name} | ${e.source} |`);
  return [
    '# Errors',
    '',
    'Generated from the error catalogue (`src/errors.ts`) and the HTTP statuses of its kinds (`src/api/errors.ts`) by',
    '`npm run gen`; a test fails when this file is stale. Every error callbackd answers with is one of these. Errors are',
    'the Platform API `ErrorBody` (`{message, code, status, messageParams, contextId, details, errors}`, `contextId` =',
    'the `inin-correlation-id` header, one `details` entry per bad field with its JSON pointer or query parameter), except',
    "on `POST /oauth/token`, whose own errors are RFC 6749's `{error, error_description}`.",
    '',
    '| code | HTTP | kind | catalogue name | source |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
