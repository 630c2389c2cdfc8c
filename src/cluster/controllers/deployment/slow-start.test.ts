import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import type { KubeObject } from '../../objects.js';
import { OwnerIndex } from './owner-index.js';
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

describe('owner index', () => {
  const obj = (ns: string, owner?: string): KubeObject => ({
    metadata: { namespace: ns, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: owner, controller: true }] } : {}) },
  });

  test('finds objects by controller uid and orphans by namespace, following changes', () => {
    const idx = new OwnerIndex();
    idx.upsert('a/p1', obj('a', 'u1'));
    idx.upsert('a/p2', obj('a'));
    idx.upsert('b/p3', obj('b'));
    assert.deepEqual([...idx.owned('u1')], ['a/p1']);
    assert.deepEqual([...idx.orphans('a')], ['a/p2']);
    idx.upsert('a/p2', obj('a', 'u1'));
    idx.upsert('a/p1', obj('a'));
    assert.deepEqual([...idx.owned('u1')], ['a/p2']);
    assert.deepEqual([...idx.orphans('a')], ['a/p1']);
    idx.remove('a/p1');
    idx.remove('a/p2');
    assert.deepEqual([...idx.orphans('a')], []);
    assert.deepEqual([...idx.owned('u1')], []);
    assert.deepEqual([...idx.orphans('b')], ['b/p3']);
  });

  test('a non-controller owner reference does not make an object owned', () => {
    const idx = new OwnerIndex();
    idx.upsert('a/p', { metadata: { namespace: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u9' }] } });
    assert.deepEqual([...idx.orphans('a')], ['a/p']);
  });
});
