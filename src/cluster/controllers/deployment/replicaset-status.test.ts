import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './replicaset-status.js';

const NOW = Date.parse('2024-01-01T00:01:00Z');

function pod(labels: Record<string, string>, readySince?: string): KubeObject {
  return {
    metadata: { labels },
    status: { phase: 'Running', conditions: readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] : [] },
  };
}

function rs(minReadySeconds = 0, status: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: 'web', generation: 3 }, spec: { replicas: 3, minReadySeconds, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } }, status };
}

describe('ReplicaSet status', () => {
  test('replicas, fully labelled, ready and available', () => {
    const pods = [pod({ app: 'web', tier: 'fe', extra: 'x' }, '2024-01-01T00:00:00Z'), pod({ app: 'web' }, '2024-01-01T00:00:59Z'), pod({ app: 'web', tier: 'fe' })];
    const { status, recheckInMs } = calculateReplicaSetStatus(rs(10), pods, undefined, 'T', NOW);
    assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 });
    assert.equal(recheckInMs, 9_000, 'the pod ready since 00:00:59 is available at 00:01:09');
  });

  test('zero counts are omitted, replicas is not', () => {
    const { status, recheckInMs } = calculateReplicaSetStatus(rs(), [], undefined, 'T', NOW);
    assert.deepEqual(status, { replicas: 0, observedGeneration: 3 });
    assert.equal(recheckInMs, undefined);
  });

  test('a failure adds ReplicaFailure once (its first time kept), success removes it', () => {
    const first = calculateReplicaSetStatus(rs(), [], { reason: 'FailedCreate', message: 'pods "web-x" is forbidden' }, 'T1', NOW).status;
    assert.deepEqual(first.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: 'T1', reason: 'FailedCreate', message: 'pods "web-x" is forbidden' }]);
    const again = calculateReplicaSetStatus(rs(0, first as Record<string, unknown>), [], { reason: 'FailedCreate', message: 'other' }, 'T2', NOW).status;
    assert.deepEqual(again.conditions, first.conditions);
    const ok = calculateReplicaSetStatus(rs(0, first as Record<string, unknown>), [], undefined, 'T3', NOW).status;
    assert.equal(ok.conditions, undefined);
  });

  test('an unchanged status is not written again', () => {
    const current = rs(0, { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 3 });
    assert.equal(replicaSetStatusChanged(current, { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 3 }), false);
    assert.equal(replicaSetStatusChanged(current, { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 4 }), true);
    assert.equal(replicaSetStatusChanged(current, { replicas: 2, readyReplicas: 1, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 3 }), true);
  });
});
