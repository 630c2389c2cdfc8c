import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet } from './field-set.js';
import { compareObjects, mergeApplied, removeItems } from './walk.js';
import { deploymentMeta, testMeta } from './test-support.js';

const listMeta = testMeta({ maps: { items: ['name'] }, sets: ['tags'] });

function names(v: unknown): string[] {
  return (v as { name: string }[]).map((i) => i.name);
}

test('map-list merge keeps live-only items in place and follows the configuration order for shared ones', () => {
  const live = { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] };
  assert.deepEqual(names(mergeApplied(live, { items: [{ name: 'c' }, { name: 'a' }] }, listMeta).items), ['b', 'c', 'a']);
  assert.deepEqual(names(mergeApplied(live, { items: [{ name: 'x' }] }, listMeta).items), ['a', 'b', 'c', 'x']);
  // New items follow the live ones they come after in neither list (as structured-merge-diff orders them).
  assert.deepEqual(names(mergeApplied(live, { items: [{ name: 'b' }, { name: 'x' }] }, listMeta).items), ['a', 'b', 'c', 'x']);
  const merged = mergeApplied({ items: [{ name: 'a', v: 1, w: 1 }] }, { items: [{ name: 'a', v: 2 }] }, listMeta);
  assert.deepEqual(merged.items, [{ name: 'a', v: 2, w: 1 }]);
});

test('set-lists merge as sets; nulls in the configuration unset; inputs stay untouched', () => {
  const live = { tags: ['x', 'y'], keep: 1, drop: 2 };
  const frozen = structuredClone(live);
  const out = mergeApplied(live, { tags: ['z', 'x'], drop: null }, listMeta);
  assert.deepEqual(out, { tags: ['z', 'x', 'y'], keep: 1 });
  assert.deepEqual(live, frozen);
});

test('compare reports modified leaves, added containers and removed subtrees', () => {
  const older = { metadata: { name: 'n', resourceVersion: '1' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } };
  const newer = { metadata: { name: 'n', resourceVersion: '2', labels: { l: 'v' } }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'b', image: 'y' }] } } } };
  const c = compareObjects(older, newer, { meta: deploymentMeta });
  assert.deepEqual(c.modified.toStrings(), ['.spec.replicas']);
  assert.deepEqual(c.added.toStrings(), [
    '.metadata.labels',
    '.metadata.labels.l',
    '.spec.template.spec.containers[name="b"]',
    '.spec.template.spec.containers[name="b"].image',
    '.spec.template.spec.containers[name="b"].name',
  ]);
  assert.deepEqual(c.removed.toStrings(), [
    '.spec.template.spec.containers[name="a"]',
    '.spec.template.spec.containers[name="a"].image',
    '.spec.template.spec.containers[name="a"].name',
  ]);
});

test('removeItems deletes members whole and follows children into list items', () => {
  const obj = { spec: { a: { b: 1, c: 2 }, items: [{ name: 'x', v: 1, w: 2 }, { name: 'y' }] } };
  const set = FieldSet.fromPaths([
    ['f:spec', 'f:a', 'f:b'],
    ['f:spec', 'f:items', 'k:{"name":"x"}', 'f:w'],
    ['f:spec', 'f:items', 'k:{"name":"y"}'],
  ]);
  const meta = testMeta({ maps: { 'spec.items': ['name'] } });
  assert.deepEqual(removeItems(obj, set, meta), { spec: { a: { c: 2 }, items: [{ name: 'x', v: 1 }] } });
  assert.deepEqual(obj.spec.items.length, 2, 'input untouched');
});
