// Authentication: OAuth clients, users' passwords and bearer tokens (client credentials, RFC 6749 §4.4, and the
// resource-owner password grant for user-bound tokens, §4.3). The HTTP layer only reads headers and forms into a
// TokenRequest and a bearer token; every rule about who gets a token is here.
import { ERRORS, OAuthError, retryLater, ServiceError } from '../errors.js';
import type { Store, TokenRecord } from '../store/types.js';
import type { Principal } from './principal.js';
import { newToken, verifySecret } from './secrets.js';

export interface ClientCredentials {
  id: string;
  secret: string;
  /** Sent with HTTP Basic (a refusal then asks for Basic again). */
  basic: boolean;
}

export interface TokenRequest {
  grantType?: string;
  /** Undefined when the request carried no client authentication. */
  client?: ClientCredentials;
  username?: string;
  password?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface AuthOptions {
  /** Seconds a token lives (default a day). */
  ttlSeconds?: number;
  /** Failed attempts allowed per client id and per login within `failureWindowSeconds` (default 10). */
  maxFailures?: number;
  /** The window failed attempts are counted in, in seconds (default 60). */
  failureWindowSeconds?: number;
}

export class AuthService {
  private readonly ttlSeconds: number;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  /** Times of recent failed attempts, by `client:<id>` and `login:<org>:<username>`. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
    options: AuthOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 86400;
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = (options.failureWindowSeconds ?? 60) * 1000;
  }

  /** Refuses (429, Retry-After) while a key has had too many failures in the window: guessing is slow. */
  private throttle(key: string): void {
    const now = this.clock().getTime();
    const recent = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    if (recent.length >= this.maxFailures) {
      const seconds = ((recent[0] as number) + this.windowMs - now) / 1000;
      throw retryLater(ERRORS.tooManyRequests, `Too many failed attempts; try again in ${Math.ceil(seconds)} s.`, seconds);
    }
  }

  private failed(key: string): void {
    const list = this.failures.get(key) ?? [];
    list.push(this.clock().getTime());
    this.failures.set(key, list);
  }

  async issueToken(req: TokenRequest): Promise<TokenResponse> {
    if (req.grantType === undefined) throw new OAuthError(ERRORS.oauthInvalidRequest, 'grant_type is required.');
    const creds = req.client;
    if (creds === undefined)
      throw new OAuthError(
        ERRORS.oauthInvalidClient,
        'Client authentication is required (HTTP Basic or client_id and client_secret).',
        true,
      );
    const clientKey = `client:${creds.id}`;
    this.throttle(clientKey);
    const client = await this.store.getClient(creds.id);
    if (!(await verifySecret(creds.secret, client?.secretHash)) || client === undefined) {
      this.failed(clientKey);
      throw new OAuthError(ERRORS.oauthInvalidClient, 'Unknown client or wrong secret.', creds.basic);
    }
    let userId: string | undefined;
    if (req.grantType === 'password') {
      if (req.username === undefined || req.password === undefined)
        throw new OAuthError(ERRORS.oauthInvalidRequest, 'username and password are required.');
      const loginKey = `login:${client.orgId}:${req.username}`;
      this.throttle(loginKey);
      // A login names a user of the client's organization; an inactive one is as unknown as a missing one, and
      // both cost the same to refuse as a wrong password.
      const found = await this.store.findUserByUsername(client.orgId, req.username);
      const user = found?.state === 'active' ? found : undefined;
      if (!(await verifySecret(req.password, user?.passwordHash)) || user === undefined) {
        this.failed(loginKey);
        throw new OAuthError(ERRORS.oauthInvalidGrant, 'Wrong username or password.');
      }
      userId = user.id;
    } else if (req.grantType !== 'client_credentials') {
      throw new OAuthError(
        ERRORS.oauthUnsupportedGrantType,
        `grant_type ${req.grantType} is not supported; use client_credentials or password.`,
      );
    }
    const token = newToken();
    await this.store.putToken({
      token,
      orgId: client.orgId,
      clientId: client.clientId,
      ...(userId !== undefined ? { userId } : {}),
      expiresAt: new Date(this.clock().getTime() + this.ttlSeconds * 1000),
    });
    return { access_token: token, token_type: 'bearer', expires_in: this.ttlSeconds };
  }

  /** The principal of a bearer token (undefined: none was sent). */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined)
      throw new ServiceError(ERRORS.authenticationRequired, 'No authentication bearer token specified in authorization header.');
    const t = await this.store.getToken(token);
    if (t === undefined) throw new ServiceError(ERRORS.badCredentials, 'Invalid login credentials.');
    const now = this.clock();
    // Genesys answers an expired token with the same code; the message says why, and on which clock (README: tokens).
    if (t.expiresAt.getTime() <= now.getTime())
      throw new ServiceError(
        ERRORS.badCredentials,
        `Invalid login credentials: the access token expired at ${t.expiresAt.toISOString()} (the service's clock is at ` +
          `${now.toISOString()}); get a new one from POST /oauth/token.`,
      );
    return this.principalOf(t);
  }

  /**
   * authenticate() without a promise, for a valid token the store holds in memory (nearly every request: a promise
   * and its turn of the microtask queue are a measurable part of a GET); undefined: call authenticate(), which finds
   * the token or says why not.
   */
  known(token: string | undefined): Principal | undefined {
    const t = token === undefined ? undefined : this.store.cachedToken(token);
    return t === undefined || t.expiresAt.getTime() <= this.clock().getTime() ? undefined : this.principalOf(t);
  }

  private principalOf(t: TokenRecord): Principal {
    let principal = this.principals.get(t);
    if (principal === undefined) {
      principal = Object.freeze({
        orgId: t.orgId,
        clientId: t.clientId,
        ...(t.userId !== undefined ? { userId: t.userId } : {}),
        token: t.token,
        tokenExpiresAt: t.expiresAt,
      });
      this.principals.set(t, principal);
    }
    return principal;
  }

  /** One principal per token record while the store keeps it (a request builds none). */
  private readonly principals = new WeakMap<TokenRecord, Principal>();
}
