import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../objects.js';
import {
  condemnedStep,
  desiredClaimOwners,
  firstUnhealthy,
  maxUnavailableOf,
  newClaim,
  newStatefulSetPod,
  ordinalOf,
  replicaStatus,
  replicaStep,
  revisionForSlot,
  rollingUpdateVictims,
  slotPods,
  type StatefulSet,
} from './statefulset-model.js';
import { revisionData, revisionsToPrune, sortRevisions, templateOfRevision, type Revision } from './revisions.js';

function set(spec: StatefulSet['spec'] = {}): StatefulSet {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'set-uid' }, spec: { replicas: 3, serviceName: 'web', ...spec } };
}

function pod(name: string, state: 'pending' | 'running' | 'ready' | 'failed' | 'deleting' = 'ready', revision = 'web-r1'): KubeObject {
  const ready = state === 'ready' || state === 'deleting';
  return {
    metadata: { name, uid: `uid-${name}`, labels: { 'controller-revision-hash': revision }, ...(state === 'deleting' ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    status: {
      phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2020-01-01T00:00:00Z' }],
    },
  };
}

test('ordinals come from names of the form <set>-<n> only', () => {
  const s = set();
  assert.equal(ordinalOf(s, { metadata: { name: 'web-12' } }), 12);
  assert.equal(ordinalOf(s, { metadata: { name: 'web-012' } }), undefined);
  assert.equal(ordinalOf(s, { metadata: { name: 'webby-1' } }), undefined);
  assert.equal(ordinalOf(s, { metadata: { name: 'web-x' } }), undefined);
});

test('slots: wanted ordinals in order, condemned ones highest first, ordinals.start honoured', () => {
  const s = set({ replicas: 2, ordinals: { start: 5 } });
  const slots = slotPods(s, [pod('web-7'), pod('web-5'), pod('web-9'), pod('web-2')]);
  assert.deepEqual(slots.replicas.map((p) => p?.metadata.name), ['web-5', undefined]);
  assert.deepEqual(slots.condemned.map((p) => p.metadata.name), ['web-9', 'web-7', 'web-2']);
});

test('OrderedReady: create the first missing ordinal, and stop at a pod that is not Running and Ready', () => {
  const s = set();
  const slots = slotPods(s, [pod('web-0'), pod('web-1', 'running')]);
  assert.deepEqual(replicaStep(s, slots, 0), { step: { kind: 'none' }, block: false });
  assert.deepEqual(replicaStep(s, slots, 1), { step: { kind: 'wait' }, block: true });
  const next = slotPods(s, [pod('web-0')]);
  assert.deepEqual(replicaStep(s, next, 1), { step: { kind: 'create', ordinal: 1 }, block: true });
  const failed = slotPods(s, [pod('web-0', 'failed')]);
  assert.equal(replicaStep(s, failed, 0).step.kind, 'delete');
});

test('Parallel: nothing blocks creation', () => {
  const s = set({ podManagementPolicy: 'Parallel' });
  const slots = slotPods(s, [pod('web-0', 'pending')]);
  assert.deepEqual(replicaStep(s, slots, 0), { step: { kind: 'none' }, block: false });
  assert.deepEqual(replicaStep(s, slots, 1), { step: { kind: 'create', ordinal: 1 }, block: false });
});

test('scale down: the highest ordinal goes first, and only once it is healthy or the first unhealthy pod', () => {
  const s = set({ replicas: 1 });
  const slots = slotPods(s, [pod('web-0'), pod('web-1'), pod('web-2')]);
  assert.equal(slots.condemned[0].metadata.name, 'web-2');
  assert.deepEqual(condemnedStep(s, slots.condemned[0], firstUnhealthy(slots)), { remove: true, block: true });
  const terminating = slotPods(s, [pod('web-0'), pod('web-1'), pod('web-2', 'deleting')]);
  assert.deepEqual(condemnedStep(s, terminating.condemned[0], firstUnhealthy(terminating)), { remove: false, block: true }, 'wait for web-2 to go');
  const unhealthy = slotPods(s, [pod('web-0'), pod('web-1', 'running'), pod('web-2', 'running')]);
  const first = firstUnhealthy(unhealthy);
  assert.equal(first?.metadata.name, 'web-2', 'condemned pods are visited highest first');
  assert.deepEqual(condemnedStep(s, unhealthy.condemned[0], first), { remove: true, block: true });
  assert.deepEqual(condemnedStep(s, unhealthy.condemned[1], first), { remove: false, block: true });
});

test('rolling update: highest outdated ordinal above the partition, one at a time, waiting for health', () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
  const replicas = [pod('web-0'), pod('web-1'), pod('web-2')];
  assert.deepEqual(rollingUpdateVictims(s, replicas, 'web-r2').map((p) => p.metadata.name), ['web-2']);
  const midway = [pod('web-0'), pod('web-1'), pod('web-2', 'running', 'web-r2')];
  assert.deepEqual(rollingUpdateVictims(s, midway, 'web-r2'), [], 'web-2 is not ready yet');
  const next = [pod('web-0'), pod('web-1'), pod('web-2', 'ready', 'web-r2')];
  assert.deepEqual(rollingUpdateVictims(s, next, 'web-r2').map((p) => p.metadata.name), ['web-1']);
  const done = [pod('web-0'), pod('web-1', 'ready', 'web-r2'), pod('web-2', 'ready', 'web-r2')];
  assert.deepEqual(rollingUpdateVictims(s, done, 'web-r2'), [], 'web-0 is below the partition');
  const many = set({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } } });
  assert.equal(maxUnavailableOf(many), 2);
  const four = [pod('web-0'), pod('web-1'), pod('web-2'), pod('web-3')];
  assert.deepEqual(rollingUpdateVictims(many, four, 'web-r2').map((p) => p.metadata.name), ['web-3', 'web-2']);
});

test('new pods below the partition get the current revision, the others the update revision', () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.deepEqual([0, 1, 2].map((i) => revisionForSlot(s, i, 0)), ['current', 'current', 'update']);
  assert.equal(revisionForSlot(set({ updateStrategy: { type: 'OnDelete' } }), 0, 3), 'update');
});

test('pod identity and storage', () => {
  const s = set({
    volumeClaimTemplates: [{ metadata: { name: 'www', labels: { tier: 'data' } }, spec: { accessModes: ['ReadWriteOnce'] } }],
    selector: { matchLabels: { app: 'web' } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
  });
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'www', emptyDir: {} }, { name: 'cfg', emptyDir: {} }] } };
  const p = newStatefulSetPod(s, template, 4, 'web-abc');
  assert.equal(p.metadata.name, 'web-4');
  assert.deepEqual(p.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-4', 'apps.kubernetes.io/pod-index': '4', 'controller-revision-hash': 'web-abc' });
  const spec = p.spec as { hostname: string; subdomain: string; volumes: unknown[] };
  assert.equal(spec.hostname, 'web-4');
  assert.equal(spec.subdomain, 'web');
  assert.deepEqual(spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-4' } }, { name: 'cfg', emptyDir: {} }]);
  const claim = newClaim(s, s.spec!.volumeClaimTemplates![0], 4);
  assert.equal(claim.metadata.name, 'www-web-4');
  assert.deepEqual(claim.metadata.labels, { tier: 'data', app: 'web' });
  const live = { ...claim, metadata: { ...claim.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: 'other' }] } };
  assert.deepEqual(desiredClaimOwners(live, s, { metadata: { name: 'web-4', uid: 'pod-uid' } }, true).map((r) => r.uid), ['other', 'set-uid', 'pod-uid']);
  assert.deepEqual(desiredClaimOwners(live, set(), undefined, false).map((r) => r.uid), ['other'], 'Retain: no owners added');
});

test('status counts', () => {
  const s = set();
  const counts = replicaStatus(s, [pod('web-0', 'ready', 'r1'), pod('web-1', 'running', 'r2'), pod('web-2', 'deleting', 'r1'), pod('other-0')], 'r1', 'r2');
  assert.deepEqual(counts, { replicas: 3, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 1 });
});

test('revisions: history order, data round trip, pruning keeps live ones', () => {
  const rev = (name: string, revision: number): Revision => ({ metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z' }, revision, data: revisionData({ spec: { n: revision } }) });
  const all = [rev('c', 3), rev('a', 1), rev('b', 2), rev('d', 4)];
  assert.deepEqual(sortRevisions(all).map((r) => r.metadata.name), ['a', 'b', 'c', 'd']);
  assert.deepEqual(templateOfRevision(all[0]), { spec: { n: 3 } });
  assert.deepEqual((all[0].data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
  assert.deepEqual(revisionsToPrune(all, new Set(['d', 'a']), 1).map((r) => r.metadata.name), ['b']);
  assert.deepEqual(revisionsToPrune(all, new Set(['d']), 0).map((r) => r.metadata.name), ['a', 'b', 'c']);
});
