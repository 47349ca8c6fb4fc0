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

/** What the HTTP layer hands over per request: the URL whole, the time as milliseconds, the request body as parsed. */
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

/** Bodies are kept up to this many bytes of UTF-8 (cut on a character, shown with a trailing …). */
const MAX_BODY = 16 * 1024;

/**
 * Where a body lies in the ring: `pos` counts bytes written since the journal began (the ring's offset is pos modulo
 * its size), so a body is still there while fewer than the ring's size have been written after it.
 */
interface Stored {
  orgId: string;
  method: string;
  url: string;
  status: number;
  at: number;
  durationMs: number;
  correlationId: string;
  requestPos: number;
  /** -1: no body. */
  requestLen: number;
  requestCut: boolean;
  responsePos: number;
  responseLen: number;
  responseCut: boolean;
}

export class RequestJournal {
  private readonly entries: (Stored | undefined)[];
  private next = 0;
  /**
   * The bodies, as UTF-8 in one ring of bytes outside the JavaScript heap: kept as strings, the last thousand
   * responses were copied by every young-generation collection and promoted (~3 us of CPU per request at 8k GETs/s).
   */
  private readonly ring: Buffer;
  private written = 0;

  constructor(
    readonly capacity = 1000,
    /** How many bytes of bodies are kept (the oldest entries lose theirs first). */
    readonly bodyBytes = 4 * 1024 * 1024,
  ) {
    this.entries = new Array<Stored | undefined>(capacity);
    // Not zeroed: only what was written is read back; pages are touched as the ring fills.
    this.ring = Buffer.allocUnsafeSlow(bodyBytes);
  }

  record(r: JournalRecord): void {
    // Token requests' bodies hold secrets: never kept.
    const request = r.requestBody === undefined || r.url.startsWith('/oauth') ? undefined : bodyText(r.requestBody);
    const e: Stored = {
      orgId: r.orgId,
      method: r.method,
      url: r.url,
      status: r.status,
      at: r.at,
      durationMs: r.durationMs,
      correlationId: r.correlationId,
      requestPos: 0,
      requestLen: -1,
      requestCut: false,
      responsePos: 0,
      responseLen: -1,
      responseCut: false,
    };
    if (request !== undefined) [e.requestPos, e.requestLen, e.requestCut] = this.keep(request);
    if (r.responseBody !== undefined) [e.responsePos, e.responseLen, e.responseCut] = this.keep(r.responseBody);
    this.entries[this.next % this.capacity] = e;
    this.next++;
  }

  /** Writes a body into the ring, contiguous (it starts over at the ring's start when the rest may be too short). */
  private keep(text: string): [pos: number, len: number, cut: boolean] {
    const room = Math.min(MAX_BODY, this.bodyBytes);
    let offset = this.written % this.bodyBytes;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (offset + Math.min(text.length * 3, room) > this.bodyBytes) {
      this.written += this.bodyBytes - offset;
      offset = 0;
    }
    const pos = this.written;
    // Buffer.write stops before a character that does not fit whole; it stopped early only if less than a
    // character's room was left.
    const len = this.ring.write(text, offset, room, 'utf8');
    const cut = len > room - 4 && Buffer.byteLength(text, 'utf8') > len;
    this.written += len;
    return [pos, len, cut];
  }

  private body(pos: number, len: number, cut: boolean): string | undefined {
    if (len < 0 || this.written - pos > this.bodyBytes) return undefined;
    const offset = pos % this.bodyBytes;
    const text = this.ring.toString('utf8', offset, offset + len);
    return cut ? `${text}…` : text;
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
      if (!f.includeBody) {
        out.push(rest);
        continue;
      }
      const request = this.body(e.requestPos, e.requestLen, e.requestCut);
      const response = this.body(e.responsePos, e.responseLen, e.responseCut);
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

/** A request body as it is shown: form fields and JSON as JSON text, a string as it came. */
const bodyText = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));
