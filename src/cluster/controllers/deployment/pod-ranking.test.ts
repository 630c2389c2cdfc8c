import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { podsToDelete } from './pod-ranking.js';

interface PodShape {
  name: string;
  node?: string;
  phase?: string;
  readySince?: string;
  restarts?: number;
  created?: string;
  cost?: string;
}

function pod(p: PodShape): KubeObject {
  return {
    metadata: { name: p.name, creationTimestamp: p.created ?? '2024-01-01T00:00:00Z', ...(p.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': p.cost } } : {}) },
    spec: p.node ? { nodeName: p.node } : {},
    status: {
      phase: p.phase ?? 'Running',
      conditions: p.readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: p.readySince }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ restartCount: p.restarts ?? 0 }],
    },
  };
}

const first = (pods: KubeObject[], n = 1): string[] => podsToDelete(pods, n).map((p) => p.metadata.name!);
const READY = '2024-01-01T00:00:10Z';

describe('which pods a ReplicaSet deletes first', () => {
  test('unscheduled before scheduled', () => {
    assert.deepEqual(first([pod({ name: 'bound', node: 'argosy', readySince: READY }), pod({ name: 'unbound', phase: 'Pending' })]), ['unbound']);
  });

  test('Pending before Unknown before Running', () => {
    const pods = [pod({ name: 'running', node: 'n' }), pod({ name: 'unknown', node: 'n', phase: 'Unknown' }), pod({ name: 'pending', node: 'n', phase: 'Pending' })];
    assert.deepEqual(first(pods, 2), ['pending', 'unknown']);
  });

  test('not ready before ready', () => {
    assert.deepEqual(first([pod({ name: 'ready', node: 'n', readySince: READY }), pod({ name: 'unready', node: 'n' })]), ['unready']);
  });

  test('lower deletion cost first', () => {
    assert.deepEqual(first([pod({ name: 'precious', node: 'n', readySince: READY, cost: '100' }), pod({ name: 'cheap', node: 'n', readySince: READY, cost: '-5' })]), ['cheap']);
  });

  test('ready for less time first', () => {
    assert.deepEqual(first([pod({ name: 'veteran', node: 'n', readySince: '2024-01-01T00:00:01Z' }), pod({ name: 'rookie', node: 'n', readySince: '2024-01-01T00:00:09Z' })]), ['rookie']);
  });

  test('more restarts first', () => {
    assert.deepEqual(first([pod({ name: 'steady', node: 'n', restarts: 0 }), pod({ name: 'crashy', node: 'n', restarts: 4 })]), ['crashy']);
  });

  test('newer first', () => {
    assert.deepEqual(first([pod({ name: 'old', node: 'n', created: '2024-01-01T00:00:00Z' }), pod({ name: 'new', node: 'n', created: '2024-01-02T00:00:00Z' })]), ['new']);
  });

  test('asking for all returns all', () => {
    assert.equal(podsToDelete([pod({ name: 'a' }), pod({ name: 'b' })], 5).length, 2);
  });
});
