import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { OwnerIndex } from './owner-index.js';

describe('owner index', () => {
  const obj = (ns: string, owner?: string): KubeObject => ({
    metadata: { namespace: ns, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: owner, controller: true }] } : {}) },
  });

  test('finds objects by controller uid and orphans by namespace, following changes', () => {
    const idx = new OwnerIndex();
    idx.put('a/p1', obj('a', 'u1'));
    idx.put('a/p2', obj('a'));
    idx.put('b/p3', obj('b'));
    assert.deepEqual([...idx.owned('u1').keys()], ['a/p1']);
    assert.deepEqual([...idx.orphans('a').keys()], ['a/p2']);
    idx.put('a/p2', obj('a', 'u1'));
    idx.put('a/p1', obj('a'));
    assert.deepEqual([...idx.owned('u1').keys()], ['a/p2']);
    assert.deepEqual([...idx.orphans('a').keys()], ['a/p1']);
    idx.put('a/p1', undefined);
    idx.put('a/p2', undefined);
    assert.deepEqual([...idx.orphans('a').keys()], []);
    assert.deepEqual([...idx.owned('u1').keys()], []);
    assert.deepEqual([...idx.orphans('b').keys()], ['b/p3']);
  });

  test('a non-controller owner reference does not make an object owned', () => {
    const idx = new OwnerIndex();
    idx.put('a/p', { metadata: { namespace: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u9' }] } });
    assert.deepEqual([...idx.orphans('a').keys()], ['a/p']);
  });

  test('with an owner kind, only controllers of that kind own; what others control is not an orphan', () => {
    const idx = new OwnerIndex({ group: 'apps', kind: 'StatefulSet' });
    const ref = (apiVersion: string, kind: string, uid: string) => ({ apiVersion, kind, name: 'x', uid, controller: true });
    assert.deepEqual(idx.put('a/p1', { metadata: { namespace: 'a', ownerReferences: [ref('apps/v1', 'StatefulSet', 's1')] } }), { after: ref('apps/v1', 'StatefulSet', 's1') });
    assert.deepEqual(idx.put('a/p2', { metadata: { namespace: 'a', ownerReferences: [ref('apps/v1', 'ReplicaSet', 'r1')] } }), {});
    assert.deepEqual(idx.put('a/p3', { metadata: { namespace: 'a', ownerReferences: [ref('example.com/v1', 'StatefulSet', 's2')] } }), {});
    assert.deepEqual([...idx.owned('s1').keys()], ['a/p1']);
    assert.deepEqual([...idx.owned('r1').keys()], []);
    assert.deepEqual([...idx.orphans('a').keys()], []);
    assert.deepEqual(idx.put('a/p1', undefined), { before: ref('apps/v1', 'StatefulSet', 's1') });
    assert.deepEqual([...idx.owned('s1').keys()], []);
  });

  test('an update in place keeps the object\'s position and serves the newer object', () => {
    const idx = new OwnerIndex();
    idx.put('a/p1', obj('a', 'u1'));
    idx.put('a/p2', obj('a', 'u1'));
    const newer = { ...obj('a', 'u1'), status: { phase: 'Running' } };
    idx.put('a/p1', newer);
    assert.deepEqual([...idx.owned('u1').keys()], ['a/p1', 'a/p2']);
    assert.equal(idx.owned('u1').get('a/p1'), newer);
  });
});
