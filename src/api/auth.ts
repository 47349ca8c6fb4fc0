// OAuth 2 token endpoint (client credentials with Basic client auth, as loginClientCredentialsGrant sends it, and the
// resource-owner password grant for user-bound tokens, RFC 6749 §4.3) and bearer-token checks.
import type { Store } from '../store/types.js';
import type { Principal } from '../service/backend.js';
import { newToken, verifySecret } from '../service/secrets.js';
import { ApiError } from './errors.js';

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly basic = false,
  ) {
    super(description);
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

function clientCredentials(header: string | undefined, form: Record<string, string>): { id: string; secret: string; basic: boolean } {
  if (header !== undefined && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError(401, 'invalid_client', 'Malformed Basic credentials.', true);
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)), basic: true };
  }
  if (form.client_id !== undefined && form.client_secret !== undefined)
    return { id: form.client_id, secret: form.client_secret, basic: false };
  throw new OAuthError(401, 'invalid_client', 'Client authentication is required (HTTP Basic or client_id and client_secret).', true);
}

export async function issueToken(
  store: Store,
  header: string | undefined,
  form: Record<string, string>,
  now: Date,
  ttlSeconds: number,
): Promise<TokenResponse> {
  const grant = form.grant_type;
  if (grant === undefined) throw new OAuthError(400, 'invalid_request', 'grant_type is required.');
  const creds = clientCredentials(header, form);
  const client = await store.getClient(creds.id);
  if (client === undefined || !verifySecret(creds.secret, client.secretHash)) {
    throw new OAuthError(401, 'invalid_client', 'Unknown client or wrong secret.', creds.basic);
  }
  let userId: string | undefined;
  if (grant === 'password') {
    if (form.username === undefined || form.password === undefined)
      throw new OAuthError(400, 'invalid_request', 'username and password are required.');
    const user = await store.findUserByUsername(form.username);
    if (user === undefined || user.orgId !== client.orgId || user.state !== 'active' || !verifySecret(form.password, user.passwordHash)) {
      throw new OAuthError(400, 'invalid_grant', 'Wrong username or password.');
    }
    userId = user.id;
  } else if (grant !== 'client_credentials') {
    throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${grant} is not supported; use client_credentials or password.`);
  }
  const token = newToken();
  await store.putToken({
    token,
    orgId: client.orgId,
    clientId: client.clientId,
    ...(userId !== undefined ? { userId } : {}),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  });
  return { access_token: token, token_type: 'bearer', expires_in: ttlSeconds };
}

export async function authenticate(store: Store, header: string | undefined, now: Date): Promise<Principal> {
  if (header === undefined || !/^bearer /i.test(header)) {
    throw new ApiError(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
  }
  const t = await store.getToken(header.slice(7).trim());
  if (t === undefined || t.expiresAt.getTime() <= now.getTime()) {
    throw new ApiError(401, 'bad.credentials', 'Invalid login credentials.');
  }
  return { orgId: t.orgId, clientId: t.clientId, ...(t.userId !== undefined ? { userId: t.userId } : {}) };
}
