import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonValue } from '../objects.js';
import { applyMergePatch } from './json-merge.js';

function deepFreeze<T extends JsonValue>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

test('RFC 7386 appendix A examples all hold', () => {
  const cases: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    assert.deepEqual(applyMergePatch(target, patch), want, JSON.stringify({ target, patch }));
  }
});

test('arrays in a merge patch replace the target array whole, nulls inside them included', () => {
  const got = applyMergePatch({ spec: { args: ['a', 'b'], env: [{ name: 'X', value: '1' }] } }, { spec: { env: [{ name: 'Y', value: null }] } });
  assert.deepEqual(got, { spec: { args: ['a', 'b'], env: [{ name: 'Y', value: null }] } });
});

test('a merge patch leaves its inputs untouched and shares no structure with them', () => {
  const target = deepFreeze({ metadata: { labels: { a: '1' } }, spec: { list: [{ x: 1 }], keep: { deep: true } } });
  const patch = deepFreeze({ metadata: { labels: { b: '2' } }, spec: { list: [{ y: 2 }] } });
  const got = applyMergePatch(target, patch) as { spec: { keep: { deep: boolean }; list: { y?: number }[] } };
  got.spec.keep.deep = false;
  got.spec.list[0].y = 3;
  assert.equal(target.spec.keep.deep, true);
  assert.equal(patch.spec.list[0].y, 2);
});

test('a __proto__ key in a merge patch is stored as data, not as a prototype', () => {
  const got = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}') as JsonValue) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.ok(Object.hasOwn(got, '__proto__'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
