import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rechecks } from './rechecks.js';

test('one pending recheck per key: later requests wait for it, earlier ones replace it', () => {
  const scheduled: { key: string; delayMs: number; run: () => void }[] = [];
  const rechecks = new Rechecks((key, delayMs, run) => scheduled.push({ key, delayMs, run }));
  rechecks.request('a', 1_000);
  rechecks.request('a', 5_000);
  rechecks.request('b', 5_000);
  assert.deepEqual(scheduled.map((s) => `${s.key}:${s.delayMs}`), ['a:1000', 'b:5000']);
  rechecks.request('a', 10);
  assert.deepEqual(scheduled.map((s) => `${s.key}:${s.delayMs}`), ['a:1000', 'b:5000', 'a:10']);
  scheduled[2].run();
  rechecks.request('a', 5_000);
  assert.equal(scheduled.length, 4, 'after it ran, a new request is scheduled');
  rechecks.forget('b');
  rechecks.request('b', 6_000);
  assert.equal(scheduled.length, 5);
});
