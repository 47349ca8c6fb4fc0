// Reads the seed configuration (config/default-org.json, or the file given with --seed) into store records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueRecord, SeedData } from '../store/types.js';
import { QUEUE_DEFAULTS } from './configuration.js';
import { packageRoot } from './paths.js';
import { hashSecret } from './secrets.js';

export const DEFAULT_SEED_FILE = join(packageRoot(), 'config', 'default-org.json');

interface SeedFile {
  organizations: {
    id: string;
    name: string;
    clients?: { clientId: string; clientSecret: string; name?: string }[];
    users?: { id: string; name: string; email: string; password: string; username?: string }[];
    wrapupCodes?: { id: string; name: string }[];
    queues?: (Partial<Omit<QueueRecord, 'orgId' | 'dateCreated' | 'memberIds' | 'wrapupCodeIds'>> & {
      id: string;
      name: string;
      members?: string[];
      wrapupCodes?: string[];
    })[];
  }[];
}

export class SeedError extends Error {}

export function loadSeed(file: string = DEFAULT_SEED_FILE, created = new Date()): SeedData {
  let parsed: SeedFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as SeedFile;
  } catch (e) {
    throw new SeedError(`cannot read seed file ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed.organizations)) throw new SeedError(`${file}: expected "organizations": [...]`);
  const data: SeedData = { organizations: [], clients: [], users: [], wrapupCodes: [], queues: [] };
  for (const org of parsed.organizations) {
    data.organizations.push({ id: org.id, name: org.name });
    for (const c of org.clients ?? [])
      data.clients.push({ clientId: c.clientId, orgId: org.id, name: c.name ?? c.clientId, secretHash: () => hashSecret(c.clientSecret) });
    for (const u of org.users ?? []) {
      data.users.push({
        id: u.id,
        orgId: org.id,
        name: u.name,
        email: u.email,
        username: u.username ?? u.email,
        passwordHash: () => hashSecret(u.password),
        state: 'active',
      });
    }
    const codes = (org.wrapupCodes ?? []).map((w) => ({ id: w.id, orgId: org.id, name: w.name, dateCreated: created }));
    data.wrapupCodes.push(...codes);
    for (const q of org.queues ?? []) {
      const memberIds = (q.members ?? []).map((m) => {
        const user = (org.users ?? []).find((u) => u.email === m || u.id === m || u.username === m);
        if (user === undefined) throw new SeedError(`${file}: queue ${q.name} lists unknown member ${m}`);
        return user.id;
      });
      const wrapupCodeIds = (q.wrapupCodes ?? []).map((n) => {
        const code = codes.find((c) => c.name === n || c.id === n);
        if (code === undefined) throw new SeedError(`${file}: queue ${q.name} lists unknown wrap-up code ${n}`);
        return code.id;
      });
      data.queues.push({
        id: q.id,
        orgId: org.id,
        name: q.name,
        ...(q.description !== undefined ? { description: q.description } : {}),
        dateCreated: created,
        callback: { ...QUEUE_DEFAULTS.callback, ...q.callback },
        acw: q.acw ?? QUEUE_DEFAULTS.acw,
        agentOwnedRouting: q.agentOwnedRouting ?? QUEUE_DEFAULTS.agentOwnedRouting,
        memberIds,
        wrapupCodeIds,
      });
    }
  }
  return data;
}
