import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../objects.js';
import { recordUpdate, type RecordUpdateInput } from './track-update.js';
import { serverSideApply } from './server-side-apply.js';
import { builtinZeroValue } from './zero-value.js';
import { deploymentMeta, testMeta } from './test-support.js';

const T1 = '2024-05-01T10:00:00Z';
const T2 = '2024-05-01T10:05:00Z';
const T3 = '2024-05-01T10:10:00Z';

/** A Deployment as the API server stores it after `kubectl create deployment nginx --image=nginx --port=80`. */
function defaultedDeployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', uid: 'u-1', labels: { app: 'nginx' } },
    spec: {
      progressDeadlineSeconds: 600,
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              imagePullPolicy: 'Always',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: {},
  };
}

function record(old: KubeObject | undefined, updated: KubeObject, manager: string, now: string, extra: Partial<RecordUpdateInput> = {}): KubeObject {
  return recordUpdate({ old, updated, manager, meta: deploymentMeta, apiVersion: 'apps/v1', now, ignoreStatus: true, zeroValue: builtinZeroValue, ...extra });
}

function entry(obj: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager);
}

function spec(obj: KubeObject): Record<string, unknown> {
  return obj.spec as Record<string, unknown>;
}

test('a create records exactly the fieldsV1 Kubernetes records for a kubectl-created Deployment', () => {
  const created = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  assert.deepEqual(created.metadata.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:progressDeadlineSeconds': {},
          'f:replicas': {},
          'f:revisionHistoryLimit': {},
          'f:selector': {},
          'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
          'f:template': {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:imagePullPolicy': {},
                  'f:name': {},
                  'f:ports': {
                    '.': {},
                    'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                  },
                  'f:resources': {},
                  'f:terminationMessagePath': {},
                  'f:terminationMessagePolicy': {},
                },
              },
              'f:dnsPolicy': {},
              'f:restartPolicy': {},
              'f:schedulerName': {},
              'f:securityContext': {},
              'f:terminationGracePeriodSeconds': {},
            },
          },
        },
      },
    },
  ]);
});

test('a custom resource create marks every added container as owned (".")', () => {
  const cr: KubeObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', labels: { x: 'y' } }, spec: { project: 'default', destination: { server: 's' } } };
  const created = recordUpdate({ old: undefined, updated: cr, manager: 'kubectl-create', meta: testMeta({}), apiVersion: 'argoproj.io/v1alpha1', now: T1, ignoreStatus: true });
  assert.deepEqual(created.metadata.managedFields?.[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } },
    'f:spec': { '.': {}, 'f:destination': { '.': {}, 'f:server': {} }, 'f:project': {} },
  });
});

test('an update takes changed fields from their owners; removed fields leave every owner', () => {
  const v1 = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  const edited = structuredClone(v1);
  spec(edited).replicas = 3;
  delete spec(edited).revisionHistoryLimit;
  spec(edited).minReadySeconds = 5;
  const v2 = record(v1, edited, 'kubectl-edit', T2);
  const creator = entry(v2, 'kubectl-create')?.fieldsV1 as Record<string, Record<string, unknown>>;
  assert.equal(creator['f:spec']['f:replicas'], undefined);
  assert.equal(creator['f:spec']['f:revisionHistoryLimit'], undefined);
  assert.deepEqual(creator['f:spec']['f:progressDeadlineSeconds'], {});
  assert.equal(entry(v2, 'kubectl-create')?.time, T1, 'an owner that only lost fields keeps its time');
  assert.deepEqual(entry(v2, 'kubectl-edit'), {
    manager: 'kubectl-edit',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T2,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:minReadySeconds': {}, 'f:replicas': {} } },
  });
  // Entries are ordered oldest first, as Kubernetes sorts them.
  assert.deepEqual(v2.metadata.managedFields?.map((e) => e.manager), ['kubectl-create', 'kubectl-edit']);
  // An update that changes nothing touches nothing.
  const v3 = record(v2, structuredClone(v2), 'someone', T3);
  assert.deepEqual(v3.metadata.managedFields, v2.metadata.managedFields);
});

test('a later write by the same updater adds to its entry and moves its time', () => {
  const v1 = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  const e1 = structuredClone(v1);
  spec(e1).replicas = 2;
  const v2 = record(v1, e1, 'hpa', T2);
  const e2 = structuredClone(v2);
  spec(e2).paused = true;
  const v3 = record(v2, e2, 'hpa', T3);
  assert.deepEqual(entry(v3, 'hpa')?.fieldsV1, { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  assert.equal(entry(v3, 'hpa')?.time, T3);
  // The same manager at another version is another owner.
  const e3 = structuredClone(v3);
  spec(e3).minReadySeconds = 1;
  const v4 = record(v3, e3, 'hpa', T3, { apiVersion: 'apps/v1beta2' });
  assert.equal(v4.metadata.managedFields?.filter((e) => e.manager === 'hpa').length, 2);
});

test('managedFields sent by the client are taken as given; malformed ones are ignored', () => {
  const v1 = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  const given = structuredClone(v1);
  given.metadata.managedFields = [
    { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  ];
  const v2 = record(v1, given, 'kubectl-client-side-apply', T2);
  assert.deepEqual(v2.metadata.managedFields, given.metadata.managedFields);

  const bad = structuredClone(v1);
  bad.metadata.managedFields = [{ manager: 'x', operation: 'Patch' as 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
  spec(bad).replicas = 4;
  const v3 = record(v1, bad, 'editor', T2);
  assert.deepEqual(v3.metadata.managedFields?.map((e) => e.manager), ['kubectl-create', 'editor']);
});

test('managedFields: [] resets tracking (nothing stored on update, a fresh start on create)', () => {
  const v1 = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  const reset = structuredClone(v1);
  reset.metadata.managedFields = [];
  spec(reset).replicas = 9;
  const v2 = record(v1, reset, 'editor', T2);
  assert.equal(v2.metadata.managedFields, undefined);
  // And an untracked object stays untracked under further updates.
  const more = structuredClone(v2);
  spec(more).replicas = 10;
  assert.equal(record(v2, more, 'editor', T3).metadata.managedFields, undefined);
  // On create, [] just means "start afresh".
  const fresh = defaultedDeployment();
  fresh.metadata.managedFields = [];
  assert.equal(record(undefined, fresh, 'creator', T1).metadata.managedFields?.length, 1);
});

test('a subresource write ignores the client list and records the subresource', () => {
  const v1 = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  const st = structuredClone(v1);
  st.status = { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
  st.metadata.managedFields = [];
  const v2 = record(v1, st, 'kube-controller-manager', T2, { subresource: 'status', ignoreStatus: false });
  assert.deepEqual(entry(v2, 'kube-controller-manager'), {
    manager: 'kube-controller-manager',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T2,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} } },
    subresource: 'status',
  });
  assert.ok(entry(v2, 'kubectl-create'));
});

test('more than ten updaters fold the oldest into ancient-changes', () => {
  let obj = record(undefined, defaultedDeployment(), 'creator', '2024-01-01T00:00:00Z');
  for (let i = 0; i < 11; i++) {
    const next = structuredClone(obj);
    (next.metadata.annotations ??= {})[`k${i}`] = 'v';
    obj = record(obj, next, `writer-${i}`, `2024-01-01T00:${String(i + 1).padStart(2, '0')}:00Z`);
  }
  const managers = obj.metadata.managedFields?.map((e) => e.manager) ?? [];
  assert.equal(managers.length, 10);
  assert.ok(managers.includes('ancient-changes'));
  assert.ok(!managers.includes('creator') && !managers.includes('writer-0'));
});

test('recordUpdate stays cheap for a one-field update of a Deployment with several owners', () => {
  // Build a Deployment owned by an applier, a creator, a controller (status) and an HPA.
  let obj = record(undefined, defaultedDeployment(), 'kubectl-create', T1);
  obj = serverSideApply({
    live: obj,
    applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace: 'default', annotations: { team: 'web' } }, spec: { replicas: 1 } },
    manager: 'argocd-controller',
    force: true,
    meta: deploymentMeta,
    apiVersion: 'apps/v1',
    now: T2,
    ignoreStatus: true,
  });
  const st = structuredClone(obj);
  st.status = { replicas: 1, readyReplicas: 1, observedGeneration: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] };
  obj = record(obj, st, 'kube-controller-manager', T2, { subresource: 'status', ignoreStatus: false });

  const updates: KubeObject[] = [];
  for (let i = 0; i < 2000; i++) {
    const next = structuredClone(obj);
    spec(next).replicas = 2 + (i % 50);
    updates.push(next);
  }
  const run = (n: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) record(obj, updates[i % updates.length], 'hpa', T3);
    return Number(process.hrtime.bigint() - start) / 1e6 / n;
  };
  run(500); // warm up the JIT
  const perCall = run(2000);
  console.log(`recordUpdate: ${(perCall * 1000).toFixed(1)} µs per one-field Deployment update`);
  assert.ok(perCall < 5, `took ${perCall} ms`);
  const out = record(obj, updates[0], 'hpa', T3);
  assert.deepEqual(entry(out, 'hpa')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});
