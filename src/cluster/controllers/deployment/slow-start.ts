/**
 * controller.slowStartBatch: runs `count` calls in batches of 1, 2, 4, ... (each batch in parallel),
 * stopping at the first batch with a failure. A template that cannot work (a rejected pod, a quota)
 * thus costs one failed call instead of a storm of them, while a healthy one still gets hundreds of
 * pods in a handful of round trips.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, call: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => call()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= size;
  }
  return { successes };
}
