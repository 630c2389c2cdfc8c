import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import { slowStartBatch } from './slow-start.js';

describe('slow-start batches', () => {
  test('grow 1, 2, 4, ... each batch in parallel', async () => {
    // Every call of a batch starts before any finishes: the count in flight when the first one
    // finishes is the batch size.
    const batches: number[] = [];
    let inFlight = 0;
    let batchSeen = false;
    const { successes, error } = await slowStartBatch(20, 1, async () => {
      inFlight++;
      await new Promise((r) => setImmediate(r));
      if (!batchSeen) batches.push(inFlight);
      batchSeen = true;
      if (--inFlight === 0) batchSeen = false;
    });
    assert.equal(successes, 20);
    assert.equal(error, undefined);
    assert.deepEqual(batches, [1, 2, 4, 8, 5]);
  });

  test('stop after the first batch with a failure', async () => {
    let calls = 0;
    const refusal = new ApiError(403, 'Forbidden', 'no');
    const { successes, error } = await slowStartBatch(100, 1, async () => {
      calls++;
      if (calls > 3) throw refusal;
    });
    // Batches of 1 and 2 succeed; in the batch of 4 every call fails, and nothing runs after it.
    assert.equal(calls, 7);
    assert.equal(successes, 3);
    assert.equal(error, refusal);
  });
});
