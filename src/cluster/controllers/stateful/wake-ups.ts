/**
 * One pending timer per key, keeping the earliest: what controllers use to look at an object again
 * when time alone changes something (a deadline, a TTL, a back-off, minReadySeconds, a cron time).
 * Many syncs asking for the same wake-up leave one timer, not one each.
 */
import { ApiError } from '../../errors.js';

export class WakeUps {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private stopped = false;

  constructor(private readonly fire: (key: string) => void) {}

  /** Wakes `key` in `delayMs`, unless it is already due to wake sooner. */
  at(key: string, delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + Math.max(0, delayMs);
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    // setTimeout holds at most ~24.8 days; a longer wait fires early and the sync asks again.
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.fire(key);
    }, Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Replaces any pending wake-up of `key` (for a schedule that moved later, as a cron schedule can). */
  reset(key: string, delayMs: number): void {
    this.cancel(key);
    this.at(key, delayMs);
  }

  /**
   * Runs `work` for `key`. When it meets stale or vanished objects (409 Conflict, 404), `key` wakes
   * again shortly instead of failing: the watch brings the newer state meanwhile.
   */
  async retryIfStale(key: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof ApiError && (err.reason === 'Conflict' || err.code === 404))) throw err;
      this.at(key, 50);
    }
  }

  cancel(key: string): void {
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing.timer);
    this.timers.delete(key);
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
