// Durable time: deadlines live in the store (an indexed column, derived from each conversation's state); one timer
// waits for the earliest. When it fires, due conversations are advanced in deadline order, in batches: one due query
// and one transaction per batch, each conversation to its own deadline. A state change and the removal of its
// deadline commit together, so after a crash every passed deadline fires exactly once on restart.
import { nextDeadline, type CallbackConversationState } from '../lifecycle/index.js';
import type { Store } from '../store/types.js';
import type { CallbackService } from './callbacks.js';
import type { Clock } from './clock.js';

/**
 * Deadlines fired per transaction: enough that the commit and the due query are shared by many firings, few enough
 * that a batch (a few ms) never holds up requests or the next deadline for long.
 */
const BATCH = 128;

export class Scheduler {
  private cancel: (() => void) | undefined;
  private armedAt: number | undefined;
  private chain: Promise<number> = Promise.resolve(0);
  private stopped = false;
  /** Transitions fired since start, for tests and the benchmark. */
  fired = 0;
  /** Told of each firing once it committed: the deadline and when (the benchmark measures lateness with it). */
  onFire: ((deadline: Date, firedAt: Date) => void) | undefined;
  /** Told of a conversation that could not be advanced (it is skipped from then on, so it cannot stall the rest). */
  onError: (error: unknown, conversationId: string) => void = () => undefined;
  private readonly poisoned = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly callbacks: CallbackService,
    private readonly clock: Clock,
  ) {}

  /** Fires every deadline that passed while the server was down, then waits for the next. */
  async start(): Promise<void> {
    await this.runDue();
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  /** Fires everything due by now, in deadline order; resolves when done. Calls are serialized. */
  runDue(): Promise<number> {
    this.chain = this.chain.then(
      () => this.pass(),
      () => this.pass(),
    );
    return this.chain;
  }

  private async pass(): Promise<number> {
    if (this.stopped) return 0;
    let count = 0;
    for (;;) {
      const { due, fired, failed } = await this.callbacks.fireDue(this.clock.now(), BATCH, this.poisoned);
      if (due.length === 0) break;
      count += fired;
      for (const f of failed) {
        this.poisoned.add(f.id);
        this.onError(f.error, f.id);
      }
      if (this.onFire !== undefined) {
        const at = this.clock.now();
        for (const d of due) if (!this.poisoned.has(d.id)) this.onFire(d.at, at);
      }
      // The store answers synchronously, so without this a backlog would fire in one turn of the event loop and
      // hold every request until the end; between batches, requests and timers get their turn.
      if (due.length === BATCH) await new Promise((resolve) => setImmediate(resolve));
    }
    this.fired += count;
    await this.arm();
    return count;
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    const next = await this.store.nextDeadlineAt();
    // Still due after a pass: another process holds it (claimed, being fired). Look again shortly, not at once.
    const now = this.clock.now().getTime();
    this.setTimer(next !== undefined && next.getTime() <= now ? new Date(now + 50) : next);
  }

  private setTimer(at: Date | undefined): void {
    this.cancel?.();
    this.cancel = undefined;
    this.armedAt = at?.getTime();
    if (at !== undefined) this.cancel = this.clock.setTimer(at, () => void this.runDue().catch((e: unknown) => this.onError(e, '')));
  }

  /** A conversation changed: if it now has an earlier deadline than the one armed, wake earlier. */
  notice(state: CallbackConversationState): void {
    const d = nextDeadline(state);
    if (d !== undefined) this.wake(d.at);
  }

  /** A deadline was written (here, or by another process on a shared store): wake for it if it is the earliest. */
  wake(at: Date): void {
    if (this.stopped) return;
    if (this.armedAt === undefined || at.getTime() < this.armedAt) this.setTimer(at);
  }
}
