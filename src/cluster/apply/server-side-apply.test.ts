import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { KubeObject, ManagedFieldsEntry, PatchMeta } from '../objects.js';
import { LAST_APPLIED_ANNOTATION, serverSideApply } from './server-side-apply.js';
import { recordUpdate } from './track-update.js';
import { configMapMeta, deploymentMeta, testMeta } from './test-support.js';

const T1 = '2024-05-01T10:00:00Z';
const T2 = '2024-05-01T10:05:00Z';
const T3 = '2024-05-01T10:10:00Z';

function deployment(spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec, ...extra };
}

function apply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  opts: { force?: boolean; now?: string; meta?: PatchMeta; apiVersion?: string; subresource?: string } = {},
): KubeObject {
  return serverSideApply({
    live,
    applied,
    manager,
    force: opts.force ?? false,
    meta: opts.meta ?? deploymentMeta,
    apiVersion: opts.apiVersion ?? applied.apiVersion ?? 'apps/v1',
    now: opts.now ?? T1,
    ignoreStatus: true,
    subresource: opts.subresource,
  });
}

function entry(obj: KubeObject, manager: string, operation?: string): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager && (operation === undefined || e.operation === operation));
}

function spec(obj: KubeObject): Record<string, unknown> {
  return obj.spec as Record<string, unknown>;
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a conflict');
}

const nginx = (image: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'nginx', image, ...extra });

test('apply creates the object and records Apply ownership in fieldsV1 form', () => {
  const created = apply(
    undefined,
    deployment({ replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [nginx('nginx:1.27')] } } }),
    'kubectl',
  );
  assert.equal(spec(created).replicas, 3);
  assert.deepEqual(created.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
        },
      },
    },
  ]);
});

test('reapplying without a field removes it and drops it from the set', () => {
  const v1 = apply(undefined, deployment({ replicas: 3, paused: true, template: { spec: { containers: [nginx('a', { args: ['x'] })] } } }), 'mgr');
  const v2 = apply(v1, deployment({ replicas: 3, template: { spec: { containers: [nginx('a')] } } }), 'mgr', { now: T2 });
  assert.equal(spec(v2).paused, undefined);
  const container = ((spec(v2).template as { spec: { containers: Record<string, unknown>[] } }).spec.containers)[0];
  assert.equal(container.args, undefined);
  assert.deepEqual(entry(v2, 'mgr')?.fieldsV1, {
    'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
  });
  assert.equal(entry(v2, 'mgr')?.time, T2);
});

test('dropping the last field under a struct removes the struct; fields others own survive', () => {
  const v1 = apply(undefined, deployment({ strategy: { rollingUpdate: { maxSurge: 1 } }, replicas: 1 }), 'a');
  const v2 = apply(v1, deployment({ replicas: 1 }), 'a', { now: T2 });
  assert.equal(spec(v2).strategy, undefined);

  const w1 = apply(undefined, deployment({ strategy: { rollingUpdate: { maxSurge: 1 } } }), 'a');
  const w2 = apply(w1, deployment({ strategy: { rollingUpdate: { maxSurge: 1 } } }), 'b');
  const w3 = apply(w2, deployment({ replicas: 1 }), 'a', { now: T2 });
  assert.deepEqual(spec(w3).strategy, { rollingUpdate: { maxSurge: 1 } });
  assert.equal(entry(w3, 'a')?.fieldsV1?.['f:spec'] !== undefined, true);
  assert.ok(entry(w3, 'b'));
});

test('two managers applying different values conflict (409 with causes); force takes ownership', () => {
  const v1 = apply(undefined, deployment({ replicas: 3 }), 'alice');
  const err = conflictOf(() => apply(v1, deployment({ replicas: 5 }), 'bob', { now: T2 }));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(err.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);

  const forced = apply(v1, deployment({ replicas: 5 }), 'bob', { force: true, now: T2 });
  assert.equal(spec(forced).replicas, 5);
  assert.equal(entry(forced, 'alice'), undefined, 'alice owned nothing else, so her entry is dropped');
  assert.deepEqual(entry(forced, 'bob')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('applying the same value shares ownership; the value survives until both let go', () => {
  const v1 = apply(undefined, deployment({ replicas: 3, paused: false }), 'alice');
  const v2 = apply(v1, deployment({ replicas: 3 }), 'bob', { now: T2 });
  assert.deepEqual(entry(v2, 'alice')?.fieldsV1, { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  assert.deepEqual(entry(v2, 'bob')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  // bob's apply changed nothing, so his new entry has no time (as Kubernetes records it).
  assert.equal(entry(v2, 'bob')?.time, undefined);
  // Changing a shared field conflicts for either owner.
  assert.throws(() => apply(v2, deployment({ replicas: 4 }), 'bob'), /conflict with "alice": \.spec\.replicas/);
  // alice letting go leaves the value with bob.
  const v3 = apply(v2, deployment({ paused: false }), 'alice', { now: T3 });
  assert.equal(spec(v3).replicas, 3);
  const v4 = apply(v3, deployment({ paused: false }), 'bob', { now: T3 });
  assert.equal(spec(v4).replicas, undefined);
});

test('an update moves a changed field to the updater; applying the old value then conflicts', () => {
  const v1 = apply(undefined, deployment({ replicas: 3, paused: false }), 'kubectl');
  const edited = structuredClone(v1);
  spec(edited).replicas = 7;
  const v2 = recordUpdate({ old: v1, updated: edited, manager: 'kube-controller-manager', meta: deploymentMeta, apiVersion: 'apps/v1', now: T2, ignoreStatus: true });
  assert.deepEqual(entry(v2, 'kubectl', 'Apply')?.fieldsV1, { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(entry(v2, 'kube-controller-manager', 'Update'), {
    manager: 'kube-controller-manager',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T2,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  });
  const err = conflictOf(() => apply(v2, deployment({ replicas: 3, paused: false }), 'kubectl', { now: T3 }));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1: .spec.replicas');
  // Re-applying without touching replicas is fine and keeps the updater's value.
  const v3 = apply(v2, deployment({ paused: false }), 'kubectl', { now: T3 });
  assert.equal(spec(v3).replicas, 7);
});

test('several conflicts list every owner, sorted, in Kubernetes format', () => {
  let obj = apply(undefined, deployment({ replicas: 1, paused: true }), 'zed');
  const edited = structuredClone(obj);
  spec(edited).minReadySeconds = 5;
  obj = recordUpdate({ old: obj, updated: edited, manager: 'kubectl-client-side-apply', meta: deploymentMeta, apiVersion: 'apps/v1', now: T2, ignoreStatus: true });
  const err = conflictOf(() => apply(obj, deployment({ replicas: 2, paused: false, minReadySeconds: 9 }), 'me', { now: T3 }));
  assert.equal(
    err.message,
    'Apply failed with 3 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.minReadySeconds\nconflicts with "zed":\n- .spec.paused\n- .spec.replicas',
  );
  assert.deepEqual(
    err.details?.causes?.map((c) => [c.message, c.field]),
    [
      ['conflict with "kubectl-client-side-apply" using apps/v1', '.spec.minReadySeconds'],
      ['conflict with "zed"', '.spec.paused'],
      ['conflict with "zed"', '.spec.replicas'],
    ],
  );
});

test('map-list containers merge by name instead of being replaced', () => {
  const v1 = apply(undefined, deployment({ template: { spec: { containers: [nginx('nginx:1'), { name: 'sidecar', image: 'envoy' }] } } }), 'a');
  const v2 = apply(v1, deployment({ template: { spec: { containers: [{ name: 'logger', image: 'fluent' }] } } }), 'b', { now: T2 });
  const names = ((spec(v2).template as { spec: { containers: { name: string }[] } }).spec.containers).map((c) => c.name);
  assert.deepEqual(names, ['nginx', 'sidecar', 'logger']);
  // b changing only the image of a's container conflicts on exactly that field.
  const err = conflictOf(() => apply(v2, deployment({ template: { spec: { containers: [nginx('nginx:2')] } } }), 'b'));
  assert.equal(err.details?.causes?.[0].field, '.spec.template.spec.containers[name="nginx"].image');
  // Dropping a container from a's config removes it, since nobody else owns it.
  const v3 = apply(v2, deployment({ template: { spec: { containers: [nginx('nginx:1')] } } }), 'a', { now: T3 });
  const after = ((spec(v3).template as { spec: { containers: { name: string }[] } }).spec.containers).map((c) => c.name);
  assert.deepEqual(after, ['nginx', 'logger']);
});

test('an atomic list is replaced whole and owned as one leaf', () => {
  const v1 = apply(undefined, deployment({ template: { spec: { containers: [nginx('x', { args: ['a', 'b', 'c'] })] } } }), 'a');
  const v2 = apply(v1, deployment({ template: { spec: { containers: [nginx('x', { args: ['z'] })] } } }), 'a', { now: T2 });
  const container = ((spec(v2).template as { spec: { containers: Record<string, unknown>[] } }).spec.containers)[0];
  assert.deepEqual(container.args, ['z']);
  const fields = entry(v2, 'a')?.fieldsV1 as Record<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>;
  assert.deepEqual(fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'], { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} });
});

test('an atomic map (selector) is replaced whole', () => {
  const v1 = apply(undefined, deployment({ selector: { matchLabels: { a: '1', b: '2' } } }), 'a');
  const v2 = apply(v1, deployment({ selector: { matchLabels: { c: '3' } } }), 'a', { now: T2 });
  assert.deepEqual(spec(v2).selector, { matchLabels: { c: '3' } });
});

test('maps merge key by key and set-lists merge as sets', () => {
  const meta = testMeta({});
  const cm = (data: Record<string, string>, finalizers?: string[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'default', ...(finalizers ? { finalizers } : {}) },
    data,
  });
  const v1 = apply(undefined, cm({ a: '1' }, ['x']), 'one', { meta, apiVersion: 'v1' });
  const v2 = apply(v1, cm({ b: '2' }, ['y']), 'two', { meta, apiVersion: 'v1' });
  assert.deepEqual(v2.data, { a: '1', b: '2' });
  assert.deepEqual(v2.metadata.finalizers, ['x', 'y']);
  assert.deepEqual(entry(v2, 'two')?.fieldsV1, { 'f:data': { 'f:b': {} }, 'f:metadata': { 'f:finalizers': { 'v:"y"': {} } } });
});

test('a no-op apply returns an object equal to the live one', () => {
  const v1 = apply(undefined, deployment({ replicas: 2 }), 'a');
  const v2 = apply(v1, deployment({ replicas: 2 }), 'a', { now: T3 });
  assert.deepEqual(v2, v1);
});

test('status is ignored on the main resource and applies through the status subresource', () => {
  const v1 = apply(undefined, deployment({ replicas: 1 }, { status: { replicas: 99 } }), 'a');
  assert.equal(v1.status, undefined);
  assert.deepEqual(entry(v1, 'a')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const v2 = apply(v1, deployment({ replicas: 50 }, { status: { replicas: 1 } }), 'ctl', { subresource: 'status', now: T2 });
  assert.deepEqual(v2.status, { replicas: 1 });
  assert.equal(spec(v2).replicas, 1, 'spec is not writable through status');
  const st = entry(v2, 'ctl');
  assert.equal(st?.subresource, 'status');
  assert.deepEqual(st?.fieldsV1, { 'f:status': { 'f:replicas': {} } });
});

test('apply refuses managedFields in the body, a foreign apiVersion, and untypeable lists', () => {
  const withMf = deployment({});
  withMf.metadata.managedFields = [];
  assert.throws(() => apply(undefined, withMf, 'a'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  assert.throws(
    () => apply(undefined, deployment({}), 'a', { apiVersion: 'apps/v1beta1' }),
    (e: unknown) => e instanceof ApiError && e.code === 400 && /Specified patch version: apps\/v1, expected: apps\/v1beta1/.test(e.message),
  );
  assert.throws(
    () => apply(undefined, deployment({ template: { spec: { containers: [{ image: 'x' }] } } }), 'a'),
    (e: unknown) =>
      e instanceof ApiError &&
      e.code === 500 &&
      e.message.startsWith('failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0:'),
  );
});

test('an object without managedFields is first attributed to before-first-apply', () => {
  const live: KubeObject = { ...deployment({ replicas: 1, paused: true }), metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
  assert.throws(() => apply(live, deployment({ replicas: 2 }), 'a', { now: T2 }), /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
  const shared = apply(live, deployment({ replicas: 1 }), 'a', { now: T2 });
  assert.ok(entry(shared, 'before-first-apply', 'Update'));
  assert.equal(shared.metadata.uid, 'u1');
});

test('kubectl may take over fields its client-side apply annotation shows it set', () => {
  const lastApplied = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 } });
  const created = deployment({ replicas: 2 }, {});
  created.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: lastApplied };
  const live = recordUpdate({ old: undefined, updated: created, manager: 'kubectl-client-side-apply', meta: deploymentMeta, apiVersion: 'apps/v1', now: T1, ignoreStatus: true });
  // Another manager would conflict...
  assert.throws(() => apply(live, deployment({ replicas: 3 }), 'other', { now: T2 }), /kubectl-client-side-apply/);
  // ...but kubectl's server-side apply upgrades without conflict and refreshes the annotation.
  const upgraded = apply(live, deployment({ replicas: 3 }), 'kubectl', { now: T2 });
  assert.equal(spec(upgraded).replicas, 3);
  assert.deepEqual(entry(upgraded, 'kubectl', 'Apply')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(
    upgraded.metadata.annotations?.[LAST_APPLIED_ANNOTATION],
    '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":3}}\n',
  );
});

test('server-managed metadata comes from the live object', () => {
  const v1 = apply(undefined, deployment({ replicas: 1 }), 'a');
  v1.metadata.uid = 'real';
  v1.metadata.resourceVersion = '10';
  const sneaky = deployment({ replicas: 1 });
  sneaky.metadata.uid = 'fake';
  const v2 = apply(v1, sneaky, 'a', { now: T2 });
  assert.equal(v2.metadata.uid, 'real');
  assert.equal(v2.metadata.resourceVersion, '10');
});

test('apply to a ConfigMap uses the request apiVersion in the entry', () => {
  const v1 = apply(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } }, 'm', { meta: configMapMeta, apiVersion: 'v1' });
  assert.equal(entry(v1, 'm')?.apiVersion, 'v1');
});
