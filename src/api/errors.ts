// Errors as the Platform API sends them: an ErrorBody with the HTTP status repeated, a code, and the request's
// correlation id as contextId.
import { LifecycleError, type ErrorKind } from '../lifecycle/index.js';
import { stringifyErrorBody, type Detail, type ErrorBody, type Issue } from '../model/index.js';
import { ServiceError } from '../service/backend.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
  }
}

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  tooLarge: 413,
  unsupportedMediaType: 415,
  tooManyRequests: 429,
  internal: 500,
};

/** The HTTP status and body of any error a handler may throw; unknown errors are 500s. */
export function toErrorBody(error: unknown, contextId: string): { status: number; body: ErrorBody } {
  let status = 500;
  let code = 'internal.server.error';
  let message = 'The server encountered an unexpected error.';
  let details: Detail[] = [];
  if (error instanceof ApiError) {
    ({ status, code, message, details } = error);
  } else if (error instanceof LifecycleError || error instanceof ServiceError) {
    status = STATUS[error.kind];
    code = error.code;
    message = error.message;
  }
  return { status, body: { message, code, status, messageParams: {}, contextId, details, errors: [] } };
}

export const errorText = (body: ErrorBody): string => stringifyErrorBody(body);

/** A 400 for a body the model layer refused, naming each bad field by its JSON pointer. */
export function badBody(issues: readonly Issue[]): ApiError {
  const isDate = (i: Issue) => i.message.startsWith('expected an ISO-8601');
  const code = issues.every(isDate) ? 'invalid.date' : 'bad.request';
  const first = issues[0] as Issue;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ApiError(
    400,
    code,
    `The request body is invalid: ${first.path === '' ? '(body)' : first.path}: ${first.message}${more}`,
    issues.map((i) => ({
      errorCode: isDate(i) ? 'invalid.date' : 'invalid.value',
      fieldName: i.path === '' ? '/' : i.path,
      entityName: i.message,
    })),
  );
}
