import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration, RestartBackOff } from './backoff.js';

test('durations print as Go prints them', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(200), '200ms');
  assert.equal(goDuration(10_000), '10s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(80_000), '1m20s');
  assert.equal(goDuration(300_000), '5m0s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});

test('the first restart is immediate, then the wait doubles up to the maximum', () => {
  const b = new RestartBackOff(10_000, 40_000);
  const key = 'uid/c';
  let t = 1_000_000;
  assert.equal(b.inBackOff(key, t, t), undefined);
  b.next(key, t);
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    t += 1000; // the container ran a second and failed again
    const w = b.inBackOff(key, t, t)!;
    waits.push(w.delayMs);
    assert.equal(w.remainingMs, w.delayMs);
    assert.equal(b.inBackOff(key, t, t + w.delayMs), undefined);
    t += w.delayMs;
    b.next(key, t - w.delayMs);
  }
  assert.deepEqual(waits, [10_000, 20_000, 40_000, 40_000]);
});

test('a container that ran longer than twice the maximum starts over', () => {
  const b = new RestartBackOff(100, 1000);
  b.next('k', 0);
  b.next('k', 50);
  assert.equal(b.inBackOff('k', 60, 60)?.delayMs, 200);
  b.next('k', 5000);
  assert.equal(b.inBackOff('k', 5000, 5001)?.delayMs, 100);
  b.forget('k');
  assert.equal(b.inBackOff('k', 5000, 5001), undefined);
});
