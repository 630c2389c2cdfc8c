/**
 * The kubelet's container restart back-off (client-go flowcontrol.Backoff as the kubelet uses it):
 * the first restart after a failure is immediate; while a container keeps failing each further
 * restart waits twice as long, from `base` up to `max`; a container that ran for more than twice
 * `max` since its last restart starts over from `base`.
 */
export class RestartBackOff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {}

  /** While in back-off: how long is left, and the back-off period (for the message). */
  inBackOff(key: string, finishedAtMs: number, nowMs = Date.now()): { remainingMs: number; delayMs: number } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const elapsed = nowMs - finishedAtMs;
    if (elapsed >= e.delayMs) return undefined;
    return { remainingMs: e.delayMs - elapsed, delayMs: e.delayMs };
  }

  /** Records a restart after the failure at `finishedAtMs`, lengthening the next wait. */
  next(key: string, finishedAtMs: number): void {
    const e = this.entries.get(key);
    if (!e || finishedAtMs - e.lastUpdate > 2 * this.maxMs) this.entries.set(key, { delayMs: this.baseMs, lastUpdate: finishedAtMs });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), lastUpdate: finishedAtMs });
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** A duration as Go's time.Duration.String() prints it: `100ms`, `10s`, `1m20s`, `5m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${trimFloat(ms)}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = `${trimFloat(rest)}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}

function trimFloat(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}
