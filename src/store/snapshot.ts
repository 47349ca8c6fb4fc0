// Organization snapshots (GET/PUT /emulator/state), the same for every store: which tables they hold, and the check
// a snapshot passes before anything of it is written (its format and schema, every table and column known, every
// value of its column's type, every row of this organization), with each problem named by its JSON pointer.
import { SNAPSHOT_SCHEMA_SINCE } from './migrations.js';
import type { StateSnapshot } from './types.js';

/** The tables a snapshot holds, in the order rows are inserted (tokens are not state: they are credentials, and expire). */
export const SNAPSHOT_TABLES = [
  'organizations',
  'clients',
  'users',
  'wrapup_codes',
  'queues',
  'routing_status',
  'conversations',
  'conversation_agents',
  'events',
] as const;

export interface SnapshotColumn {
  name: string;
  /** An integer column (else text). */
  integer: boolean;
  notNull: boolean;
}

export function checkSnapshot(
  orgId: string,
  snapshot: unknown,
  /** The newest store schema this callbackd writes (snapshots of SNAPSHOT_SCHEMA_SINCE to it import). */
  schema: number,
  columnsOf: (table: string) => SnapshotColumn[],
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const bad = (field: string, message: string) => problems.length < 100 && problems.push({ field, message });
  const s = snapshot as Partial<StateSnapshot> | null;
  if (typeof s !== 'object' || s === null) return [{ field: '', message: 'expected a callbackd state snapshot (an object)' }];
  if (s.format !== 'callbackd-state') bad('/format', `expected "callbackd-state", got ${JSON.stringify(s.format)}`);
  if (s.version !== 1) bad('/version', `expected 1, got ${JSON.stringify(s.version)}`);
  if (typeof s.schema !== 'number' || s.schema < SNAPSHOT_SCHEMA_SINCE || s.schema > schema)
    bad('/schema', `expected ${SNAPSHOT_SCHEMA_SINCE} to ${schema} (this callbackd's store schemas), got ${JSON.stringify(s.schema)}`);
  if (typeof s.tables !== 'object' || s.tables === null)
    return [...problems, { field: '/tables', message: 'expected an object of tables' }];
  const tables = s.tables as Record<string, unknown>;
  for (const name of Object.keys(tables))
    if (!(SNAPSHOT_TABLES as readonly string[]).includes(name)) bad(`/tables/${name}`, 'not a table of a snapshot');
  for (const t of SNAPSHOT_TABLES) {
    const rows = tables[t];
    if (!Array.isArray(rows)) {
      bad(`/tables/${t}`, `expected an array of rows, got ${rows === undefined ? 'nothing' : typeof rows}`);
      continue;
    }
    const columns = new Map(columnsOf(t).map((c) => [c.name, c]));
    const ownerColumn = t === 'organizations' ? 'id' : 'org_id';
    rows.forEach((row: unknown, i) => {
      const at = `/tables/${t}/${i}`;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) return bad(at, 'expected a row (an object)');
      for (const [k, v] of Object.entries(row)) {
        const col = columns.get(k);
        if (col === undefined) bad(`${at}/${k}`, 'not a column of this table');
        else if (v === null ? col.notNull : col.integer ? !Number.isSafeInteger(v) : typeof v !== 'string')
          bad(
            `${at}/${k}`,
            `expected ${col.integer ? 'an integer' : 'a string'}${col.notNull ? '' : ' or null'}, got ${JSON.stringify(v)?.slice(0, 40)}`,
          );
      }
      for (const c of columns.values()) if (c.notNull && !(c.name in row)) bad(`${at}/${c.name}`, 'missing');
      const owner = (row as Record<string, unknown>)[ownerColumn];
      if (owner !== orgId)
        bad(`${at}/${ownerColumn}`, `expected ${orgId} (a snapshot is imported into its own organization), got ${JSON.stringify(owner)}`);
    });
  }
  return problems;
}
