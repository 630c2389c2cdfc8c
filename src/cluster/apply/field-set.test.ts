import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../objects.js';
import { FieldSet, FieldSetError, formatPath, keyElement, stripExcluded } from './field-set.js';
import { deploymentMeta, testMeta } from './test-support.js';

/** Shaped like the kubectl-create entry of a real Deployment's managedFields (kubectl 1.3x). */
const kubectlCreateFields: JsonObject = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:progressDeadlineSeconds': {},
    'f:replicas': {},
    'f:revisionHistoryLimit': {},
    'f:selector': {},
    'f:strategy': {
      'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} },
      'f:type': {},
    },
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
};

/** Shaped like kube-controller-manager's status entry on the same Deployment. */
const controllerStatusFields: JsonObject = {
  'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } },
  'f:status': {
    'f:availableReplicas': {},
    'f:conditions': {
      '.': {},
      'k:{"type":"Available"}': {
        '.': {},
        'f:lastTransitionTime': {},
        'f:lastUpdateTime': {},
        'f:message': {},
        'f:reason': {},
        'f:status': {},
        'f:type': {},
      },
      'k:{"type":"Progressing"}': {
        '.': {},
        'f:lastTransitionTime': {},
        'f:lastUpdateTime': {},
        'f:message': {},
        'f:reason': {},
        'f:status': {},
        'f:type': {},
      },
    },
    'f:observedGeneration': {},
    'f:readyReplicas': {},
    'f:replicas': {},
    'f:updatedReplicas': {},
  },
};

test('fieldsV1 documents from a real Deployment round-trip byte for byte', () => {
  for (const doc of [kubectlCreateFields, controllerStatusFields]) {
    const set = FieldSet.fromFieldsV1(doc);
    assert.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(doc));
  }
});

test('decoding canonicalizes key spelling and encoding restores Kubernetes order', () => {
  const set = FieldSet.fromFieldsV1({
    'f:spec': {
      'f:ports': {
        'k:{"protocol":"TCP", "port":8080}': { '.': {}, 'f:port': {} },
        'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} },
      },
      'f:b': {},
      'f:a': {},
    },
    'f:metadata': { 'f:finalizers': { 'v:"z"': {}, 'v:"a"': {} } },
  });
  assert.equal(
    JSON.stringify(set.toFieldsV1()),
    JSON.stringify({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"z"': {} } },
      'f:spec': {
        'f:a': {},
        'f:b': {},
        'f:ports': {
          'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} },
          'k:{"port":8080,"protocol":"TCP"}': { '.': {}, 'f:port': {} },
        },
      },
    }),
  );
});

test('malformed fieldsV1 is refused', () => {
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:foo': {} }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': { '.': { 'f:b': {} } } }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1({ 'k:{oops': {} }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 'nope' }), FieldSetError);
  assert.throws(() => FieldSet.fromFieldsV1([]), FieldSetError);
});

test('paths print the way Kubernetes prints them in conflicts', () => {
  const set = FieldSet.fromFieldsV1(kubectlCreateFields);
  const printed = set.toStrings();
  assert.ok(printed.includes('.spec.replicas'));
  assert.ok(printed.includes('.spec.template.spec.containers[name="nginx"].image'));
  assert.ok(printed.includes('.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].protocol'));
  assert.ok(printed.includes('.metadata.labels'));
  // Members at a level come before anything deeper, as structured-merge-diff iterates.
  assert.deepEqual(printed.slice(0, 3), ['.metadata.labels', '.metadata.labels.app', '.spec.progressDeadlineSeconds']);
  assert.equal(formatPath(['f:metadata', 'f:finalizers', 'v:"foo"']), '.metadata.finalizers[="foo"]');
  assert.equal(formatPath(['f:spec', 'f:args', 'i:2']), '.spec.args[2]');
});

test('fromObject follows Kubernetes: leaves, atomic values, map-list items with "." and their keys', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, resourceVersion: '7' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx:1.27', args: ['-g', 'daemon off;'], ports: [{ containerPort: 80 }], resources: {} }],
        },
      },
    },
    status: { replicas: 2 },
  };
  const set = FieldSet.fromObject(obj, deploymentMeta, { ignoreStatus: true });
  assert.deepEqual(set.toFieldsV1(), {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:args': {},
              'f:image': {},
              'f:name': {},
              // protocol is defaulted into the key, as Kubernetes' schema does
              'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  });
  assert.ok(!set.has(['f:status']));
  assert.ok(FieldSet.fromObject(obj, deploymentMeta, { ignoreStatus: false }).has(['f:status', 'f:replicas']));
});

test('set-lists contribute v: items and metadata lists merge by default', () => {
  const set = FieldSet.fromObject(
    { metadata: { finalizers: ['a', 'b'], ownerReferences: [{ uid: 'u1', kind: 'X', name: 'x', apiVersion: 'v1' }] } },
    testMeta({}),
  );
  assert.ok(set.has(['f:metadata', 'f:finalizers', 'v:"a"']));
  assert.ok(set.has(['f:metadata', 'f:ownerReferences', 'k:{"uid":"u1"}']));
  assert.ok(set.has(['f:metadata', 'f:ownerReferences', 'k:{"uid":"u1"}', 'f:kind']));
});

test('strict fromObject refuses items without keys and duplicates, with Kubernetes wording', () => {
  const missing = { spec: { template: { spec: { containers: [{ image: 'x' }] } } } };
  assert.throws(
    () => FieldSet.fromObject(missing, deploymentMeta, { strict: true }),
    (e: unknown) =>
      e instanceof FieldSetError &&
      e.message ===
        '.spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  );
  const dup = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } };
  assert.throws(() => FieldSet.fromObject(dup, deploymentMeta, { strict: true }), /duplicate entries for key \[name="a"\]/);
  // Stored objects are read tolerantly.
  assert.equal(FieldSet.fromObject(missing, deploymentMeta).isEmpty(), true);
});

test('set algebra: union, difference (exact), recursive difference, intersection, emptiness', () => {
  const a = FieldSet.fromPaths([
    ['f:spec', 'f:replicas'],
    ['f:spec', 'f:template', 'f:spec', 'f:containers', keyElement({ name: 'nginx' })],
    ['f:spec', 'f:template', 'f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image'],
  ]);
  const b = FieldSet.fromPaths([['f:spec', 'f:replicas'], ['f:data', 'f:key']]);
  assert.deepEqual(a.union(b).toStrings().sort(), [
    '.data.key',
    '.spec.replicas',
    '.spec.template.spec.containers[name="nginx"]',
    '.spec.template.spec.containers[name="nginx"].image',
  ]);
  assert.deepEqual(a.intersection(b).toStrings(), ['.spec.replicas']);
  assert.deepEqual(a.difference(b).toStrings(), [
    '.spec.template.spec.containers[name="nginx"]',
    '.spec.template.spec.containers[name="nginx"].image',
  ]);
  // Removing the item path alone leaves what is below it...
  const item = FieldSet.fromPaths([['f:spec', 'f:template', 'f:spec', 'f:containers', keyElement({ name: 'nginx' })]]);
  assert.deepEqual(a.difference(item).toStrings(), ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image']);
  // ...while a recursive difference takes the subtree.
  assert.deepEqual(a.recursiveDifference(item).toStrings(), ['.spec.replicas']);
  assert.equal(a.difference(a).isEmpty(), true);
  assert.equal(FieldSet.empty().isEmpty(), true);
  assert.equal(a.intersects(b), true);
  assert.equal(a.difference(b).intersects(b), false);
  assert.equal(a.size, 3);
});

test('withParentFieldsAsMembers marks the fields that hold owned paths', () => {
  const s = FieldSet.fromPaths([['f:spec', 'f:a', 'f:b']]).withParentFieldsAsMembers();
  assert.deepEqual(s.toStrings(), ['.spec', '.spec.a', '.spec.a.b']);
});

test('stripExcluded drops server-managed metadata, apiVersion and kind, and ignored status', () => {
  const full = FieldSet.fromObject(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' } }, data: { k: 'v' }, status: { s: 1 } },
    testMeta({}),
    { keepExcluded: true },
  );
  assert.ok(full.has(['f:metadata', 'f:name']));
  assert.deepEqual(stripExcluded(full, { ignoreStatus: true }).toStrings(), ['.data.k', '.metadata.labels.a']);
});

test('intersectsFieldsV1 answers without decoding', () => {
  const changed = FieldSet.fromPaths([['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image']]);
  assert.equal(changed.intersectsFieldsV1(kubectlCreateFields), true);
  assert.equal(changed.intersectsFieldsV1(controllerStatusFields), false);
  assert.equal(FieldSet.fromPaths([['f:spec', 'f:strategy']]).intersectsFieldsV1(kubectlCreateFields), false);
});
