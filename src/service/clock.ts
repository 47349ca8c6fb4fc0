// The service's clock, injectable: the system clock, or a manual one that only moves when told (tests, and
// `--clock manual` with POST /emulator/clock).

export interface Clock {
  now(): Date;
  /** Calls `fn` once the clock reaches `at` (or soon after); returns a cancel function. */
  setTimer(at: Date, fn: () => void): () => void;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
  setTimer(at: Date, fn: () => void): () => void {
    // setTimeout cannot wait more than ~24.8 days; the scheduler re-arms when woken early.
    const t = setTimeout(fn, Math.max(0, Math.min(at.getTime() - Date.now(), MAX_TIMEOUT)));
    t.unref();
    return () => clearTimeout(t);
  }
}

export class ManualClock implements Clock {
  private current: Date;
  private timers = new Set<{ at: number; fn: () => void }>();
  constructor(start: Date = new Date()) {
    this.current = start;
  }
  now(): Date {
    return this.current;
  }
  setTimer(at: Date, fn: () => void): () => void {
    const timer = { at: at.getTime(), fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }
  /** Sets the time (never backwards) and runs the timers that came due. */
  set(at: Date): void {
    if (at.getTime() < this.current.getTime())
      throw new RangeError(`the clock cannot go back from ${this.current.toISOString()} to ${at.toISOString()}`);
    this.current = at;
    for (const timer of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (timer.at <= at.getTime()) {
        this.timers.delete(timer);
        timer.fn();
      }
    }
  }
  advance(ms: number): void {
    this.set(new Date(this.current.getTime() + ms));
  }
}
