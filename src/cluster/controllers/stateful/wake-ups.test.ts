import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeUps } from './wake-ups.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('one timer per key, the earliest wins; reset moves it later; stop cancels everything', async () => {
  const fired: string[] = [];
  const w = new WakeUps((k) => fired.push(k));
  w.at('a', 40);
  w.at('a', 10);
  w.at('a', 30);
  w.at('b', 10);
  w.reset('b', 60);
  w.at('c', 10);
  w.cancel('c');
  await sleep(35);
  assert.deepEqual(fired, ['a'], 'a fired once, at the earliest time; b moved later; c cancelled');
  await sleep(45);
  assert.deepEqual(fired, ['a', 'b']);
  w.at('d', 10);
  w.stop();
  w.at('e', 1);
  await sleep(30);
  assert.deepEqual(fired, ['a', 'b']);
});
