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

// Per entry, in a Float64Array (a thousand objects kept alive would be promoted and marked by every major GC).
const AT = 0;
const DURATION = 1;
const STATUS = 2;
/** Where a body lies in the ring: counted in bytes written since the journal began (its offset is that modulo the
 * ring's size), so it is still there while fewer than the ring's size have been written after it. */
const REQUEST_POS = 3;
/** Its length in bytes; -1: no body. */
const REQUEST_LEN = 4;
const RESPONSE_POS = 5;
const RESPONSE_LEN = 6;
/** Bit 0: the request body was cut; bit 1: the response body was. */
const CUT = 7;
const FIELDS = 8;

export class RequestJournal {
  private readonly numbers: Float64Array;
  /** The strings a request already has (the organization's and method's are shared by every request). */
  private readonly orgIds: (string | undefined)[];
  private readonly methods: string[];
  private readonly urls: string[];
  private readonly correlationIds: string[];
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
    this.numbers = new Float64Array(capacity * FIELDS);
    this.orgIds = new Array<string | undefined>(capacity).fill(undefined);
    this.methods = new Array<string>(capacity).fill('');
    this.urls = new Array<string>(capacity).fill('');
    this.correlationIds = new Array<string>(capacity).fill('');
    // Not zeroed: only what was written is read back; pages are touched as the ring fills.
    this.ring = Buffer.allocUnsafeSlow(bodyBytes);
  }

  record(r: JournalRecord): void {
    const slot = this.next % this.capacity;
    this.next++;
    this.orgIds[slot] = r.orgId;
    this.methods[slot] = r.method;
    this.urls[slot] = r.url;
    this.correlationIds[slot] = r.correlationId;
    const n = this.numbers;
    const at = slot * FIELDS;
    n[at + AT] = r.at;
    n[at + DURATION] = r.durationMs;
    n[at + STATUS] = r.status;
    n[at + REQUEST_LEN] = n[at + RESPONSE_LEN] = -1;
    n[at + CUT] = 0;
    // Token requests' bodies hold secrets: never kept.
    if (r.requestBody !== undefined && !r.url.startsWith('/oauth')) this.keep(bodyText(r.requestBody), at, REQUEST_POS, 1);
    if (r.responseBody !== undefined) this.keep(r.responseBody, at, RESPONSE_POS, 2);
  }

  /**
   * Writes a body into the ring, contiguous (it starts over at the ring's start when the rest may be too short), and
   * notes where in the entry's `field` (its position) and the next (its length).
   */
  private keep(text: string, at: number, field: number, cutBit: number): void {
    const room = Math.min(MAX_BODY, this.bodyBytes);
    let offset = this.written % this.bodyBytes;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (offset + Math.min(text.length * 3, room) > this.bodyBytes) {
      this.written += this.bodyBytes - offset;
      offset = 0;
    }
    // Buffer.write stops before a character that does not fit whole; it stopped early only if less than a
    // character's room was left.
    const len = this.ring.write(text, offset, room, 'utf8');
    const n = this.numbers;
    n[at + field] = this.written;
    n[at + field + 1] = len;
    if (len > room - 4 && Buffer.byteLength(text, 'utf8') > len) n[at + CUT] = (n[at + CUT] as number) | cutBit;
    this.written += len;
  }

  private body(at: number, field: number, cutBit: number): string | undefined {
    const n = this.numbers;
    const pos = n[at + field] as number;
    const len = n[at + field + 1] as number;
    if (len < 0 || this.written - pos > this.bodyBytes) return undefined;
    const offset = pos % this.bodyBytes;
    const text = this.ring.toString('utf8', offset, offset + len);
    return ((n[at + CUT] as number) & cutBit) !== 0 ? `${text}…` : text;
  }

  /** The organization's entries, newest first, filtered. */
  list(orgId: string, f: JournalFilter): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = this.next - 1; i >= Math.max(0, this.next - this.capacity) && out.length < f.limit; i--) {
      const slot = i % this.capacity;
      if (this.orgIds[slot] !== orgId) continue;
      const url = this.urls[slot] as string;
      const method = this.methods[slot] as string;
      const at = slot * FIELDS;
      const status = this.numbers[at + STATUS] as number;
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (f.method !== undefined && method !== f.method.toUpperCase()) continue;
      if (f.path !== undefined && !path.startsWith(f.path)) continue;
      if (f.status !== undefined && status !== f.status) continue;
      const rest: JournalEntry = {
        orgId,
        method,
        path,
        ...(q >= 0 ? { query: url.slice(q + 1) } : {}),
        status,
        time: new Date(this.numbers[at + AT] as number),
        durationMs: Math.round((this.numbers[at + DURATION] as number) * 1000) / 1000,
        correlationId: this.correlationIds[slot] as string,
      };
      if (!f.includeBody) {
        out.push(rest);
        continue;
      }
      const request = this.body(at, REQUEST_POS, 1);
      const response = this.body(at, RESPONSE_POS, 2);
      out.push({
        ...rest,
        ...(request !== undefined ? { requestBody: request } : {}),
        ...(response !== undefined ? { responseBody: response } : {}),
      });
    }
    return out;
  }

  clear(orgId: string): void {
    for (let i = 0; i < this.capacity; i++) if (this.orgIds[i] === orgId) this.orgIds[i] = undefined;
  }
}

/** A request body as it is shown: form fields and JSON as JSON text, a string as it came. */
const bodyText = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));
