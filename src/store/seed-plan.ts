// What a changed seed does to what a store holds, decided once for every store: given the rows the seed's ids have
// now, the updates that bring them back to the seed, a line for each change, and the conflicts that refuse it. Each
// store reads the rows and writes the updates in its own transaction (sqlite.ts, pg/store.ts).
import type { LazyHash, QueueRecord, SeedData, SeedOutcome } from './types.js';

/** The rows a seed's ids have in the store now. */
export interface SeedCurrent {
  organizations: ReadonlyMap<string, string>;
  clients: ReadonlyMap<string, { org_id: string; name: string; secret_hash: string }>;
  users: ReadonlyMap<string, { org_id: string; name: string; email: string; username: string; password_hash: string }>;
  /** The user holding each login (`orgId\nusername`) the seed names. */
  logins: ReadonlyMap<string, string>;
  codes: ReadonlyMap<string, { org_id: string; name: string }>;
  queues: ReadonlyMap<string, { org_id: string; body: string }>;
}

export interface SeedPlan extends SeedOutcome {
  organizations: { id: string; name: string }[];
  clients: { clientId: string; name: string; secretHash: string }[];
  users: { id: string; name: string; email: string; username: string; passwordHash: string }[];
  codes: { id: string; name: string }[];
  queues: { id: string; name: string; body: string }[];
}

const hashOf = (h: LazyHash) => (typeof h === 'function' ? h() : h);
const quote = (v: unknown) => JSON.stringify(v);

/** A queue row's record (its body is the record as JSON, dates as ISO text). */
export function queueFromBody(body: string): QueueRecord {
  const q = JSON.parse(body) as QueueRecord & { dateCreated: string };
  return { ...q, dateCreated: new Date(q.dateCreated) };
}

export const queueBody = (q: QueueRecord): string => JSON.stringify({ ...q, dateCreated: q.dateCreated.toISOString() });

export function planSeed(data: SeedData, now: SeedCurrent): SeedPlan {
  const plan: SeedPlan = { applied: [], conflicts: [], organizations: [], clients: [], users: [], codes: [], queues: [] };
  const elsewhere = (what: string, id: string, orgId: string, holder: string) => {
    if (holder === orgId) return false;
    plan.conflicts.push(`${what} ${id} belongs to organization ${holder} in the store, not to ${orgId} as the seed says`);
    return true;
  };
  for (const o of data.organizations) {
    const name = now.organizations.get(o.id);
    if (name === undefined || name === o.name) continue;
    plan.organizations.push({ id: o.id, name: o.name });
    plan.applied.push(`organization ${o.id}: name ${quote(name)} → ${quote(o.name)}`);
  }
  for (const c of data.clients) {
    const r = now.clients.get(c.clientId);
    if (r === undefined || elsewhere('client', c.clientId, c.orgId, r.org_id)) continue;
    const secret = c.secretMatches !== undefined && !c.secretMatches(r.secret_hash);
    const changes = [...(r.name !== c.name ? [`name ${quote(r.name)} → ${quote(c.name)}`] : []), ...(secret ? ['secret'] : [])];
    if (changes.length === 0) continue;
    plan.clients.push({ clientId: c.clientId, name: c.name, secretHash: secret ? hashOf(c.secretHash) : r.secret_hash });
    plan.applied.push(`client ${c.clientId}: ${changes.join(', ')}`);
  }
  for (const u of data.users) {
    const login = now.logins.get(`${u.orgId}\n${u.username}`);
    if (login !== undefined && login !== u.id)
      plan.conflicts.push(`user ${u.id}: username ${u.username} is taken by user ${login} in the store`);
    const r = now.users.get(u.id);
    if (r === undefined || elsewhere('user', u.id, u.orgId, r.org_id)) continue;
    const changes = (['name', 'email', 'username'] as const).flatMap((k) =>
      r[k] !== u[k] ? [`${k} ${quote(r[k])} → ${quote(u[k])}`] : [],
    );
    const password = u.passwordMatches !== undefined && !u.passwordMatches(r.password_hash);
    if (password) changes.push('password');
    if (changes.length === 0) continue;
    plan.users.push({
      id: u.id,
      name: u.name,
      email: u.email,
      username: u.username,
      passwordHash: password ? hashOf(u.passwordHash) : r.password_hash,
    });
    plan.applied.push(`user ${u.id}: ${changes.join(', ')}`);
  }
  for (const w of data.wrapupCodes) {
    const r = now.codes.get(w.id);
    if (r === undefined || elsewhere('wrap-up code', w.id, w.orgId, r.org_id) || r.name === w.name) continue;
    plan.codes.push({ id: w.id, name: w.name });
    plan.applied.push(`wrap-up code ${w.id}: name ${quote(r.name)} → ${quote(w.name)}`);
  }
  for (const q of data.queues) {
    const r = now.queues.get(q.id);
    if (r === undefined || elsewhere('queue', q.id, q.orgId, r.org_id)) continue;
    const was = queueFromBody(r.body);
    const wanted: QueueRecord = { ...q, dateCreated: was.dateCreated };
    const keys = ['name', 'description', 'callback', 'acw', 'agentOwnedRouting', 'memberIds', 'wrapupCodeIds'] as const;
    const changed = keys.filter((k) => quote(was[k]) !== quote(wanted[k]));
    if (changed.length === 0) continue;
    plan.queues.push({ id: q.id, name: q.name, body: queueBody(wanted) });
    plan.applied.push(`queue ${q.id} (${q.name}): ${changed.join(', ')}`);
  }
  return plan;
}
