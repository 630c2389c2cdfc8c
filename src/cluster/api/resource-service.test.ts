/**
 * The write path's copy discipline and its shortcuts for status writes: what the service stores
 * never aliases what a caller passed in or what is already stored, status writes touch only
 * status, and no-op writes stay no-ops.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_RESOURCE_TYPES } from '../builtin/resource-table.js';
import { SYSTEM_USER } from '../controllers/system-scope.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { ObjectStore } from '../store/object-store.js';
import { ResourceRegistry } from './resource-registry.js';
import { ResourceService, type RequestScope } from './resource-service.js';

const NS = 'default';

async function setup(t: TestContext): Promise<{ store: ObjectStore; service: ResourceService; pods: (manager: string, extra?: Partial<RequestScope>) => RequestScope }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-write-path-'));
  const store = ObjectStore.open(dir);
  t.after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const nsType = registry.lookup('', 'v1', 'namespaces')!;
  await service.create({ type: nsType, user: SYSTEM_USER, fieldManager: 'test' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const podType = registry.lookup('', 'v1', 'pods')!;
  return { store, service, pods: (manager, extra = {}) => ({ type: podType, namespace: NS, user: SYSTEM_USER, fieldManager: manager, ...extra }) };
}

function newPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
  } as KubeObject;
}

function storedPod(store: ObjectStore): { obj: KubeObject; json: string; rv: number } {
  const s = store.get('pods', `${NS}/web`);
  assert.ok(s, 'the pod is stored');
  return s;
}

test('a create defaults a copy: the caller’s object keeps its own nested values', async (t) => {
  const { store, service, pods } = await setup(t);
  const body = newPod();
  const spec = body.spec as { containers: Record<string, unknown>[] };
  await service.create(pods('test'), body);
  assert.deepEqual(spec.containers[0], { name: 'main', image: 'nginx:1.27' }, 'no defaults written into the caller’s container');
  const stored = storedPod(store).obj.spec as { containers: Record<string, unknown>[]; dnsPolicy?: string };
  assert.equal(stored.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(stored.dnsPolicy, 'ClusterFirst');
  assert.notEqual(stored.containers, spec.containers);
});

test('a status write stores a copy of the status and leaves everything else as stored', async (t) => {
  const { store, service, pods } = await setup(t);
  await service.create(pods('test'), newPod());
  const before = storedPod(store);
  const beforeJson = before.json;
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const body = { ...before.obj, metadata: { ...before.obj.metadata, finalizers: ['example.com/ignored'] }, spec: { containers: [{ name: 'other', image: 'x' }] }, status };
  await service.update(pods('kubelet'), 'web', body, 'status');
  const after = storedPod(store);
  assert.ok(after.rv > before.rv);
  assert.deepEqual(after.obj.spec, before.obj.spec, 'spec comes from the stored pod');
  assert.equal(after.obj.metadata.finalizers, undefined, 'finalizers come from the stored pod');
  assert.deepEqual(after.obj.metadata.labels, { app: 'web' });
  assert.equal(after.obj.metadata.generation, before.obj.metadata.generation);
  assert.equal((after.obj.status as { phase: string }).phase, 'Running');
  // The previous version is untouched (watchers and history still hold it), and later changes to
  // the caller's status object do not reach the store.
  assert.equal(JSON.stringify(before.obj), beforeJson);
  status.conditions[0].status = 'False';
  assert.equal((after.obj.status as { conditions: { status: string }[] }).conditions[0].status, 'True');
  assert.equal(JSON.stringify(after.obj), after.json);
  // The kubelet owns what it wrote, on the status subresource.
  const kubelet = after.obj.metadata.managedFields?.find((m) => m.manager === 'kubelet');
  assert.equal(kubelet?.subresource, 'status');
  assert.deepEqual(Object.keys((kubelet?.fieldsV1 as { 'f:status': object })['f:status']).sort(), ['f:conditions', 'f:phase']);
});

test('a pods/status write keeps the labels and annotations it carries, validated; other kinds keep the stored ones', async (t) => {
  const { store, service, pods } = await setup(t);
  await service.create(pods('test'), newPod());
  const before = storedPod(store).obj;
  const labels = { app: 'web', tier: 'front' };
  const annotations = { 'argosy.io/container-modes': '{"main":"host"}' };
  const metadata = { ...before.metadata, labels, annotations, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u-1' }] };
  await service.update(pods('kubelet'), 'web', { ...before, metadata, status: { phase: 'Running' } }, 'status');
  const after = storedPod(store).obj;
  assert.deepEqual(after.metadata.labels, labels);
  assert.deepEqual(after.metadata.annotations, annotations);
  assert.equal(after.metadata.ownerReferences, undefined, 'ownerReferences come from the stored pod');
  assert.equal((after.status as { phase: string }).phase, 'Running');
  labels.tier = 'changed';
  assert.equal(after.metadata.labels?.tier, 'front', 'the stored labels are a copy');
  // The kubelet owns the annotation it wrote, on the status subresource.
  const kubelet = after.metadata.managedFields?.find((m) => m.manager === 'kubelet');
  assert.ok(JSON.stringify(kubelet?.fieldsV1).includes('f:argosy.io/container-modes'));

  // Labels left out of the request are dropped, as Kubernetes' PUT pods/status drops them.
  await service.update(pods('kubelet'), 'web', { ...after, metadata: { ...after.metadata, labels: undefined } }, 'status');
  assert.equal(storedPod(store).obj.metadata.labels, undefined);

  // Validated like any label.
  const current = storedPod(store);
  await assert.rejects(service.update(pods('kubelet'), 'web', { ...current.obj, metadata: { ...current.obj.metadata, labels: { 'bad key!': 'x' } } }, 'status'), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 422);
    assert.match(err.message, /metadata\.labels/);
    return true;
  });
  assert.equal(storedPod(store), current, 'nothing was stored');

  // Other kinds keep their stored labels and annotations on a status write.
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const deployments: RequestScope = { type: registry.lookup('apps', 'v1', 'deployments')!, namespace: NS, user: SYSTEM_USER, fieldManager: 'test' };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, labels: { app: 'web' } },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } },
  } as KubeObject;
  const created = (await service.create(deployments, deployment)).object;
  await service.update(deployments, 'web', { ...created, metadata: { ...created.metadata, labels: { changed: 'ignored' }, annotations: { a: 'ignored' } }, status: { replicas: 1 } }, 'status');
  const stored = store.get('apps/deployments', `${NS}/web`)?.obj;
  assert.deepEqual(stored?.metadata.labels, { app: 'web' });
  assert.equal(stored?.metadata.annotations, undefined);
  assert.equal((stored?.status as { replicas?: number }).replicas, 1);
});

test('a status write that changes nothing keeps the resourceVersion', async (t) => {
  const { store, service, pods } = await setup(t);
  await service.create(pods('test'), newPod());
  await service.update(pods('kubelet'), 'web', { ...storedPod(store).obj, status: { phase: 'Running' } }, 'status');
  const before = storedPod(store);
  const result = await service.update(pods('kubelet'), 'web', { ...before.obj, status: { phase: 'Running' } }, 'status');
  assert.equal(storedPod(store), before, 'nothing was stored');
  assert.equal(result.object.metadata.resourceVersion, before.obj.metadata.resourceVersion);
});

test('unknown status fields are pruned on a status write and reported per fieldValidation', async (t) => {
  const { store, service, pods } = await setup(t);
  await service.create(pods('test'), newPod());
  const body = (): KubeObject => ({ ...storedPod(store).obj, status: { phase: 'Running', podIPz: '10.0.0.1' } });
  await assert.rejects(service.update(pods('kubelet', { fieldValidation: 'Strict' }), 'web', body(), 'status'), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 400);
    assert.equal(err.message, 'strict decoding error: unknown field "status.podIPz"');
    return true;
  });
  const warnings: string[] = [];
  await service.update(pods('kubelet', { fieldValidation: 'Warn', warn: (m) => warnings.push(m) }), 'web', body(), 'status');
  assert.deepEqual(warnings, ['unknown field "status.podIPz"']);
  assert.deepEqual(storedPod(store).obj.status, { phase: 'Running' });
});

test('patches never modify the stored object they start from', async (t) => {
  const { store, service, pods } = await setup(t);
  await service.create(pods('test'), newPod());
  for (const [patchType, body] of [
    ['merge', { metadata: { annotations: { a: '1' } } }],
    ['strategic', { metadata: { labels: { tier: 'front' } } }],
    ['json', [{ op: 'add', path: '/metadata/annotations/b', value: '2' }]],
  ] as const) {
    const before = storedPod(store);
    const json = before.json;
    await service.patch(pods('test'), 'web', patchType, body);
    assert.equal(JSON.stringify(before.obj), json, `${patchType} patch left the previous version as it was`);
    assert.ok(storedPod(store).rv > before.rv, `${patchType} patch stored a new version`);
  }
  assert.deepEqual(storedPod(store).obj.metadata.annotations, { a: '1', b: '2' });
  assert.deepEqual(storedPod(store).obj.metadata.labels, { app: 'web', tier: 'front' });
  // The same patch again is a no-op: no new resourceVersion.
  const before = storedPod(store);
  await service.patch(pods('test'), 'web', 'merge', { metadata: { annotations: { a: '1' } } });
  assert.equal(storedPod(store), before);
});

test('a json patch value is stored as a copy, not as the caller’s object', async (t) => {
  const { store, service, pods } = await setup(t);
  await service.create(pods('test'), newPod());
  const labels = { app: 'web', extra: 'yes' };
  await service.patch(pods('test'), 'web', 'json', [{ op: 'replace', path: '/metadata/labels', value: labels }]);
  labels.extra = 'mutated later';
  assert.equal(storedPod(store).obj.metadata.labels?.extra, 'yes');
});
