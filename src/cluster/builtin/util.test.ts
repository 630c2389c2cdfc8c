import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clone } from './util.js';

/** What clone promised before it copied directly: a JSON round trip. */
function roundTrip<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

test('clone gives exactly what a JSON round trip gives', () => {
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: { c: [1, 2] } });
  const values: unknown[] = [
    null,
    0,
    -0,
    'text',
    true,
    [],
    {},
    { a: 1, b: 'x', c: null, d: [1, 'two', null, { e: false }] },
    // JSON drops undefined-valued keys and functions, writes undefined array items and non-finite numbers as null.
    { gone: undefined, fn: () => 1, keep: 1, list: [undefined, () => 2, Number.NaN, Number.POSITIVE_INFINITY, 3] },
    { nested: { deeper: { deepest: [[1], [2, { x: undefined }]] } } },
    // Integer-like keys come first, in both.
    { b: 1, 2: 'two', a: 3, 1: 'one' },
    // Exotic values inside take the round trip: a Date becomes its ISO string.
    { when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), id: 7 },
    { custom: { toJSON: () => ({ replaced: true }) } },
    nullProto,
    Number.NaN,
  ];
  for (const v of values) assert.deepEqual(clone(v), roundTrip(v), JSON.stringify(v));
  assert.equal(clone(undefined), undefined);
});

test('clone keeps a __proto__ key as data, as JSON.parse does, without touching the prototype', () => {
  const source = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
  const copy = clone(source);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.equal((copy as { polluted?: boolean }).polluted, undefined);
  assert.deepEqual(Object.keys(copy), ['__proto__', 'a']);
  assert.equal(JSON.stringify(copy), JSON.stringify(source));
});

test('clone shares nothing with its input', () => {
  const source = { spec: { containers: [{ name: 'a', args: ['x'] }] }, labels: { app: 'web' } };
  const copy = clone(source);
  copy.spec.containers[0].args.push('y');
  copy.spec.containers[0].name = 'b';
  copy.labels.app = 'db';
  assert.deepEqual(source, { spec: { containers: [{ name: 'a', args: ['x'] }] }, labels: { app: 'web' } });
});

test('clone fails on what JSON cannot write, as the round trip does', () => {
  assert.throws(() => clone({ n: 1n }), TypeError);
});
