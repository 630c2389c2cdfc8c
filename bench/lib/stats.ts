/** Small statistics helpers for the benchmarks: percentiles over latency samples, rounding, scaling. */

/** The p-th percentile (0..100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Summary {
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round(percentileOfSorted(sorted, 50)), p99: round(percentileOfSorted(sorted, 99)), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}

/** Rounds to `digits` decimals (2 by default), keeping figures readable in the JSON lines. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** BENCH_SCALE (default 1) shrinks or grows every benchmark's workload, e.g. 0.1 for a quick check. */
export function benchScale(): number {
  const raw = process.env.BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_SCALE must be a positive number, got "${raw}"`);
  return n;
}

export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * benchScale()));
}

/** Elapsed milliseconds since `start` (a performance.now() reading). */
export function since(start: number): number {
  return performance.now() - start;
}
