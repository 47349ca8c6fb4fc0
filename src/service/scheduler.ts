// Durable time: deadlines live in the store (an indexed column, derived from each conversation's state); one timer
// waits for the earliest. When it fires, due conversations are advanced one deadline at a time, in deadline order,
// each in its own transaction; the state change and the removal of its deadline commit together, so after a crash
// every passed deadline fires exactly once on restart.
import { nextDeadline, type CallbackConversationState } from '../lifecycle/index.js';
import type { Store } from '../store/types.js';
import type { CallbackService } from './callbacks.js';
import type { Clock } from './clock.js';

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
      const now = this.clock.now();
      const due = (await this.store.dueConversations(now, 1 + this.poisoned.size)).find((d) => !this.poisoned.has(d.id));
      if (due === undefined) break;
      try {
        if (await this.callbacks.fire(due.orgId, due.id, due.at)) count++;
        this.onFire?.(due.at, this.clock.now());
      } catch (e) {
        this.poisoned.add(due.id);
        this.onError(e, due.id);
      }
    }
    this.fired += count;
    await this.arm();
    return count;
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    const next = await this.store.nextDeadlineAt();
    this.setTimer(next);
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
    if (this.stopped || d === undefined) return;
    if (this.armedAt === undefined || d.at.getTime() < this.armedAt) this.setTimer(d.at);
  }
}
