// Fault injection (POST /emulator/faults): rules that make matching requests of an organization slow, or fail with a
// chosen status and ErrorBody code, for all of them, a share of them (drawn from a seeded generator when a seed is
// given, so a run repeats exactly) or the next N. Rules are tried in the order they were added; the first that fires
// decides. The HTTP layer applies what `match` returns; nothing here knows about HTTP.
import { randomUUID } from 'node:crypto';
import { ERRORS, ServiceError, type ErrorEntry } from '../errors.js';
import type { EmulatorFault, EmulatorFaultRequest } from '../model/models.js';

/** What a request that a rule fires on gets. */
export interface FaultAction {
  latencyMs: number;
  /** Absent: served normally after the latency. */
  error?: { status: number; code: string; message: string; retryAfterSeconds?: number };
}

interface Rule {
  fault: EmulatorFault;
  matches: (method: string, path: string) => boolean;
  draw: () => number;
}

/** The catalogue's code for each status a fault may answer with (a status not here needs a code in the rule). */
const DEFAULT_ENTRY: Readonly<Record<number, ErrorEntry>> = {
  400: ERRORS.badRequest,
  401: ERRORS.badCredentials,
  403: ERRORS.notAuthorized,
  404: ERRORS.notFound,
  408: ERRORS.requestTimeout,
  409: ERRORS.conflict,
  413: ERRORS.tooLarge,
  415: ERRORS.unsupportedMediaType,
  429: ERRORS.rateLimited,
  500: ERRORS.internal,
  502: ERRORS.badGateway,
  503: ERRORS.unavailable,
  // docs/reference/api.md §3.1 gives request.timeout for 504.
  504: ERRORS.requestTimeout,
};

/** mulberry32: a small, well-known 32-bit generator; enough for repeatable draws, not for secrets. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A path pattern: `*` or `{param}` is one segment, a final `**` the rest (none or more segments). */
function pathMatcher(pattern: string): (path: string) => boolean {
  const parts = pattern.replace(/\/+$/, '').split('/');
  const rest = parts.at(-1) === '**';
  if (rest) parts.pop();
  return (path) => {
    const segs = path.replace(/\/+$/, '').split('/');
    if (rest ? segs.length < parts.length : segs.length !== parts.length) return false;
    return parts.every((p, i) => p === '*' || /^\{\w+\}$/.test(p) || p === segs[i]);
  };
}

const invalid = (field: string, message: string) =>
  new ServiceError(ERRORS.invalidValue, `The fault is not valid: /${field}: ${message}.`, [
    { field: `/${field}`, code: ERRORS.invalidValue.code, message },
  ]);

export class FaultInjector {
  private readonly rules = new Map<string, Rule[]>();

  constructor(
    private readonly clock: () => Date,
    private readonly newId: () => string = randomUUID,
  ) {}

  add(orgId: string, req: EmulatorFaultRequest): EmulatorFault {
    if (!req.path.startsWith('/')) throw invalid('path', `expected a path that starts with /, got ${JSON.stringify(req.path)}`);
    if (req.path.startsWith('/emulator')) throw invalid('path', "the emulator's own controls cannot be faulted (they clear faults)");
    if (req.status === undefined && (req.latencyMs ?? 0) === 0) throw invalid('status', 'give a status, a latencyMs, or both');
    if (req.probability !== undefined && !(req.probability >= 0 && req.probability <= 1))
      throw invalid('probability', `expected a number from 0 to 1, got ${req.probability}`);
    if (req.probability !== undefined && req.count !== undefined) throw invalid('count', 'give probability or count, not both');
    if (req.status !== undefined && req.code === undefined && DEFAULT_ENTRY[req.status] === undefined)
      throw invalid('code', `status ${req.status} has no code of its own in the catalogue: give one`);
    const method = req.method?.toUpperCase();
    const id = this.newId();
    const fault: EmulatorFault = {
      ...req,
      ...(method !== undefined ? { method } : {}),
      id,
      matched: 0,
      ...(req.count !== undefined ? { remaining: req.count } : {}),
      dateCreated: this.clock(),
      selfUri: `/emulator/faults/${id}`,
    };
    const path = pathMatcher(req.path);
    const rule: Rule = {
      fault,
      matches: (m, p) => (method === undefined || method === m) && path(p),
      draw: req.seed !== undefined ? seeded(req.seed) : Math.random,
    };
    const list = this.rules.get(orgId) ?? [];
    list.push(rule);
    this.rules.set(orgId, list);
    return fault;
  }

  list(orgId: string): EmulatorFault[] {
    return (this.rules.get(orgId) ?? []).map((r) => r.fault);
  }

  remove(orgId: string, id: string): void {
    const list = this.rules.get(orgId) ?? [];
    const i = list.findIndex((r) => r.fault.id === id);
    if (i < 0) throw new ServiceError(ERRORS.faultNotFound, `No fault ${id} in this organization.`);
    list.splice(i, 1);
    if (list.length === 0) this.rules.delete(orgId);
  }

  clear(orgId: string): void {
    this.rules.delete(orgId);
  }

  /** Whether the organization has any rule (the hot path asks this before it works out a request's path). */
  any(orgId: string): boolean {
    return this.rules.has(orgId);
  }

  /** The fault a request of the organization gets, if a rule fires on it (counted as it fires). */
  match(orgId: string, method: string, path: string): FaultAction | undefined {
    const list = this.rules.get(orgId);
    if (list === undefined) return undefined;
    for (const r of list) {
      const f = r.fault;
      if (f.remaining === 0 || !r.matches(method, path)) continue;
      // Every matching request draws, fired or not, so that a seeded run is the same sequence whatever else happens.
      if (f.probability !== undefined && r.draw() >= f.probability) continue;
      f.matched = (f.matched ?? 0) + 1;
      if (f.remaining !== undefined) f.remaining--;
      return { latencyMs: f.latencyMs ?? 0, ...(f.status !== undefined ? { error: errorOf(f, f.status) } : {}) };
    }
    return undefined;
  }
}

function errorOf(f: EmulatorFault, status: number): NonNullable<FaultAction['error']> {
  const retry = f.retryAfterSeconds ?? (status === 429 || status === 503 ? 1 : undefined);
  return {
    status,
    code: f.code ?? (DEFAULT_ENTRY[status] as ErrorEntry).code,
    message:
      f.message ??
      (status === 429 && retry !== undefined
        ? `Rate limit exceeded the maximum. Retry the request in [${retry}] seconds`
        : `Injected fault ${f.id} (POST /emulator/faults): ${status}.`),
    ...(retry !== undefined ? { retryAfterSeconds: retry } : {}),
  };
}
