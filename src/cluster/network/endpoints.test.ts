import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../objects.js';
import { desiredSliceGroups, desiredSubsets, findPort, servicesAffectedByPod, shouldPodBeInEndpoints } from './endpoints.js';

function service(spec: Record<string, unknown>, name = 'web'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `svc-${name}` }, spec: { selector: { app: 'web' }, ...spec } };
}

interface PodOpts {
  ip?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  labels?: Record<string, string>;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
  namespace?: string;
}

function pod(name: string, o: PodOpts = {}): KubeObject {
  const ready = o.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: 'argosy',
      containers: [{ name: 'c', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }],
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: { phase: o.phase ?? 'Running', ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.1.0.2' }), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

test('ready pods are addresses, unready ones notReadyAddresses, with targetRef, nodeName and the resolved named port', () => {
  const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const subsets = desiredSubsets(svc, [pod('b', { ip: '10.1.0.10' }), pod('a', { ip: '10.1.0.9' }), pod('c', { ip: '10.1.0.11', ready: false })]);
  assert.deepEqual(subsets, [
    {
      addresses: [
        { ip: '10.1.0.9', nodeName: 'argosy', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
        { ip: '10.1.0.10', nodeName: 'argosy', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
      ],
      notReadyAddresses: [{ ip: '10.1.0.11', nodeName: 'argosy', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
});

test('pods without an IP, terminal pods, terminating pods and pods of other labels or namespaces are left out', () => {
  const svc = service({ ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] });
  const pods = [
    pod('noip', { ip: '' }),
    pod('done', { phase: 'Succeeded' }),
    pod('failed', { phase: 'Failed' }),
    pod('bye', { deleting: true }),
    pod('other', { labels: { app: 'api' } }),
    pod('elsewhere', { namespace: 'other' }),
  ];
  assert.deepEqual(desiredSubsets(svc, pods), []);
  assert.equal(shouldPodBeInEndpoints(pods[3], true), true, 'terminating pods count when unready ones are published');
  // publishNotReadyAddresses: unready and terminating pods are addresses.
  const published = desiredSubsets(service({ ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], publishNotReadyAddresses: true }), [pod('bye', { deleting: true }), pod('slow', { ready: false, ip: '10.1.0.3' })]);
  assert.deepEqual(published[0].addresses!.map((a) => a.targetRef.name), ['bye', 'slow']);
  assert.equal(published[0].notReadyAddresses, undefined);
});

test('addresses offering different ports are repacked into separate subsets; a named port a pod lacks skips that pod for that port', () => {
  const svc = service({
    ports: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
    ],
  });
  const subsets = desiredSubsets(svc, [
    pod('a', { ip: '10.1.0.2', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }),
    pod('b', { ip: '10.1.0.3', ports: [{ name: 'http', containerPort: 8080 }] }),
  ]);
  assert.equal(subsets.length, 2);
  const byPorts = Object.fromEntries(subsets.map((s) => [s.ports!.map((p) => `${p.name}:${p.port}`).join(','), s.addresses!.map((a) => a.ip)]));
  assert.deepEqual(byPorts, { 'http:8080': ['10.1.0.2', '10.1.0.3'], 'metrics:9100': ['10.1.0.2'] });
});

test('findPort resolves names by protocol, numbers as they are, and fails for unknown names', () => {
  const p = pod('a', { ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'dns', containerPort: 5354 }] });
  assert.equal(findPort(p, { targetPort: 'dns', protocol: 'UDP' }), 5353);
  assert.equal(findPort(p, { targetPort: 'dns', protocol: 'TCP' }), 5354);
  assert.equal(findPort(p, { targetPort: 7000, protocol: 'TCP' }), 7000);
  assert.equal(findPort(p, { targetPort: 'nope', protocol: 'TCP' }), undefined);
});

test('headless Services without ports list addresses without ports; hostnames only for pods whose subdomain is the Service', () => {
  const svc = service({ clusterIP: 'None' }, 'db');
  const subsets = desiredSubsets(svc, [pod('db-0', { ip: '10.1.0.5', hostname: 'db-0', subdomain: 'db' }), pod('x', { ip: '10.1.0.6', hostname: 'x', subdomain: 'other' })]);
  assert.equal(subsets.length, 1);
  assert.equal(subsets[0].ports, undefined);
  assert.deepEqual(subsets[0].addresses!.map((a) => [a.ip, a.hostname]), [['10.1.0.5', 'db-0'], ['10.1.0.6', undefined]]);
  // A ClusterIP Service without ports has nothing to list.
  assert.deepEqual(desiredSubsets(service({}), [pod('a')]), []);
});

test('slice endpoints carry ready/serving/terminating, grouped by port mapping', () => {
  const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const groups = desiredSliceGroups(svc, [
    pod('a', { ip: '10.1.0.2' }),
    pod('b', { ip: '10.1.0.3', ready: false }),
    pod('c', { ip: '10.1.0.4', deleting: true }),
    pod('d', { ip: '10.1.0.5', ports: [{ name: 'http', containerPort: 9000 }] }),
  ]);
  assert.equal(groups.length, 2);
  const g8080 = groups.find((g) => g.ports[0].port === 8080)!;
  assert.deepEqual(g8080.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    g8080.endpoints.map((e) => [e.addresses[0], e.conditions]),
    [
      ['10.1.0.2', { ready: true, serving: true, terminating: false }],
      ['10.1.0.3', { ready: false, serving: false, terminating: false }],
      ['10.1.0.4', { ready: false, serving: true, terminating: true }],
    ],
  );
  assert.deepEqual(g8080.endpoints[0].targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  assert.equal(g8080.endpoints[0].nodeName, 'argosy');
  assert.deepEqual(groups.find((g) => g.ports[0].port === 9000)!.endpoints.map((e) => e.addresses[0]), ['10.1.0.5']);
});

test('a pod change concerns the Services selecting it before or after the change', () => {
  const web = service({}, 'web');
  const api = { ...service({}, 'api'), spec: { selector: { app: 'api' } } };
  const none = { ...service({}, 'manual'), spec: { ports: [{ port: 80 }] } };
  const before = pod('p', { labels: { app: 'api' } });
  const after = pod('p', { labels: { app: 'web' } });
  assert.deepEqual(servicesAffectedByPod([web, api, none], after, before).sort(), ['default/api', 'default/web']);
  assert.deepEqual(servicesAffectedByPod([web, api, none], after, undefined), ['default/web']);
});
