import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { escapeFieldSelectorValue, fieldSelectorFor, parseFieldSelector } from './field-selector.js';

const core = (kind: string) => ({ group: '', kind, custom: false });

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, message);
    return true;
  });
}

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' },
  ...extra,
});

test('pod field selectors match on phase, node and more, ANDed', () => {
  const m = fieldSelectorFor(core('Pod'), 'status.phase=Running,spec.nodeName!=node-2,metadata.namespace==default');
  assert.equal(m(pod('a')), true);
  assert.equal(m({ ...pod('b'), status: { phase: 'Pending' } }), false);
  assert.equal(fieldSelectorFor(core('Pod'), 'spec.hostNetwork=false')(pod('c')), true, 'hostNetwork defaults to false');
  assert.equal(fieldSelectorFor(core('Pod'), 'spec.hostNetwork=true')({ ...pod('d'), spec: { hostNetwork: true } }), true);
  assert.equal(fieldSelectorFor(core('Pod'), 'status.podIP=10.0.0.5')(pod('e')), true);
  assert.equal(fieldSelectorFor(core('Pod'), 'status.podIP=10.0.0.9')({ ...pod('f'), status: { podIP: '10.0.0.9' } }), true, 'podIP without podIPs');
  assert.equal(fieldSelectorFor(core('Pod'), 'spec.host=node-1')(pod('g')), true, 'spec.host is an alias of spec.nodeName');
  assert.equal(fieldSelectorFor(core('Pod'), 'status.podIPs=')(pod('h')), true, 'status.podIPs is accepted but never populated');
});

test('an unsupported pod field is a 400 "field label not supported"', () => {
  rejects(() => fieldSelectorFor(core('Pod'), 'status.qosClass=BestEffort'), 'field label not supported: status.qosClass');
});

test('kinds without field label conversions only know metadata.name and metadata.namespace', () => {
  const deploy = { group: 'apps', kind: 'Deployment', custom: false };
  rejects(() => fieldSelectorFor(deploy, 'spec.replicas=1'), '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  // kube-apiserver registers no conversion for apps/v1 ReplicaSets, so status.replicas is refused there too.
  rejects(
    () => fieldSelectorFor({ group: 'apps', kind: 'ReplicaSet', custom: false }, 'status.replicas=0'),
    '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  const m = fieldSelectorFor(deploy, 'metadata.name=web');
  assert.equal(m({ metadata: { name: 'web' } }), true);
  assert.equal(m({ metadata: { name: 'api' } }), false);
});

test('replication controllers select on status.replicas as a decimal string', () => {
  const m = fieldSelectorFor(core('ReplicationController'), 'status.replicas=0');
  assert.equal(m({ metadata: { name: 'rc' }, status: {} }), true);
  assert.equal(m({ metadata: { name: 'rc' }, status: { replicas: 2 } }), false);
});

test('jobs select on status.successful and word their refusal their own way', () => {
  const job = { group: 'batch', kind: 'Job', custom: false };
  assert.equal(fieldSelectorFor(job, 'status.successful=1')({ metadata: { name: 'j' }, status: { succeeded: 1 } }), true);
  rejects(() => fieldSelectorFor(job, 'status.active=1'), 'field label "status.active" not supported for batchv1.Job');
});

test('core events select on involvedObject, reason, type and source', () => {
  const ev: KubeObject = {
    metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1', fieldPath: 'spec.containers{app}' },
    reason: 'BackOff',
    type: 'Warning',
    reportingComponent: 'kubelet',
  };
  const m = fieldSelectorFor(core('Event'), 'involvedObject.kind=Pod,involvedObject.name=web,reason=BackOff,type=Warning');
  assert.equal(m(ev), true);
  assert.equal(fieldSelectorFor(core('Event'), 'source=kubelet')(ev), true, 'source falls back to reportingComponent');
  assert.equal(fieldSelectorFor(core('Event'), 'source=kubelet')({ ...ev, source: { component: 'scheduler' } }), false);
  rejects(() => fieldSelectorFor(core('Event'), 'message=x'), 'field label not supported: message');
});

test('events.k8s.io events select on regarding.* and reportingController', () => {
  const type = { group: 'events.k8s.io', kind: 'Event', custom: false };
  const ev: KubeObject = { metadata: { name: 'e', namespace: 'ns' }, regarding: { kind: 'Deployment', name: 'web' }, reportingController: 'argosy', type: 'Normal' };
  assert.equal(fieldSelectorFor(type, 'regarding.kind=Deployment,regarding.name=web,reportingController=argosy,source=argosy')(ev), true);
  rejects(() => fieldSelectorFor(type, 'involvedObject.name=web'), 'field label not supported: involvedObject.name');
});

test('secrets, namespaces, nodes, services and CSRs expose their own fields', () => {
  assert.equal(fieldSelectorFor(core('Secret'), 'type=kubernetes.io/tls')({ metadata: { name: 's' }, type: 'kubernetes.io/tls' }), true);
  assert.equal(fieldSelectorFor(core('Namespace'), 'status.phase=Active')({ metadata: { name: 'n' }, status: { phase: 'Active' } }), true);
  rejects(() => fieldSelectorFor(core('Namespace'), 'metadata.namespace=x'), 'field label not supported: metadata.namespace');
  assert.equal(fieldSelectorFor(core('Node'), 'spec.unschedulable=true')({ metadata: { name: 'n' }, spec: { unschedulable: true } }), true);
  assert.equal(fieldSelectorFor(core('Node'), 'spec.unschedulable=false')({ metadata: { name: 'n' } }), true);
  assert.equal(fieldSelectorFor(core('Service'), 'spec.type=NodePort')({ metadata: { name: 's' }, spec: { type: 'NodePort' } }), true);
  const csr = { group: 'certificates.k8s.io', kind: 'CertificateSigningRequest', custom: false };
  assert.equal(fieldSelectorFor(csr, 'spec.signerName=kubernetes.io/kubelet-serving')({ metadata: { name: 'c' }, spec: { signerName: 'kubernetes.io/kubelet-serving' } }), true);
});

test('custom resources select on metadata and their CRD selectableFields', () => {
  const type = { group: 'argoproj.io', kind: 'Rollout', custom: true, namespaced: true };
  const ro: KubeObject = { metadata: { name: 'r', namespace: 'ns' }, spec: { color: 'blue', replicas: 3, paused: false } };
  const fields = ['.spec.color', '.spec.replicas', '.spec.paused'];
  assert.equal(fieldSelectorFor(type, 'spec.color=blue,spec.replicas=3,spec.paused=false', fields)(ro), true);
  assert.equal(fieldSelectorFor(type, 'spec.color!=blue', fields)(ro), false);
  assert.equal(fieldSelectorFor(type, 'metadata.namespace=ns', fields)(ro), true);
  rejects(() => fieldSelectorFor(type, 'status.phase=Healthy', fields), 'field label not supported: status.phase');
  rejects(() => fieldSelectorFor({ ...type, namespaced: false }, 'metadata.namespace=ns'), 'field label not supported: metadata.namespace');
});

test('malformed terms and escapes are refused with Kubernetes messages', () => {
  rejects(() => parseFieldSelector('foo'), "invalid selector: 'foo'; can't understand 'foo'");
  rejects(() => parseFieldSelector('zzz=1,bad'), "invalid selector: 'zzz=1,bad'; can't understand 'bad'");
  rejects(() => parseFieldSelector('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  rejects(() => parseFieldSelector('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
  rejects(() => parseFieldSelector('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
});

test('escaped commas and equals signs are part of the value', () => {
  assert.deepEqual(parseFieldSelector('metadata.name=a\\,b\\=c,metadata.namespace!=x'), [
    { field: 'metadata.name', operator: '=', value: 'a,b=c' },
    { field: 'metadata.namespace', operator: '!=', value: 'x' },
  ]);
  assert.equal(escapeFieldSelectorValue('a,b=c\\'), 'a\\,b\\=c\\\\');
  assert.equal(fieldSelectorFor(core('ConfigMap'), `metadata.name=${escapeFieldSelectorValue('odd,name')}`)({ metadata: { name: 'odd,name' } }), true);
  assert.equal(fieldSelectorFor(core('ConfigMap'), '')({ metadata: {} }), true);
});
