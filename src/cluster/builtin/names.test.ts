import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCause } from '../objects.js';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  nameRuleFor,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateObjectName,
} from './names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function lines(causes: FieldCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test('a DNS-1123 subdomain with upper case or underscores is rejected with the regex message', () => {
  assert.deepEqual(isDNS1123Subdomain('Bad_Name'), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain('my.app-1'), []);
});

test('a DNS-1123 subdomain longer than 253 characters reports the length first', () => {
  const long = `${'a'.repeat(250)}.com`;
  assert.deepEqual(isDNS1123Subdomain(long), ['must be no more than 253 characters']);
});

test('a DNS-1123 label with dots says it must not contain dots; other bad labels get the regex message', () => {
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('-ab'), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('a DNS-1035 label must start with a letter', () => {
  assert.deepEqual(isDNS1035Label('1web'), [DNS1035_MSG]);
  assert.deepEqual(isDNS1035Label('web-1'), []);
});

test('qualified names report prefix and name parts separately', () => {
  assert.deepEqual(isQualifiedName('bad key!'), [NAME_PART_MSG]);
  assert.deepEqual(isQualifiedName('Example.com/x'), [`prefix part ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty', NAME_PART_MSG]);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
});

test('label values may be empty but not longer than 63 characters', () => {
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.equal(isValidLabelValue('-x').length, 1);
});

test('config keys allow dots, dashes and underscores but not . or ..', () => {
  assert.deepEqual(isConfigMapKey('app.properties'), []);
  assert.deepEqual(isConfigMapKey('..'), ["must not be '..'"]);
  assert.match(isConfigMapKey('a b')[0], /^a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/);
});

test('each kind uses the name rule Kubernetes uses for it', () => {
  assert.equal(nameRuleFor('Namespace'), 'dns1123-label');
  assert.equal(nameRuleFor('Service'), 'dns1035-label');
  assert.equal(nameRuleFor('ClusterRole'), 'path-segment');
  assert.equal(nameRuleFor('Deployment'), 'dns1123-subdomain');
  assert.equal(nameRuleFor('CustomResourceDefinition'), 'dns1123-subdomain');
  assert.deepEqual(validateObjectName('Namespace', 'team.a'), ['must not contain dots']);
  assert.deepEqual(validateObjectName('Service', '1web'), [DNS1035_MSG]);
  assert.deepEqual(validateObjectName('ClusterRole', 'system:aggregate-to-view'), []);
  assert.deepEqual(validateObjectName('Role', 'a/b%c'), ["may not contain '/'", "may not contain '%'"]);
  assert.deepEqual(validateObjectName('RoleBinding', '..'), ["may not be '..'"]);
  assert.deepEqual(validateObjectName('ConfigMap', 'app.config'), []);
});

test('a generateName prefix may end with a dash', () => {
  assert.deepEqual(validateObjectName('Pod', 'web-', true), []);
  assert.deepEqual(validateObjectName('Pod', 'Web-', true), [SUBDOMAIN_MSG]);
});

test('object metadata without a name says name or generateName is required', () => {
  assert.deepEqual(lines(validateObjectMeta({ namespace: 'default' }, { namespaced: true, kind: 'ConfigMap' })), [
    'metadata.name: Required value: name or generateName is required',
  ]);
});

test('a bad generateName is reported on metadata.generateName', () => {
  const causes = validateObjectMeta({ name: 'ok', generateName: 'Bad-', namespace: 'default' }, { namespaced: true, kind: 'Pod' });
  assert.deepEqual(lines(causes), [`metadata.generateName: Invalid value: "Bad-": ${SUBDOMAIN_MSG}`]);
});

test('namespaced objects need a namespace and cluster-scoped ones may not have one', () => {
  assert.deepEqual(lines(validateObjectMeta({ name: 'x' }, { namespaced: true, kind: 'Secret' })), ['metadata.namespace: Required value']);
  assert.deepEqual(lines(validateObjectMeta({ name: 'x', namespace: 'default' }, { namespaced: false, kind: 'Node' })), [
    'metadata.namespace: Forbidden: not allowed on this type',
  ]);
  assert.deepEqual(lines(validateObjectMeta({ name: 'x', namespace: 'Bad.NS' }, { namespaced: true, kind: 'Secret' })).length, 1);
});

test('bad label keys and values are reported on metadata.labels', () => {
  const causes = validateObjectMeta({ name: 'x', namespace: 'd', labels: { 'bad key!': 'v', ok: '-bad' } }, { namespaced: true, kind: 'ConfigMap' });
  assert.equal(causes.length, 2);
  assert.deepEqual(causes.map((c) => c.field), ['metadata.labels', 'metadata.labels']);
  assert.equal(causes[0].message, `Invalid value: "bad key!": ${NAME_PART_MSG}`);
  assert.match(causes[1].message, /^Invalid value: "-bad": a valid label must be an empty string or consist of/);
});

test('annotations are case-insensitive qualified names and may total at most 256 KiB', () => {
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'd', annotations: { 'Example.COM/Key': 'v' } }, { namespaced: true, kind: 'ConfigMap' }), []);
  const big = { a: 'x'.repeat(256 * 1024) };
  const causes = validateObjectMeta({ name: 'x', namespace: 'd', annotations: big }, { namespaced: true, kind: 'ConfigMap' });
  assert.deepEqual(causes.map((c) => [c.reason, c.field]), [['FieldValueTooLong', 'metadata.annotations']]);
});

test('owner references need apiVersion, kind, name and uid', () => {
  const causes = validateObjectMeta(
    { name: 'x', namespace: 'd', ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] },
    { namespaced: true, kind: 'ConfigMap' },
  );
  assert.deepEqual(lines(causes), [
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
  ]);
});

test('only one owner reference may be the controller', () => {
  const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: name, controller: true });
  const causes = validateObjectMeta({ name: 'x', namespace: 'd', ownerReferences: [ref('a'), ref('b')] }, { namespaced: true, kind: 'Pod' });
  assert.equal(causes.length, 1);
  assert.match(causes[0].message, /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/);
});

test('finalizers must be qualified, and unqualified ones must be standard', () => {
  const causes = validateObjectMeta({ name: 'x', namespace: 'd', finalizers: ['kubernetes', 'example.com/cleanup', 'cleanup'] }, { namespaced: true, kind: 'ConfigMap' });
  assert.deepEqual(lines(causes), ['metadata.finalizers[2]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified']);
  const both = validateObjectMeta({ name: 'x', namespace: 'd', finalizers: ['orphan', 'foregroundDeletion'] }, { namespaced: true, kind: 'ConfigMap' });
  assert.deepEqual(lines(both), [
    'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'd', finalizers: ['cleanup'] }, { namespaced: true, kind: 'Widget', custom: true }), []);
});

test('on update the name, namespace and uid are immutable', () => {
  const causes = validateObjectMetaUpdate({ name: 'b', namespace: 'd', uid: 'u2' }, { name: 'a', namespace: 'd', uid: 'u1' });
  assert.deepEqual(lines(causes), ['metadata.name: Invalid value: "b": field is immutable', 'metadata.uid: Invalid value: "u2": field is immutable']);
});

test('no finalizers may be added once an object is being deleted', () => {
  const causes = validateObjectMetaUpdate(
    { name: 'a', finalizers: ['kubernetes', 'example.com/x'] },
    { name: 'a', finalizers: ['kubernetes'], deletionTimestamp: '2024-01-01T00:00:00Z' },
  );
  assert.deepEqual(lines(causes), ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}']);
});
