// The lifecycle's refusals: catalogue errors (src/errors.ts) that also say which state the conversation or leg was
// in. Nothing here knows about HTTP; the API layer maps each error's kind to a status.
import { CallbackdError, ERRORS, type ErrorEntry, type ErrorKind, type ErrorName } from '../errors.js';

export type { ErrorKind };

export class LifecycleError extends CallbackdError {
  override name = 'LifecycleError';
  constructor(
    entry: ErrorEntry,
    message: string,
    /** The state the conversation or leg was in, e.g. `phase=active` or `leg=alerting`. */
    readonly state: string,
  ) {
    super(entry, message);
  }
}

/** The catalogue's codes by name (`CODES.holdAlerting` is `conversation.error.hold.alerting`). */
export const CODES = Object.fromEntries(Object.entries(ERRORS).map(([name, entry]) => [name, entry.code])) as {
  readonly [N in ErrorName]: (typeof ERRORS)[N]['code'];
};
