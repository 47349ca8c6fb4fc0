// The request journal (GET /emulator/requests): the most recent requests with their outcome, bounded in memory, so a
// test can see what its code under test sent. Entries are kept per organization: a caller reads only its own.
export interface JournalEntry {
  orgId: string;
  method: string;
  path: string;
  query?: string;
  status: number;
  time: Date;
  durationMs: number;
  correlationId: string;
  requestBody?: string;
  responseBody?: string;
}

/**
 * What is recorded per request, raw (it costs a request nothing to keep): the URL whole, the time as milliseconds, the
 * request body as parsed; split, dated and turned into text only when someone lists them.
 */
export interface JournalRecord {
  orgId: string;
  method: string;
  url: string;
  status: number;
  /** When it arrived, in ms since the epoch (wall clock). */
  at: number;
  durationMs: number;
  correlationId: string;
  requestBody: unknown;
  responseBody: string | undefined;
}

export interface JournalFilter {
  method?: string;
  /** Paths that start with this. */
  path?: string;
  status?: number;
  limit: number;
  includeBody: boolean;
}

/** Bodies longer than this are cut (the journal bounds its memory by entries and by body size). */
const MAX_BODY = 16 * 1024;
const cut = (s: string | undefined) => (s === undefined || s.length <= MAX_BODY ? s : `${s.slice(0, MAX_BODY)}…`);

export class RequestJournal {
  private readonly entries: (JournalRecord | undefined)[];
  private next = 0;

  constructor(readonly capacity = 1000) {
    this.entries = new Array<JournalRecord | undefined>(capacity);
  }

  record(entry: JournalRecord): void {
    this.entries[this.next % this.capacity] = entry;
    this.next++;
  }

  /** The organization's entries, newest first, filtered. */
  list(orgId: string, f: JournalFilter): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = this.next - 1; i >= Math.max(0, this.next - this.capacity) && out.length < f.limit; i--) {
      const e = this.entries[i % this.capacity];
      if (e === undefined || e.orgId !== orgId) continue;
      const q = e.url.indexOf('?');
      const path = q < 0 ? e.url : e.url.slice(0, q);
      if (f.method !== undefined && e.method !== f.method.toUpperCase()) continue;
      if (f.path !== undefined && !path.startsWith(f.path)) continue;
      if (f.status !== undefined && e.status !== f.status) continue;
      const rest: JournalEntry = {
        orgId: e.orgId,
        method: e.method,
        path,
        ...(q >= 0 ? { query: e.url.slice(q + 1) } : {}),
        status: e.status,
        time: new Date(e.at),
        durationMs: Math.round(e.durationMs * 1000) / 1000,
        correlationId: e.correlationId,
      };
      // Token requests' bodies hold secrets: never shown.
      const requestBody = path.startsWith('/oauth') ? undefined : e.requestBody;
      const responseBody = e.responseBody;
      if (!f.includeBody) {
        out.push(rest);
        continue;
      }
      const request =
        requestBody === undefined ? undefined : cut(typeof requestBody === 'string' ? requestBody : JSON.stringify(requestBody));
      const response = cut(responseBody);
      out.push({
        ...rest,
        ...(request !== undefined ? { requestBody: request } : {}),
        ...(response !== undefined ? { responseBody: response } : {}),
      });
    }
    return out;
  }

  clear(orgId: string): void {
    for (let i = 0; i < this.capacity; i++) if (this.entries[i]?.orgId === orgId) this.entries[i] = undefined;
  }
}
