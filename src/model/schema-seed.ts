// The seed configuration file (config/default-org.json, or `serve --seed FILE`), in the same schema language as
// every other model: `loadSeed` decodes it strictly with the codec, `callbackd validate --model EmulatorSeed` checks
// one, and the OpenAPI document describes it. Queue settings are the API's own models (what PUT /routing/queues takes).
import { AcwSettings, AgentOwnedRouting, CallbackMediaSettings } from './schema-api.js';
import { bool, int32, list, model, ref, str, strings } from './schema.js';

export const SeedClient = model(
  'SeedClient',
  'An OAuth client of a seeded organization (client credentials and password grants).',
  {
    clientId: str('The client id.', { maxLength: 200 }),
    clientSecret: str('The client secret (stored hashed).', { maxLength: 200 }),
    name: str('Display name (default: the client id).'),
  },
  ['clientId', 'clientSecret'],
);

export const SeedUser = model(
  'SeedUser',
  'A user (agent) of a seeded organization.',
  {
    id: str('User id.', { maxLength: 100 }),
    name: str('Display name.'),
    email: str('Email; the username unless username is given.'),
    password: str('Password for the password grant (stored hashed).', { maxLength: 200 }),
    username: str('Username for the password grant (default: the email).'),
  },
  ['id', 'name', 'email', 'password'],
);

export const SeedWrapupCode = model(
  'SeedWrapupCode',
  'A wrap-up code of a seeded organization.',
  { id: str('Code id.'), name: str('Code name.') },
  ['id', 'name'],
);

export const SeedQueue = model(
  'SeedQueue',
  'A queue of a seeded organization; settings left out take the defaults of POST /routing/queues.',
  {
    id: str('Queue id.', { maxLength: 100 }),
    name: str('Queue name.'),
    description: str('Description.'),
    members: strings('Members: user ids, emails or usernames of this organization.'),
    wrapupCodes: strings('Wrap-up codes: ids or names of this organization.'),
    callback: ref(CallbackMediaSettings, 'Callback settings.'),
    acw: ref(AcwSettings, 'After-call work settings.'),
    agentOwnedRouting: ref(AgentOwnedRouting, 'Agent-owned callbacks.'),
  },
  ['id', 'name'],
);

export const RateLimitSettings = model(
  'RateLimitSettings',
  "An organization's rate limits (README: Rate limits); in the seed and GET/PUT /emulator/ratelimits.",
  {
    enforce: bool('Answer 429 past the budget (default false: counted and reported in headers only).'),
    clientCredentialsPerMinute: int32('Requests a minute per client-credentials token (default 300).', { minimum: 1, maximum: 1_000_000 }),
    userPerMinute: int32('Requests a minute per user and client (default 3000).', { minimum: 1, maximum: 1_000_000 }),
  },
);

export const SeedOrganization = model(
  'SeedOrganization',
  'A seeded organization with its clients, users, wrap-up codes and queues.',
  {
    id: str('Organization id.', { maxLength: 100 }),
    name: str('Organization name.'),
    clients: list(SeedClient, 'OAuth clients.'),
    users: list(SeedUser, 'Users.'),
    wrapupCodes: list(SeedWrapupCode, 'Wrap-up codes.'),
    queues: list(SeedQueue, 'Queues.'),
    rateLimits: ref(RateLimitSettings, 'Rate limits.'),
  },
  ['id', 'name'],
);

export const EmulatorSeed = model(
  'EmulatorSeed',
  'The seed configuration: the organizations callbackd creates at start and brings back on reset.',
  {
    $comment: str('A note for people; ignored.'),
    organizations: list(SeedOrganization, 'The organizations.'),
  },
  ['organizations'],
);

export const SEED_MODELS = { EmulatorSeed, SeedOrganization, SeedClient, SeedUser, SeedWrapupCode, SeedQueue, RateLimitSettings } as const;
