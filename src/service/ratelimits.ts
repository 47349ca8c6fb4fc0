// Rate limits as Genesys applies them (docs/reference/analytics-notifications-limits.md §5): a fixed 60-second window
// per client-credentials token (300 requests by default) and per user and OAuth client (3,000), on the service clock.
// Every counted request learns its budget, its count and when the window resets (the inin-ratelimit-* headers); past
// the budget it is refused with 429 too.many.requests.retry.after only when the organization enforces its limits.
// Counting is always on, enforcing is off unless the seed, `serve --rate-limits enforce` or PUT /emulator/ratelimits
// turns it on (README: Rate limits, on why).
import { ERRORS, ServiceError } from '../errors.js';
import type { RateLimitSettings } from '../model/models.js';
import type { Principal } from './principal.js';

export interface RateLimits {
  enforce: boolean;
  clientCredentialsPerMinute: number;
  userPerMinute: number;
}

/** Genesys' defaults, counted but not enforced. */
export const GENESYS_DEFAULTS: RateLimits = { enforce: false, clientCredentialsPerMinute: 300, userPerMinute: 3000 };

const WINDOW_MS = 60_000;

/** What a request learns of its budget. */
export interface RateUsage {
  allowed: number;
  count: number;
  /** Whole seconds until the window resets (at least 1 while it runs). */
  resetSeconds: number;
  /** Over the budget and the organization enforces it: refuse. */
  refused: boolean;
}

interface Window {
  orgId: string;
  start: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly settings = new Map<string, RateLimits>();

  constructor(
    private readonly clock: () => Date,
    private readonly defaults: RateLimits = GENESYS_DEFAULTS,
    /** Each organization's settings from the seed (what a reset brings back). */
    private readonly seeded: ReadonlyMap<string, RateLimitSettings> = new Map(),
  ) {}

  /** The organization's settings now. */
  get(orgId: string): RateLimits {
    let s = this.settings.get(orgId);
    if (s === undefined) this.settings.set(orgId, (s = { ...this.defaults, ...definedOf(this.seeded.get(orgId)) }));
    return s;
  }

  /** PUT /emulator/ratelimits: what is given replaces what there is; windows already open keep their counts. */
  set(orgId: string, change: RateLimitSettings): RateLimits {
    const next = { ...this.get(orgId), ...definedOf(change) };
    this.settings.set(orgId, next);
    return next;
  }

  /** A reset brings the organization's settings back to the seed's and forgets its windows. */
  reset(orgId: string): void {
    this.settings.delete(orgId);
    for (const [key, w] of this.windows) if (w.orgId === orgId) this.windows.delete(key);
  }

  /** Counts a request against its window (or, with `count` false, only reports it: the emulator's own controls). */
  take(p: Principal, count = true): RateUsage {
    const s = this.get(p.orgId);
    const user = p.userId !== undefined;
    // A client-credentials token is its own key (random, so never another's): no string is built per request.
    const key = user ? `user\n${p.userId}\n${p.clientId}` : (p.token ?? `client\n${p.clientId}`);
    const allowed = user ? s.userPerMinute : s.clientCredentialsPerMinute;
    const now = this.clock().getTime();
    let w = this.windows.get(key);
    if (w === undefined || now >= w.start + WINDOW_MS || now < w.start) {
      if (!count) return { allowed, count: 0, resetSeconds: WINDOW_MS / 1000, refused: false };
      if (this.windows.size > 100_000) this.sweep(now);
      this.windows.set(key, (w = { orgId: p.orgId, start: now, count: 0 }));
    }
    const resetSeconds = Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
    // A refused request is not counted (Genesys does not say; counting it would let a client that retries at once
    // keep itself locked out).
    if (count && w.count >= allowed && s.enforce) return { allowed, count: w.count, resetSeconds, refused: true };
    if (count) w.count++;
    return { allowed, count: w.count, resetSeconds, refused: false };
  }

  /** The 429 for a refused request, with its Retry-After. */
  refusal(usage: RateUsage): ServiceError {
    const e = new ServiceError(ERRORS.rateLimited, `Rate limit exceeded the maximum. Retry the request in [${usage.resetSeconds}] seconds`);
    e.retryAfterSeconds = usage.resetSeconds;
    return e;
  }

  /** Forgets windows that have ended (bounded memory with many tokens). */
  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.start + WINDOW_MS) this.windows.delete(key);
  }
}

function definedOf(s: RateLimitSettings | undefined): Partial<RateLimits> {
  if (s === undefined) return {};
  return {
    ...(s.enforce !== undefined ? { enforce: s.enforce } : {}),
    ...(s.clientCredentialsPerMinute !== undefined ? { clientCredentialsPerMinute: s.clientCredentialsPerMinute } : {}),
    ...(s.userPerMinute !== undefined ? { userPerMinute: s.userPerMinute } : {}),
  };
}
