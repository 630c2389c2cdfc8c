import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupResource } from '../objects.js';
import { BUILTIN_RESOURCE_TYPES, FULL_VERBS, builtinByKind, builtinStorageGroupResource, findBuiltin } from './resource-table.js';

test('every built-in entry has a consistent kind, listKind, plural and singular', () => {
  for (const t of BUILTIN_RESOURCE_TYPES) {
    const id = `${t.group}/${t.version}/${t.plural}`;
    assert.equal(t.listKind, `${t.kind}List`, id);
    assert.equal(t.singular, t.kind.toLowerCase(), id);
    assert.match(t.plural, /^[a-z]+$/, id);
    const s = t.singular;
    assert.ok([`${s}s`, `${s}es`, `${s.slice(0, -1)}ies`, s].includes(t.plural), `${id}: plural of ${s}`);
    assert.equal(t.custom, false, id);
    assert.deepEqual([...t.verbs].sort(), t.verbs, `${id} verbs are sorted as discovery lists them`);
    for (const v of t.verbs) assert.ok(FULL_VERBS.includes(v), `${id} verb ${v}`);
    for (const s of t.shortNames) assert.match(s, /^[a-z]+$/, id);
  }
});

test('every group/version/plural is served once and its storage version is one of its served versions', () => {
  const seen = new Set<string>();
  for (const t of BUILTIN_RESOURCE_TYPES) {
    const id = `${t.group}/${t.version}/${t.plural}`;
    assert.ok(!seen.has(id), `duplicate ${id}`);
    seen.add(id);
    const served = BUILTIN_RESOURCE_TYPES.filter((o) => o.group === t.group && o.plural === t.plural).map((o) => o.version);
    assert.ok(served.includes(t.storageVersion), id);
  }
});

test('the required resources are all served', () => {
  const required = [
    ['', 'v1', ['namespaces', 'configmaps', 'secrets', 'serviceaccounts', 'services', 'endpoints', 'pods', 'events', 'nodes',
      'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers', 'resourcequotas', 'limitranges', 'podtemplates', 'bindings']],
    ['apps', 'v1', ['deployments', 'replicasets', 'statefulsets', 'daemonsets', 'controllerrevisions']],
    ['batch', 'v1', ['jobs', 'cronjobs']],
    ['networking.k8s.io', 'v1', ['ingresses', 'ingressclasses', 'networkpolicies']],
    ['discovery.k8s.io', 'v1', ['endpointslices']],
    ['coordination.k8s.io', 'v1', ['leases']],
    ['events.k8s.io', 'v1', ['events']],
    ['rbac.authorization.k8s.io', 'v1', ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']],
    ['autoscaling', 'v2', ['horizontalpodautoscalers']],
    ['autoscaling', 'v1', ['horizontalpodautoscalers']],
    ['policy', 'v1', ['poddisruptionbudgets']],
    ['apiextensions.k8s.io', 'v1', ['customresourcedefinitions']],
    ['storage.k8s.io', 'v1', ['storageclasses']],
    ['scheduling.k8s.io', 'v1', ['priorityclasses']],
    ['authorization.k8s.io', 'v1', ['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews']],
    ['authentication.k8s.io', 'v1', ['tokenreviews', 'selfsubjectreviews']],
    ['admissionregistration.k8s.io', 'v1', ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']],
    ['apiregistration.k8s.io', 'v1', ['apiservices']],
  ] as const;
  for (const [group, version, plurals] of required) {
    for (const plural of plurals) assert.ok(findBuiltin(group, version, plural), `${group}/${version}/${plural}`);
  }
});

test('the `all` category holds exactly the workload resources kubectl get all shows', () => {
  const all = new Set(BUILTIN_RESOURCE_TYPES.filter((t) => t.categories.includes('all')).map((t) => groupResource(t)));
  assert.deepEqual([...all].sort(), [
    'apps/daemonsets', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets', 'autoscaling/horizontalpodautoscalers',
    'batch/cronjobs', 'batch/jobs', 'pods', 'replicationcontrollers', 'services',
  ]);
});

test('virtual resources are create-only and namespaces lack deletecollection', () => {
  for (const [g, p] of [['', 'bindings'], ['authorization.k8s.io', 'selfsubjectaccessreviews'], ['authorization.k8s.io', 'subjectaccessreviews'],
    ['authorization.k8s.io', 'selfsubjectrulesreviews'], ['authentication.k8s.io', 'tokenreviews'], ['authentication.k8s.io', 'selfsubjectreviews']]) {
    assert.deepEqual(findBuiltin(g, 'v1', p)?.verbs, ['create'], p);
  }
  assert.deepEqual(findBuiltin('', 'v1', 'namespaces')?.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(findBuiltin('', 'v1', 'events')?.verbs, [...FULL_VERBS]);
  assert.deepEqual(findBuiltin('', 'v1', 'nodes')?.verbs, [...FULL_VERBS]);
});

test('subresources: status, scale for the scalable workloads, and the pod/service/node/serviceaccount extras', () => {
  for (const [g, p] of [['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['', 'replicationcontrollers']]) {
    assert.deepEqual(findBuiltin(g, 'v1', p)?.subresources.scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' }, p);
  }
  assert.equal(findBuiltin('apps', 'v1', 'daemonsets')?.subresources.scale, undefined);
  assert.deepEqual(findBuiltin('', 'v1', 'pods')?.subresources.extra, ['attach', 'binding', 'eviction', 'exec', 'log', 'portforward', 'proxy']);
  assert.deepEqual(findBuiltin('', 'v1', 'services')?.subresources.extra, ['proxy']);
  assert.deepEqual(findBuiltin('', 'v1', 'nodes')?.subresources.extra, ['proxy']);
  assert.deepEqual(findBuiltin('', 'v1', 'serviceaccounts')?.subresources.extra, ['token']);
  assert.equal(findBuiltin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')?.subresources.status, true);
  assert.equal(findBuiltin('', 'v1', 'configmaps')?.subresources.status, undefined);
});

test('short names match kubectl api-resources', () => {
  const short = (g: string, p: string, v = 'v1') => findBuiltin(g, v, p)?.shortNames;
  assert.deepEqual(short('', 'pods'), ['po']);
  assert.deepEqual(short('apps', 'deployments'), ['deploy']);
  assert.deepEqual(short('apiextensions.k8s.io', 'customresourcedefinitions'), ['crd', 'crds']);
  assert.deepEqual(short('autoscaling', 'horizontalpodautoscalers', 'v2'), ['hpa']);
  assert.deepEqual(short('networking.k8s.io', 'networkpolicies'), ['netpol']);
});

test('lookups by resource and by kind find the right entries, preferring autoscaling/v2', () => {
  assert.equal(findBuiltin('apps', 'v1', 'deployments')?.kind, 'Deployment');
  assert.equal(findBuiltin('apps', 'v1beta1', 'deployments'), undefined);
  assert.equal(builtinByKind('autoscaling', 'HorizontalPodAutoscaler')?.version, 'v2');
  assert.equal(builtinByKind('autoscaling', 'HorizontalPodAutoscaler', 'v1')?.storageVersion, 'v2');
  assert.equal(builtinByKind('', 'Event')?.group, '');
  assert.equal(builtinByKind('events.k8s.io', 'Event')?.plural, 'events');
  assert.equal(builtinByKind('apps', 'Widget'), undefined);
});

test('events.k8s.io events are stored with core events', () => {
  const ev = builtinByKind('events.k8s.io', 'Event');
  assert.ok(ev);
  assert.equal(builtinStorageGroupResource(ev), 'events');
  assert.equal(builtinStorageGroupResource({ group: 'apps', plural: 'deployments' }), 'apps/deployments');
});
