/**
 * A de-duplicating work queue for the API server's own controllers: a key queued while waiting
 * is processed once; failures are retried with capped exponential back-off.
 */
export class WorkQueue {
  private readonly pending = new Map<string, () => Promise<void>>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private stopped = false;

  constructor(private readonly onError: (key: string, err: unknown) => void) {}

  add(key: string, work: () => Promise<void>, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.add(key, work);
      }, delayMs);
      this.timers.add(t);
      return;
    }
    this.pending.set(key, work);
    if (!this.running) setImmediate(() => void this.drain());
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const [key, work] = this.pending.entries().next().value as [string, () => Promise<void>];
        this.pending.delete(key);
        try {
          await work();
          this.failures.delete(key);
        } catch (err) {
          const n = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, n);
          this.onError(key, err);
          this.add(key, work, Math.min(30_000, 50 * 2 ** n));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
