/**
 * Output discipline: each benchmark writes exactly one JSON object per line on stdout; progress and
 * diagnostics go to stderr so that stdout stays machine-readable.
 */
import os from 'node:os';

export type Figures = Record<string, unknown>;

/**
 * The host's 1-minute load average: on a 2-core machine shared with other work, a figure well above
 * what the benchmark itself puts there (about 2-3) says the numbers were taken under contention.
 */
export function hostLoad(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

/** Prints the line; `loadAtStart` (from hostLoad()) is reported beside the load at the end. */
export function emit(bench: string, figures: Figures, loadAtStart?: number): void {
  const host = { hostCpus: os.availableParallelism(), hostLoadAvg1m: loadAtStart === undefined ? [hostLoad()] : [loadAtStart, hostLoad()] };
  const { baseline, ratio, ...rest } = figures;
  const tail: Figures = {};
  if (baseline !== undefined) tail.baseline = baseline;
  if (ratio !== undefined) tail.ratio = ratio;
  process.stdout.write(`${JSON.stringify({ bench, ...rest, ...host, ...tail })}\n`);
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
