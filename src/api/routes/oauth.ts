// The token endpoint (RFC 6749): the client authenticates with HTTP Basic (what loginClientCredentialsGrant sends) or
// client_id/client_secret form fields; the grant is client_credentials or password. Its errors take RFC 6749's shape.
import { ERRORS, OAuthError } from '../../errors.js';
import type { ClientCredentials, TokenRequest } from '../../service/auth.js';
import type { RouteDef } from '../route.js';

/** The client's credentials from the Authorization header or the form; undefined when neither carries them. */
function clientCredentials(header: string | undefined, form: Record<string, string | undefined>): ClientCredentials | undefined {
  if (header !== undefined && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError(ERRORS.oauthInvalidClient, 'Malformed Basic credentials.', true);
    try {
      return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)), basic: true };
    } catch {
      throw new OAuthError(ERRORS.oauthInvalidClient, 'Malformed Basic credentials (bad percent-encoding).', true);
    }
  }
  if (form.client_id !== undefined && form.client_secret !== undefined)
    return { id: form.client_id, secret: form.client_secret, basic: false };
  return undefined;
}

export const FORM_FIELDS = ['grant_type', 'client_id', 'client_secret', 'username', 'password'] as const;

export const OAUTH_ROUTES: readonly RouteDef[] = [
  {
    method: 'POST',
    path: '/oauth/token',
    operationId: 'oauthToken',
    tag: 'OAuth',
    summary: 'Get an access token: grant_type client_credentials (HTTP Basic client auth) or password (username, password).',
    auth: 'client',
    errors: 'oauth',
    body: { form: FORM_FIELDS },
    status: 200,
    response: { kind: 'model', model: 'TokenResponse' },
    handler: (s, ctx) => {
      // app.ts reads the form (or JSON) body into these fields, as strings.
      const form = ctx.body as Record<string, string | undefined>;
      const client = clientCredentials(ctx.authorization, form);
      const req: TokenRequest = {
        ...(form.grant_type !== undefined ? { grantType: form.grant_type } : {}),
        ...(client !== undefined ? { client } : {}),
        ...(form.username !== undefined ? { username: form.username } : {}),
        ...(form.password !== undefined ? { password: form.password } : {}),
      };
      return s.auth.issueToken(req);
    },
  },
];
