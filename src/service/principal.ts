// Who is calling: the organization, the OAuth client and, for user tokens, the user. Every service call takes one.
import { ERRORS, ServiceError, type ErrorEntry } from '../errors.js';

export interface Principal {
  orgId: string;
  clientId: string;
  userId?: string;
  /** The bearer token it authenticated with, and when that expires (notification channels follow their token). */
  token?: string;
  tokenExpiresAt?: Date;
}

/** The user of a user token; client-credential tokens cannot make user-context requests (docs/reference/api.md §1.2 row 1). */
export function requireUser(p: Principal, entry: ErrorEntry = ERRORS.badRequest): string {
  if (p.userId === undefined) {
    throw new ServiceError(entry, 'This request requires a user context. Client credentials cannot be used for requests to this resource.');
  }
  return p.userId;
}

/** The router's and the scheduler's own principal for changes they make in an organization. */
export const systemPrincipal = (orgId: string): Principal => ({ orgId, clientId: 'callbackd' });
