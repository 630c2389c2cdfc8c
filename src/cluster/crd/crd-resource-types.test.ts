import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { compareKubeVersions, crdStatus, resourceTypesFromCrd } from './crd-resource-types.js';

const v1Schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } } };
const betaSchema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };

function crd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [
        { name: 'v1alpha1', served: false, storage: false, schema: betaSchema },
        { name: 'v1beta1', served: true, storage: false, schema: betaSchema },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: v1Schema,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
          additionalPrinterColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1, description: 'desired' }],
        },
      ],
    },
  };
}

test('one resource type per served version, preferred version first, with the storage version named', () => {
  const types = resourceTypesFromCrd(crd());
  assert.deepEqual(
    types.map((t) => t.version),
    ['v1', 'v1beta1'],
  );
  const [v1, beta] = types;
  assert.deepEqual(
    { ...v1, schema: undefined },
    {
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      listKind: 'WidgetList',
      plural: 'widgets',
      singular: 'widget',
      namespaced: true,
      shortNames: ['wd'],
      categories: ['all'],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      storageVersion: 'v1',
      schema: undefined,
      printerColumns: [{ name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', priority: 1, description: 'desired' }],
      custom: true,
    },
  );
  assert.equal(v1.schema, v1Schema.openAPIV3Schema);
  assert.equal(beta.storageVersion, 'v1');
  assert.deepEqual(beta.subresources, {});
  assert.deepEqual(beta.printerColumns?.map((c) => [c.name, c.type, c.jsonPath]), [['Age', 'date', '.metadata.creationTimestamp']]);
});

test('cluster scope, explicit singular and listKind', () => {
  const c = crd();
  const spec = c.spec as { scope: string; names: Record<string, unknown> };
  spec.scope = 'Cluster';
  spec.names.singular = 'wdgt';
  spec.names.listKind = 'WidgetCollection';
  const [t] = resourceTypesFromCrd(c);
  assert.equal(t.namespaced, false);
  assert.equal(t.singular, 'wdgt');
  assert.equal(t.listKind, 'WidgetCollection');
});

test('a CRD that cannot be served throws', () => {
  assert.throws(() => resourceTypesFromCrd({ metadata: { name: 'x' }, spec: { group: 'example.com' } }));
});

test('Kubernetes version priority', () => {
  const sorted = ['v1alpha1', 'foo', 'v2beta1', 'v1', 'v11alpha2', 'v1beta2', 'v2', 'v1beta1', 'bar'].sort(compareKubeVersions);
  assert.deepEqual(sorted, ['v2', 'v1', 'v2beta1', 'v1beta2', 'v1beta1', 'v11alpha2', 'v1alpha1', 'bar', 'foo']);
});

test('status: accepted names with defaults, stored versions, NamesAccepted and Established', () => {
  const status = crdStatus(crd(), '2024-01-01T00:00:00Z');
  assert.deepEqual(status, {
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    acceptedNames: { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all'] },
    storedVersions: ['v1'],
  });
});

test('status is stable: unchanged conditions keep their time, stored versions accumulate', () => {
  const status = crdStatus(crd(), '2024-01-01T00:00:00Z');
  const first: KubeObject = { ...crd(), status };
  assert.deepEqual(crdStatus(first, '2024-06-01T00:00:00Z'), status);

  const versions = (crd().spec as { versions: Record<string, unknown>[] }).versions.map((v) => ({ ...v, storage: v.name === 'v1beta1' }));
  const moved: KubeObject = { ...first, spec: { ...(first.spec as object), versions } };
  assert.deepEqual(crdStatus(moved, '2024-06-01T00:00:00Z').storedVersions, ['v1', 'v1beta1']);

  const flipped: KubeObject = { ...first, status: { ...status, conditions: [status.conditions[0], { ...status.conditions[1], status: 'False' }] } };
  const after = crdStatus(flipped, '2024-06-01T00:00:00Z');
  assert.equal(after.conditions[0].lastTransitionTime, '2024-01-01T00:00:00Z');
  assert.equal(after.conditions[1].lastTransitionTime, '2024-06-01T00:00:00Z');
});
