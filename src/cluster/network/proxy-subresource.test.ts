import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCluster, type TestCluster } from '../../../test/support/in-process-cluster.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import { podLocation, ProxySubresourceHandler, proxiedPath, serviceLocation, splitSchemeNamePort } from './proxy-subresource.js';

function fakeStore(objects: KubeObject[]): Pick<ObjectStore, 'get'> {
  const map = new Map(objects.map((o) => [`${o.kind === 'Endpoints' ? 'endpoints' : `${o.kind!.toLowerCase()}s`}|${o.metadata.namespace}/${o.metadata.name}`, { obj: o }]));
  return { get: (resource: string, key: string) => map.get(`${resource}|${key}`) as ReturnType<ObjectStore['get']> };
}

const web: KubeObject = { kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 81 }] } };
const webEps: KubeObject = {
  kind: 'Endpoints',
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: [{ ip: '10.1.0.2' }], notReadyAddresses: [{ ip: '10.1.0.3' }], ports: [{ name: 'http', port: 8080 }] }],
};

test('ids split into scheme, name and port as Kubernetes does', () => {
  assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
  assert.deepEqual(splitSchemeNamePort('web:80'), { scheme: '', name: 'web', port: '80' });
  assert.deepEqual(splitSchemeNamePort('https:web:443'), { scheme: 'https', name: 'web', port: '443' });
  assert.equal(splitSchemeNamePort('ftp:web:21'), undefined);
  assert.equal(splitSchemeNamePort('a:b:c:d'), undefined);
  assert.equal(splitSchemeNamePort(':80'), undefined);
});

test('a Service proxy goes to a ready endpoint of the named or numbered port, with Kubernetes’ errors otherwise', () => {
  const store = fakeStore([web, webEps]);
  assert.deepEqual(serviceLocation(store, 'default', 'web:http'), { scheme: 'http', ip: '10.1.0.2', port: 8080 });
  assert.deepEqual(serviceLocation(store, 'default', 'https:web:80'), { scheme: 'https', ip: '10.1.0.2', port: 8080 });
  assert.throws(() => serviceLocation(store, 'default', 'nope:80'), { code: 404, message: 'services "nope" not found' });
  assert.throws(() => serviceLocation(store, 'default', 'web:99'), { code: 503, message: 'no service port 99 found for service "web"' });
  assert.throws(() => serviceLocation(store, 'default', 'web:admin'), { code: 503, message: 'no endpoints available for service "web"' });
  assert.throws(() => serviceLocation(fakeStore([web]), 'default', 'web:80'), { code: 404, message: 'endpoints "web" not found' });
  assert.throws(() => serviceLocation(store, 'default', 'a:b:c:d'), { code: 400, message: 'invalid service request "a:b:c:d"' });
});

test('a pod proxy goes to the pod IP, on the given port, a named container port, or the first declared one', () => {
  const pod: KubeObject = {
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', ports: [{ name: 'metrics', containerPort: 9100 }, { containerPort: 8080 }] }] },
    status: { podIP: '10.1.0.9' },
  };
  const store = fakeStore([pod, { kind: 'Pod', metadata: { name: 'pending', namespace: 'default' }, spec: { containers: [] }, status: {} }]);
  assert.deepEqual(podLocation(store, 'default', 'p'), { scheme: 'http', ip: '10.1.0.9', port: 9100 });
  assert.deepEqual(podLocation(store, 'default', 'p:8080'), { scheme: 'http', ip: '10.1.0.9', port: 8080 });
  assert.deepEqual(podLocation(store, 'default', 'p:metrics'), { scheme: 'http', ip: '10.1.0.9', port: 9100 });
  assert.throws(() => podLocation(store, 'default', 'p:nope'), { code: 400 });
  assert.throws(() => podLocation(store, 'default', 'pending'), { code: 400, message: 'address not allowed' });
  assert.throws(() => podLocation(store, 'default', 'gone'), { code: 404, message: 'pods "gone" not found' });
});

test('the proxied path keeps its trailing slash, its encoding and the query', () => {
  assert.deepEqual(proxiedPath('/api/v1/namespaces/d/services/web:80/proxy/a/b/?x=1&y=2', 'services', 'web:80'), { path: '/a/b/', search: '?x=1&y=2' });
  assert.deepEqual(proxiedPath('/api/v1/namespaces/d/services/https:web:443/proxy/a%20b', 'services', 'https:web:443'), { path: '/a%20b', search: '' });
  assert.deepEqual(proxiedPath('/api/v1/namespaces/d/pods/p/proxy', 'pods', 'p'), { path: '', search: '' });
  assert.deepEqual(proxiedPath('/api/v1/namespaces/d/pods/p/proxy/', 'pods', 'p'), { path: '/', search: '' });
});

/** A backend that echoes what it got. */
async function echoServer(): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Backend': 'echo', Connection: 'close' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), auth: req.headers.authorization ?? null, host: req.headers.host, xff: req.headers['x-forwarded-for'] ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

test('through the API server: services/NAME:PORT/proxy and pods/NAME:PORT/proxy reach the backend, with any method, path, query and body', async () => {
  // The handler reads the cluster's store, which exists only once the cluster has started.
  const late: { tc?: TestCluster } = {};
  const handler = new ProxySubresourceHandler({ get: (resource, key) => late.tc!.cluster.store.get(resource, key) });
  const tc = await startTestCluster({ subresources: [handler] });
  late.tc = tc;
  const backend = await echoServer();
  try {
    const { api } = tc;
    await api.request('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } });
    await api.request('POST', '/api/v1/namespaces/default/endpoints', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: backend.port }] }],
    });
    const r = await api.request<{ method: string; url: string; body: string; auth: string | null; host: string; xff: string | null }>('POST', '/api/v1/namespaces/default/services/web:80/proxy/hello/there/?q=1&r=two', 'payload', { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 201);
    assert.equal(r.headers['x-backend'], 'echo');
    assert.deepEqual(r.body, { method: 'POST', url: '/hello/there/?q=1&r=two', body: 'payload', auth: null, host: `127.0.0.1:${backend.port}`, xff: '127.0.0.1' });
    // By port name, and the pod form.
    assert.equal((await api.request('GET', '/api/v1/namespaces/default/services/web:http/proxy/x')).status, 201);
    await api.request('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const pod = (await api.request<KubeObject>('GET', '/api/v1/namespaces/default/pods/p')).body;
    await api.request('PUT', '/api/v1/namespaces/default/pods/p/status', { ...pod, status: { phase: 'Running', podIP: '127.0.0.1' } });
    const viaPod = await api.request<{ method: string; url: string }>('DELETE', `/api/v1/namespaces/default/pods/p:${backend.port}/proxy/items/1`);
    assert.deepEqual([viaPod.status, viaPod.body.method, viaPod.body.url], [201, 'DELETE', '/items/1']);
    // No path after /proxy: redirect to the slash, as kube-apiserver does.
    const redirect = await api.request('GET', '/api/v1/namespaces/default/services/web:80/proxy?a=1');
    assert.deepEqual([redirect.status, redirect.headers.location], [301, '/api/v1/namespaces/default/services/web:80/proxy/?a=1']);
    // Errors are Status objects.
    const missing = await api.request<{ message: string }>('GET', '/api/v1/namespaces/default/services/nope/proxy/');
    assert.deepEqual([missing.status, missing.body.message], [404, 'services "nope" not found']);
    await api.request('PUT', '/api/v1/namespaces/default/endpoints/web', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [{ notReadyAddresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port: backend.port }] }],
    });
    const none = await api.request<{ message: string; reason: string }>('GET', '/api/v1/namespaces/default/services/web/proxy/');
    assert.deepEqual([none.status, none.body.reason, none.body.message], [503, 'ServiceUnavailable', 'no endpoints available for service "web"']);
    const closedPort = await api.request<{ message: string }>('GET', '/api/v1/namespaces/default/pods/p:1/proxy/');
    assert.deepEqual([closedPort.status, closedPort.body.message], [503, 'error trying to reach service: dial tcp 127.0.0.1:1: connect: connection refused']);
    assert.equal((await api.request('GET', '/api/v1/nodes/argosy/proxy/')).status, 404);
  } finally {
    backend.server.close();
    await tc.dispose();
  }
});
