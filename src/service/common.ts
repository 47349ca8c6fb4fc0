// What the service layers share: who is calling, and the typed errors the API layer maps to statuses.
import type { CallbackConversationState, ErrorKind, LifecycleEvent } from '../lifecycle/index.js';

/** Who is calling: the organization, the OAuth client, and the user for user tokens. */
export interface Principal {
  orgId: string;
  clientId: string;
  userId?: string;
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): ServiceError =>
  new ServiceError('notFound', 'not.found', `${what} ${id} was not found.`);

/** The user of a user token; client-credential tokens cannot make user-context requests. */
export function requireUser(p: Principal, code: string): { id: string } {
  if (p.userId === undefined) {
    throw new ServiceError(
      'invalid',
      code,
      'This request requires a user context. Client credentials cannot be used for requests to this resource.',
    );
  }
  return { id: p.userId };
}

/** Told of every committed change, with the events it caused (the router and scheduler listen here). */
export interface BackendHooks {
  afterChange?: (orgId: string, state: CallbackConversationState, events: readonly LifecycleEvent[]) => Promise<void> | void;
  afterCreate?: (orgId: string, state: CallbackConversationState) => Promise<void> | void;
  /** Who may take which callbacks changed (a routing status, queue membership): time to route again. */
  afterRoutingChange?: (orgId: string) => Promise<void> | void;
}
