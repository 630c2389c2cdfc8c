import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import { daemonStatus, newDaemonPod, nodeShouldRun, rollingBudget, updatedPodsOnNode, type DaemonSet } from './daemonset-model.js';

function ds(podSpec: Record<string, unknown> = {}, spec: DaemonSet['spec'] = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid' },
    spec: { template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'a' }], ...podSpec } }, ...spec },
  };
}

const node = (labels: Record<string, string>, taints: unknown[] = []): KubeObject => ({ metadata: { name: 'argosy', labels }, spec: { taints } });

test('the node runs the daemon when selector, affinity and taints allow it', () => {
  assert.equal(nodeShouldRun(ds(), undefined, 'argosy'), true, 'no Node object: run');
  assert.equal(nodeShouldRun(ds({ nodeSelector: { disk: 'ssd' } }), node({ disk: 'ssd' }), 'argosy'), true);
  assert.equal(nodeShouldRun(ds({ nodeSelector: { disk: 'ssd' } }), node({}), 'argosy'), false);
  const tainted = node({}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
  assert.equal(nodeShouldRun(ds(), tainted, 'argosy'), false);
  assert.equal(nodeShouldRun(ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }), tainted, 'argosy'), true);
  assert.equal(nodeShouldRun(ds({ tolerations: [{ operator: 'Exists' }] }), tainted, 'argosy'), true);
  assert.equal(nodeShouldRun(ds(), node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), 'argosy'), true, 'daemons tolerate a cordoned node');
  assert.equal(nodeShouldRun(ds(), node({}, [{ key: 'x', effect: 'PreferNoSchedule' }]), 'argosy'), true);
});

test('the daemon pod is bound, labelled and tolerant, keeping the template tolerations', () => {
  const p = newDaemonPod(ds({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] }), ds().spec!.template!, 'h4sh', '3', 'argosy');
  assert.equal(p.metadata.generateName, 'agent-');
  assert.deepEqual(p.metadata.labels, { app: 'agent', 'controller-revision-hash': 'h4sh', 'pod-template-generation': '3' });
  const spec = p.spec as { nodeName: string; tolerations: { key: string }[] };
  assert.equal(spec.nodeName, 'argosy');
  assert.equal(spec.tolerations.length, 6);
});

test('rolling budget and pods on the node', () => {
  assert.deepEqual(rollingBudget(ds({}, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } }), 1), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(rollingBudget(ds({}, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '10%' } } }), 1), { maxSurge: 1, maxUnavailable: 0 });
  const p = (name: string, hash: string, deleting = false): KubeObject => ({ metadata: { name, labels: { 'controller-revision-hash': hash }, ...(deleting ? { deletionTimestamp: 'x' } : {}) } });
  const r = updatedPodsOnNode([p('a', 'new'), p('b', 'old'), p('c', 'old', true)], 'new');
  assert.deepEqual([r.ok, r.newPod?.metadata.name, r.oldPod?.metadata.name], [true, 'a', 'b']);
  assert.equal(updatedPodsOnNode([p('a', 'old'), p('b', 'old')], 'new').ok, false);
});

test('status for one node', () => {
  const ready: KubeObject = { metadata: { name: 'a', creationTimestamp: '1', labels: { 'controller-revision-hash': 'h' } }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.deepEqual(daemonStatus(ds(), true, [ready], 'h'), {
    currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 0,
  });
  assert.deepEqual(daemonStatus(ds(), false, [ready], 'h').numberMisscheduled, 1);
  assert.deepEqual(daemonStatus(ds(), true, [], 'h').numberUnavailable, 1);
});
