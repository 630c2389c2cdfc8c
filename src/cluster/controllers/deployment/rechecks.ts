/**
 * Delayed re-syncs ("look again when this pod turns available", "when this deadline passes"),
 * at most one pending per key: a request is dropped while an earlier one is still to come. Without
 * this, every sync of a busy object would leave one more timer behind.
 */
import type { WorkQueue } from '../work-queue.js';

export class Rechecks {
  private readonly due = new Map<string, number>();

  /** `schedule` runs `work` for `key` after `delayMs` (the controller's delayed queue add). */
  constructor(private readonly schedule: (key: string, delayMs: number, work: () => void) => void) {}

  request(key: string, delayMs: number): void {
    const now = Date.now();
    const at = now + delayMs;
    const due = this.due.get(key);
    if (due !== undefined && due >= now && due <= at) return;
    this.due.set(key, at);
    this.schedule(key, delayMs, () => {
      if (this.due.get(key) === at) this.due.delete(key);
    });
  }

  forget(key: string): void {
    this.due.delete(key);
  }
}

/** Rechecks that go through the controller's work queue: a due recheck syncs its key there. */
export function queuedRechecks(queue: WorkQueue, sync: (key: string) => Promise<void>): Rechecks {
  return new Rechecks((key, delayMs, fired) =>
    queue.add(key, () => {
      fired();
      return sync(key);
    }, delayMs),
  );
}
