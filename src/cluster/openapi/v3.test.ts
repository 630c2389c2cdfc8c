import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { JsonObject, JsonValue, ResourceType, StructuralSchema } from '../objects.js';
import { hashOf, openapiV3GroupVersion, openapiV3GroupVersionJson, openapiV3Root } from './v3.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const APP_SCHEMA: StructuralSchema = {
  description: 'Application is a definition of Application resource.',
  type: 'object',
  required: ['metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 53 } } },
    spec: {
      type: 'object',
      required: ['source'],
      properties: {
        source: { type: 'object', properties: { repoURL: { type: 'string' } }, required: ['repoURL'] },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        replicas: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      },
    },
  },
};

function type(over: Partial<ResourceType>): ResourceType {
  return {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Application',
    listKind: 'ApplicationList',
    plural: 'applications',
    singular: 'application',
    namespaced: true,
    shortNames: ['app'],
    categories: [],
    verbs: VERBS,
    subresources: {},
    storageVersion: 'v1alpha1',
    schema: APP_SCHEMA,
    custom: true,
    ...over,
  };
}

const APP = type({});
const CONFIGMAP = type({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  schema: undefined,
  custom: false,
});
const NAMESPACE = type({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  subresources: { status: true },
  schema: undefined,
  custom: false,
});
const DEPLOYMENT = type({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
  schema: undefined,
  custom: false,
});
const TYPES = [APP, CONFIGMAP, NAMESPACE, DEPLOYMENT];

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`);
  return v;
}

/** Every `$ref` in a value. */
function refs(v: JsonValue, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refs(x, out);
    }
  }
  return out;
}

test('the root lists api/v1 and every group-version with a content hash', () => {
  const root = openapiV3Root(TYPES);
  const paths = obj(root.paths);
  assert.deepEqual(Object.keys(paths), ['api/v1', 'apis/apps/v1', 'apis/argoproj.io/v1alpha1']);
  for (const [key, entry] of Object.entries(paths)) {
    const [group, version] = key === 'api/v1' ? ['', 'v1'] : key.split('/').slice(1);
    const url = obj(entry).serverRelativeURL;
    assert.equal(url, `/openapi/v3/${key}?hash=${hashOf(openapiV3GroupVersionJson(group, version, TYPES))}`);
  }
});

/** The same JSON with every object's keys in reverse order. */
function reverseKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys(v[k])]));
}

test('hashes are stable for identical content and change with it', () => {
  const first = obj(openapiV3Root(TYPES).paths);
  assert.deepEqual(obj(openapiV3Root(TYPES).paths), first);
  // Same content, different order of types and of schema keys: same hashes.
  const reordered = [...TYPES].reverse().map((t) => ({ ...t, schema: t.schema && (reverseKeys(JSON.parse(JSON.stringify(t.schema)) as JsonValue) as StructuralSchema) }));
  assert.notEqual(JSON.stringify(reordered[3].schema), JSON.stringify(APP.schema));
  assert.deepEqual(obj(openapiV3Root(reordered).paths), first);
  // Changed content: only that group-version's hash changes.
  const changed = obj(openapiV3Root([type({ schema: { ...APP_SCHEMA, description: 'changed' } }), CONFIGMAP, NAMESPACE, DEPLOYMENT]).paths);
  assert.notDeepEqual(changed['apis/argoproj.io/v1alpha1'], first['apis/argoproj.io/v1alpha1']);
  assert.deepEqual(changed['apis/apps/v1'], first['apis/apps/v1']);
  assert.deepEqual(changed['api/v1'], first['api/v1']);
});

test('a CRD group-version document: paths, operations and their GVK', () => {
  const doc = openapiV3GroupVersion('argoproj.io', 'v1alpha1', TYPES);
  assert.equal(doc.openapi, '3.0.0');
  const paths = obj(doc.paths);
  assert.deepEqual(Object.keys(paths).sort(), [
    '/apis/argoproj.io/v1alpha1/applications',
    '/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications',
    '/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}',
    '/apis/argoproj.io/v1alpha1/watch/applications',
    '/apis/argoproj.io/v1alpha1/watch/namespaces/{namespace}/applications',
    '/apis/argoproj.io/v1alpha1/watch/namespaces/{namespace}/applications/{name}',
  ]);
  const item = obj(paths['/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}']);
  assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
  const gvk = { group: 'argoproj.io', kind: 'Application', version: 'v1alpha1' };
  for (const method of ['get', 'put', 'patch', 'delete']) assert.deepEqual(obj(item[method])['x-kubernetes-group-version-kind'], gvk);
  const patch = obj(item.patch);
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.equal(patch.operationId, 'patchArgoprojIoV1alpha1NamespacedApplication');
  const params = (patch.parameters as JsonObject[]).map((p) => `${String(p.in)}:${String(p.name)}`);
  assert.deepEqual(params, ['query:dryRun', 'query:fieldManager', 'query:fieldValidation', 'query:force']);
  const content = obj(obj(patch.requestBody).content);
  assert.deepEqual(Object.keys(content).sort(), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  const ok = obj(obj(obj(patch.responses)['200']).content);
  assert.deepEqual(obj(ok['application/json']).schema, { $ref: '#/components/schemas/io.argoproj.v1alpha1.Application' });
  const post = obj(obj(paths['/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications']).post);
  assert.ok((post.parameters as JsonObject[]).some((p) => p.name === 'fieldValidation'));
});

test('the CRD kind schema: metadata is a reference to ObjectMeta, GVK tagged, the rest as the CRD says', () => {
  const doc = openapiV3GroupVersion('argoproj.io', 'v1alpha1', TYPES);
  const schemas = obj(obj(doc.components).schemas);
  const app = obj(schemas['io.argoproj.v1alpha1.Application']);
  assert.deepEqual(app['x-kubernetes-group-version-kind'], [{ group: 'argoproj.io', kind: 'Application', version: 'v1alpha1' }]);
  assert.deepEqual(app.required, ['metadata', 'spec']);
  const props = obj(app.properties);
  assert.deepEqual(obj(props.metadata).allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.match(String(obj(props.apiVersion).description), /^APIVersion defines/);
  assert.match(String(obj(props.kind).description), /^Kind is a string value/);
  const spec = obj(props.spec);
  assert.deepEqual(obj(obj(spec.properties).replicas).anyOf, [{ type: 'integer' }, { type: 'string' }]);
  const template = obj(obj(spec.properties).template);
  assert.deepEqual(Object.keys(obj(template.properties)).sort(), ['apiVersion', 'kind', 'metadata'], 'embedded resources get TypeMeta and ObjectMeta');
  assert.deepEqual(template.required, ['kind', 'apiVersion']);
  const list = obj(schemas['io.argoproj.v1alpha1.ApplicationList']);
  assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'argoproj.io', kind: 'ApplicationList', version: 'v1alpha1' }]);
  assert.deepEqual(obj(obj(list.properties).items).items, { $ref: '#/components/schemas/io.argoproj.v1alpha1.Application' });
  assert.equal(APP_SCHEMA.properties?.metadata?.type, 'object', 'the input schema is not modified');
});

test('every $ref of every document resolves within that document', () => {
  for (const [group, version] of [
    ['', 'v1'],
    ['apps', 'v1'],
    ['argoproj.io', 'v1alpha1'],
  ]) {
    const doc = openapiV3GroupVersion(group, version, TYPES);
    const schemas = obj(obj(doc.components).schemas);
    for (const r of refs(doc)) {
      assert.ok(r.startsWith('#/components/schemas/'), r);
      assert.ok(schemas[r.slice('#/components/schemas/'.length)], `${group}/${version}: dangling ${r}`);
    }
  }
});

test('kubectl explain finds each kind as its template does: GVK from the path, schema by GVK', () => {
  for (const t of TYPES) {
    const doc = openapiV3GroupVersion(t.group, t.version, TYPES);
    const prefix = t.group ? `/apis/${t.group}` : '/api';
    const candidates = [
      `${prefix}/${t.version}/${t.plural}`,
      `${prefix}/${t.version}/${t.plural}/{name}`,
      `${prefix}/${t.version}/namespaces/{namespace}/${t.plural}`,
      `${prefix}/${t.version}/namespaces/{namespace}/${t.plural}/{name}`,
    ];
    let gvk: JsonValue | undefined;
    for (const p of candidates) {
      const item = obj(doc.paths)[p];
      if (!item) continue;
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        gvk ??= obj(obj(item)[method] ?? {})['x-kubernetes-group-version-kind'];
      }
      if (gvk) break;
    }
    assert.deepEqual(gvk, { group: t.group, kind: t.kind, version: t.version });
    const matching = Object.entries(obj(obj(doc.components).schemas)).filter(([, s]) => {
      const list = obj(s)['x-kubernetes-group-version-kind'];
      return Array.isArray(list) && list.some((x) => isDeepStrictEqual(x, gvk));
    });
    assert.equal(matching.length, 1, `${t.kind}: ${matching.map(([n]) => n).join(', ')}`);
  }
});

test('built-in kinds without a schema keep every field and do not advertise strategic merge', () => {
  const doc = openapiV3GroupVersion('', 'v1', TYPES);
  const schemas = obj(obj(doc.components).schemas);
  const cm = obj(schemas['io.k8s.api.core.v1.ConfigMap']);
  assert.equal(cm['x-kubernetes-preserve-unknown-fields'], true);
  const props = obj(cm.properties);
  assert.deepEqual(Object.keys(props).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.equal(obj(props.spec)['x-kubernetes-preserve-unknown-fields'], true);
  const patch = obj(obj(obj(doc.paths)['/api/v1/namespaces/{namespace}/configmaps/{name}']).patch);
  assert.ok(!('application/strategic-merge-patch+json' in obj(obj(patch.requestBody).content)));
  const ns = obj(obj(doc.paths)['/api/v1/namespaces/{name}/status']);
  assert.deepEqual(obj(ns.patch)['x-kubernetes-group-version-kind'], { group: '', kind: 'Namespace', version: 'v1' });
  assert.ok(!obj(doc.paths)['/api/v1/namespaces/{namespace}/namespaces']);
});

test('scale subresources reference autoscaling/v1 Scale, included in the document', () => {
  const doc = openapiV3GroupVersion('apps', 'v1', TYPES);
  const scale = obj(obj(doc.paths)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
  assert.deepEqual(obj(scale.put)['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  const schemas = obj(obj(doc.components).schemas);
  assert.ok(schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.ok(schemas['io.k8s.api.autoscaling.v1.ScaleSpec']);
  assert.ok(!obj(obj(openapiV3GroupVersion('', 'v1', TYPES).components).schemas)['io.k8s.api.autoscaling.v1.Scale']);
});

test('a group-version with no types still yields a valid (empty) document', () => {
  const doc = openapiV3GroupVersion('example.com', 'v1', TYPES);
  assert.deepEqual(doc.paths, {});
  assert.ok(obj(obj(doc.components).schemas)['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
});
