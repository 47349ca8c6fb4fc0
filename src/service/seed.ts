// Reads the seed configuration (config/default-org.json, or the file given with --seed) into store records. The file
// is decoded strictly by the codec against the EmulatorSeed model (src/model/schema-seed.ts), so a wrong type, a
// value out of range or an unknown property is refused with its JSON pointer, as a request body would be; then what a
// schema cannot say (ids unique, members and codes that exist) is checked here, with pointers too.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type Issue } from '../model/core.js';
import { isOneOf } from '../model/equals.js';
import { ACW_PROMPT_VALUES } from '../model/values.js';
import type { EmulatorSeed, SeedOrganization, RateLimitSettings } from '../model/models.js';
import type { QueueRecord, SeedData } from '../store/types.js';
import { QUEUE_DEFAULTS } from './configuration.js';
import { packageRoot } from './paths.js';
import { hashSecret, verifySecretSync } from './secrets.js';

export const DEFAULT_SEED_FILE = join(packageRoot(), 'config', 'default-org.json');

export class SeedError extends Error {
  override name = 'SeedError';
}

/** A seed as the server keeps it: the store's records, and each organization's rate-limit settings. */
export interface LoadedSeed extends SeedData {
  rateLimits: Map<string, RateLimitSettings>;
}

/** Reads a seed file (a missing file, a folder, bad JSON, a UTF-8 BOM are handled here) and checks it. */
export function loadSeed(file: string = DEFAULT_SEED_FILE, created = new Date()): LoadedSeed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : (e as Error).message;
    throw new SeedError(`cannot read seed file ${file}: ${why}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new SeedError(`seed file ${file} is not JSON: ${(e as Error).message}`);
  }
  return seedFromValue(parsed, file, created);
}

const list = (issues: readonly Issue[]) =>
  issues
    .slice(0, 10)
    .map((i) => `\n  ${i.path === '' ? '(root)' : i.path}: ${i.message}`)
    .join('') + (issues.length > 10 ? `\n  ... and ${issues.length - 10} more` : '');

/** Checks a parsed seed and turns it into records; every problem is named by its JSON pointer. */
export function seedFromValue(value: unknown, file: string, created = new Date()): LoadedSeed {
  const decoded = decodeModel<EmulatorSeed>('EmulatorSeed', value, { strict: true, maxErrors: 50 });
  if (!decoded.ok) throw new SeedError(`seed file ${file} is not valid:${list(decoded.errors)}`);
  const problems = crossCheck(decoded.value);
  if (problems.length > 0) throw new SeedError(`seed file ${file} is not valid:${list(problems)}`);
  const data: LoadedSeed = {
    organizations: [],
    clients: [],
    users: [],
    wrapupCodes: [],
    queues: [],
    rateLimits: new Map(),
    digest: createHash('sha256').update(JSON.stringify(value)).digest('base64url'),
  };
  for (const org of decoded.value.organizations) addOrganization(data, org, created);
  return data;
}

/** What the schema cannot say: ids unique, ids not empty, members and wrap-up codes that the organization has. */
function crossCheck(seed: EmulatorSeed): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  const unique = (kind: string, id: string, path: string) => {
    if (id.trim() === '') issues.push({ path, message: 'expected a non-empty id, got ""' });
    const key = `${kind}\u0000${id}`;
    const first = seen.get(key);
    if (first !== undefined) issues.push({ path, message: `${kind} ${JSON.stringify(id)} is already at ${first}` });
    else seen.set(key, path);
  };
  seed.organizations.forEach((org, o) => {
    const at = `/organizations/${o}`;
    unique('organization', org.id, `${at}/id`);
    org.clients?.forEach((c, i) => unique('client', c.clientId, `${at}/clients/${i}/clientId`));
    org.users?.forEach((u, i) => {
      unique('user', u.id, `${at}/users/${i}/id`);
      unique(`username in ${org.id}`, u.username ?? u.email, `${at}/users/${i}/${u.username !== undefined ? 'username' : 'email'}`);
    });
    org.wrapupCodes?.forEach((w, i) => unique('wrap-up code', w.id, `${at}/wrapupCodes/${i}/id`));
    org.queues?.forEach((q, i) => {
      unique('queue', q.id, `${at}/queues/${i}/id`);
      q.members?.forEach((m, j) => {
        if (findUser(org, m) === undefined)
          issues.push({
            path: `${at}/queues/${i}/members/${j}`,
            message: `expected a user id, email or username of this organization, got ${JSON.stringify(m)}`,
          });
      });
      q.wrapupCodes?.forEach((n, j) => {
        if (findCode(org, n) === undefined)
          issues.push({
            path: `${at}/queues/${i}/wrapupCodes/${j}`,
            message: `expected a wrap-up code id or name of this organization, got ${JSON.stringify(n)}`,
          });
      });
    });
  });
  return issues;
}

const findUser = (org: SeedOrganization, m: string) => org.users?.find((u) => u.email === m || u.id === m || u.username === m);
const findCode = (org: SeedOrganization, n: string) => org.wrapupCodes?.find((c) => c.name === n || c.id === n);

function addOrganization(data: LoadedSeed, org: SeedOrganization, created: Date): void {
  data.organizations.push({ id: org.id, name: org.name });
  if (org.rateLimits !== undefined) data.rateLimits.set(org.id, org.rateLimits);
  for (const c of org.clients ?? [])
    data.clients.push({
      clientId: c.clientId,
      orgId: org.id,
      name: c.name ?? c.clientId,
      secretHash: () => hashSecret(c.clientSecret),
      secretMatches: (hash) => verifySecretSync(c.clientSecret, hash),
    });
  for (const u of org.users ?? [])
    data.users.push({
      id: u.id,
      orgId: org.id,
      name: u.name,
      email: u.email,
      username: u.username ?? u.email,
      passwordHash: () => hashSecret(u.password),
      passwordMatches: (hash) => verifySecretSync(u.password, hash),
      state: 'active',
    });
  data.wrapupCodes.push(...(org.wrapupCodes ?? []).map((w) => ({ id: w.id, orgId: org.id, name: w.name, dateCreated: created })));
  for (const q of org.queues ?? []) data.queues.push(queueRecord(org, q, created));
}

function queueRecord(org: SeedOrganization, q: NonNullable<SeedOrganization['queues']>[number], created: Date): QueueRecord {
  const d = QUEUE_DEFAULTS;
  const cb = q.callback ?? {};
  const aor = q.agentOwnedRouting ?? {};
  const prompt = q.acw?.wrapupPrompt;
  return {
    id: q.id,
    orgId: org.id,
    name: q.name,
    ...(q.description !== undefined ? { description: q.description } : {}),
    dateCreated: created,
    // Only what the store keeps (the codec checked types and ranges; the mode is one of its two values in strict mode).
    callback: {
      alertingTimeoutSeconds: cb.alertingTimeoutSeconds ?? d.callback.alertingTimeoutSeconds,
      enableAutoAnswer: cb.enableAutoAnswer ?? d.callback.enableAutoAnswer,
      enableAutoDialAndEnd: cb.enableAutoDialAndEnd ?? d.callback.enableAutoDialAndEnd,
      autoDialDelaySeconds: cb.autoDialDelaySeconds ?? d.callback.autoDialDelaySeconds,
      autoEndDelaySeconds: cb.autoEndDelaySeconds ?? d.callback.autoEndDelaySeconds,
      mode: cb.mode === undefined ? d.callback.mode : cb.mode === 'CustomerFirst' ? 'CustomerFirst' : 'AgentFirst',
    },
    acw: {
      wrapupPrompt: prompt !== undefined && isOneOf(ACW_PROMPT_VALUES, prompt) ? prompt : d.acw.wrapupPrompt,
      ...(q.acw?.timeoutMs !== undefined ? { timeoutMs: q.acw.timeoutMs } : {}),
    },
    agentOwnedRouting: {
      enableAgentOwnedCallbacks: aor.enableAgentOwnedCallbacks ?? d.agentOwnedRouting.enableAgentOwnedCallbacks,
      maxOwnedCallbackHours: aor.maxOwnedCallbackHours ?? d.agentOwnedRouting.maxOwnedCallbackHours,
      maxOwnedCallbackDelayHours: aor.maxOwnedCallbackDelayHours ?? d.agentOwnedRouting.maxOwnedCallbackDelayHours,
    },
    memberIds: (q.members ?? []).map((m) => findUser(org, m)?.id as string),
    wrapupCodeIds: (q.wrapupCodes ?? []).map((n) => findCode(org, n)?.id as string),
  };
}
