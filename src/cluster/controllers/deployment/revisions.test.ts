import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { appendRevisionHistory, maxRevision, replicaSetsBeyondHistoryLimit, revisionOf, setNewReplicaSetAnnotations } from './revisions.js';

const REV = 'deployment.kubernetes.io/revision';
const HISTORY = 'deployment.kubernetes.io/revision-history';

function deployment(annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'web', annotations }, spec: { replicas: 4, ...spec } };
}

function rs(name: string, annotations: Record<string, string> = {}, replicas = 0, extra: { statusReplicas?: number; generation?: number; observed?: number } = {}): KubeObject {
  return {
    metadata: { name, annotations, generation: extra.generation ?? 1, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { replicas },
    status: { replicas: extra.statusReplicas ?? replicas, observedGeneration: extra.observed ?? 1 },
  };
}

describe('revisions', () => {
  test('revision numbers: max over the ReplicaSets, junk counts as 0', () => {
    assert.equal(maxRevision([rs('a', { [REV]: '3' }), rs('b', { [REV]: '10' }), rs('c', { [REV]: 'x' }), rs('d')]), 10);
    assert.equal(revisionOf(rs('c', { [REV]: 'x' })), 0);
    assert.equal(maxRevision([]), 0);
  });

  test('a ReplicaSet about to be created gets the revision, replicas annotations and the Deployment annotations', () => {
    const d = deployment({ 'kubernetes.io/change-cause': 'kubectl set image', [REV]: '7', 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'a' });
    const r = rs('web-abc');
    assert.equal(setNewReplicaSetAnnotations(d, r, 8, false, 1), true);
    assert.deepEqual(r.metadata.annotations, {
      'kubernetes.io/change-cause': 'kubectl set image',
      team: 'a',
      [REV]: '8',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
  });

  test('an existing new ReplicaSet keeps a higher revision and is left alone when nothing changed', () => {
    const r = rs('web-abc', { [REV]: '5' });
    assert.equal(setNewReplicaSetAnnotations(deployment(), r, 3, true, 1), false);
    assert.equal(r.metadata.annotations![REV], '5');
    assert.equal(r.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], undefined, 'replicas annotations are the scaler\'s business once it exists');
  });

  test('rollback: an old ReplicaSet that becomes current gets the next revision and remembers its old ones', () => {
    const r = rs('web-abc', { [REV]: '1' });
    assert.equal(setNewReplicaSetAnnotations(deployment(), r, 3, true, 1), true);
    assert.equal(r.metadata.annotations![REV], '3');
    assert.equal(r.metadata.annotations![HISTORY], '1');
    setNewReplicaSetAnnotations(deployment(), r, 5, true, 1);
    assert.equal(r.metadata.annotations![REV], '5');
    assert.equal(r.metadata.annotations![HISTORY], '1,3');
  });

  test('the revision history is bounded, oldest entries dropped first', () => {
    assert.equal(appendRevisionHistory(undefined, '4'), '4');
    assert.equal(appendRevisionHistory('1,2,3', '4'), '1,2,3,4');
    assert.equal(appendRevisionHistory('1,22,333', '4', 8), '22,333,4');
    assert.equal(appendRevisionHistory('1,22,333', '4', 7), '333,4');
    assert.equal(appendRevisionHistory('1', '123456789', 5), '1', 'an entry that can never fit is not added');
  });

  test('revisionHistoryLimit: the lowest revisions beyond the limit go, only when empty and settled', () => {
    const d = deployment({}, { revisionHistoryLimit: 2 });
    const old = [
      rs('r1', { [REV]: '1' }),
      rs('r2', { [REV]: '2' }, 0, { statusReplicas: 1 }),
      rs('r3', { [REV]: '3' }),
      rs('r4', { [REV]: '4' }),
      rs('r5', { [REV]: '5' }),
    ];
    assert.deepEqual(replicaSetsBeyondHistoryLimit(d, old).map((r) => r.metadata.name), ['r1', 'r3'], 'r2 still has a pod');
    const unsynced = rs('r0', { [REV]: '0' }, 0, { generation: 2, observed: 1 });
    assert.deepEqual(replicaSetsBeyondHistoryLimit(deployment({}, { revisionHistoryLimit: 0 }), [unsynced]), [], 'not before its controller saw the scale-down');
    assert.deepEqual(replicaSetsBeyondHistoryLimit(deployment(), old), [], 'no limit, nothing goes');
  });
});
