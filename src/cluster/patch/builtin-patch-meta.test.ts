import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListMeta, PatchMeta } from '../objects.js';
import { builtinPatchMeta } from './builtin-patch-meta.js';

const at = (meta: PatchMeta, dotted: string): ListMeta | undefined => meta.list(dotted.split('.'));
const mergeKeyAt = (meta: PatchMeta, dotted: string): string | undefined => {
  const l = at(meta, dotted);
  return l?.patchStrategy === 'merge' ? l.keys?.[0] : undefined;
};

const podTemplates: [string, string, string][] = [
  ['', 'Pod', 'spec'],
  ['', 'PodTemplate', 'template.spec'],
  ['', 'ReplicationController', 'spec.template.spec'],
  ['apps', 'Deployment', 'spec.template.spec'],
  ['apps', 'ReplicaSet', 'spec.template.spec'],
  ['apps', 'StatefulSet', 'spec.template.spec'],
  ['apps', 'DaemonSet', 'spec.template.spec'],
  ['batch', 'Job', 'spec.template.spec'],
  ['batch', 'CronJob', 'spec.jobTemplate.spec.template.spec'],
];

test('every workload kind resolves its pod spec lists at its pod template path', () => {
  for (const [group, kind, spec] of podTemplates) {
    const meta = builtinPatchMeta(group, kind);
    const where = `${group}/${kind}`;
    for (const list of ['containers', 'initContainers', 'ephemeralContainers', 'imagePullSecrets', 'resourceClaims']) {
      assert.equal(mergeKeyAt(meta, `${spec}.${list}`), 'name', `${where} ${list}`);
    }
    assert.equal(mergeKeyAt(meta, `${spec}.volumes`), 'name', where);
    assert.equal(at(meta, `${spec}.volumes`)?.retainKeys, true, where);
    assert.equal(meta.retainKeys?.(`${spec}.volumes`.split('.')), true, where);
    assert.equal(mergeKeyAt(meta, `${spec}.containers.env`), 'name', where);
    assert.equal(mergeKeyAt(meta, `${spec}.initContainers.volumeMounts`), 'mountPath', where);
    assert.equal(mergeKeyAt(meta, `${spec}.containers.volumeDevices`), 'devicePath', where);
    assert.equal(mergeKeyAt(meta, `${spec}.hostAliases`), 'ip', where);
    assert.deepEqual(at(meta, `${spec}.topologySpreadConstraints`)?.keys, ['topologyKey', 'whenUnsatisfiable'], where);
    assert.equal(at(meta, `${spec}.tolerations`), undefined, `${where} tolerations are atomic`);
    assert.equal(at(meta, `${spec}.containers.args`), undefined, `${where} args are atomic`);
  }
});

test('container ports merge by containerPort and are keyed for apply by containerPort and protocol', () => {
  const ports = at(builtinPatchMeta('', 'Pod'), 'spec.containers.ports');
  assert.deepEqual(ports, { listType: 'map', keys: ['containerPort', 'protocol'], patchStrategy: 'merge' });
});

test('service ports merge by port and are keyed for apply by port and protocol', () => {
  assert.deepEqual(at(builtinPatchMeta('', 'Service'), 'spec.ports'), { listType: 'map', keys: ['port', 'protocol'], patchStrategy: 'merge' });
});

test('every kind, known or not, knows ownerReferences by uid and finalizers as a set', () => {
  const kinds: [string, string][] = [
    ...podTemplates.map(([g, k]): [string, string] => [g, k]),
    ['', 'ConfigMap'],
    ['', 'Secret'],
    ['networking.k8s.io', 'Ingress'],
    ['coordination.k8s.io', 'Lease'],
    ['example.com', 'Widget'],
    ['', 'NoSuchKind'],
  ];
  for (const [group, kind] of kinds) {
    const meta = builtinPatchMeta(group, kind);
    assert.deepEqual(at(meta, 'metadata.ownerReferences'), { listType: 'map', keys: ['uid'], patchStrategy: 'merge' }, kind);
    assert.deepEqual(at(meta, 'metadata.finalizers'), { listType: 'set', patchStrategy: 'merge' }, kind);
  }
  assert.equal(at(builtinPatchMeta('apps', 'Deployment'), 'spec.template.metadata.finalizers')?.listType, 'set');
});

test('an unknown kind knows nothing beyond metadata', () => {
  const meta = builtinPatchMeta('example.com', 'Widget');
  assert.equal(at(meta, 'spec.template.spec.containers'), undefined);
  assert.equal(at(meta, 'status.conditions'), undefined);
  // Same kind name in an unrelated group is not the built-in one.
  assert.equal(at(builtinPatchMeta('example.com', 'Deployment'), 'spec.template.spec.containers'), undefined);
});

test('status conditions merge by type wherever the built-in types carry them', () => {
  const kinds: [string, string][] = [
    ['', 'Pod'],
    ['', 'Namespace'],
    ['', 'Node'],
    ['', 'PersistentVolumeClaim'],
    ['', 'Service'],
    ['apps', 'Deployment'],
    ['apps', 'ReplicaSet'],
    ['apps', 'StatefulSet'],
    ['apps', 'DaemonSet'],
    ['batch', 'Job'],
    ['autoscaling', 'HorizontalPodAutoscaler'],
    ['policy', 'PodDisruptionBudget'],
    ['apiextensions.k8s.io', 'CustomResourceDefinition'],
  ];
  for (const [group, kind] of kinds) assert.equal(mergeKeyAt(builtinPatchMeta(group, kind), 'status.conditions'), 'type', kind);
  // Job conditions are merged by SMP but atomic for server-side apply, as their tags say.
  assert.equal(at(builtinPatchMeta('batch', 'Job'), 'status.conditions')?.listType, 'atomic');
  assert.equal(at(builtinPatchMeta('', 'Pod'), 'status.containerStatuses'), undefined);
});

test('node addresses merge by type and podCIDRs merge as a set', () => {
  const node = builtinPatchMeta('', 'Node');
  assert.equal(mergeKeyAt(node, 'status.addresses'), 'type');
  assert.equal(at(node, 'spec.podCIDRs')?.listType, 'set');
  assert.equal(at(node, 'spec.taints'), undefined);
});

test('deployment strategy and daemonset updateStrategy hold retainKeys structs', () => {
  assert.equal(builtinPatchMeta('apps', 'Deployment').retainKeys?.(['spec', 'strategy']), true);
  assert.equal(builtinPatchMeta('apps', 'DaemonSet').retainKeys?.(['spec', 'updateStrategy']), true);
  assert.equal(builtinPatchMeta('apps', 'Deployment').retainKeys?.(['spec', 'template']), false);
});

test('statefulset volumeClaimTemplates are atomic and service account secrets merge by name', () => {
  assert.equal(at(builtinPatchMeta('apps', 'StatefulSet'), 'spec.volumeClaimTemplates')?.listType, 'atomic');
  assert.notEqual(at(builtinPatchMeta('apps', 'StatefulSet'), 'spec.volumeClaimTemplates')?.patchStrategy, 'merge');
  assert.equal(mergeKeyAt(builtinPatchMeta('', 'ServiceAccount'), 'secrets'), 'name');
});

test('label selectors and node selectors are atomic maps for server-side apply', () => {
  assert.equal(builtinPatchMeta('apps', 'Deployment').atomicMap?.(['spec', 'selector']), true);
  assert.equal(builtinPatchMeta('', 'Pod').atomicMap?.(['spec', 'nodeSelector']), true);
  assert.equal(builtinPatchMeta('', 'Pod').atomicMap?.(['metadata', 'labels']), false);
});

test('path names that exist on Object.prototype resolve to nothing', () => {
  const pod = builtinPatchMeta('', 'Pod');
  assert.equal(pod.list(['constructor']), undefined);
  assert.equal(pod.list(['spec', 'toString']), undefined);
  assert.equal(pod.list(['__proto__', 'finalizers']), undefined);
});
