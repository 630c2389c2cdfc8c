import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceType } from '../objects.js';
import {
  advertisesStrategicMerge,
  canonical,
  definitionName,
  etagOf,
  groupIdentifier,
  groupVersions,
  hashOf,
  listDefinitionName,
  operationTag,
  resourcePaths,
} from './common.js';

function type(over: Partial<ResourceType>): ResourceType {
  return {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    listKind: 'DeploymentList',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: {},
    storageVersion: 'v1',
    custom: false,
    ...over,
  };
}

test('definition names follow Kubernetes: api packages for built-ins, reversed group for CRDs', () => {
  assert.equal(definitionName(type({ group: '', kind: 'ConfigMap' })), 'io.k8s.api.core.v1.ConfigMap');
  assert.equal(definitionName(type({})), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(listDefinitionName(type({})), 'io.k8s.api.apps.v1.DeploymentList');
  assert.equal(definitionName(type({ group: 'rbac.authorization.k8s.io', kind: 'Role' })), 'io.k8s.api.rbac.v1.Role');
  assert.equal(definitionName(type({ group: 'networking.k8s.io', kind: 'Ingress' })), 'io.k8s.api.networking.v1.Ingress');
  assert.equal(
    definitionName(type({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' })),
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  );
  assert.equal(
    definitionName(type({ group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', custom: true })),
    'io.argoproj.v1alpha1.Application',
  );
  assert.equal(
    definitionName(type({ group: 'monitoring.coreos.com', kind: 'ServiceMonitor', custom: true })),
    'com.coreos.monitoring.v1.ServiceMonitor',
  );
});

test('operation ids and tags name the group like Kubernetes does', () => {
  assert.equal(groupIdentifier(''), 'Core');
  assert.equal(groupIdentifier('apps'), 'Apps');
  assert.equal(groupIdentifier('rbac.authorization.k8s.io'), 'RbacAuthorization');
  assert.equal(groupIdentifier('argoproj.io'), 'ArgoprojIo');
  assert.equal(operationTag('', 'v1'), 'core_v1');
  assert.equal(operationTag('argoproj.io', 'v1alpha1'), 'argoprojIo_v1alpha1');
  const ops = resourcePaths(type({ group: '', kind: 'ConfigMap', plural: 'configmaps' })).flatMap((p) => p.operations.map((o) => o.operationId));
  assert.ok(ops.includes('listCoreV1NamespacedConfigMap'));
  assert.ok(ops.includes('patchCoreV1NamespacedConfigMap'));
  assert.ok(ops.includes('deleteCoreV1CollectionNamespacedConfigMap'));
  assert.ok(ops.includes('listCoreV1ConfigMapForAllNamespaces'));
  assert.ok(ops.includes('watchCoreV1NamespacedConfigMapList'));
});

test('hashes are uppercase SHA-512 hex and the ETag is that hash, unquoted', () => {
  assert.match(hashOf('x'), /^[0-9A-F]{128}$/);
  assert.equal(etagOf('x'), hashOf('x'));
  assert.equal(etagOf(new TextEncoder().encode('x')), hashOf('x'));
  assert.notEqual(hashOf('x'), hashOf('y'));
});

test('canonical() sorts keys recursively and leaves arrays in order', () => {
  assert.equal(JSON.stringify(canonical({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
});

test('namespaced resources: collection, item, all-namespaces list and watch paths', () => {
  const paths = resourcePaths(type({ subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } }));
  const byPath = new Map(paths.map((p) => [p.path, p.operations.map((o) => `${o.method}:${o.action}`)]));
  assert.deepEqual(byPath.get('/apis/apps/v1/namespaces/{namespace}/deployments'), ['get:list', 'post:post', 'delete:deletecollection']);
  assert.deepEqual(byPath.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}'), ['get:get', 'put:put', 'delete:delete', 'patch:patch']);
  assert.deepEqual(byPath.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'), ['get:get', 'put:put', 'patch:patch']);
  assert.deepEqual(byPath.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'), ['get:get', 'put:put', 'patch:patch']);
  assert.deepEqual(byPath.get('/apis/apps/v1/deployments'), ['get:list']);
  assert.deepEqual(byPath.get('/apis/apps/v1/watch/namespaces/{namespace}/deployments'), ['get:watchlist']);
  assert.deepEqual(byPath.get('/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}'), ['get:watch']);
  assert.deepEqual(byPath.get('/apis/apps/v1/watch/deployments'), ['get:watchlist']);
  const scale = paths.find((p) => p.path.endsWith('/scale'));
  assert.deepEqual(scale?.operations[0].gvk, { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  const item = paths.find((p) => p.path.endsWith('{name}') && !p.path.includes('/watch/'));
  assert.deepEqual(
    item?.parameters.map((p) => `${p.in}:${p.name}`),
    ['path:name', 'path:namespace', 'query:pretty'],
  );
  const patch = item?.operations.find((o) => o.method === 'patch');
  assert.deepEqual(
    patch?.parameters.map((p) => p.name),
    ['dryRun', 'fieldManager', 'fieldValidation', 'force'],
  );
});

test('cluster-scoped resources have no namespace segment and no all-namespaces list', () => {
  const paths = resourcePaths(type({ group: '', kind: 'Namespace', plural: 'namespaces', namespaced: false, subresources: { status: true } }));
  assert.deepEqual(
    paths.map((p) => p.path),
    [
      '/api/v1/namespaces',
      '/api/v1/namespaces/{name}',
      '/api/v1/namespaces/{name}/status',
      '/api/v1/watch/namespaces',
      '/api/v1/watch/namespaces/{name}',
    ],
  );
  assert.ok(paths.every((p) => p.parameters.every((q) => q.name !== 'namespace')));
});

test('only the verbs a resource serves become operations', () => {
  const paths = resourcePaths(type({ verbs: ['get', 'list'] }));
  const ops = paths.flatMap((p) => p.operations.map((o) => o.action));
  assert.deepEqual([...new Set(ops)].sort(), ['get', 'list']);
});

test('strategic merge patch is advertised only for built-ins whose schema carries patch directives', () => {
  assert.equal(advertisesStrategicMerge(type({})), false);
  assert.equal(advertisesStrategicMerge(type({ schema: { type: 'object' } })), false);
  const withDirectives = type({
    schema: { type: 'object', properties: { items: { type: 'array', 'x-kubernetes-patch-merge-key': 'name' } } },
  });
  assert.equal(advertisesStrategicMerge(withDirectives), true);
  assert.equal(advertisesStrategicMerge({ ...withDirectives, custom: true }), false);
  const patch = resourcePaths(withDirectives)
    .flatMap((p) => p.operations)
    .find((o) => o.method === 'patch');
  assert.ok(patch?.body?.mediaTypes.includes('application/strategic-merge-patch+json'));
});

test('group-versions always include core v1, sorted and unique', () => {
  assert.deepEqual(groupVersions([type({}), type({ group: 'argoproj.io', version: 'v1alpha1' }), type({ kind: 'StatefulSet' })]), [
    { group: '', version: 'v1' },
    { group: 'apps', version: 'v1' },
    { group: 'argoproj.io', version: 'v1alpha1' },
  ]);
});
